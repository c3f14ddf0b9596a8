"""A Python client for any scorehost or Azure ML scoring URI (`client.scoring.ScoringClient`),
used by the tutorial's tools, the deploy commands' smoke tests and the benchmarks."""
