"""The constraints an image writes for `scorehost build`: every package of the server's pinned,
numpy held only to the server's own range."""

from importlib.metadata import version

from scorehost.app import server_lock


def test_the_servers_packages_are_pinned_at_their_installed_versions() -> None:
    lines = server_lock.constraints()
    assert f"fastapi=={version('fastapi')}" in lines
    assert f"scorehost=={version('scorehost')}" in lines
    assert not any(line.lower().startswith(("pip==", "setuptools==")) for line in lines)


def test_numpy_is_held_to_the_servers_range_so_a_model_may_bring_its_own() -> None:
    lines = server_lock.constraints()
    (numpy,) = [line for line in lines if server_lock.canonical(line.split(">")[0]) == "numpy"]
    assert numpy == "numpy>=1.26"
