"""REST API routers: incidents, signals, catalog, operations."""
