"""A batch script and its model on an Azure ML v2 batch endpoint (`scorehost deploy
batch_endpoint`)."""
