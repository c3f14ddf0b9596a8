"""A score.py's requirements, from a requirements.txt or Azure ML's conda environment.yml."""

from pathlib import Path

import pytest

from scorehost.app.commands import UsageError
from scorehost.user_image import requirements

# The shape of Azure ML's curated sklearn environment files and its docs' examples.
ENVIRONMENT_YML = """\
name: sklearn-mnist-env
channels:
  - conda-forge
dependencies:
  - python=3.11
  - pip
  - numpy=1.26
  - conda-forge::pandas==2.2.3
  - scipy>=1.11
  - pip:
      - azureml-defaults
      - inference-schema[numpy-support]==1.8
      - xgboost>=2
"""


def test_a_conda_environment_becomes_pip_lines_and_says_what_it_left_out(tmp_path: Path) -> None:
    path = tmp_path / "environment.yml"
    path.write_text(ENVIRONMENT_YML)

    found = requirements.read(requirements.find(tmp_path, None))

    assert [line for line in found.lines if not line.startswith("#")] == [
        "numpy==1.26.*",
        "pandas==2.2.3",
        "scipy>=1.11",
        "inference-schema[numpy-support]==1.8",
        "xgboost>=2",
    ]
    assert found.notes == [
        "environment.yml: python=3.11 left out (the image has its own Python)",
        "environment.yml: pip left out (the image has its own Python)",
        "environment.yml pip:: azureml-defaults left out (scorehost replaces it)",
    ]
    assert "# azureml-defaults  (left out: the server scorehost replaces)" in found.text()


def test_a_requirements_file_is_kept_line_for_line(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text(
        "# pinned for the model\npandas==2.2.3  # dataframes\n"
        "--extra-index-url https://example.org/simple\nazureml_inference_server_http\n"
    )

    found = requirements.read(requirements.find(tmp_path, None))

    assert found.lines == [
        "pandas==2.2.3",
        "--extra-index-url https://example.org/simple",
        "# azureml_inference_server_http  (left out: the server scorehost replaces)",
    ]


@pytest.mark.parametrize("line", ["-r base.txt", "-e .", "./wheels/mine.whl", "file:///x.whl"])
def test_a_line_that_needs_a_file_on_this_machine_is_refused(tmp_path: Path, line: str) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text(f"pandas\n{line}\n")
    with pytest.raises(UsageError, match="refers to a file on this machine"):
        requirements.read(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("dependencies: [numpy\n", "is not valid YAML"),
        ("name: only-a-name\n", "has no 'dependencies:' list"),
        ("dependencies:\n  - {conda: numpy}\n", "cannot read the dependency"),
    ],
)
def test_a_broken_environment_file_names_the_problem(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "environment.yml"
    path.write_text(text)
    with pytest.raises(UsageError, match=message):
        requirements.read(path)


def test_no_requirements_means_the_images_packages(tmp_path: Path) -> None:
    found = requirements.read(requirements.find(tmp_path, None))
    assert (found.lines, found.notes) == ([], ["no requirements file: the image's packages only"])


def test_a_missing_given_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"requirements file .*nope\.txt not found"):
        requirements.find(tmp_path, tmp_path / "nope.txt")
