"""Deploy the scorehost image to Azure Container Instances through Azure ML (SDK v1).

    scorehost deploy aci deploy --dry-run     # validate and print the plan; no network
    scorehost deploy aci deploy               # push the image by digest, deploy, wait, print URIs
    scorehost deploy aci status|logs|test|delete|package

Exit codes: 0 done, 2 invalid configuration (the field is named), 3 deployment failed (Azure's
error and the container's last log lines are printed), 4 the deployed service failed its smoke test.
"""
