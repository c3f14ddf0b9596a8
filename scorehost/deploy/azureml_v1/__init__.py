"""What the Azure ML v1 targets (aci, aks) share: their settings, the SDK seam, the commands."""
