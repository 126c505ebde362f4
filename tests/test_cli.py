"""The ``ioc`` command: help, users, units, and clear errors."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from noivu_ioc.cli import app

runner = CliRunner()


@pytest.fixture
def env(store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.chdir(tmp_path)
    return {"IOC_DATABASE_URL": store_url, "IOC_DATA_DIR": str(tmp_path / "data")}


def test_help_documents_every_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("demo", "serve", "generate", "users", "units", "db", "catalog"):
        assert command in result.output
    users_help = runner.invoke(app, ["users", "--help"]).output
    for command in ("create", "list", "disable", "totp-reset", "unlock"):
        assert command in users_help


def test_users_create_list_disable(env: dict[str, str]) -> None:
    created = runner.invoke(
        app,
        ["users", "create", "sonv.danang", "--role", "provincial_officer", "--unit", "SNV.48",
         "--full-name", "Phan Thị Hạnh", "--password", "hoa-ban-tren-doi-moc-chau"],
        env=env,
    )
    assert created.exit_code == 0, created.output
    listed = json.loads(runner.invoke(app, ["users", "list", "--json"], env=env).output)
    assert listed == [{"username": "sonv.danang", "full_name": "Phan Thị Hạnh",
                       "roles": ["provincial_officer"], "units": ["SNV.48"], "active": True}]
    assert runner.invoke(app, ["users", "disable", "sonv.danang"], env=env).exit_code == 0
    listed = json.loads(runner.invoke(app, ["users", "list", "--json"], env=env).output)
    assert listed[0]["active"] is False


def test_an_officer_outside_one_province_is_refused(env: dict[str, str]) -> None:
    result = runner.invoke(
        app,
        ["users", "create", "x", "--role", "provincial_officer", "--unit", "SNV.01",
         "--unit", "SNV.79", "--password", "hoa-ban-tren-doi-moc-chau"],
        env=env,
    )
    assert result.exit_code == 2
    assert "must lie in one province" in result.output
    assert json.loads(runner.invoke(app, ["users", "list", "--json"], env=env).output) == []


def test_unreachable_database_is_a_clear_error(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(
        app, ["users", "list"],
        env={"IOC_DATABASE_URL": "postgresql://ioc:pw@127.0.0.1:1/ioc"},
    )
    assert result.exit_code == 2
    assert "cannot reach the operational store" in result.output
    assert "pw@" not in result.output


def test_unknown_setting_is_a_clear_error(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["users", "list"], env={"IOC_PROT": "8000"})
    assert result.exit_code == 2
    assert "unknown setting IOC_PROT" in result.output


def test_units_convert() -> None:
    result = runner.invoke(app, ["units", "convert", "00016"])
    assert result.exit_code == 0
    assert "00004 Phường Ba Đình" in result.output and "00008 Phường Ngọc Hà" in result.output
    assert "split" in result.output
    bad = runner.invoke(app, ["units", "convert", "99"])
    assert bad.exit_code == 2 and "63 former provinces" in bad.output
