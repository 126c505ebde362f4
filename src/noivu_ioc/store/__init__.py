"""The operational store: users, roles, scopes, sessions and audit (later alerts, incidents,
plans and directives). SQLite by default, PostgreSQL by URL, through SQLAlchemy 2 with
Alembic migrations. Nothing outside this package creates engines."""

from noivu_ioc.store.db import OpStore, open_store

__all__ = ["OpStore", "open_store"]
