"""Azure ML's score.py API (AMLRequest, rawhttp, AMLResponse), importable by Azure's names."""
