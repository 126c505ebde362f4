"""Engine, sessions and migrations of the operational store."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from noivu_ioc.errors import ConfigurationError, StoreUnavailableError
from noivu_ioc.store.bus import EventBus, watch

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"


def safe_url(url: str) -> str:
    """The URL as it may appear in messages and logs: without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable URL>"


class OpStore:
    def __init__(self, url: str) -> None:
        self.url = url
        try:
            parsed = make_url(url)
        except ArgumentError:
            raise ConfigurationError(
                f"IOC_DATABASE_URL is not a database URL: {safe_url(url)}; expected e.g. "
                "sqlite:///data/ioc.sqlite3 or postgresql+psycopg://user@host/dbname"
            ) from None
        if parsed.get_backend_name() not in ("sqlite", "postgresql"):
            raise ConfigurationError(
                f"IOC_DATABASE_URL uses {parsed.get_backend_name()!r}; the operational store "
                "supports sqlite and postgresql"
            )
        if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.engine: Engine = create_engine(parsed, pool_pre_ping=True)
        except NoSuchModuleError as exc:
            raise ConfigurationError(f"no driver for {safe_url(url)}: {exc}") from None
        if parsed.get_backend_name() == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.bus = EventBus()  # the events its sessions commit, for the live hub and Redis
        watch(self.sessions, self.bus)

    def check(self) -> None:
        """Connect once, turning a failure into a message that names the URL and the fix."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except OperationalError as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise StoreUnavailableError(
                f"cannot reach the operational store at {safe_url(self.url)}: {reason}. "
                "Check that the server runs and IOC_DATABASE_URL is right"
            ) from None

    def _alembic_config(self) -> Config:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.attributes["engine"] = self.engine
        return cfg

    def upgrade(self) -> None:
        """Bring the schema to the latest migration."""
        self.check()
        command.upgrade(self._alembic_config(), "head")

    def current_revision(self) -> str | None:
        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def head_revision(self) -> str | None:
        return ScriptDirectory.from_config(self._alembic_config()).get_current_head()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed on success, rolled back on any error."""
        with self.sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_conn: object, _record: object) -> None:
    cur = dbapi_conn.cursor()  # type: ignore[attr-defined]
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def open_store(url: str, upgrade: bool = True) -> OpStore:
    store = OpStore(url)
    if upgrade:
        store.upgrade()
    else:
        store.check()
    return store
