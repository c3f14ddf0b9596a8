"""What `--reload` watches, what it ignores, and how it names what changed."""

from pathlib import Path

from watchfiles import Change

from scorehost.app.process.reloader import ScriptAndModelFilter, describe, watched_paths
from scorehost.app.settings import Settings


def test_it_watches_the_scripts_folder_and_the_model_dir_once_each(tmp_path: Path) -> None:
    (tmp_path / "score.py").write_text("")
    settings = Settings(entry_script=tmp_path / "score.py", model_dir=tmp_path, reload=True)
    assert watched_paths(settings) == [tmp_path.resolve()]

    models = tmp_path / "models"
    models.mkdir()
    settings = Settings(entry_script=tmp_path / "score.py", model_dir=models)
    assert watched_paths(settings) == [tmp_path.resolve(), models.resolve()]


def test_python_files_and_model_files_count_logs_and_caches_do_not(tmp_path: Path) -> None:
    models = tmp_path / "models"
    watch = ScriptAndModelFilter(models)
    assert watch(Change.modified, str(tmp_path / "score.py"))
    assert watch(Change.added, str(tmp_path / "utils.py"))
    assert watch(Change.modified, str(models / "model.pkl"))
    assert not watch(Change.modified, str(tmp_path / "server.log"))
    assert not watch(Change.added, str(tmp_path / "__pycache__" / "score.cpython-311.pyc"))
    assert not watch(Change.modified, str(tmp_path / ".git" / "index"))


def test_changes_are_named_relative_to_the_watched_folder(tmp_path: Path) -> None:
    changes = {
        (Change.modified, str(tmp_path / "score.py")),
        (Change.added, str(tmp_path / "lib" / "helper.py")),
    }
    assert describe(changes, [tmp_path]) == "added lib/helper.py, modified score.py"
