"""`outagelens db upgrade` and `outagelens apikey create|list|revoke` (serve: the crash test)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from outagelens.cli import app
from outagelens.server.auth import authenticate
from outagelens.server.errors import RejectedError
from outagelens.store.db import current_revision, make_engine
from outagelens.store.records import Scope
from outagelens.store.sql import SqlStore


@pytest.mark.parametrize("scope", list(Scope), ids=[str(s) for s in Scope])
def test_apikey_create_prints_a_working_key_once(tmp_path: Path, scope: Scope) -> None:
    db = str(tmp_path / "cli.db")
    runner = CliRunner()
    upgraded = runner.invoke(app, ["db", "upgrade", "--db", db])
    assert upgraded.exit_code == 0, upgraded.output
    assert current_revision(make_engine(db)) == "0002_status_pages"
    created = runner.invoke(app, ["apikey", "create", "--scope", str(scope), "--db", db])
    assert created.exit_code == 0, created.output
    key = created.output.strip().splitlines()[-1]
    store = SqlStore(make_engine(db))
    caller = authenticate(store.api_key, f"Bearer {key}", "")
    assert caller.scope == scope
    with store.engine.connect() as conn:  # only the hash is stored
        assert key not in str(conn.exec_driver_sql("SELECT * FROM api_keys").all())


def test_bad_setting_names_the_key(tmp_path: Path) -> None:
    from outagelens.errors import ConfigError
    from outagelens.server.settings import load_settings

    with pytest.raises(ConfigError, match=r"max_body_bytes.*OUTAGELENS_MAX_BODY_BYTES"):
        load_settings(environ={"OUTAGELENS_MAX_BODY_BYTES": "lots"})
    with pytest.raises(ConfigError, match="unknown setting 'colour'"):
        load_settings({"colour": "red"}, environ={})


def test_apikey_list_and_revoke(tmp_path: Path) -> None:
    db = str(tmp_path / "keys.db")
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade", "--db", db]).exit_code == 0
    assert "no API keys" in runner.invoke(app, ["apikey", "list", "--db", db]).output
    created = runner.invoke(
        app, ["apikey", "create", "--scope", "ingest", "--name", "am", "--db", db]
    )
    key = created.output.strip().splitlines()[-1]
    key_id = key.split("_")[1]
    listed = runner.invoke(app, ["apikey", "list", "--db", db], env={"COLUMNS": "200"})
    assert listed.exit_code == 0 and key_id in listed.output and "active" in listed.output
    assert key not in listed.output
    revoked = runner.invoke(app, ["apikey", "revoke", key_id, "--db", db])
    assert revoked.exit_code == 0, revoked.output
    store = SqlStore(make_engine(db))
    with pytest.raises(RejectedError, match="revoked"):
        authenticate(store.api_key, f"Bearer {key}", "")
    unknown = runner.invoke(app, ["apikey", "revoke", "nosuch", "--db", db])
    assert unknown.exit_code == 1 and "no API key 'nosuch'" in unknown.output
