"""Cross-site request forgery protection, the secure response headers and the request body
limits, as one plain ASGI middleware (no task or stream copy per request, as with the app's
other middlewares).

**CSRF.** A request that changes something (POST, PUT, PATCH, DELETE) and carries the
session cookie is refused when the browser says it comes from another site
(``Sec-Fetch-Site: cross-site``) or names an ``Origin`` that is not the IOC's (its own host,
``public_url`` or ``csrf_trusted_origins``). A body a plain HTML form can send (form-encoded,
multipart, text/plain) must also carry the synchronizer token: an HMAC of the session token
under a key derived from the store's secret key, so every server of one store computes the
same token and nothing is kept per session. Pages put it in a hidden ``csrf_token`` field
(``csrf_field(request)``, first in the form) and in a ``<meta name="csrf-token">`` that the
scripts send as ``X-CSRF-Token``. JSON bodies need no token: a browser sends them across
sites only after a CORS preflight, which the IOC never grants, and the Origin check still
applies. The login form is protected before there is a session (login CSRF) with a token
bound to a random pre-session cookie. Push endpoints (API key) and API clients without
cookies are not concerned. The field is taken out of the body before the route reads it.

**Headers.** A Content-Security-Policy of the IOC's own origin only (no inline script, no
``<style>`` element, no style attribute: bars take their width from a ``pct-N`` class, scripts
set styles through the CSSOM), nosniff, the referrer policy, no
framing by other sites, a Permissions-Policy that turns off what the IOC never uses, a
Cross-Origin-Opener-Policy, and Strict-Transport-Security behind HTTPS.

**Limits.** The body of a POST, PUT, PATCH or DELETE larger than its path's limit is refused
with 413 before it is read (from Content-Length) or as soon as it passes the limit (chunked):
uploads to file sources ``upload_max_bytes``, attachments ``attachments.MAX_BYTES``,
everything else ``request_max_bytes``; push batches are limited by their route
(``push_max_bytes``). A GET costs only the headers (about 3 µs).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie
from urllib.parse import unquote_plus, urlsplit

import anyio
import orjson
from markupsafe import Markup
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from noivu_ioc.errors import IOCError
from noivu_ioc.operations import attachments
from noivu_ioc.settings import Settings
from noivu_ioc.store.secrets import secret_box
from noivu_ioc.web import i18n
from noivu_ioc.web.deps import SESSION_COOKIE

log = logging.getLogger(__name__)

LOGIN_COOKIE = "ioc_login_csrf"
FIELD = "csrf_token"
HEADER = b"x-csrf-token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# The bodies an HTML form (or a "simple" cross-site request) can send.
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"})
# What a multipart body adds around a file: boundaries, part headers, the other fields.
MULTIPART_OVERHEAD = 1024 * 1024
# The csrf_token part is found within this many bytes at the start of a multipart body.
_PEEK = 16 * 1024
_UPLOAD = re.compile(r"^(/api)?/sources/[^/]+/files$")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self'; "
    "manifest-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'self'"
)
PERMISSIONS = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), browsing-topics=()"
)


class RequestTooLargeError(IOCError):
    code = "too_large"


class CsrfKeys:
    """The keys that sign CSRF tokens, derived from the store's secret keys (the same on
    every server of one store). Tokens are made with the current key and accepted under the
    earlier ones too, so that a page opened before a rotation of the secret key
    (``ioc secrets rotate-key``) still sends a good token."""

    def __init__(self, settings: Settings) -> None:
        self.box = secret_box(settings)
        self._derived: dict[bytes, bytes] = {}

    def _key(self, base: bytes) -> bytes:
        key = self._derived.get(base)
        if key is None:
            key = hmac.new(base, b"noivu-ioc csrf token key v1", hashlib.sha256).digest()
            self._derived[base] = key
        return key

    def _token(self, base: bytes, purpose: str, value: str) -> str:
        mac = hmac.new(self._key(base), f"{purpose}:{value}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).decode().rstrip("=")

    def token(self, purpose: str, value: str) -> str:
        return self._token(self.box.keys().current, purpose, value)

    def expected(self, cookies: dict[str, str], login_form: bool) -> list[str]:
        """The tokens a request with these cookies may carry: the session's, and on the
        login form also the pre-session one (a page opened before logging in elsewhere),
        under each known key."""
        wanted = []
        session = cookies.get(SESSION_COOKIE)
        if session:
            wanted.append(("session", session))
        pre = cookies.get(LOGIN_COOKIE)
        if pre and (login_form or not session):
            wanted.append(("login", pre))
        return [
            self._token(base, purpose, value)
            for base in self.box.keys().all
            for purpose, value in wanted
        ]


def csrf_token(request: Request) -> str:
    """The token of this request's session (or pre-session), for pages and scripts."""
    keys: CsrfKeys | None = getattr(request.state, "csrf", None)
    if keys is None:
        return ""
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        return keys.token("session", session)
    pre = request.cookies.get(LOGIN_COOKIE) or getattr(request.state, "login_csrf", None)
    return keys.token("login", pre) if pre else ""


