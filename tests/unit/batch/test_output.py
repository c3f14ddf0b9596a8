"""The rows spool: rows reach the disk as mini-batches finish and the rows file is in input
order, without the driver holding them."""

from pathlib import Path

import pytest

from scorehost.batch.errors import BatchUsageError
from scorehost.batch.output import SPOOL_NAME, RowsSpool
from scorehost.batch.progress import Finished


def _finished(index: int, rows_at: tuple[int, int] | None) -> Finished:
    return Finished(index, (f"item-{index}",), 1, succeeded=1, rows_at=rows_at)


def test_mini_batches_that_finished_out_of_order_are_written_in_input_order(tmp_path: Path) -> None:
    spool = RowsSpool(tmp_path, 0)
    second = spool.append("b1\nb2\n")
    first = spool.append("a1\n")
    failed = Finished(2, ("item-2",), 3, error="ValueError: x")
    third = spool.append("c1\n")

    spool.write_rows(
        tmp_path / "rows.txt",
        {0: _finished(0, first), 1: _finished(1, second), 2: failed, 3: _finished(3, third)},
    )

    assert (tmp_path / "rows.txt").read_text() == "a1\nb1\nb2\nc1\n"
    assert not (tmp_path / SPOOL_NAME).exists()


def test_in_order_the_spool_becomes_the_rows_file(tmp_path: Path) -> None:
    spool = RowsSpool(tmp_path, 0)
    places = [spool.append(f"row {n}\n") for n in range(3)]
    spool.write_rows(tmp_path / "rows.txt", {n: _finished(n, p) for n, p in enumerate(places)})
    assert (tmp_path / "rows.txt").read_text() == "row 0\nrow 1\nrow 2\n"


def test_rows_a_kill_left_unrecorded_are_dropped_and_a_spool_cut_short_is_refused(
    tmp_path: Path,
) -> None:
    spool = RowsSpool(tmp_path, 0)
    recorded = spool.append("kept\n")
    spool.append("never recorded\n")
    spool.close()

    again = RowsSpool(tmp_path, sum(recorded))
    again.write_rows(tmp_path / "rows.txt", {0: _finished(0, recorded)})
    assert (tmp_path / "rows.txt").read_text() == "kept\n"

    (tmp_path / SPOOL_NAME).write_text("x")
    with pytest.raises(BatchUsageError, match="--restart"):
        RowsSpool(tmp_path, 100)
