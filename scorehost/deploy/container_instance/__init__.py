"""The scorehost image alone on Azure Container Instances, without Azure ML
(`scorehost deploy container_instance`)."""
