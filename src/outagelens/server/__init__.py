"""FastAPI application: ingest endpoints, REST API, status pages, auth."""
