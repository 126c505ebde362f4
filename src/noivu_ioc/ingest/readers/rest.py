"""Reads a JSON API in the style of the national data exchange platform (NDXP / LGSP): pages
of records behind an authorization header, fetched page by page into one batch each.

Every value arrives as text (numbers and booleans in their JSON spelling) so that the
validator, not the reader, decides what a column means. Nested objects become dotted
columns (``dia_chi.ma_tinh``); lists are kept as JSON text.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx2
import pyarrow as pa
from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from noivu_ioc.ingest.readers.base import Batch, SourceError

logger = logging.getLogger(__name__)

_EXCERPT_CHARS = 200
_KEYS_SHOWN = 12


class RestConfig(BaseModel):
    """Where the API is, how it pages and how it is authorized."""

    model_config = ConfigDict(extra="forbid")

    url: str
    # Dotted path to the list of records in the body, e.g. "data.items"; "" = the body.
    records_path: str = ""
    paging: Literal["none", "page", "offset", "next_link"] = "page"
    page_param: str = "page"
    size_param: str = "page_size"
    page_size: int = 500
    first_page: int = 1
    offset_param: str = "offset"
    # paging="next_link": dotted path to the next page's URL (absent or null = last page).
    next_path: str = "next"
    # Incremental syncs: the query parameter that carries the last cursor, and the record
    # field whose largest value on a page is that page's cursor.
    cursor_param: str | None = None
    cursor_field: str | None = None
    headers: dict[str, str] = {}
    params: dict[str, str] = {}
    timeout_s: float = 30.0
    max_pages: int = 100_000

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(
                f"`{_safe_url(value)}` is not an API address "
                "(expected http://host/path or https://host/path)"
            )
        return value

    @field_validator("page_size", "max_pages")
    @classmethod
    def _positive(cls, value: int) -> int:
        if value < 1:
            raise ValueError(f"{value} is not allowed (expected 1 or more)")
        return value

    @field_validator("timeout_s")
    @classmethod
    def _positive_timeout(cls, value: float) -> float:
        if value <= 0:
            raise ValueError(f"{value} is not allowed (expected a number of seconds above 0)")
        return value

    @model_validator(mode="after")
    def _cursor_pair(self) -> RestConfig:
        if self.cursor_param and not self.cursor_field:
            raise ValueError(
                f"cursor_param `{self.cursor_param}` needs cursor_field: the record field "
                "whose largest value is sent back on the next sync"
            )
        return self


@dataclass(frozen=True, slots=True)
class _Page:
    label: str  # "page 3" or "offset 1000", the start of each row's position
    records: list[dict[str, Any]]
    body: Any


class RestReader:
    """A JSON API as a source. Holds no connection between calls: each call opens its own
    HTTP client and closes it before returning.

    With ``since``, the reader sends it in ``cursor_param`` and the server decides what is
    newer; a server that compares with ``>=`` sends the boundary records again, which the
    sync's idempotent upsert absorbs.
    """

    def __init__(self, config: RestConfig, transport: httpx2.BaseTransport | None = None) -> None:
        self.config = config
        self._transport = transport

    def check(self) -> None:
        with self._client() as client:
            page = next(self._pages(client, since=None))
        logger.info(
            "REST source %s answered: %d records on the first page",
            _safe_url(self.config.url),
            len(page.records),
        )

    def columns(self) -> list[str]:
        with self._client() as client:
            page = next(self._pages(client, since=None))
        return list(_flatten_page(page.records)[0])

    def read(self, since: Any = None) -> Iterator[Batch]:
        """One batch per page, in the API's order."""
        total = 0
        with self._client() as client:
            for page in self._pages(client, since):
                if not page.records:
                    break
                total += len(page.records)
                yield self._batch(page)
        logger.info("REST source %s read: %d records", _safe_url(self.config.url), total)

    def _client(self) -> httpx2.Client:
        # Redirects are not followed: a custom key header such as X-API-Key would go along
        # to wherever the redirect points.
        return httpx2.Client(
            headers=self.config.headers,
            timeout=self.config.timeout_s,
            follow_redirects=False,
            transport=self._transport,
            trust_env=False,
        )

    def _pages(self, client: httpx2.Client, since: Any) -> Iterator[_Page]:
        """The pages of the source, each fetched when the previous one has been used; stops
        at an empty page, a short page, or the last next link."""
        config = self.config
        params = dict(config.params)
        if since is not None and config.cursor_param:
            params[config.cursor_param] = _text(since) or ""

        url = config.url
        number = config.first_page
        offset = 0
        previous_digest = ""
        for count in range(1, config.max_pages + 1):
            size = {config.size_param: str(config.page_size)}
            if config.paging == "page":
                label = f"page {number}"
                sent = {**params, config.page_param: str(number), **size}
            elif config.paging == "offset":
                label = f"offset {offset}"
                sent = {**params, config.offset_param: str(offset), **size}
            else:
                label = f"page {count}"
                # A next link carries its own query; the first request carries ours.
                sent = params if count == 1 else {}

            response = self._get(client, url, sent, label)
            body = self._json(response, label)
            records = self._records(body, label)
            yield _Page(label, records, body)

            if not records or config.paging == "none":
                return
            if config.paging in ("page", "offset"):
                if len(records) < config.page_size:
                    return
                digest = hashlib.sha256(json.dumps(records, sort_keys=True).encode()).hexdigest()
                if digest == previous_digest:
                    raise SourceError(
                        f"{_safe_url(config.url)} returned the same records for {label} as "
                        f"for the page before it: the server ignores the paging parameters; "
                        f"check page_param / offset_param and size_param"
                    )
                previous_digest = digest
                number += 1
                offset += len(records)
            else:
                next_url = self._next_url(body, response.url, label)
                if next_url is None:
                    return
                url = next_url

        raise SourceError(
            f"{_safe_url(config.url)} has more than {config.max_pages} pages; raise max_pages "
            "or check that the paging settings match the API"
        )

    def _get(
        self, client: httpx2.Client, url: str, params: dict[str, str], label: str
    ) -> httpx2.Response:
        where = f"{_safe_url(url)} ({label})"
        logger.debug("GET %s", where)
        try:
            response = client.get(url, params=params)
        except httpx2.TimeoutException as exc:
            raise SourceError(
                f"{where} did not answer within {self.config.timeout_s:g} s "
                f"({type(exc).__name__}); the server may be busy, the sync will retry",
                transient=True,
            ) from None
        except (httpx2.UnsupportedProtocol, httpx2.InvalidURL):
            raise SourceError(
                f"{where} is not a valid API address (expected http:// or https://)"
            ) from None
        except httpx2.TransportError as exc:
            raise SourceError(
                f"cannot reach {where} ({type(exc).__name__}): check that the server is "
                "running and reachable; the sync will retry",
                transient=True,
            ) from None
        _raise_for_status(response, where, self._secrets())
        return response

    def _json(self, response: httpx2.Response, label: str) -> Any:
        try:
            return json.loads(response.content)
        except ValueError:
            kind = response.headers.get("content-type", "no Content-Type")
            excerpt = _excerpt(response.text, self._secrets())
            raise SourceError(
                f"the answer from {_safe_url(str(response.url))} ({label}) is not JSON "
                f"({kind}), it starts with `{excerpt}`; check the URL points at the API, "
                "not at a web page"
            ) from None

    def _records(self, body: Any, label: str) -> list[dict[str, Any]]:
        path = self.config.records_path
        where = f"{_safe_url(self.config.url)} ({label})"
        found = _at_path(body, path)
        if found is _MISSING:
            raise SourceError(
                f"records_path `{path}` does not exist in the answer from {where}; "
                f"the answer's top-level keys are: {_keys(body)}"
            )
        if not isinstance(found, list):
            named = f"records_path `{path}`" if path else "the answer's body"
            hint = f"; its keys are: {_keys(found)}" if isinstance(found, dict) else ""
            raise SourceError(
                f"{named} from {where} holds {_json_kind(found)}, not a list of records"
                f"{hint}; set records_path to the dotted path of the list"
            )
        for index, record in enumerate(found, start=1):
            if not isinstance(record, dict):
                raise SourceError(
                    f"{where}, record {index} is {_json_kind(record)}, not an object; "
                    "the reader expects a list of JSON objects"
                )
        return found

    def _next_url(self, body: Any, current: httpx2.URL, label: str) -> str | None:
        link = _at_path(body, self.config.next_path)
        if link is _MISSING or link is None or link == "":
            return None
        if not isinstance(link, str):
            raise SourceError(
                f"next_path `{self.config.next_path}` on {_safe_url(self.config.url)} "
                f"({label}) holds {_json_kind(link)}, not a URL; check next_path"
            )
        target = current.join(link)
        if _origin(target) != _origin(current):
            # The authorization header would go along to a host nobody configured.
            raise SourceError(
                f"the next link on {_safe_url(self.config.url)} ({label}) points at another "
                f"server, {_safe_url(str(target))}; refusing to send the credentials there"
            )
        return str(target)

    def _batch(self, page: _Page) -> Batch:
        columns, rows = _flatten_page(page.records)
        table = pa.table(
            {
                name: pa.array([_text(row.get(name)) for row in rows], type=pa.string())
                for name in columns
            }
        )
        positions = pa.array(
            [f"{page.label}, record {index}" for index in range(1, len(rows) + 1)],
            type=pa.string(),
        )
        return Batch(table, positions, cursor=self._cursor(rows, columns, page.label))

    def _cursor(self, rows: list[dict[str, Any]], columns: dict[str, None], label: str) -> Any:
        field = self.config.cursor_field
        if field is None:
            return None
        if field not in columns:
            raise SourceError(
                f"cursor_field `{field}` is not a field of the records on "
                f"{_safe_url(self.config.url)} ({label}); the fields are: "
                f"{', '.join(list(columns)[:_KEYS_SHOWN])}"
            )
        values = [row[field] for row in rows if row.get(field) is not None]
        if not values:
            return None
        numbers = all(
            isinstance(value, int | float) and not isinstance(value, bool) for value in values
        )
        return max(values) if numbers else max(_text(value) or "" for value in values)

    def _secrets(self) -> list[str]:
        """Values that must never reach a message: header values and query parameter values
        (an API key sometimes travels as ``?api_key=``), each with its Bearer prefix cut."""
        secrets = [*self.config.headers.values(), *self.config.params.values()]
        for value in list(secrets):
            scheme, _, token = value.partition(" ")
            if token and scheme.lower() in ("bearer", "basic", "token", "apikey"):
                secrets.append(token)
        return [value for value in secrets if len(value) >= 4]


