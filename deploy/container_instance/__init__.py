"""The scorehost image alone on Azure Container Instances, without Azure ML
(`python -m deploy.container_instance`)."""
