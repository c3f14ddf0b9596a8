"""The tutorial's other half: train the MNIST model, fetch its data, evaluate a running service."""