class _Missing:
    pass


_MISSING: Any = _Missing()


def _raise_for_status(response: httpx2.Response, where: str, secrets: list[str]) -> None:
    status = response.status_code
    if status < 300:
        return
    reason = f"HTTP {status} {response.reason_phrase}".rstrip()
    if status in (401, 403):
        raise SourceError(
            f"{where} refused the request ({reason}): check the API key / Authorization header"
        )
    if status == 404:
        raise SourceError(f"{where} does not exist ({reason}): check the URL")
    if status == 429 or status >= 500:
        wait = response.headers.get("retry-after")
        hint = f", the server asks to wait {wait} s" if wait else ""
        raise SourceError(
            f"{where} is unavailable for now ({reason}{hint}); the sync will retry",
            transient=True,
        )
    if 300 <= status < 400:
        target = response.headers.get("location", "")
        raise SourceError(
            f"{where} redirects ({reason}) to `{_safe_url(target)}`: put that address in "
            "the source's URL"
        )
    raise SourceError(
        f"{where} rejected the request ({reason}): `{_excerpt(response.text, secrets)}`; "
        "check the parameters and the paging settings"
    )


def _flatten_page(records: list[dict[str, Any]]) -> tuple[dict[str, None], list[dict[str, Any]]]:
    """The page's columns (the union of keys, first seen first) and its flat records."""
    columns: dict[str, None] = {}
    rows = []
    for record in records:
        row: dict[str, Any] = {}
        _flatten(record, "", row)
        columns.update(dict.fromkeys(row))
        rows.append(row)
    return columns, rows


