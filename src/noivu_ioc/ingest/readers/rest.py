"""Reads a JSON API in the style of the national data exchange platform (NDXP / LGSP): pages
of records behind an authorization header, fetched page by page into one batch each.

Every value arrives as text (numbers and booleans in their JSON spelling, ``2.50`` stays
``2.50``) so that the validator, not the reader, decides what a column means. Nested objects
become dotted columns (``dia_chi.ma_tinh``); lists are kept as JSON text; null stays null.
"""

from __future__ import annotations

import codecs
import json
import logging
import re
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import chain
from operator import itemgetter
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx2
import pyarrow as pa
from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from noivu_ioc.ingest.readers.base import Batch, SourceError

logger = logging.getLogger(__name__)

_EXCERPT_CHARS = 200
_KEYS_SHOWN = 12
# What may follow the point where a cut-off JSON document stops parsing: the start of a
# number or a literal (``tr`` of ``true``), nothing else.
_PARTIAL_TOKEN = re.compile(r"[0-9A-Za-z.+-]*\s*")
# Header values HTTP can carry: visible ASCII, spaces and tabs.
_HEADER_VALUE = re.compile(r"[\t\x20-\x7e]*")
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


class _Number(str):
    """A JSON number with a fraction or an exponent, kept as the server spelled it: parsed
    as a float, ``2.50`` would become ``2.5`` and ``123456789012345678.25`` would lose its
    last digits."""

    __slots__ = ()


