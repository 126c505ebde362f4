"""The operational store migrates on SQLite and PostgreSQL and fails clearly."""

import pytest
from sqlalchemy import inspect

from noivu_ioc.errors import ConfigurationError, StoreUnavailableError
from noivu_ioc.store import OpStore, open_store


def test_migrations_reach_head_and_create_the_tables(store: OpStore) -> None:
    assert store.current_revision() == store.head_revision()
    tables = set(inspect(store.engine).get_table_names())
    assert {"app_user", "user_role", "user_scope", "org_unit", "login_session",
            "audit_event"} <= tables


def test_upgrade_twice_is_harmless(store: OpStore) -> None:
    store.upgrade()
    assert store.current_revision() == store.head_revision()


def test_unreachable_server_names_the_url_without_its_password() -> None:
    with pytest.raises(StoreUnavailableError) as caught:
        open_store("postgresql://ioc:s3cret@127.0.0.1:1/ioc")
    message = caught.value.message
    assert "127.0.0.1:1" in message and "s3cret" not in message
    assert "IOC_DATABASE_URL" in message


def test_unsupported_backend_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="supports sqlite and postgresql"):
        OpStore("oracle://u@h/db")


def test_garbage_url_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="not a database URL"):
        OpStore("not a url")
