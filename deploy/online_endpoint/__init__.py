"""The scorehost image on an Azure ML managed online endpoint, SDK v2
(`python -m deploy.online_endpoint`)."""
