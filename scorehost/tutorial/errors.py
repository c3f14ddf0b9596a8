"""Everything the tutorial's tools report as a failure, in one place (the CLI maps them to exit
codes): the caller's data or files are at fault, or the remote service or download source."""


class DataNotFound(FileNotFoundError):
    """No MNIST files where the caller pointed."""


class IdxError(ValueError):
    """The file is not a well-formed IDX file of the expected kind."""


class NotADigit(ValueError):
    """The file given to `predict` is not a readable image or rows file."""


class DownloadError(Exception):
    """A file could not be fetched or verified; the message says what to do."""


class MissingExtra(Exception):
    """A library the tutorial's tools need is not installed (they are an optional extra)."""


USAGE_ERRORS: tuple[type[Exception], ...] = (DataNotFound, IdxError, NotADigit, MissingExtra)
REMOTE_ERRORS: tuple[type[Exception], ...] = (DownloadError,)
