"""Deploy the scorehost image to an Azure Kubernetes Service cluster attached to an Azure ML
workspace (SDK v1): the same image, push and Model.deploy path as deploy/aci.py, with replicas
or Azure ML's autoscaler.

    python deploy/aks.py deploy --dry-run     # validate and print the plan; no network
    python deploy/aks.py deploy               # push by digest, deploy, wait, print URIs
    python deploy/aks.py status|logs|test|delete|package

SDK v1 is retired (support ended 2026-06-30); for new work prefer deploy/online_endpoint.py
(managed) or deploy/k8s (any cluster). Exit codes: 0 done, 2 invalid configuration (the field
is named), 3 deployment failed (Azure's error and the container's last log lines are printed),
4 the deployed service failed its smoke test.
"""

import sys
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from deploy import aci
from deploy.registry import DockerCli


def main(
    argv: Sequence[str] | None = None,
    docker: DockerCli | None = None,
    environ: dict[str, str] | None = None,
) -> int:
    return aci.main(argv, docker, environ, parser=aci.build_parser("aks", __doc__))


if __name__ == "__main__":
    sys.exit(main())
