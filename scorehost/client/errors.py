"""What the client raises: light to import, so command lines can map it without loading httpx."""


class ScoringError(Exception):
    """The service could not score: unreachable, refused the request, or answered nonsense."""

    def __init__(self, message: str, status_code: int | None = None, request_id: str | None = None):
        suffix = f" (request id {request_id})" if request_id else ""
        super().__init__(message + suffix)
        self.status_code = status_code
        self.request_id = request_id
