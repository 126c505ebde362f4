"""What each kind of source needs to be read: which of its settings are credentials, how
to test it, which tables it offers, and the readers of one binding.

A source's ``config`` holds its settings without credentials; ``secrets`` (kept encrypted
in the operational store) holds passwords, tokens and headers. A binding's ``selector``
names the table of the source it reads (a table or query, a sheet and file pattern, an
API path), with overrides of the source's settings.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Protocol
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

import pyarrow as pa
from pydantic import ValidationError
from sqlalchemy import select

from noivu_ioc.errors import InvalidInputError
from noivu_ioc.ingest.readers import excel, files, mqtt, rest, sql
from noivu_ioc.ingest.readers.base import Batch, Reader, SourceError
from noivu_ioc.settings import Settings
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import PushBatch, Source

KINDS = ("sql", "file", "rest", "push", "mqtt")


@dataclass(frozen=True, slots=True)
class BindingView:
    id: int
    name: str
    entity: str
    selector: dict[str, Any]
    mapping: dict[str, Any]
    confirmed: bool


@dataclass(frozen=True, slots=True)
class SourceView:
    """A source as a run sees it, detached from the database session, credentials open."""

    id: int
    name: str
    label: str
    kind: str
    mode: str
    config: dict[str, Any]
    secrets: dict[str, Any]
    max_delete_share: float
    bindings: tuple[BindingView, ...]
    data_dir: Path
    store: OpStore | None = None

    @classmethod
    def of(
        cls,
        source: Source,
        secrets: dict[str, Any],
        settings: Settings,
        store: OpStore | None = None,
    ) -> SourceView:
        return cls(
            id=source.id,
            name=source.name,
            label=source.label,
            kind=source.kind,
            mode=source.mode,
            config=dict(source.config or {}),
            secrets=secrets,
            max_delete_share=source.max_delete_share,
            bindings=tuple(
                BindingView(
                    b.id,
                    b.name,
                    b.entity,
                    dict(b.selector or {}),
                    dict(b.mapping or {}),
                    b.confirmed_at is not None,
                )
                for b in source.bindings
            ),
            data_dir=Path(settings.data_dir),
            store=store,
        )

    def binding(self, name: str) -> BindingView:
        for b in self.bindings:
            if b.name == name:
                return b
        raise InvalidInputError(
            f"source {self.name} has no binding {name!r}; its bindings are "
            + (", ".join(b.name for b in self.bindings) or "none")
        )


@dataclass(frozen=True, slots=True)
class Read:
    """One reader of a binding. ``item`` names what the reader consumes for good (a file
    with its checksum, a push batch) so that a committed run is not loaded twice; None for
    tables read whole or by cursor."""

    reader: Reader
    label: str
    item: str | None = None


class Connector(Protocol):
    kind: ClassVar[str]

    def prepare(
        self, config: dict[str, Any], secrets: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Check a source's settings and split out the credentials; raises
        ``InvalidInputError`` naming the setting and the fix."""

    def check(self, view: SourceView) -> str:
        """Reach the source; a short description of what was found, or ``SourceError``."""

    def tables(self, view: SourceView) -> list[str]:
        """What a binding may select (tables, sheets, files), for the UI."""

    def columns(self, view: SourceView, selector: dict[str, Any]) -> list[str]:
        """The columns of one selection, for the proposed mapping."""

    def reads(self, view: SourceView, binding: BindingView) -> Iterator[Read]:
        """The readers of one binding in this run."""


def invalid(kind: str, exc: ValidationError) -> InvalidInputError:
    """Pydantic's complaint about a setting as one message naming each setting."""
    problems = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "settings"
        problems.append(f"{where}: {err['msg']}")
    return InvalidInputError(
        f"the settings of a {kind} source are not valid: " + "; ".join(problems)
    )


# -- REST / JSON APIs -------------------------------------------------------------------------


