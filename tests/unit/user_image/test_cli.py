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
    assert "-c /opt/venv/scorehost-constraints.txt -r" in out  # the server's versions hold
    assert "\npandas==2.2.3\n" in out
    assert "#   app/helpers.py  6 bytes\n" in out and "#   model/model.pkl  7 bytes" in out


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
    (folder / "requirements.txt").unlink()  # nothing to hold to the server's versions first
    assert main(["build", str(folder), "-t", "x", "--docker", "false"]) == 1
    assert "docker build of x failed (its output is above)" in capsys.readouterr().err


# --- what goes into the image: a user's project, not only a score.py ----------------------------
# The shape of azureml-examples' cli/endpoints/online/custom-container projects: a score.py
# beside helper modules, an Azure ML workspace config.json and a .env at the top, a model folder.


def _users_project(tmp_path: Path) -> Path:
    folder = tmp_path / "churn-service"
    (folder / "model").mkdir(parents=True)
    (folder / "src").mkdir()
    (folder / "score.py").write_text("def init():\n    pass\n\ndef run(raw):\n    return raw\n")
    (folder / "src" / "features.py").write_text("COLUMNS = ['tenure']\n")
    (folder / "model" / "churn.joblib").write_bytes(b"joblib")
    (folder / "config.json").write_text('{"subscription_id": "x", "workspace_name": "w"}')
    (folder / ".env").write_text("AZURE_CLIENT_SECRET=s3cret\n")
    (folder / "certs").mkdir()
    (folder / "certs" / "client.pem").write_text("-----BEGIN PRIVATE KEY-----\n")
    (folder / "notebooks").mkdir()
    (folder / "notebooks" / "explore.ipynb").write_text("{}")
    (folder / "data.csv").write_text("tenure\n1\n")
    return folder


def _files_in_image(out: str) -> list[str]:
    return [line.split()[1] for line in out.splitlines() if line.startswith("#   ")]


