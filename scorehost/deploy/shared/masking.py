"""API keys in output: enough to tell which key it is, never the key."""


def mask(key: str | None) -> str:
    """`abcd…yz`; short keys are shown as `***`."""
    return f"{key[:4]}…{key[-2:]}" if key and len(key) > 8 else "***"
