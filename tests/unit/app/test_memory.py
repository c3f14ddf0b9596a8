"""The body limit follows from the memory the server has (docs/operations.md, the formula)."""

from pathlib import Path

from scorehost.app.memory import Limits, body_budget, container_memory

GIB = 2**30


def test_the_containers_cgroup_limit_is_the_memory(tmp_path: Path) -> None:
    v2, v1 = tmp_path / "memory.max", tmp_path / "memory.limit_in_bytes"
    v2.write_text("1073741824\n")
    assert container_memory((v2, v1)) == GIB
    v2.write_text("max\n")  # cgroup v2 without a limit
    v1.write_text(str(2 * GIB))
    assert container_memory((v2, v1)) == 2 * GIB
    v1.write_text("9223372036854771712")  # cgroup v1 without a limit: the machine's RAM
    assert container_memory((v2, v1)) > 0
    assert container_memory((tmp_path / "absent",)) == container_memory((v2, v1))


def test_a_small_container_gets_a_small_body_limit() -> None:
    # ACI's 1 GB: (0.85 GB - 100 MB - 150 MB) / 16, about 38 MB: the 10,000-row request does
    # not fit, the client's 1,000-row batches do.
    one_gib = Limits.measure(GIB, None, workers=1)
    assert 35 * 2**20 < one_gib.max_body_bytes < 40 * 2**20
    two_workers = Limits.measure(2 * GIB, None, workers=2)
    assert two_workers.max_body_bytes < Limits.measure(2 * GIB, None, workers=1).max_body_bytes
    assert Limits.measure(64 * GIB, None, workers=1).max_body_bytes == 128 * 2**20  # never more
    assert body_budget(100 * 2**20, workers=4) == 2**20  # at least 1 MiB, however small


def test_a_limit_given_stands_and_one_body_always_fits_the_budget() -> None:
    given = Limits.measure(GIB, 5_000, workers=1)
    assert given.max_body_bytes == 5_000
    huge = Limits.measure(GIB, 500 * 2**20, workers=1)
    assert huge.body_budget >= huge.max_body_bytes  # one body alone is always admitted


def test_without_a_memory_setting_the_container_is_measured() -> None:
    assert Limits.measure(None, None, workers=1).memory_bytes == container_memory()
