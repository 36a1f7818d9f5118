"""Running it: health and metrics, processes and workers, deployment files, the config,
Redis faults under load, the layout of the code."""
