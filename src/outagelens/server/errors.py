"""One translation of errors into HTTP answers: 400 list, 413, 429, 503 + Retry-After."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from outagelens.errors import CatalogErrors, OutageLensError, StoreError

log = logging.getLogger("outagelens.server")


class Problem(BaseModel):
    """One thing wrong with a request: where, and what."""

    where: str = Field(description="Field path, header or line, e.g. 'body.alerts.0.labels'.")
    message: str


class ErrorBody(BaseModel):
    """Every error answer: the list of problems."""

    errors: list[Problem]


class RejectedError(Exception):
    """A request refused before or instead of processing, with its status and headers."""

    def __init__(self, status: int, message: str, *, where: str = "request", **headers: str):
        self.status = status
        self.problem = Problem(where=where, message=message)
        self.headers = headers
        super().__init__(message)


class ProblemsError(OutageLensError):
    """Invalid input with several problems, all reported in the 400 answer."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.where}: {p.message}" for p in problems))


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text}
    for code, text in (
        (400, "Invalid input: the list of what is wrong"),
        (401, "Missing or unknown API key"),
        (403, "API key lacks the scope"),
        (413, "Body larger than the configured limit"),
        (503, "Store unavailable or inbox full; retry after Retry-After seconds"),
    )
}
INGEST_RESPONSES: dict[int | str, dict[str, Any]] = {
    **ERROR_RESPONSES,
    429: {"model": ErrorBody, "description": "Rate limit of this API key exceeded"},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    **ERROR_RESPONSES,
    404: {"model": ErrorBody, "description": "No such object"},
}


def error_response(status: int, problems: list[Problem], **headers: str) -> JSONResponse:
    """A JSON error answer in the one shape every endpoint uses."""
    body = ErrorBody(errors=problems).model_dump()
    return JSONResponse(status_code=status, content=body, headers=headers or None)


def problems_of(exc: OutageLensError) -> list[Problem]:
    """Split an OutageLens error into problems (catalog errors carry several)."""
    if isinstance(exc, ProblemsError):
        return list(exc.problems)
    if isinstance(exc, CatalogErrors):
        return [Problem(where=e.entity or e.file or "catalog", message=str(e)) for e in exc.errors]
    where = getattr(exc, "source", None) or getattr(exc, "file", None) or "body"
    return [Problem(where=str(where), message=str(exc))]


def install_error_handlers(app: FastAPI, retry_after: int) -> None:
    """Register the translations on the app."""

    async def validation(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        problems = [
            Problem(where=".".join(str(p) for p in e["loc"]), message=str(e["msg"]))
            for e in exc.errors()
        ]
        return error_response(400, problems)

    async def rejected(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RejectedError)
        return error_response(exc.status, [exc.problem], **exc.headers)

    async def store(_: Request, exc: Exception) -> JSONResponse:
        log.warning("store unavailable", extra={"error": str(exc)})
        problem = Problem(where="store", message=str(exc))
        return error_response(503, [problem], **{"Retry-After": str(retry_after)})

    async def domain(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, OutageLensError)
        return error_response(400, problems_of(exc))

    async def http(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        headers = dict(exc.headers or {})
        return error_response(
            exc.status_code, [Problem(where="request", message=exc.detail)], **headers
        )

    app.add_exception_handler(RequestValidationError, validation)
    app.add_exception_handler(RejectedError, rejected)
    app.add_exception_handler(StoreError, store)
    app.add_exception_handler(OutageLensError, domain)
    app.add_exception_handler(HTTPException, http)
