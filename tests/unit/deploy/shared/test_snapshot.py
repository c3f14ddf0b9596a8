"""What of a user's folder goes to Azure: its .amlignore, else its .gitignore, and never what is
not the project's to send."""

from pathlib import Path

from scorehost.deploy.shared.snapshot import Snapshot


def _files(root: Path, *names: str) -> None:
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(name)


def _sent(root: Path) -> list[str]:
    return [path.as_posix() for path in Snapshot.of(root).files]


def test_the_gitignore_leaves_out_what_it_names(tmp_path: Path) -> None:
    _files(tmp_path, "score.py", "data/raw.csv", "keep.csv", "other.csv", "src/util.py")
    (tmp_path / ".gitignore").write_text("data/\n*.csv\n!keep.csv\n")
    assert _sent(tmp_path) == ["keep.csv", "score.py", "src/util.py"]
    assert Snapshot.of(tmp_path).ignore_file == tmp_path / ".gitignore"


def test_an_amlignore_is_used_instead_of_the_gitignore(tmp_path: Path) -> None:
    # "If both files exist, the .amlignore file is used and the .gitignore file is unused."
    _files(tmp_path, "score.py", "model.pkl", "notes.md")
    (tmp_path / ".gitignore").write_text("*.pkl\n")
    (tmp_path / ".amlignore").write_text("*.md\n")
    assert _sent(tmp_path) == ["model.pkl", "score.py"]


def test_never_version_control_environments_keys_caches_or_hidden_files(tmp_path: Path) -> None:
    _files(
        tmp_path,
        "score.py",
        ".git/HEAD",
        ".venv/lib/site.py",
        "venv/pyvenv.cfg",
        "venv/lib/site.py",
        ".scorehost/aci.keys.json",
        ".env",
        "__pycache__/score.cpython-311.pyc",
        "src/helper.pyc",
    )
    assert _sent(tmp_path) == ["score.py"]


def test_a_link_out_of_the_folder_is_not_followed(tmp_path: Path) -> None:
    project = tmp_path / "project"
    _files(project, "score.py", "lib/inside.py")
    (tmp_path / "secret.txt").write_text("secret")
    (project / "leak.txt").symlink_to(tmp_path / "secret.txt")
    (project / "alias.py").symlink_to(project / "lib" / "inside.py")
    assert _sent(project) == ["alias.py", "lib/inside.py", "score.py"]


def test_staged_is_a_copy_of_only_those_files_under_the_folders_name(tmp_path: Path) -> None:
    project = tmp_path / "iris-service"
    _files(project, "score.py", "data/raw.csv", ".git/HEAD")
    (project / ".gitignore").write_text("data/\n")
    snapshot = Snapshot.of(project)

    with snapshot.staged() as copy:
        assert copy.name == "iris-service"
        assert sorted(p.relative_to(copy).as_posix() for p in copy.rglob("*") if p.is_file()) == [
            "score.py"
        ]
    assert not copy.exists()
    listing = snapshot.listing()
    assert listing["files"] == {"score.py": len("score.py")}
    assert listing["ignore_file"] == ".gitignore"
