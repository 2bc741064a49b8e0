"""/api/catalog: upload (validate, store, activate), validate only, get the active one."""

from __future__ import annotations

from typing import Any

import yaml
from fastapi import APIRouter, Depends, Request

from outagelens.errors import CatalogError
from outagelens.server.auth import Caller, require
from outagelens.server.context import ServerContext, context
from outagelens.server.errors import NOT_FOUND, RejectedError
from outagelens.server.schemas import CatalogCheck, CatalogOut
from outagelens.store.records import CatalogRecord, Scope
from outagelens.topology import Catalog, catalog_from_dict

router = APIRouter(prefix="/api/catalog", tags=["catalog"])
YAML_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/yaml": {"schema": {"type": "string"}},
            "text/yaml": {"schema": {"type": "string"}},
        },
    }
}


def parse_catalog(text: str, source: str) -> Catalog:
    """Validate catalog YAML text (native format); CatalogError names file, entity, field."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CatalogError(f"not valid YAML: {exc}", file=source) from None
    return catalog_from_dict(raw, source=source)


def counts(catalog: Catalog) -> dict[str, int]:
    """Entity counts of a catalog."""
    return {
        "locations": len(catalog.locations),
        "components": len(catalog.components),
        "services": len(catalog.services),
        "customers": len(catalog.customers),
        "subscriptions": len(catalog.subscriptions),
    }


def catalog_out(record: CatalogRecord, catalog: Catalog) -> CatalogOut:
    """API view of a stored catalog."""
    return CatalogOut(
        id=record.id,
        created_at=record.created_at,
        source=record.source,
        sha256=record.sha256,
        active=record.active,
        provider=catalog.provider.name,
        counts=counts(catalog),
    )


async def _text(request: Request) -> str:
    body = await request.body()
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise RejectedError(400, "catalog must be UTF-8 text", where="body") from None


@router.post(
    "", response_model=CatalogOut, status_code=201, responses=NOT_FOUND, openapi_extra=YAML_BODY
)
async def upload_catalog(
    request: Request,
    activate: bool = True,
    ctx: ServerContext = Depends(context),
    _caller: Caller = Depends(require(Scope.ADMIN)),
) -> CatalogOut:
    """Validate, store and (by default) activate a catalog; 400 lists every problem."""
    text = await _text(request)
    catalog = parse_catalog(text, "upload")
    record = ctx.store.add_catalog(text, "upload", activate=activate)
    return catalog_out(record, catalog)


@router.post("/validate", response_model=CatalogCheck, responses=NOT_FOUND, openapi_extra=YAML_BODY)
async def validate_catalog(
    request: Request, _caller: Caller = Depends(require(Scope.READ))
) -> CatalogCheck:
    """Validate a catalog without storing it; 400 lists every problem."""
    catalog = parse_catalog(await _text(request), "upload")
    return CatalogCheck(valid=True, provider=catalog.provider.name, counts=counts(catalog))


@router.get("", response_model=CatalogOut, responses=NOT_FOUND)
def active_catalog(
    ctx: ServerContext = Depends(context), _caller: Caller = Depends(require(Scope.READ))
) -> CatalogOut:
    """The active catalog version."""
    record = ctx.store.active_catalog()
    catalog = ctx.catalog()
    if record is None or catalog is None:
        raise RejectedError(404, "no catalog uploaded yet", where="catalog")
    return catalog_out(record, catalog)
