"""Deploy the scorehost image to Azure Container Instances through Azure ML (SDK v1).

    scorehost deploy aci deploy --dry-run     # validate and print the plan; no network
    scorehost deploy aci deploy --sample request.json   # push by digest, deploy, wait, score it
    scorehost deploy aci status|logs|test|delete|package

Names left out come from the folder you run it in, with a suffix kept in .scorehost/ there. The
smoke test sends --sample as it is (none: readiness only). Exit codes: 0 done, 2 invalid
configuration (the field is named), 3 Azure refused or failed (its error and the container's
last log lines are printed), 4 the deployed service failed its smoke test, 1 a scorehost bug.
"""
