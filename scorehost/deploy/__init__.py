"""Deploy the scorehost image: one package per target, each `scorehost deploy <target>`.

aci and aks (Azure ML SDK v1, sharing azureml_v1), online_endpoint (Azure ML v2),
container_instance (plain ACI), k8s (manifests), capacity (sizing), shared (what they share)."""
