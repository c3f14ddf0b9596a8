"""Everything the tutorial's tools report as a failure, in one place, with its exit code: the
caller's data or files are at fault (2), or the remote service or download source (1)."""

from collections.abc import Mapping

from scorehost.app import exit_codes


class DataNotFound(FileNotFoundError):
    """No MNIST files where the caller pointed."""


class IdxError(ValueError):
    """The file is not a well-formed IDX file of the expected kind."""


class NotADigit(ValueError):
    """The file given to `predict` is not a readable image or rows file."""


class DownloadError(Exception):
    """A file could not be fetched or verified; the message says what to do."""


def exit_codes_of_errors() -> Mapping[type[BaseException], int]:
    from scorehost.client.errors import ScoringError

    usage: dict[type[BaseException], int] = dict.fromkeys(
        (DataNotFound, IdxError, NotADigit), exit_codes.USAGE
    )
    return {**usage, DownloadError: exit_codes.FAILED, ScoringError: exit_codes.FAILED}
