"""The progress file: a killed run's finished mini-batches are kept, a cut line is not."""

from pathlib import Path

import pytest

from scorehost.batch.errors import BatchUsageError
from scorehost.batch.progress import PROGRESS_NAME, Finished, Progress

RUN = {"input": "digits/", "items": [["a"], ["b"]]}


def test_a_restarted_run_finds_what_the_last_one_finished(tmp_path: Path) -> None:
    progress = Progress(tmp_path, RUN)
    progress.record(Finished(0, ("a",), 1, lines=("a: 7",), succeeded=1))
    progress.record(Finished(1, ("b",), 3, error="ValueError: x"))
    progress.close()

    again = Progress(tmp_path, RUN)

    assert again.finished == {
        0: Finished(0, ("a",), 1, lines=("a: 7",), succeeded=1),
        1: Finished(1, ("b",), 3, error="ValueError: x"),
    }
    assert again.finished[1].failed == 1
    assert all(f.resumed for f in again.finished.values())


def test_a_line_cut_off_by_a_kill_is_dropped_and_that_mini_batch_runs_again(
    tmp_path: Path,
) -> None:
    progress = Progress(tmp_path, RUN)
    progress.record(Finished(0, ("a",), 1, lines=("a: 7",), succeeded=1))
    progress.close()
    with (tmp_path / PROGRESS_NAME).open("a") as file:
        file.write('{"index": 1, "items": ["b"')

    again = Progress(tmp_path, RUN)
    again.record(Finished(1, ("b",), 1, lines=("b: 2",), succeeded=1))
    again.close()

    assert set(Progress(tmp_path, RUN).finished) == {0, 1}


def test_another_runs_progress_is_not_mixed_in(tmp_path: Path) -> None:
    Progress(tmp_path, RUN).close()
    with pytest.raises(BatchUsageError, match="another --output"):
        Progress(tmp_path, {**RUN, "input": "other/"})
