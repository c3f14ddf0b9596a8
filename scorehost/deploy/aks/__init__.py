"""Deploy the scorehost image to an Azure Kubernetes Service cluster attached to an Azure ML
workspace (SDK v1): the same image, push and Model.deploy path as `scorehost deploy aci`, with
replicas or Azure ML's autoscaler.

    scorehost deploy aks deploy --dry-run     # validate and print the plan; no network
    scorehost deploy aks deploy               # push by digest, deploy, wait, print URIs
    scorehost deploy aks status|logs|test|delete|package

SDK v1 is retired (support ended 2026-06-30); for new work prefer `scorehost deploy
online_endpoint` (managed) or scorehost/deploy/k8s (any cluster). Names left out come from the
folder you run it in, with a suffix kept in .scorehost/. Exit codes: 0 done, 2 invalid
configuration (the field is named), 3 Azure refused or failed (its error and the container's
last log lines are printed), 4 the deployed service failed its smoke test, 1 a scorehost bug.
"""
