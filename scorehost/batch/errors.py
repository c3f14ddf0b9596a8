"""What ends `scorehost batch`: bad arguments or input (exit 2), or a run that failed (exit 1)."""

from scorehost.app import exit_codes
from scorehost.app.commands import CommandError, UsageError


class BatchUsageError(UsageError):
    """The options, the input or the output folder cannot be used as given."""


class BatchFailed(CommandError):
    """The run stopped: init() failed, or more items failed than --error-threshold allows."""


class BatchInterrupted(CommandError):
    """Ctrl-C: what finished is recorded; the same command goes on from there."""

    exit_code = exit_codes.INTERRUPTED
