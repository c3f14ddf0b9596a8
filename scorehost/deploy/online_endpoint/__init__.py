"""The scorehost image on an Azure ML managed online endpoint, SDK v2
(`scorehost deploy online_endpoint`)."""