class RestConnector:
    """An API in the style of the national data exchange platform. The source gives the
    base URL and paging; each binding an endpoint path (and overrides). Every header and
    query parameter is treated as a credential."""

    kind: ClassVar[str] = "rest"

    def prepare(
        self, config: dict[str, Any], secrets: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        config = dict(config)
        headers = {**config.pop("headers", {}), **secrets.get("headers", {})}
        params = {**config.pop("params", {}), **secrets.get("params", {})}
        base = config.get("base_url")
        if not isinstance(base, str) or not base:
            raise InvalidInputError(
                "a REST source needs base_url, e.g. https://ndxp.gov.vn/api/ (its endpoints "
                "are given per binding)"
            )
        self._config(config, {"path": ""}, {"headers": headers, "params": params})
        return config, {"headers": headers, "params": params}

    def _config(
        self, config: dict[str, Any], selector: dict[str, Any], secrets: dict[str, Any]
    ) -> rest.RestConfig:
        settings = {k: v for k, v in config.items() if k != "base_url"}
        overrides = {k: v for k, v in selector.items() if k != "path"}
        url = urljoin(str(config.get("base_url", "")), str(selector.get("path", "")))
        try:
            return rest.RestConfig(
                url=url,
                **{**settings, **overrides},
                headers=secrets.get("headers", {}),
                params=secrets.get("params", {}),
            )
        except ValidationError as exc:
            raise invalid(self.kind, exc) from None

    def _reader(self, view: SourceView, selector: dict[str, Any]) -> rest.RestReader:
        return rest.RestReader(self._config(view.config, selector, view.secrets))

    def check(self, view: SourceView) -> str:
        selectors = [b.selector for b in view.bindings] or [{"path": ""}]
        for selector in selectors:
            self._reader(view, selector).check()
        return f"{len(selectors)} endpoint(s) answered"

    def tables(self, view: SourceView) -> list[str]:
        return [str(b.selector.get("path", "")) for b in view.bindings]

    def columns(self, view: SourceView, selector: dict[str, Any]) -> list[str]:
        return self._reader(view, selector).columns()

    def reads(self, view: SourceView, binding: BindingView) -> Iterator[Read]:
        yield Read(self._reader(view, binding.selector), str(binding.selector.get("path", "")))


# -- SQL databases ------------------------------------------------------------------------


SQL_BATCH_ROWS = 200_000


class SqlConnector:
    """A database reached by a SQLAlchemy URL. The password is kept with the credentials,
    the URL without it; each binding names a table or a SELECT, and a cursor column for
    incremental syncs."""

    kind: ClassVar[str] = "sql"
    SELECTOR = ("table", "query", "cursor_column", "key_columns", "batch_rows", "timeout_s")

    def prepare(
        self, config: dict[str, Any], secrets: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        from sqlalchemy.engine import URL, make_url
        from sqlalchemy.exc import ArgumentError

        config = dict(config)
        text = str(config.get("url", ""))
        try:
            url = make_url(text)
        except ArgumentError:
            raise InvalidInputError(
                "the source's url is not a database URL; expected e.g. "
                "postgresql://ioc_reader@10.0.0.5:5432/ton_giao or "
                "mysql://ioc_reader@10.0.0.6/thi_dua"
            ) from None
        kept = dict(secrets)
        if url.password:
            kept.setdefault("password", url.password)
        # URL.set(password=None) would keep the password: build the URL without it.
        bare = URL.create(
            url.drivername, url.username, None, url.host, url.port, url.database, url.query
        )
        config["url"] = bare.render_as_string(hide_password=False)
        self._config(config, kept, {"query": "SELECT 1"})
        return config, {k: v for k, v in kept.items() if k == "password" and v}

    def _config(
        self, config: dict[str, Any], secrets: dict[str, Any], selector: dict[str, Any]
    ) -> sql.SqlConfig:
        from sqlalchemy.engine import make_url

        url = make_url(str(config.get("url", "")))
        if secrets.get("password"):
            url = url.set(password=str(secrets["password"]))
        chosen = {k: v for k, v in selector.items() if k in self.SELECTOR and v is not None}
        # Large batches: the checker's fixed cost per batch is paid fewer times.
        settings = {"batch_rows": SQL_BATCH_ROWS}
        settings.update({k: v for k, v in config.items() if k in ("batch_rows", "timeout_s")})
        try:
            return sql.SqlConfig(
                url=url.render_as_string(hide_password=False), **{**settings, **chosen}
            )
        except ValidationError as exc:
            raise invalid(self.kind, exc) from None

    def _reader(self, view: SourceView, selector: dict[str, Any]) -> sql.SqlReader:
        return sql.SqlReader(self._config(view.config, view.secrets, selector))

    def check(self, view: SourceView) -> str:
        selectors = [b.selector for b in view.bindings] or [{"query": "SELECT 1"}]
        for selector in selectors:
            self._reader(view, selector).check()
        return f"{len(selectors)} table(s) or queries can be read"

    def tables(self, view: SourceView) -> list[str]:
        return self._reader(view, {"query": "SELECT 1"}).tables()

    def columns(self, view: SourceView, selector: dict[str, Any]) -> list[str]:
        return self._reader(view, selector).columns()

    def reads(self, view: SourceView, binding: BindingView) -> Iterator[Read]:
        selector = binding.selector
        label = str(selector.get("table") or "query")
        yield Read(self._reader(view, selector), label)


# -- files ----------------------------------------------------------------------------------

_CSV_SUFFIXES = (".csv", ".tsv", ".txt")
CSV_BLOCK_BYTES = 16 * 1024 * 1024
_EXCEL_SUFFIXES = (".xlsx", ".xlsm")
_PARQUET_SUFFIXES = (".parquet",)


def file_folder(view: SourceView) -> Path:
    """A file source's folder: the watched folder it names, or its upload folder."""
    folder = view.config.get("folder")
    if isinstance(folder, str) and folder:
        return Path(folder)
    return view.data_dir / "uploads" / view.name


class FileConnector:
    """CSV, XLSX and Parquet files in a watched folder (or uploaded into the source's own
    folder). Each binding picks files by pattern and, for workbooks, a sheet; a file is
    loaded once per content: sending it again changed loads it again. In snapshot mode
    each run's new files are taken as the whole snapshot (known limit: a folder that gets
    one file per province needs upsert mode, or its rows of other files are deleted)."""

    kind: ClassVar[str] = "file"

    def prepare(
        self, config: dict[str, Any], secrets: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        config = dict(config)
        folder = config.get("folder")
        if folder is not None and not isinstance(folder, str):
            raise InvalidInputError("folder must be a path, e.g. /srv/ioc/incoming/ton-giao")
        if folder and not Path(folder).is_absolute():
            raise InvalidInputError(
                f"folder `{folder}` must be an absolute path on the IOC server, e.g. "
                "/srv/ioc/incoming/ton-giao"
            )
        return config, {}

    def _reader(self, path: Path, selector: dict[str, Any]) -> Reader:
        suffix = path.suffix.lower()
        try:
            if suffix in _EXCEL_SUFFIXES:
                return excel.ExcelReader(
                    path,
                    excel.ExcelConfig(
                        **{
                            k: selector[k]
                            for k in ("sheet", "header_row", "header_rows")
                            if selector.get(k) is not None
                        }
                    ),
                )
            if suffix in _PARQUET_SUFFIXES:
                return files.ParquetReader(path)
            if suffix in _CSV_SUFFIXES:
                # Large blocks: fewer, bigger batches keep the checker's fixed cost small.
                csv = {"block_size": CSV_BLOCK_BYTES, **selector.get("csv", {})}
                return files.CsvReader(path, files.CsvConfig(**csv))
        except ValidationError as exc:
            raise invalid(self.kind, exc) from None
        raise SourceError(
            f"{path.name} is not a file the IOC reads (expected .csv, .tsv, .txt, .xlsx, .xlsm "
            "or .parquet); narrow the binding's pattern"
        )

    def _files(self, view: SourceView, selector: dict[str, Any]) -> list[files.FileInfo]:
        folder = file_folder(view)
        if not folder.exists() and not view.config.get("folder"):
            return []  # nothing uploaded yet
        return files.list_files(folder, str(selector.get("pattern") or "*"))

    def check(self, view: SourceView) -> str:
        folder = file_folder(view)
        selectors = [b.selector for b in view.bindings] or [{}]
        found = 0
        for selector in selectors:
            listed = self._files(view, selector)
            found += len(listed)
            if listed:
                self._reader(listed[-1].path, selector).check()
        return f"folder {folder}: {found} file(s) match"

    def tables(self, view: SourceView) -> list[str]:
        return [f.path.name for f in self._files(view, {})]

    def columns(self, view: SourceView, selector: dict[str, Any]) -> list[str]:
        listed = self._files(view, selector)
        if not listed:
            raise SourceError(
                f"no file of {file_folder(view)} matches `{selector.get('pattern') or '*'}` "
                "yet; upload one or copy it into the folder, then propose the mapping"
            )
        return self._reader(listed[-1].path, selector).columns()

    def reads(self, view: SourceView, binding: BindingView) -> Iterator[Read]:
        for info in self._files(view, binding.selector):
            yield Read(
                self._reader(info.path, binding.selector),
                info.path.name,
                item=f"file:{binding.id}:{info.path.name}:{info.sha256}",
            )


# -- push ---------------------------------------------------------------------------------------

PUSH_TYPES = ("application/json", "application/x-ndjson", "text/csv")


def api_key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class PushBatchReader:
    """The rows of one batch a sector system posted: a JSON list of objects (or an object
    whose ``records``, ``data`` or ``items`` holds the list), JSON lines, or CSV with a
    header. Values arrive as text, as from an API."""

    def __init__(self, batch_id: int, content_type: str, payload: bytes, label: str) -> None:
        self.batch_id = batch_id
        self.content_type = content_type
        self.payload = payload
        self.label = label

    def check(self) -> None:
        self._records()

    def columns(self) -> list[str]:
        return list(self._table().column_names)

    def read(self, since: Any = None) -> Iterator[Batch]:
        table = self._table()
        positions = pa.array(
            [f"{self.label}, record {i}" for i in range(1, table.num_rows + 1)], pa.string()
        )
        yield Batch(table, positions)

    def _table(self) -> pa.Table:
        if self.content_type == "text/csv":
            return _csv_table(self.payload, self.label)
        return rest.text_table(self._records())

    def _records(self) -> list[dict[str, Any]]:
        return parse_push_payload(self.content_type, self.payload, self.label)


def parse_push_payload(content_type: str, payload: bytes, label: str) -> list[dict[str, Any]]:
    """The records of a push body, or ``SourceError`` naming where it is malformed."""
    try:
        text = payload.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"{label} is not UTF-8 text (byte {exc.start}); send JSON or CSV in UTF-8"
        ) from None
    if content_type == "text/csv":
        return []
    if content_type == "application/x-ndjson":
        records: list[Any] = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise SourceError(
                    f"{label}, line {number} is not JSON ({exc.msg} at column {exc.colno})"
                ) from None
    else:
        try:
            body = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SourceError(
                f"{label} is not JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
            ) from None
        if isinstance(body, dict):
            for key in ("records", "data", "items"):
                if isinstance(body.get(key), list):
                    body = body[key]
                    break
        if not isinstance(body, list):
            raise SourceError(
                f"{label} is a JSON {type(body).__name__}, not a list of records; send "
                '[{...}, {...}] or {"records": [...]}'
            )
        records = body
    for index, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            raise SourceError(
                f"{label}, record {index} is not a JSON object; each record must be one"
            )
    return records


def _csv_table(payload: bytes, label: str) -> pa.Table:
    """A CSV body with every column as text (codes keep their leading zeros)."""
    import pyarrow.csv as pacsv

    try:
        header = pacsv.open_csv(pa.BufferReader(payload)).schema.names
        return pacsv.read_csv(
            pa.BufferReader(payload),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(header, pa.string()), strings_can_be_null=True
            ),
        )
    except pa.ArrowInvalid as exc:
        raise SourceError(f"{label} is not valid CSV: {exc}") from None


class PushConnector:
    """An HTTP endpoint where a sector system posts batches with its API key. Each binding
    is one endpoint, ``/api/push/<source>/<binding>``; batches are kept as received in the
    operational store until a run has loaded them."""

    kind: ClassVar[str] = "push"

    def prepare(
        self, config: dict[str, Any], secrets: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        config = dict(config)
        key = secrets.get("api_key") or config.pop("api_key", None)
        if key:
            if len(str(key)) < 24:
                raise InvalidInputError(
                    "the push API key must have at least 24 characters; leave it empty and "
                    "the IOC makes one"
                )
            config["api_key_sha256"] = api_key_digest(str(key))
        if not config.get("api_key_sha256"):
            raise InvalidInputError("a push source needs an API key")
        return config, {}

    def check(self, view: SourceView) -> str:
        pending = len(self._pending(view, None))
        return f"endpoint ready; {pending} batch(es) waiting to be loaded"

    def tables(self, view: SourceView) -> list[str]:
        return [b.name for b in view.bindings]

    def columns(self, view: SourceView, selector: dict[str, Any]) -> list[str]:
        binding = str(selector.get("binding", ""))
        for batch in self._pending(view, binding)[-1:]:
            return PushBatchReader(batch.id, batch.content_type, batch.payload, "").columns()
        return list(selector.get("columns", []))

    def _pending(self, view: SourceView, binding: str | None) -> list[PushBatch]:
        assert view.store is not None, "a push source is read with the operational store"
        with view.store.session() as session:
            query = select(PushBatch).where(
                PushBatch.source_id == view.id, PushBatch.state == "received"
            )
            if binding is not None:
                query = query.where(PushBatch.binding == binding)
            batches = list(session.scalars(query.order_by(PushBatch.id)))
            for b in batches:
                session.expunge(b)
        return batches

    def reads(self, view: SourceView, binding: BindingView) -> Iterator[Read]:
        for batch in self._pending(view, binding.name):
            label = f"batch {batch.id} ({batch.received_at:%Y-%m-%d %H:%M:%S} UTC)"
            yield Read(
                PushBatchReader(batch.id, batch.content_type, batch.payload, label),
                label,
                item=f"push:{batch.id}",
            )


# -- MQTT ---------------------------------------------------------------------------------------


def mqtt_config(view_config: dict[str, Any], secrets: dict[str, Any]) -> mqtt.MqttConfig:
    """The listener's config: the source's settings with the password put back in the URL."""
    settings = dict(view_config)
    url = str(settings.pop("url", ""))
    password = secrets.get("password")
    if password:
        parts = urlsplit(url)
        user = parts.username or ""
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
        netloc = f"{quote(user, safe='')}:{quote(str(password), safe='')}@{host}{port}"
        url = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    try:
        return mqtt.MqttConfig(url=url, **settings)
    except ValidationError as exc:
        raise invalid("mqtt", exc) from None


class MqttConnector:
    """An MQTT broker and topic filters. The password may be given in the URL or apart;
    it is kept with the credentials either way."""

    kind: ClassVar[str] = "mqtt"

    def prepare(
        self, config: dict[str, Any], secrets: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        config = dict(config)
        url = str(config.get("url", ""))
        parts = urlsplit(url)
        kept = dict(secrets)
        if parts.password:
            kept.setdefault("password", parts.password)
            host = parts.hostname or ""
            port = f":{parts.port}" if parts.port else ""
            user = f"{parts.username}@" if parts.username else ""
            config["url"] = urlunsplit(
                (parts.scheme, f"{user}{host}{port}", parts.path, parts.query, parts.fragment)
            )
        # Stable across processes (hash() is not): the broker keeps the session by it.
        config.setdefault("client_id", "ioc-" + hashlib.sha256(url.encode()).hexdigest()[:12])
        mqtt_config(config, kept)
        return config, {k: v for k, v in kept.items() if k == "password" and v}

    def check(self, view: SourceView) -> str:
        config = mqtt_config(view.config, view.secrets)
        mqtt.check_broker(config)
        return f"broker answered; subscribed to {', '.join(config.topics)}"

    def tables(self, view: SourceView) -> list[str]:
        return list(view.config.get("topics", []))

    def columns(self, view: SourceView, selector: dict[str, Any]) -> list[str]:
        return []

    def reads(self, view: SourceView, binding: BindingView) -> Iterator[Read]:
        raise InvalidInputError(
            "an MQTT source is not synced in runs: the server listens to it all the time"
        )


_CONNECTORS: dict[str, Connector] = {
    "sql": SqlConnector(),
    "file": FileConnector(),
    "rest": RestConnector(),
    "push": PushConnector(),
    "mqtt": MqttConnector(),
}


def connector_for(kind: str) -> Connector:
    try:
        return _CONNECTORS[kind]
    except KeyError:
        raise InvalidInputError(
            f"source kind {kind!r} is not known; choose one of {', '.join(_CONNECTORS)}"
        ) from None
