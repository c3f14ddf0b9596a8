"""The progress file: a killed run's finished mini-batches are kept, a cut line is not, and a
rerun whose results would differ is refused, naming what changed."""

from pathlib import Path

import pytest

from scorehost.batch.errors import BatchUsageError
from scorehost.batch.fingerprint import Digests
from scorehost.batch.progress import PROGRESS_NAME, Finished, Progress

RUN = {"script": "s1", "model": "m1", "input": "i1", "options": {"mini_batch_size": "10"}}


def test_a_restarted_run_finds_what_the_last_one_finished(tmp_path: Path) -> None:
    progress = Progress(tmp_path, RUN)
    progress.record(Finished(0, ("a",), 1, succeeded=1, rows_at=(0, 5), agent="process001"))
    progress.record(Finished(1, ("b",), 3, error="ValueError: x"))
    progress.close()

    again = Progress(tmp_path, RUN)

    assert again.finished == {
        0: Finished(0, ("a",), 1, succeeded=1, rows_at=(0, 5), agent="process001"),
        1: Finished(1, ("b",), 3, error="ValueError: x"),
    }
    assert again.finished[1].failed == 1
    assert again.rows_end == 5
    assert all(f.resumed for f in again.finished.values())


def test_a_line_cut_off_by_a_kill_is_dropped_and_that_mini_batch_runs_again(
    tmp_path: Path,
) -> None:
    progress = Progress(tmp_path, RUN)
    progress.record(Finished(0, ("a",), 1, succeeded=1, rows_at=(0, 5)))
    progress.close()
    with (tmp_path / PROGRESS_NAME).open("a") as file:
        file.write('{"index": 1, "items": ["b"')

    again = Progress(tmp_path, RUN)
    again.record(Finished(1, ("b",), 1, succeeded=1, rows_at=(5, 5)))
    again.close()

    assert set(Progress(tmp_path, RUN).finished) == {0, 1}


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"script": "s2"}, "script"),
        ({"model": "m2"}, "model"),
        ({"input": "i2"}, "input"),
        ({"options": {"mini_batch_size": "5"}}, "mini_batch_size"),
    ],
)
def test_a_rerun_whose_results_would_differ_is_refused_naming_the_change(
    tmp_path: Path, change: dict[str, object], named: str
) -> None:
    Progress(tmp_path, RUN).close()
    with pytest.raises(BatchUsageError) as refused:
        Progress(tmp_path, {**RUN, **change})
    message = str(refused.value)
    assert f"{named} changed since" in message
    assert "--restart" in message


def test_a_files_digest_is_read_again_only_when_its_size_or_time_changed(tmp_path: Path) -> None:
    model = tmp_path / "model.pkl"
    model.write_bytes(b"weights")
    digests = Digests(tmp_path / "inputs.digests")
    first = digests.of_file(model)
    digests.save()

    model.write_bytes(b"retrained")  # size and time change: read again

    assert Digests(tmp_path / "inputs.digests").of_file(model) != first
