"""A Python client for any scorehost or Azure ML scoring URI, used by the tutorial's tools, the
deploy commands' smoke tests and the benchmarks: `from scorehost.client import ScoringClient`."""

from scorehost.client.errors import ScoringError
from scorehost.client.scoring import AsyncScoringClient, ClientOptions, ScoringClient

__all__ = ["AsyncScoringClient", "ClientOptions", "ScoringClient", "ScoringError"]
