"""The server: serve an Azure ML score.py and its model over HTTP (`scorehost serve`)."""
