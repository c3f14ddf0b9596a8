"""A user installs the built wheel into a clean venv, away from the repository: `scorehost serve`,
the client, a deploy dry run and their type checker work from what the wheel carries alone."""

import contextlib
import json
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.paths import ROOT
from tests.servers import ServerProcess, free_port

pytestmark = [pytest.mark.package, pytest.mark.timeout(1500)]
DIGEST_REF = "myacr.azurecr.io/scorehost@sha256:" + "a" * 64


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path
    outside: Path  # a folder that is not the repository: where the user runs things

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.venv / "bin" / args[0]), *args[1:]],
            cwd=self.outside,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def python(self, code: str) -> str:
        result = self.run("python", "-c", code)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()


def _pip(venv: Path) -> list[str]:
    return [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check"]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("dist")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", work, ROOT],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    (built,) = work.glob("scorehost-*.whl")
    return built


def _install(wheel: Path, work: Path, *requirements: str) -> Installed:
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True, timeout=120)
    install = subprocess.run(
        [*_pip(venv), "install", "--quiet", *requirements],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    outside = work / "elsewhere"
    outside.mkdir()
    return Installed(wheel, venv, outside)


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    # the tutorial's model libraries (mnist), the client, and the v1 deploy targets
    return _install(wheel, tmp_path_factory.mktemp("wheel"), f"{wheel}[deploy-v1,mnist,client]")


def test_the_wheel_holds_one_package_its_data_and_its_license(installed: Installed) -> None:
    names = zipfile.ZipFile(installed.wheel).namelist()
    assert {name.split("/")[0] for name in names} == {
        "scorehost",
        installed.wheel.name.split("-py3")[0] + ".dist-info",
    }
    for data in (
        "scorehost/py.typed",
        "scorehost/deploy/aci/aci.toml",
        "scorehost/deploy/online_endpoint/online_endpoint.toml",
        "scorehost/deploy/k8s/base/deployment.yaml",
        "scorehost/deploy/k8s/overlays/production/kustomization.yaml",
        "scorehost/examples/mnist/score.py",
        "scorehost/examples/mnist/sample.json",
    ):
        assert data in names
    assert not [name for name in names if "tests/" in name or name.startswith("bench/")]
    metadata = zipfile.ZipFile(installed.wheel).read(
        next(name for name in names if name.endswith(".dist-info/METADATA"))
    )
    assert b"License-Expression: MIT" in metadata
    assert b"Classifier: Typing :: Typed" in metadata
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names)


@contextlib.contextmanager
def serving(installed: Installed, script: str, model_dir: Path) -> Iterator[ServerProcess]:
    """`scorehost serve` from the installed venv, run where the user is (not the repository)."""
    port = free_port()
    log = installed.outside / "server.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [
                *(str(installed.venv / "bin" / "scorehost"), "serve", "--port", str(port)),
                *("--entry-script", script, "--model-dir", str(model_dir)),
            ],
            cwd=installed.outside,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = ServerProcess(process, f"http://127.0.0.1:{port}", log)
    try:
        server.wait_ready(deadline_s=120)
        yield server
    finally:
        server.stop()


@pytest.fixture
def served(installed: Installed, mnist_model_dir: Path) -> Iterator[ServerProcess]:
    script = installed.python("import scorehost.examples as e; print(e.TUTORIAL_SCRIPT)")
    assert script.startswith(str(installed.venv))  # the wheel's copy, not the repository's
    with serving(installed, script, mnist_model_dir) as server:
        yield server


def test_serve_and_the_client_work_from_the_installed_wheel(
    installed: Installed, served: ServerProcess
) -> None:
    sample = json.loads((ROOT / "scorehost" / "examples" / "mnist" / "sample.json").read_text())
    direct = httpx.post(f"{served.url}/score", json=sample, timeout=30).json()
    through_client = installed.python(
        "import json; from scorehost.client import ScoringClient\n"
        f"with ScoringClient({served.url!r}) as client:\n"
        f"    print(json.dumps(client.score({sample['data']!r}).tolist()))"
    )
    assert json.loads(through_client) == direct


def test_a_deploy_dry_run_works_from_the_installed_wheel(installed: Installed) -> None:
    aci = installed.run("scorehost", "deploy", "aci", "deploy", "--dry-run", "--image", DIGEST_REF)
    assert aci.returncode == 0, aci.stderr
    assert DIGEST_REF in aci.stdout
    plain = installed.run(
        "python",
        "-m",
        "scorehost.deploy.container_instance",
        "deploy",
        "--dry-run",
        "--image",
        DIGEST_REF,
    )
    assert plain.returncode == 0, plain.stderr


def test_a_user_type_checker_sees_the_typed_client(installed: Installed) -> None:
    user_code = installed.outside / "use_client.py"
    user_code.write_text(
        "from scorehost.client import ScoringClient\n\n"
        'ScoringClient("http://127.0.0.1:5001", batch_size=10, key="k")\n'
        'ScoringClient("http://127.0.0.1:5001", batchsize=10)\n'
    )
    mypy = subprocess.run(
        [
            *(sys.executable, "-m", "mypy", "--strict", "--no-incremental"),
            *("--python-executable", str(installed.venv / "bin" / "python"), str(user_code)),
        ],
        cwd=installed.outside,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "import-untyped" not in mypy.stdout
    assert mypy.stdout.count("error:") == 1, mypy.stdout
    assert 'Unexpected keyword argument "batchsize"' in mypy.stdout


# A user's model trained with Azure ML's older curated scikit-learn (the inference-schema pandas
# sample pins scikit-learn 1.2.2; numpy 1 goes with it): scorehost installs beside it, and serves
# a model pickled by that version.
CHURN_SCRIPT = """\
import json
import os

import joblib
import numpy as np


def init():
    global model
    model = joblib.load(os.path.join(os.environ["AZUREML_MODEL_DIR"], "churn.joblib"))


def run(raw_data):
    rows = np.array(json.loads(raw_data)["customers"], dtype=float)
    return {"churn": model.predict(rows).tolist()}
"""

TRAIN = """\
import json, sys
import joblib, numpy as np, sklearn
from sklearn.linear_model import LogisticRegression

x = np.array([[1, 80.0], [2, 75.0], [30, 20.0], [40, 25.0], [3, 90.0], [36, 30.0]])
model = LogisticRegression().fit(x, [1, 1, 0, 0, 1, 0])
joblib.dump(model, sys.argv[1])
print(json.dumps({"sklearn": sklearn.__version__, "numpy": np.__version__,
                  "expected": model.predict([[2, 85.0], [38, 22.0]]).tolist()}))
"""


def test_a_model_on_scikit_learn_1_2_installs_and_serves_beside_scorehost(
    wheel: Path, tmp_path: Path
) -> None:
    user = _install(wheel, tmp_path, str(wheel), "scikit-learn==1.2.2", "joblib==1.2.0", "numpy<2")
    app = user.outside / "churn-service"
    (app / "model").mkdir(parents=True)
    (app / "score.py").write_text(CHURN_SCRIPT)
    training = user.run("python", "-c", TRAIN, str(app / "model" / "churn.joblib"))
    assert training.returncode == 0, training.stderr
    trained = json.loads(training.stdout)
    assert (trained["sklearn"], trained["numpy"][0]) == ("1.2.2", "1")

    with serving(user, str(app / "score.py"), app / "model") as server:
        answer = httpx.post(f"{server.url}/score", json={"customers": [[2, 85.0], [38, 22.0]]})
        assert answer.json() == {"churn": trained["expected"]}
