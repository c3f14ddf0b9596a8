"""The body limit follows from the memory the server has (docs/operations.md, the formula)."""

from pathlib import Path

from scorehost.app.process.memory import body_budget, container_memory, default_body_limit

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
    assert 35 * 2**20 < default_body_limit(GIB, workers=1) < 40 * 2**20
    assert default_body_limit(2 * GIB, workers=2) < default_body_limit(2 * GIB, workers=1)
    assert default_body_limit(64 * GIB, workers=1) == 128 * 2**20  # never past 128 MiB
    assert body_budget(100 * 2**20, workers=4) == 2**20  # at least 1 MiB, however small


def test_settings_take_the_limit_from_memory_unless_given() -> None:
    from scorehost.app.settings import Settings

    small = Settings(memory_limit_bytes=GIB)
    assert small.max_body_bytes == default_body_limit(GIB, 1)
    assert Settings(memory_limit_bytes=GIB, max_body_bytes=5_000).max_body_bytes == 5_000
    assert small.body_budget() >= small.max_body_bytes
