"""Batch scoring: Azure ML's init()/run(mini_batch) contract over a whole dataset."""