def test_credentials_ignore_files_and_hidden_files_stay_out_of_the_image(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _users_project(tmp_path)
    (folder / ".amlignore").write_text("notebooks/\n")
    (folder / ".dockerignore").write_text("*.csv\n")

    assert main(["build", str(folder), "-t", "churn:1", "--dry-run"]) == 0

    captured = capsys.readouterr()
    assert _files_in_image(captured.out) == [
        "app/score.py",
        "app/src/features.py",
        "model/churn.joblib",
    ]
    assert (
        "left out certs/client.pem, config.json: they look like credentials "
        "(--include PATH puts one in)" in captured.err
    )
    assert "(.amlignore, .dockerignore)" in captured.out


def test_a_file_named_with_include_goes_in_although_it_looks_like_a_credential(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _users_project(tmp_path)

    assert main(["build", str(folder), "-t", "c", "--include", "config.json", "--dry-run"]) == 0

    captured = capsys.readouterr()
    assert "app/config.json" in _files_in_image(captured.out)
    assert "app/.env" not in _files_in_image(captured.out)
    assert "left out certs/client.pem:" in captured.err


def test_a_link_out_of_the_folder_stops_the_build_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _users_project(tmp_path)
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (folder / "shared").symlink_to(home)  # a folder link: copytree would have followed it
    (folder / "loop").symlink_to(folder / "loop")

    assert main(["build", str(folder), "-t", "c", "--dry-run"]) == 2

    err = capsys.readouterr().err
    assert f"shared points out of the folder, to {home}" in err
    assert "loop is a loop of links" in err


def test_a_link_inside_the_folder_goes_in_as_a_link(tmp_path: Path) -> None:
    from scorehost.deploy.shared.snapshot import Snapshot

    folder = _users_project(tmp_path)
    (folder / "features").symlink_to(folder / "src")
    snapshot = Snapshot.of(folder, dockerignore=True)
    target = tmp_path / "copy"
    target.mkdir()

    snapshot.copy_to(target)

    assert (target / "features").is_symlink()
    assert (target / "features" / "features.py").read_text() == "COLUMNS = ['tenure']\n"


def test_an_entry_script_that_is_a_folder_is_named_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _users_project(tmp_path)
    assert main(["build", str(folder), "-t", "c", "--entry-script", "src", "--dry-run"]) == 2
    assert "src is a folder, not a file" in capsys.readouterr().err


def test_index_options_are_refused_unless_allowed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _users_project(tmp_path)
    (folder / "requirements.txt").write_text(
        "--extra-index-url http://pypi.example.internal/simple\nlightgbm==4.5.0\n"
    )

    assert main(["build", str(folder), "-t", "c", "--dry-run"]) == 2
    assert "--allow-index-options" in capsys.readouterr().err

    assert main(["build", str(folder), "-t", "c", "--dry-run", "--allow-index-options"]) == 0
    captured = capsys.readouterr()
    assert "\n--extra-index-url http://pypi.example.internal/simple\n" in captured.out
    assert "--extra-index-url kept (--allow-index-options)" in captured.err


# --- Azure ML projects' own environment files ---------------------------------------------------
# CondaDependencies().save() (MachineLearningNotebooks' deployment samples) writes myenv.yml with
# azureml-defaults in its pip list; azureml-examples keep theirs at environment/conda.yaml.
CONDA_DEPENDENCIES_YML = """\
name: project_environment
dependencies:
- python=3.11
- pip:
  - azureml-defaults
  - lightgbm==4.5.0
channels:
- conda-forge
"""


def _v1_project(tmp_path: Path, imports: str) -> Path:
    folder = tmp_path / "v1-service"
    folder.mkdir()
    (folder / "score.py").write_text(
        f"{imports}\n\ndef init():\n    pass\n\ndef run(d):\n    return d\n"
    )
    (folder / "myenv.yml").write_text(CONDA_DEPENDENCIES_YML)
    return folder


def test_a_script_using_azureml_core_beyond_model_keeps_azureml_core(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _v1_project(tmp_path, "from azureml.core.run import Run")

    assert main(["build", str(folder), "-t", "v1:1", "--dry-run"]) == 0

    captured = capsys.readouterr()
    assert "\nlightgbm==4.5.0\nazureml-core\n" in captured.out
    assert "azureml-core kept from azureml-defaults: the scripts import azureml.core.run" in (
        captured.err
    )


def test_a_script_using_only_model_get_model_path_needs_no_azureml_core(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _v1_project(tmp_path, "from azureml.core.model import Model")

    assert main(["build", str(folder), "-t", "v1:1", "--dry-run"]) == 0

    captured = capsys.readouterr()
    assert "\nazureml-core\n" not in captured.out
    assert "Model.get_model_path is answered by scorehost" in captured.err


def test_azureml_examples_environment_folder_is_found(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _v1_project(tmp_path, "import json")
    (folder / "environment").mkdir()
    (folder / "myenv.yml").rename(folder / "environment" / "conda.yaml")

    assert main(["build", str(folder), "-t", "x", "--dry-run"]) == 0
    assert "written by scorehost build from conda.yaml" in capsys.readouterr().out


def test_a_conda_file_under_another_name_is_exit_2_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _v1_project(tmp_path, "import json")
    (folder / "deps").mkdir()
    (folder / "myenv.yml").rename(folder / "deps" / "inference.yml")

    assert main(["build", str(folder), "-t", "x", "--dry-run"]) == 2
    assert "deps/inference.yml looks like a conda environment" in capsys.readouterr().err


# --- where the model lands -------------------------------------------------------------------
# azureml-examples cli/endpoints/online/model-1: onlinescoring/score.py reads
# os.path.join(AZUREML_MODEL_DIR, "model/sklearn_regression_model.pkl"), since a v2 deployment
# mounts the registered folder `model` under AZUREML_MODEL_DIR by its name.
MODEL_1_SCORE = """\
import os

import joblib


def init():
    global model
    path = os.path.join(os.getenv("AZUREML_MODEL_DIR"), "model/sklearn_regression_model.pkl")
    model = joblib.load(path)


def run(raw_data):
    return raw_data
"""


def _model_1(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "model-1"
    (root / "onlinescoring").mkdir(parents=True)
    (root / "model").mkdir()
    (root / "onlinescoring" / "score.py").write_text(MODEL_1_SCORE)
    (root / "model" / "sklearn_regression_model.pkl").write_bytes(b"pickle")
    return root / "onlinescoring", root / "model"


def test_a_v2_script_gets_its_registered_folder_under_azureml_model_dir(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, model = _model_1(tmp_path)
    argv = ["build", str(code), "-t", "m1", "--model-dir", str(model), "--dry-run"]

    assert main([*argv, "--model-layout", "registered"]) == 0

    captured = capsys.readouterr()
    assert "COPY model/ /opt/scorehost/model/model/\n" in captured.out
    assert "AZUREML_MODEL_DIR=/opt/scorehost/model" in captured.out
    assert "is at /opt/scorehost/model/model: $AZUREML_MODEL_DIR/model, as Azure ML v2" in (
        captured.err
    )


def test_a_script_that_names_its_model_folder_is_told_about_the_registered_layout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, model = _model_1(tmp_path)

    assert main(["build", str(code), "-t", "m1", "--model-dir", str(model), "--dry-run"]) == 0

    err = capsys.readouterr().err
    assert "score.py names 'model/' under it" in err and "--model-layout registered" in err


def test_a_models_folder_is_picked_up(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _users_project(tmp_path)
    (folder / "model").rename(folder / "models")

    assert main(["build", str(folder), "-t", "c", "--dry-run"]) == 0

    captured = capsys.readouterr()
    assert "#   model/churn.joblib" in captured.out
    assert f"the model ({folder / 'models'}) is at /opt/scorehost/model = $AZUREML_MODEL_DIR" in (
        captured.err
    )
