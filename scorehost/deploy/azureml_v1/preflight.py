"""What only Azure can confirm about a v1 deployment, listed in every dry run with how the real
run checks it (or what it does when the assumption fails)."""

from scorehost.deploy.azureml_v1.config import AksConfig, WebserviceConfig


def preflight(config: WebserviceConfig) -> list[dict[str, str]]:
    checks = [
        {
            "assumption": "Azure ML runs the image as is: no inference stack of its own "
            "(inferencingStackVersion null), started with `runsvdir /var/runit`",
            "checked": "after the deployment, the container log is read back for scorehost's "
            "start line; `serves` in the output names the script and model folder it found",
        },
        {
            "assumption": "Azure ML sets AZUREML_ENTRY_SCRIPT relative to /var/azureml-app, "
            "where it copies the entry script's folder; the image's AML_APP_ROOT points there",
            "checked": "`serves.entry_script` in the output; a wrong path ends the container "
            "at once with exit 2 naming it, and the deployment fails with that log (exit 3)",
        },
        {
            "assumption": "SCOREHOST_MODEL_DIR in the Environment reaches the container and wins "
            "over Azure ML's AZUREML_MODEL_DIR"
            if config.model_file is None
            else "Azure ML mounts the registered model and sets AZUREML_MODEL_DIR to it",
            "checked": "`serves.model_dir` in the output, then the smoke test (`test`) scores "
            "the sample with that model",
        },
    ]
    if config.registry is None and not config.image_is_pinned:
        checks.append(
            {
                "assumption": "the workspace's container registry has its admin user enabled",
                "checked": "listKeys is read before anything is pushed; without credentials "
                "the deploy stops with exit 3 naming `az acr update --admin-enabled true`",
            }
        )
    elif config.registry_username is None:
        checks.append(
            {
                "assumption": "Azure ML can pull the image without credentials (the workspace's "
                "own registry, or a public one)",
                "checked": "a failed pull fails the deployment: exit 3 with Azure's reason",
            }
        )
    if isinstance(config, AksConfig):
        checks.append(
            {
                "assumption": f"the AKS cluster {config.compute_target} is attached to the "
                "workspace and has room for the replicas",
                "checked": "the cluster is looked up before Model.deploy (exit 3 naming it); "
                "room shows in the deployment's state",
            }
        )
    return checks