def _flatten(value: dict[str, Any], prefix: str, into: dict[str, Any]) -> None:
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, dict):
            _flatten(item, f"{name}.", into)
        else:
            into[name] = item


def _text(value: Any) -> str | None:
    """A JSON value as text, as the validator expects it: ``true``, ``12``, ``12.5``."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _at_path(body: Any, path: str) -> Any:
    found = body
    for key in path.split(".") if path else []:
        if not isinstance(found, dict) or key not in found:
            return _MISSING
        found = found[key]
    return found


def _keys(body: Any) -> str:
    if not isinstance(body, dict):
        return f"none, the answer is {_json_kind(body)}"
    keys = list(body)
    shown = ", ".join(keys[:_KEYS_SHOWN]) or "none, the object is empty"
    return shown + (f" (and {len(keys) - _KEYS_SHOWN} more)" if len(keys) > _KEYS_SHOWN else "")


def _json_kind(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "null"


def _excerpt(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    flat = " ".join(text.split())
    return flat[:_EXCERPT_CHARS] + ("…" if len(flat) > _EXCERPT_CHARS else "")


def _origin(url: httpx2.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port


def _safe_url(url: str) -> str:
    """The URL without its query (which may hold a key) or user and password."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return f"{parts.scheme}://{host}{parts.path}" if parts.scheme else parts.path
