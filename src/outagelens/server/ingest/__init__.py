"""Ingest endpoints, one module per source format; all commit to the inbox before answering."""

from fastapi import APIRouter

from outagelens.server.ingest import alertmanager, cap, changes, cloudevents, pagerduty, series

router = APIRouter(prefix="/ingest", tags=["ingest"])
for module in (alertmanager, pagerduty, cloudevents, cap, changes, series):
    router.include_router(module.router)

__all__ = ["router"]
