"""What the processes report about themselves: traces (`tracing`) and the worker's own counters
(`worker_metrics`). The API's Prometheus metrics live with the API, in `api.metrics`."""