def csrf_field(request: Request) -> Markup:
    """The hidden field every ``<form method="post">`` carries first."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(FIELD, csrf_token(request))


def _cookies(headers: list[tuple[bytes, bytes]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, value in headers:
        if name == b"cookie":
            for part in value.decode("latin-1").split(";"):
                key, sep, item = part.strip().partition("=")
                if sep and key not in found:
                    found[key] = item
    return found


def _header(headers: list[tuple[bytes, bytes]], wanted: bytes) -> str | None:
    for name, value in headers:
        if name == wanted:
            return value.decode("latin-1")
    return None


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _boundary(content_type: str | None) -> bytes | None:
    match = re.search(r'boundary="?([^";]+)"?', content_type or "", re.IGNORECASE)
    return match[1].encode("latin-1") if match else None


def _origin_of(url: str) -> str:
    parts = urlsplit(url.strip())
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


def _same(token: str | None, expected: list[str]) -> bool:
    if not token:
        return False
    # Every expected token is compared, in constant time.
    results = [hmac.compare_digest(token.encode(), e.encode()) for e in expected]
    return any(results)


class _Refusal(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SecurityMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.keys = CsrfKeys(settings)
        trusted = [o for o in (settings.csrf_trusted_origins or "").split(",") if o.strip()]
        self.origins = {_origin_of(settings.public_url), *(_origin_of(o) for o in trusted)}
        self.origins.discard("")
        self.headers = self._response_headers()

    def _response_headers(self) -> list[tuple[bytes, bytes]]:
        csp = CSP + ("; upgrade-insecure-requests" if self.settings.secure_cookies else "")
        found = [
            (b"content-security-policy", csp.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
            (b"x-frame-options", b"SAMEORIGIN"),
            (b"permissions-policy", PERMISSIONS.encode()),
            (b"cross-origin-opener-policy", b"same-origin"),
            (b"cross-origin-resource-policy", b"same-origin"),
        ]
        if self.settings.secure_cookies:
            found.append((b"strict-transport-security", b"max-age=31536000"))
        return found

    def limit_of(self, path: str) -> int | None:
        if path.startswith("/api/push/"):
            return None  # the push route reads the batch itself, to its own limit
        if _UPLOAD.match(path):
            return self.settings.upload_max_bytes + MULTIPART_OVERHEAD
        if path.endswith("/attachments"):
            return attachments.MAX_BYTES + MULTIPART_OVERHEAD
        return self.settings.request_max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        state["csrf"] = self.keys
        headers: list[tuple[bytes, bytes]] = scope.get("headers", [])
        path: str = scope["path"]
        unsafe = scope["method"] in UNSAFE
        # The wall and the phone read many times a second: a GET costs only the headers.
        cookies = _cookies(headers) if unsafe or path.startswith("/login") else {}
        new_login_cookie = None
        if (
            scope["method"] == "GET"
            and path.startswith("/login")
            and SESSION_COOKIE not in cookies
            and LOGIN_COOKIE not in cookies
        ):
            new_login_cookie = secrets.token_urlsafe(32)
            state["login_csrf"] = new_login_cookie

        async def decorated(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = list(message.get("headers", []))
                present = {name.lower() for name, _ in out}
                out.extend(h for h in self.headers if h[0] not in present)
                if new_login_cookie is not None:
                    out.append((b"set-cookie", self._login_cookie(new_login_cookie)))
                message["headers"] = out
            await send(message)

        if not unsafe:
            await self.app(scope, receive, decorated)
            return
        limit = self.limit_of(path)
        declared = _header(headers, b"content-length")
        if limit is not None and declared and declared.isdigit() and int(declared) > limit:
            await self._refuse(
                scope,
                decorated,
                413,
                "too_large",
                f"the request body has {int(declared):,} bytes, more than the limit of "
                f"{limit:,} bytes for {path}; send a smaller file or ask the administrator "
                "about the limit",
            )
            return
        exceeded: list[str] = []
        receive = self._limited(receive, limit, path, exceeded)

        if SESSION_COOKIE in cookies or path == "/login":
            try:
                receive = await self._check(scope, receive, headers, cookies, path)
            except _Refusal as refusal:
                await self._audit(scope, refusal.reason)
                await self._refuse(
                    scope,
                    decorated,
                    403,
                    "not_allowed",
                    "the request was refused as a possible cross-site request forgery: "
                    f"{refusal.reason}; reload the page and send it again",
                )
                return
            except RequestTooLargeError as exc:
                await self._refuse(scope, decorated, 413, "too_large", exc.message)
                return

        started = False

        async def send_with_headers(message: Message) -> None:
            # A body that passed its limit while the route read it (a chunked upload): the
            # route's own answer to the broken read (FastAPI makes it a 400) becomes the 413.
            nonlocal started
            if exceeded:
                if not started:
                    started = True
                    await self._refuse(scope, decorated, 413, "too_large", exceeded[0])
                return
            started = started or message["type"] == "http.response.start"
            await decorated(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except RequestTooLargeError as exc:
            if started:
                raise
            started = True
            await self._refuse(scope, decorated, 413, "too_large", exc.message)

    def _login_cookie(self, value: str) -> bytes:
        cookie: SimpleCookie = SimpleCookie()
        cookie[LOGIN_COOKIE] = value
        cookie[LOGIN_COOKIE]["path"] = "/"
        cookie[LOGIN_COOKIE]["httponly"] = True
        cookie[LOGIN_COOKIE]["samesite"] = "lax"
        if self.settings.secure_cookies:
            cookie[LOGIN_COOKIE]["secure"] = True
        return cookie.output(header="").strip().encode("latin-1")

    def _limited(
        self, receive: Receive, limit: int | None, path: str, exceeded: list[str]
    ) -> Receive:
        if limit is None:
            return receive
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    problem = (
                        f"the request body is larger than the limit of {limit:,} bytes for "
                        f"{path}; send a smaller file or ask the administrator about the limit"
                    )
                    exceeded.append(problem)
                    raise RequestTooLargeError(problem)
            return message

        return counted

    async def _check(
        self,
        scope: Scope,
        receive: Receive,
        headers: list[tuple[bytes, bytes]],
        cookies: dict[str, str],
        path: str,
    ) -> Receive:
        """Refuse a forged request (``_Refusal``); the receive to read the body with."""
        if (_header(headers, b"sec-fetch-site") or "").lower() == "cross-site":
            raise _Refusal("the browser says it was sent from another site")
        origin = _header(headers, b"origin")
        if origin is not None and not self._ours(origin, headers):
            raise _Refusal(f"it was sent from {origin}, not from the IOC's own pages")
        content_type = _header(headers, b"content-type")
        media = _media_type(content_type)
        if media not in FORM_TYPES:
            return receive
        expected = self.keys.expected(cookies, login_form=path == "/login")
        given = _header(headers, HEADER)
        if given is not None:
            if not _same(given, expected):
                raise _Refusal("the X-CSRF-Token header does not belong to this session")
            return receive
        if media == "application/x-www-form-urlencoded":
            return await self._form_field(scope, receive, expected)
        if media == "multipart/form-data":
            return await self._multipart_field(scope, receive, expected, content_type)
        raise _Refusal("a text/plain body needs the X-CSRF-Token header")

    def _ours(self, origin: str, headers: list[tuple[bytes, bytes]]) -> bool:
        found = _origin_of(origin)
        if not found:
            return False  # "null": a sandboxed frame or a privacy redirect
        host = (_header(headers, b"host") or "").lower()
        return found in self.origins or (bool(host) and found.split("://", 1)[1] == host)

    async def _form_field(self, scope: Scope, receive: Receive, expected: list[str]) -> Receive:
        chunks = []
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        kept, token = [], None
        for pair in body.split(b"&"):
            name = unquote_plus(pair.split(b"=", 1)[0].decode("latin-1"))
            if name == FIELD and token is None:
                token = unquote_plus(pair.partition(b"=")[2].decode("latin-1"))
            elif pair:
                kept.append(pair)
        if not _same(token, expected):
            raise _Refusal(
                "the form's security token is missing or does not belong to this session"
            )
        rest = b"&".join(kept)
        return _replay(scope, rest, receive, more=False, removed=len(body) - len(rest))

    async def _multipart_field(
        self, scope: Scope, receive: Receive, expected: list[str], content_type: str | None
    ) -> Receive:
        boundary = _boundary(content_type)
        if boundary is None:
            raise _Refusal("the multipart body has no boundary")
        start = b"--" + boundary + b"\r\n"
        buffer = b""
        more = True
        end = -1
        while more and len(buffer) < _PEEK:
            message = await receive()
            if message["type"] != "http.request":
                break
            buffer += message.get("body", b"")
            more = message.get("more_body", False)
            end = buffer.find(b"\r\n--" + boundary, len(start))
            if end >= 0:
                break
        token = None
        if buffer.startswith(start) and end >= 0:
            head, sep, value = buffer[len(start) : end].partition(b"\r\n\r\n")
            disposition = re.search(
                rb'^content-disposition:\s*form-data;\s*name="([^"]*)"',
                head,
                re.IGNORECASE | re.MULTILINE,
            )
            if sep and disposition and disposition[1] == FIELD.encode():
                token = value.decode("latin-1")
        if not _same(token, expected):
            raise _Refusal(
                "the form's security token is missing or does not belong to this session (in "
                "a multipart body it must be the first field, or be sent as X-CSRF-Token)"
            )
        # The rest begins with the boundary of the next part: a valid body without the token.
        return _replay(scope, buffer[end + 2 :], receive, more=more, removed=end + 2)

    async def _refuse(
        self, scope: Scope, send: Callable[[Message], Awaitable[None]], status: int, code: str,
        message: str,
    ) -> None:  # fmt: skip
        request = Request(scope)
        request_id = scope.get("state", {}).get("request_id") or secrets.token_hex(6)
        error = {"status": status, "code": code, "message": message, "request_id": request_id}
        accept = request.headers.get("accept", "")
        api = scope["path"].startswith("/api/") or (
            "application/json" in accept and "text/html" not in accept
        )
        if api or "app" not in scope:
            body = orjson.dumps({"error": error})
            media = b"application/json"
        else:
            app_state = scope["app"].state
            lang = i18n.request_language(request, self.settings.default_language)
            page = app_state.templates.get_template("error.html").render(
                request=request, error=error, lang=lang, principal=None
            )
            body = page.encode()
            media = b"text/html; charset=utf-8"
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", media), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def _audit(self, scope: Scope, reason: str) -> None:
        store = getattr(scope["app"].state, "store", None) if "app" in scope else None
        client = scope.get("client")
        where = f"{scope['method']} {scope['path']}"
        log.warning("refused a possible CSRF on %s: %s", where, reason)
        if store is None:
            return
        from noivu_ioc.access.users import audit

        def record() -> None:
            with store.session() as session:
                audit(
                    session,
                    "csrf",
                    "denied",
                    target=where[:255],
                    detail={"reason": reason},
                    client=client[0] if client else None,
                )

        await anyio.to_thread.run_sync(record)


def _replay(scope: Scope, body: bytes, receive: Receive, *, more: bool, removed: int) -> Receive:
    """A receive that gives ``body`` first, then what is left of the original stream; the
    Content-Length header is lowered by the ``removed`` bytes."""
    headers = []
    for name, value in scope.get("headers", []):
        if name == b"content-length" and value.isdigit():
            value = str(max(int(value) - removed, 0)).encode()
        headers.append((name, value))
    scope["headers"] = headers
    given = False

    async def replayed() -> Message:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": more}
        return await receive()

    return replayed
