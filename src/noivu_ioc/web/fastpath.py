"""Repeated reads of the wall, the console and the phone, answered from the result cache
before routing.

A wall refreshes its scene, and dozens of phones their headline, many times a minute; once
an answer is cached, FastAPI's routing and dependency solving were most of the cost of
serving it again (the benchmark in ``bench/situation.py`` measures it). This layer answers
only when everything the route would check is already known without touching a store:

- the session is in the principal cache (a cookie it does not know goes to the route);
- the principal has the permission the route requires;
- the query has only the route's own parameters, with values the route would accept;
- the place parses and lies in the principal's scope (``places.parse``, as the route);
- the answer for exactly that question and scope is cached and current.

Anything else (a miss, an error to report, a refusal to audit) goes on to the route, which
gives the same answer, or the error, the slow way. The bytes sent are the route's.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Receive, Scope, Send

from noivu_ioc.access.roles import Permission
from noivu_ioc.catalog.model import Sensitivity
from noivu_ioc.errors import IOCError
from noivu_ioc.indicators import places
from noivu_ioc.indicators.service import Job, Situation
from noivu_ioc.web import i18n
from noivu_ioc.web.deps import SESSION_COOKIE, PrincipalCache

_SCENE = re.compile(r"^/api/scenes/([a-z0-9-]{1,64})/data$")
_INDICATOR = re.compile(r"^/api/indicators/([a-z][a-z0-9_]*\.[a-z][a-z0-9_]*)$")
_CARDS = "/api/indicators/cards"
_BY = re.compile(r"^[a-z_]{1,40}$")
_ALLOWED = {
    "scene": {"place", "lang"},
    "detail": {"place", "lang", "period", "by"},
    "cards": {"place", "lang", "ids"},
}


def _sensitive_cut(situation: Situation, ident: str, by: str) -> bool:
    """Whether cutting this indicator by ``by`` reads a sensitive field."""
    try:
        indicator = situation.registry.get(ident)
    except IOCError:
        return False  # the route answers 404
    return by in indicator.dimensions and any(
        by in m.entity_def.field_names
        and m.entity_def.field(by).sensitivity is Sensitivity.SENSITIVE
        for m in indicator.measures
    )


class CachedAnswers:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.hits = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            body = self._cached(scope)
            if body is not None:
                self.hits += 1
                await send(
                    {
                        "type": "http.response.start",
                        "status": 200,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)

    def _cached(self, scope: Scope) -> bytes | None:
        path: str = scope["path"]
        scene = _SCENE.match(path)
        indicator = None if scene else _INDICATOR.match(path)
        kind = "scene" if scene else "detail" if indicator else "cards" if path == _CARDS else None
        if kind is None or (indicator and path == _CARDS):
            return None
        if "app" not in scope:
            return None
        app_state = scope["app"].state
        situation: Situation | None = getattr(app_state, "situation", None)
        principals: PrincipalCache | None = getattr(app_state, "principals", None)
        if situation is None or principals is None:
            return None
        cookies = _cookies(scope)
        token = cookies.get(SESSION_COOKIE)
        principal = principals.get(token) if token else None
        if principal is None or not principal.can(Permission.VIEW_SITUATION):
            return None
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        if set(query) - _ALLOWED[kind] or any(len(v) != 1 for v in query.values()):
            return None
        asked = {k: v[0] for k, v in query.items()}
        lang = _language(
            asked.get("lang"), cookies.get(i18n.LANG_COOKIE), app_state.settings.default_language
        )
        text = asked.get("place")
        if text is not None and len(text) > 80:
            return None
        try:
            place = places.parse(text, principal.scope)
            if place.level == "agency":  # its scope needs the warehouse: the route checks it
                return None
            job: Job
            if scene:
                job = situation.scene_data(scene[1], place, principal.scope, lang)
            elif indicator:
                period = _period(asked.get("period"))
                by = asked.get("by")
                if period is False or (by is not None and not _BY.match(by)):
                    return None
                if by is not None and _sensitive_cut(situation, indicator[1], by):
                    return None  # the route checks the viewer's data-sharing agreements
                job = situation.detail(indicator[1], place, principal.scope, lang, period, by)
            else:
                ids = tuple(i for i in (asked.get("ids") or "").split(",") if i)
                job = situation.cards(ids, place, principal.scope, lang)
        except IOCError:
            return None  # the route reports it (and audits a refusal)
        return situation.peek(job)


def _cookies(scope: Scope) -> dict[str, str]:
    """The request's cookies, split by hand: the session's token and the language are plain
    tokens, and anything unusual is left to the route (which parses it fully)."""
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            found = {}
            for part in value.decode("latin-1").split(";"):
                key, sep, item = part.strip().partition("=")
                if sep:
                    found[key] = item
            return found
    return {}


def _language(asked: str | None, remembered: str | None, default: str) -> str:
    if asked in i18n.LANGUAGES:
        return str(asked)
    if remembered in i18n.LANGUAGES:
        return str(remembered)
    return default


def _period(text: str | None) -> int | bool | None:
    """The period as the route accepts it (a year 1900–2100), None when absent, False when
    the route would refuse it."""
    if text is None:
        return None
    if not text.isdigit() or not 1900 <= int(text) <= 2100:
        return False
    return int(text)
