"""Default names come from the user's project folder, unique by a suffix kept in .scorehost/,
which keeps itself out of the user's git."""

import re
from pathlib import Path

import pytest

from scorehost.deploy.shared.errors import ConfigError
from scorehost.deploy.shared.names import asset_name, project_name, unique_name


@pytest.mark.parametrize(
    ("folder", "name"),
    [("Fraud Detection", "fraud-detection"), ("2024_churn", "p-2024-churn"), ("ml", "ml")],
)
def test_a_folders_name_becomes_a_name_azure_takes(tmp_path: Path, folder: str, name: str) -> None:
    (tmp_path / folder).mkdir()
    assert project_name(tmp_path / folder) == name


def test_the_suffix_is_made_once_and_kept_out_of_git(tmp_path: Path) -> None:
    project = tmp_path / "credit-scoring"
    project.mkdir()
    first = unique_name(project, 32)
    assert re.fullmatch(r"credit-scoring-[a-z0-9]{6}", first)
    assert unique_name(project, 32) == first  # every redeploy names the same resources
    assert (project / ".scorehost" / ".gitignore").read_text().splitlines()[-1] == "*"
    other = tmp_path / "other" / "credit-scoring"
    other.mkdir(parents=True)
    assert unique_name(other, 32) != first  # another checkout, another user: no collision


def test_a_long_folder_name_is_cut_to_the_limit(tmp_path: Path) -> None:
    project = tmp_path / ("a" * 80)
    project.mkdir()
    assert len(unique_name(project, 32)) == 32


def test_commands_on_what_a_deploy_made_need_its_name(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no name given"):
        unique_name(tmp_path, 32, create=False)
    assert not (tmp_path / ".scorehost").exists()


def test_a_models_registered_name_comes_from_its_file_or_folder() -> None:
    assert asset_name(Path("models/churn model.pkl")) == "churn-model"
    assert asset_name(Path("models/diabetes")) == "diabetes"
