"""The smoke test every target runs after a rollout: score a sample through the real URI."""

import json
from pathlib import Path


def smoke_test(
    url: str, key: str | None, sample: Path, headers: dict[str, str] | None = None
) -> str | None:
    """Score the sample through `url`; None when it answers well, else what went wrong."""
    from scorehost.client.errors import ScoringError
    from scorehost.client.scoring import ScoringClient

    rows = json.loads(sample.read_text())["data"]
    try:
        with ScoringClient(url, key=key, retries=2, headers=headers) as client:
            answer = client.score(rows)
    except ScoringError as exc:
        return str(exc)
    if len(answer) != len(rows):
        return f"{len(rows)} rows scored, {len(answer)} answers"
    print(json.dumps({"scoring_uri": url, **(headers or {}), "prediction": answer.tolist()}))
    return None
