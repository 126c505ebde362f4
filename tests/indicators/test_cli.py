"""``ioc indicators`` and ``ioc warehouse publish`` on a warehouse file."""

from __future__ import annotations

import uuid
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from noivu_ioc.cli import app
from noivu_ioc.warehouse import Warehouse
from tests.conftest import PG_ADMIN_URL, _pg_server_or_skip

runner = CliRunner()

DEFINITION = """
[[indicator]]
id = "local_government.women_officials_cli"
name_vi = "Nữ cán bộ, công chức cấp xã"
name_en = "Women among commune officials"
domain = "local_government"
unit = "percent"
formula = "100 * women / officials"
[indicator.measures.women]
entity = "commune_official"
where = "sex = '2'"
[indicator.measures.officials]
entity = "commune_official"
"""


@pytest.fixture
def env(demo_warehouse: Warehouse, tmp_path: Path) -> dict[str, str]:
    assert demo_warehouse.path is not None
    # The session's warehouse is held open for writing by this process; the commands read a
    # copy, as they would read a stopped server's file.
    copy = tmp_path / "warehouse.duckdb"
    demo_warehouse.execute("CHECKPOINT")
    copy.write_bytes(demo_warehouse.path.read_bytes())
    return {"IOC_WAREHOUSE_URL": f"duckdb:///{copy}", "IOC_DATA_DIR": str(tmp_path)}


def test_an_analysts_file_is_checked_and_computed(env: dict[str, str], tmp_path: Path) -> None:
    good = tmp_path / "mine.toml"
    good.write_text(DEFINITION, encoding="utf-8")
    result = runner.invoke(
        app, ["indicators", "check", str(good), "--place", "province:01"], env=env
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("local_government.women_officials_cli: ")
    assert "% at province:01" in result.output

    bad = tmp_path / "bad.toml"
    bad.write_text(DEFINITION.replace("sex = '2'", "sex = '9'"), encoding="utf-8")
    refused = runner.invoke(app, ["indicators", "check", str(bad)], env=env)
    assert refused.exit_code == 2
    assert "compares sex with '9', which is not a code of sex" in refused.output


def test_show_and_list(env: dict[str, str]) -> None:
    shown = runner.invoke(app, ["indicators", "show", "emulation.awards"], env=env)
    assert shown.exit_code == 0, shown.output
    assert "emulation.awards: " in shown.output and "previous period: " in shown.output
    listed = runner.invoke(app, ["indicators", "list", "--domain", "religion"])
    assert listed.exit_code == 0
    assert "religion.worship_places" in listed.output and "personnel." not in listed.output
    unknown = runner.invoke(app, ["indicators", "show", "x.y"], env=env)
    assert unknown.exit_code == 2 and "'x.y' does not exist" in unknown.output


def test_publish_to_postgresql(env: dict[str, str], demo_warehouse: Warehouse) -> None:
    _pg_server_or_skip()
    schema = f"ioc_cli_{uuid.uuid4().hex[:8]}"
    try:
        result = runner.invoke(
            app, ["warehouse", "publish", "--url", PG_ADMIN_URL, "--schema", schema], env=env
        )
        assert result.exit_code == 0, result.output
        assert f"to schema {schema}" in result.output
        with psycopg.connect(PG_ADMIN_URL) as conn:
            row = conn.execute(f'SELECT count(*) FROM "{schema}".person').fetchone()
        assert row == (demo_warehouse.count("person"),)
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