class RestConfig(BaseModel):
    """Where the API is, how it pages and how it is authorized."""

    # Pydantic would quote the whole input in its errors, Authorization header included;
    # the validators below quote what is safe to show.
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

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
        try:
            parts = urlsplit(value)
            valid = parts.scheme in ("http", "https") and bool(parts.hostname)
            parts.port  # noqa: B018 - raises ValueError for a port out of range
        except ValueError:
            valid = False
        if not valid:
            raise ValueError(
                f"`{_safe_url(value)}` is not an API address "
                "(expected http://host/path or https://host/path)"
            )
        return value

    @field_validator("headers")
    @classmethod
    def _sendable_headers(cls, value: dict[str, str]) -> dict[str, str]:
        for name, text in value.items():
            if not _HEADER_NAME.fullmatch(name):
                raise ValueError(
                    f"`{name}` is not a header name (expected letters, digits and dashes, "
                    "such as X-API-Key)"
                )
            # The value is not quoted: it is often the key itself.
            if not _HEADER_VALUE.fullmatch(text):
                raise ValueError(
                    f"header `{name}` holds a line break or a non-ASCII character, which "
                    "HTTP headers cannot carry; copy the value again from the API's documents"
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


class _QueryHidden(logging.Filter):
    """httpx2 logs every request at INFO with its whole URL, where an API key passed as a
    query parameter (``?api_key=``) or a signed next link would be written out; this cuts
    the query from the URL in those records."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(
            isinstance(arg, httpx2.URL) for arg in record.args
        ):
            record.args = tuple(
                _safe_url(str(arg)) if isinstance(arg, httpx2.URL) else arg for arg in record.args
            )
        return True


# On httpx2's own logger, where its request lines are made; once, however often this
# module is reloaded.
_httpx2_logger = logging.getLogger("httpx2")
if not any(isinstance(f, _QueryHidden) for f in _httpx2_logger.filters):
    _httpx2_logger.addFilter(_QueryHidden())


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
        page = self._first_page()
        logger.info(
            "REST source %s answered: %d records on the first page",
            _safe_url(self.config.url),
            len(page.records),
        )

    def columns(self) -> list[str]:
        return list(_columns(self._first_page().records))

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

    def _first_page(self) -> _Page:
        with self._client() as client:
            pages = self._pages(client, since=None)
            try:
                return next(pages)
            finally:
                pages.close()

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

    def _pages(self, client: httpx2.Client, since: Any) -> Generator[_Page]:
        """The pages of the source, each fetched when the previous one has been used; stops
        at an empty page, a page shorter than the ones before it, or the last next link."""
        config = self.config
        params = dict(config.params)
        if since is not None and config.cursor_param:
            params[config.cursor_param] = _param_text(since)

        url = config.url
        number = config.first_page
        offset = 0
        previous: list[dict[str, Any]] = []
        largest = 0
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
            # Checked before the page is handed on, so that no record goes out twice.
            # Compared as parsed JSON: pages that differ do so in their first record, so
            # this costs next to nothing unless the server really sends the same page.
            if records and records == previous:
                raise SourceError(
                    f"{_safe_url(config.url)} returned the same records for {label} as for "
                    "the page before it: the server ignores the paging parameters; check "
                    f"the paging settings ({_paging_settings(config)}), or set paging to "
                    '"none" if the API sends all its records at once'
                )
            yield _Page(label, records, body)

            if not records or config.paging == "none":
                return
            previous = records
            if config.paging in ("page", "offset"):
                # A server may cap the page size below page_size, so a first page shorter
                # than page_size is not the last: the last is shorter than the pages before.
                if len(records) < min(config.page_size, largest):
                    return
                largest = max(largest, len(records))
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
            # Merged by hand: given params, httpx2 drops the query the URL already has (a
            # next link's, or a filter written into the source's URL).
            target = httpx2.URL(url)
            response = client.get(target.copy_merge_params(params) if params else target)
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
        except httpx2.RemoteProtocolError as exc:
            raise SourceError(
                f"{where} broke off its answer ({type(exc).__name__}: the connection closed "
                "before the whole page arrived); the sync will retry",
                transient=True,
            ) from None
        except httpx2.DecodingError:
            raise SourceError(
                f"the answer from {where} cannot be decoded: its Content-Encoding does not "
                "match its body; ask the API's operator to check the gateway's compression"
            ) from None
        except httpx2.RequestError as exc:
            raise SourceError(
                f"cannot reach {where} ({type(exc).__name__}): check that the server is "
                "running and reachable; the sync will retry",
                transient=True,
            ) from None
        _raise_for_status(response, where, self._secrets())
        return response

    def _json(self, response: httpx2.Response, label: str) -> Any:
        where = f"{_safe_url(str(response.url))} ({label})"
        content = response.content.removeprefix(codecs.BOM_UTF8)
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.reason != "unexpected end of data":
                raise SourceError(
                    f"the answer from {where} is not UTF-8 text, as JSON must be (byte "
                    f"{exc.start}); ask the API's operator which encoding it sends"
                ) from None
            # Cut in the middle of a letter: what came before decides below.
            text = content[: exc.start].decode("utf-8")
        try:
            return json.loads(text, parse_float=_Number)
        except json.JSONDecodeError as exc:
            if _cut_short(exc):
                # A server that sends neither Content-Length nor chunks ends its answer by
                # closing the connection, so a cut shows only here.
                raise SourceError(
                    f"the answer from {where} stops in the middle of its JSON after "
                    f"{len(content)} bytes: the connection was cut; the sync will retry",
                    transient=True,
                ) from None
        kind = response.headers.get("content-type", "no Content-Type")
        excerpt = _excerpt(response.text, self._secrets())
        raise SourceError(
            f"the answer from {where} is not JSON ({kind}), it starts with `{excerpt}`; "
            "check the URL points at the API, not at a web page"
        )

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
        if not isinstance(link, str) or isinstance(link, _Number):
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
        columns = _columns(page.records)
        table = pa.table({name: _text_array(values) for name, values in columns.items()})
        prefix = f"{page.label}, record "
        positions = pa.array(
            [f"{prefix}{index}" for index in range(1, len(page.records) + 1)],
            type=pa.string(),
        )
        return Batch(table, positions, cursor=self._cursor(columns, page.label))

    def _cursor(self, columns: dict[str, list[Any]], label: str) -> Any:
        field = self.config.cursor_field
        if field is None:
            return None
        if field not in columns:
            raise SourceError(
                f"cursor_field `{field}` is not a field of the records on "
                f"{_safe_url(self.config.url)} ({label}); the fields are: {_keys(columns)}"
            )
        values = [value for value in columns[field] if value is not None]
        if not values:
            return None
        kinds = set(map(type, values))
        if kinds <= {str} or kinds <= {int}:
            return max(values)
        if kinds <= {int, _Number}:
            return max(map(Decimal, values))
        return str(max(_text(value) or "" for value in values))

    def _secrets(self) -> list[str]:
        """Values that must never reach a message: header values and query parameter values
        (an API key sometimes travels as ``?api_key=``), each with its Bearer prefix cut."""
        query = urlsplit(self.config.url).query
        secrets = [
            *self.config.headers.values(),
            *self.config.params.values(),
            *(value for _, _, value in (pair.partition("=") for pair in query.split("&"))),
        ]
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
    if status == 429 or status == 408 or status >= 500:
        raise SourceError(
            f"{where} is unavailable for now ({reason}{_retry_hint(response)}); the sync "
            "will retry",
            transient=True,
        )
    if status in (401, 403):
        raise SourceError(
            f"{where} refused the request ({reason}): check the API key / Authorization header"
        )
    if status == 404:
        raise SourceError(f"{where} does not exist ({reason}): check the URL")
    if 300 <= status < 400:
        location = response.headers.get("location", "")
        try:
            target = str(response.url.join(location)) if location else ""
        except httpx2.InvalidURL:
            target = location
        raise SourceError(
            f"{where} redirects ({reason}) to `{_safe_url(target)}`, which the reader does "
            "not follow (the credentials would go along): put that address in the "
            "source's URL"
        )
    raise SourceError(
        f"{where} rejected the request ({reason}): `{_excerpt(response.text, secrets)}`; "
        "check the parameters and the paging settings"
    )


def _retry_hint(response: httpx2.Response) -> str:
    wait = response.headers.get("retry-after", "").strip()
    if not wait:
        return ""
    # Retry-After is a number of seconds or an HTTP date.
    return f", the server asks to wait {wait} s" if wait.isdigit() else f", retry after {wait}"


def _paging_settings(config: RestConfig) -> str:
    if config.paging == "page":
        return f"page_param `{config.page_param}`, size_param `{config.size_param}`"
    if config.paging == "offset":
        return f"offset_param `{config.offset_param}`, size_param `{config.size_param}`"
    return f"next_path `{config.next_path}`"


def text_table(records: list[dict[str, Any]]) -> pa.Table:
    """JSON records as the reader hands them on: one text column per field, nested objects
    as dotted columns, lists as JSON text (for sources that receive JSON rather than fetch
    it, such as a push endpoint)."""
    return pa.table({name: _text_array(values) for name, values in _columns(records).items()})


def _columns(records: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """The page's columns, one list of values per column, in the order the keys first
    appear; nested objects spread into dotted columns."""
    columns: dict[str, list[Any]] = {}
    _add_columns(records, "", columns)
    return columns


def _add_columns(records: list[dict[str, Any]], prefix: str, into: dict[str, list[Any]]) -> None:
    # Column by column rather than record by record: each step is one pass in C.
    for key in dict.fromkeys(chain.from_iterable(records)):
        try:
            values = list(map(itemgetter(key), records))
        except KeyError:  # a record without the key: slower, record by record
            values = [record.get(key) for record in records]
        name = f"{prefix}{key}"
        kinds = set(map(type, values))
        if dict not in kinds:
            into[name] = values
            continue
        # An object in some records and a plain value in others keeps both: the plain
        # values under the key itself, the object's fields as dotted columns.
        if kinds - {dict, type(None)}:
            into[name] = [None if type(value) is dict else value for value in values]
        nested = [value if type(value) is dict else _NO_FIELDS for value in values]
        _add_columns(nested, f"{name}.", into)


_NO_FIELDS: dict[str, Any] = {}
# JSON string quoting that leaves non-ASCII letters as they are (ensure_ascii=False).
_quote = json.encoder.encode_basestring


def _text_array(values: list[Any]) -> pa.Array:
    """One column as Arrow text, converted in bulk where the column has one JSON type."""
    kinds = set(map(type, values))
    if kinds == {list}:  # no null among them: each one is JSON text
        return pa.array(list(map(_json_text, values)), type=pa.string())
    kinds.discard(type(None))
    if kinds <= {str, _Number}:
        return pa.array(values, type=pa.string())
    if kinds == {bool}:
        return pa.array(values, type=pa.bool_()).cast(pa.string())
    if kinds == {int}:
        try:
            return pa.array(values, type=pa.int64()).cast(pa.string())
        except OverflowError:
            pass  # beyond 64 bits: Python spells it below
    return pa.array([_text(value) for value in values], type=pa.string())


def _text(value: Any) -> str | None:
    """A JSON value as text, as the validator expects it: ``true``, ``12``, ``12.50``."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return _json_text(value)


def _json_text(value: Any) -> str:
    """A list or object as JSON text, its numbers spelled as the server spelled them."""
    if isinstance(value, _Number):
        return str.__str__(value)
    if isinstance(value, list):
        # Lists of text (most lists) go through the C quoting alone: json.dumps costs
        # more in set-up per call than in work on a list of two names.
        if all(type(item) is str for item in value):
            return "[" + ", ".join(map(_quote, value)) + "]"
        return "[" + ", ".join(map(_json_text, value)) + "]"
    if isinstance(value, dict):
        fields = (f"{_quote(key)}: {_json_text(item)}" for key, item in value.items())
        return "{" + ", ".join(fields) + "}"
    return json.dumps(value, ensure_ascii=False)


def _param_text(value: Any) -> str:
    """A cursor as the query parameter that carries it back to the server."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _cut_short(exc: json.JSONDecodeError) -> bool:
    """Whether a document that does not parse is the start of one that would: it opens
    like JSON and fails only at its very end (in a string or a token left unfinished)."""
    doc = exc.doc
    if not doc.lstrip().startswith(("{", "[")) or exc.msg == "Extra data":
        return False
    return exc.msg.startswith("Unterminated string") or bool(_PARTIAL_TOKEN.fullmatch(doc, exc.pos))


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
    if isinstance(value, _Number):
        return "a number"
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
    try:
        parts = urlsplit(url)
    except ValueError:  # an unclosed IPv6 bracket: cut what could hold a secret by hand
        rest = url.partition("?")[0].partition("#")[0]
        scheme, sep, after = rest.rpartition("//")
        return f"{scheme}{sep}{after.rpartition('@')[2]}"
    host = parts.netloc.rpartition("@")[2]
    return f"{parts.scheme}://{host}{parts.path}" if parts.scheme else parts.path
