"""`scorehost build --dry-run`: the Dockerfile and requirements it would build, no Docker."""

import re
from pathlib import Path

import pytest

from scorehost.app.cli import main


def _project(tmp_path: Path) -> Path:
    folder = tmp_path / "my-model"
    (folder / "model").mkdir(parents=True)
    (folder / "score.py").write_text(
        "import pandas\n\ndef init():\n    pass\n\ndef run(d):\n    return d\n"
    )
    (folder / "helpers.py").write_text("X = 1\n")
    (folder / "model" / "model.pkl").write_bytes(b"weights")
    (folder / "requirements.txt").write_text("pandas==2.2.3\n")
    (folder / "__pycache__").mkdir()
    return folder


def test_the_dry_run_prints_an_image_from_scorehosts_with_the_scripts_packages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _project(tmp_path)

    assert main(["build", str(folder), "--tag", "my-model:1", "--dry-run"]) == 0

    out = capsys.readouterr().out
    assert "FROM scorehost:latest\n" in out
    assert "/opt/venv/bin/pip install" in out and "pip check" in out
    assert "COPY app/ /var/azureml-app/\nCOPY model/ /opt/scorehost/model/\n" in out
    assert "rm -rf /opt/scorehost/score.py /opt/scorehost/model" in out  # the tutorial's
    assert (
        "AZUREML_ENTRY_SCRIPT=score.py" in out and "AZUREML_MODEL_DIR=/opt/scorehost/model" in out
    )
    assert out.index("USER 10001") > out.index("COPY model/")
    assert out.rstrip().endswith("pandas==2.2.3")


def test_without_requirements_there_is_no_install_step(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _project(tmp_path)
    (folder / "requirements.txt").unlink()

    assert main(["build", str(folder), "-t", "x", "--base", "mine:2", "--dry-run"]) == 0

    captured = capsys.readouterr()
    assert "FROM mine:2\n" in captured.out and "pip install" not in captured.out
    assert "RUN rm -rf /opt/scorehost/score.py /opt/scorehost/model\n" in captured.out
    assert "no requirements file: the image's packages only" in captured.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--entry-script", "main.py"], "entry script .*main.py not found"),
        (["--model-dir", "/no/such/model"], "model folder /no/such/model not found"),
        (["--pip-ca", "/no/ca.pem"], "CA bundle /no/ca.pem not found"),
        (["--docker", "/no/docker"], "no docker client '/no/docker' on PATH"),
    ],
)
def test_what_cannot_be_built_is_exit_2_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    folder = _project(tmp_path)
    assert main(["build", str(folder), "-t", "x", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("scorehost build: error: ")
    assert re.search(message, err), err


def test_a_failed_docker_build_is_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _project(tmp_path)
    assert main(["build", str(folder), "-t", "x", "--docker", "false"]) == 1
    assert "docker build of x failed (its output is above)" in capsys.readouterr().err
