"""Deploy the scorehost image to Azure (ACI through the Azure ML SDK v1)."""
