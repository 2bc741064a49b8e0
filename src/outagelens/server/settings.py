"""Server configuration: one typed object, validated at start, errors name the key.

Every key can come from the environment as `OUTAGELENS_<KEY>` (upper case), e.g.
`OUTAGELENS_DB_URL`, `OUTAGELENS_MAX_BODY_BYTES`; CLI options override the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from outagelens.errors import ConfigError
from outagelens.store.db import DEFAULT_DB_URL

ENV_PREFIX = "OUTAGELENS_"


class ServerSettings(BaseModel):
    """Everything the server reads at start; see docs/server.md for each key."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    db_url: str = Field(default=DEFAULT_DB_URL, description="SQLite path/URL or postgresql://...")
    db_schema: str | None = Field(
        default=None, description="PostgreSQL schema (search_path) to use; default: public."
    )
    catalog_path: Path | None = Field(
        default=None, description="Catalog YAML to activate at start (optional)."
    )
    max_body_bytes: int = Field(default=1_048_576, ge=1024, description="Larger bodies get 413.")
    inbox_bound: int = Field(
        default=100_000, ge=1, description="Unprocessed inbox rows above which ingest gets 503."
    )
    rate_limit_per_second: float = Field(
        default=50.0, gt=0, description="Sustained requests per second per API key (429 above)."
    )
    rate_limit_burst: int = Field(default=100, ge=1, description="Token bucket size per key.")
    retry_after_seconds: int = Field(default=5, ge=1, description="Retry-After on 503 and 429.")
    api_key_pepper: str = Field(
        default="", description="Secret mixed into API key hashes (HMAC-SHA256 key)."
    )
    worker_enabled: bool = Field(default=True, description="Process the inbox in this process.")
    worker_batch: int = Field(default=2000, ge=1, description="Inbox rows per processing pass.")
    worker_poll_seconds: float = Field(default=0.5, gt=0, description="Idle wait between passes.")
    worker_standby_seconds: float = Field(
        default=5.0,
        gt=0,
        description="How often a replica without the worker lease asks for it again.",
    )
    investigate_every_seconds: float = Field(
        default=5.0, ge=0, description="Least time between two live investigations."
    )
    investigate_in_subprocess: bool = Field(
        default=True, description="Run the live investigation in a child process (SQL stores)."
    )
    window_minutes: int = Field(
        default=240, ge=10, description="Signals looked at by the live investigation."
    )
    quiet_minutes: float = Field(
        default=15.0, ge=0, description="Monitoring time with no symptom before 'resolved'."
    )
    confident: float = Field(
        default=0.6, gt=0, le=1, description="Hypothesis confidence that makes 'identified'."
    )
    prometheus_url: str | None = Field(
        default=None,
        description="Prometheus HTTP API base URL: live SLI series and traffic are read there.",
    )
    log_level: str = Field(default="INFO", pattern="^(DEBUG|INFO|WARNING|ERROR)$")
    # Status pages (docs/status-pages.md).
    status_enabled: bool = Field(default=True, description="Serve status pages and notify.")
    status_auto_publish: bool = Field(
        default=True, description="Publish drafted incident updates at once (else await approval)."
    )
    status_base_url: str = Field(
        default="http://localhost:8000", description="Public URL of this server (links, feeds)."
    )
    status_snapshot_dir: Path | None = Field(
        default=None, description="Where rendered pages are kept on disk (survive DB outages)."
    )
    status_confirm_seconds: float = Field(
        default=60.0,
        ge=0,
        description=(
            "How long an incident stays open before updates are drafted and subscribers "
            "notified; until then pages show it as 'investigating' (0: at once)."
        ),
    )
    status_refresh_seconds: float = Field(
        default=2.0, gt=0, description="How often pages are rebuilt from the store."
    )
    status_webhook_allowed_networks: str = Field(
        default="", description="Comma-separated CIDRs webhooks may target besides public ones."
    )
    status_delivery_attempts: int = Field(default=8, ge=1, description="Tries per notification.")
    status_retry_first_seconds: float = Field(
        default=5.0, gt=0, description="First retry delay; doubles per attempt (max 10 min)."
    )
    status_smtp_host: str | None = Field(default=None, description="SMTP server for e-mail.")
    status_smtp_port: int = Field(default=25, ge=1, le=65535, description="SMTP port.")
    status_smtp_sender: str = Field(
        default="status@outagelens.invalid", description="From address of e-mails."
    )


def load_settings(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> ServerSettings:
    """Build settings from the environment plus explicit overrides; ConfigError names the key."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for name in ServerSettings.model_fields:
        raw = env.get(ENV_PREFIX + name.upper())
        if raw is not None and raw != "":
            values[name] = raw
    for name, value in (overrides or {}).items():
        if name not in ServerSettings.model_fields:
            raise ConfigError(f"unknown setting '{name}'")
        if value is not None:
            values[name] = value
    try:
        return ServerSettings.model_validate(values)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            key = ".".join(str(p) for p in err["loc"])
            problems.append(f"setting '{key}' (env {ENV_PREFIX}{key.upper()}): {err['msg']}")
        raise ConfigError("; ".join(problems)) from None
