"""Settings come from IOC_* variables or .env, and mistakes are named with their fix."""

from pathlib import Path

import pytest

from noivu_ioc.errors import ConfigurationError
from noivu_ioc.settings import load_settings


def test_defaults_put_both_embedded_stores_in_the_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("IOC_DATA_DIR", str(tmp_path / "d"))
    settings = load_settings()
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / 'd' / 'ioc.sqlite3'}"
    assert settings.resolved_warehouse_url == f"duckdb:///{tmp_path / 'd' / 'warehouse.duckdb'}"
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)


def test_an_unknown_variable_is_named_with_the_valid_ones(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("IOC_DATABSE_URL", "sqlite:///x")
    with pytest.raises(ConfigurationError) as caught:
        load_settings()
    assert "IOC_DATABSE_URL" in caught.value.message
    assert "IOC_DATABASE_URL" in caught.value.message


def test_an_invalid_value_names_the_variable_and_the_value(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("IOC_PORT", "eighty")
    with pytest.raises(ConfigurationError, match=r"IOC_PORT='eighty'"):
        load_settings()


def test_dotenv_file_is_read_and_its_unknown_keys_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("IOC_PORT=8123\n", encoding="utf-8")
    assert load_settings().port == 8123
    (tmp_path / ".env").write_text("IOC_PORT=8123\nIOC_COLOUR=red\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="IOC_COLOUR"):
        load_settings()


def test_trusted_proxies_are_addresses_or_networks(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("IOC_TRUSTED_PROXIES", " 10.0.0.5, 10.1.0.0/24 ,::1")
    assert load_settings().trusted_proxies == "10.0.0.5,10.1.0.0/24,::1"
    monkeypatch.setenv("IOC_TRUSTED_PROXIES", "10.0.0.5,proxy.noi-bo")
    with pytest.raises(ConfigurationError) as caught:
        load_settings()
    assert "IOC_TRUSTED_PROXIES" in caught.value.message
    assert "'proxy.noi-bo' is not an IP address or network" in caught.value.message
