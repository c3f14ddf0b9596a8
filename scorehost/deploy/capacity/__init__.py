"""Size a deployment from what make bench measured: replicas, sizes, autoscale, cost drivers."""
