"""CAP 1.2 (OASIS Common Alerting Protocol) messages in and out, so that the IOC takes
warnings from disaster and weather services and passes its own alerts on.

In: a message is parsed without DTDs, entities or network access, no larger than
``MAX_BYTES``, validated against the package's own schema of CAP 1.2 (``schemas/cap-1.2.xsd``)
and then against the rules the schema cannot state. A refused message is recorded as a
``cap.rejected`` event (warning) with the reason and the first ``KEPT_BYTES`` of the message
as received; nothing else is stored (the warehouse quarantine holds sector rows by source and
run, which a CAP message has neither). An accepted message is stored whole as a
``CapMessage`` and recorded as events an operator turns into alerts with an event rule on
``cap.alert``:

- one event per administrative unit the message names by geocode (``VN-ADMIN`` or ``GSO``
  with a current 2-digit province or 5-digit commune code), so that each province sees and
  handles its own warning; the subject is ``cap:{sender}:{identifier}:{code}``, or
  ``cap:{sender}:{identifier}`` with no place (national, ``admin_code`` None);
- an Update takes the subject of the message it references, so the same alert is updated;
  a Cancel records ``cap.cancelled`` and resolves the open alerts of that thread;
- Exercise, Test, System and Draft messages are recorded with their status in the payload
  and a mark in the message; all but Exercise as ``info``.

A repeat of a message (same sender and identifier, same content once canonicalised) is
answered with the stored one, so that a sender retrying after a timeout does no harm; the
same identifier with other content is a conflict.

Out: an alert's state (opened, worse, acknowledged, resolved) is published once as a CAP
message ``urn:moha:ioc:alert:{id}:{n}``, when it is first asked for or by ``publish_pending``
after an evaluation: msgType Alert, then Update, then Cancel, each referencing the one
before. IOC alerts concern government operations, not the public, so they go out with scope
Restricted and a restriction text.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from importlib import resources
from typing import Any

from lxml import etree  # type: ignore[import-untyped]
from sqlalchemy import ColumnElement, exists, false, func, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from noivu_ioc.access.scope import Scope
from noivu_ioc.access.users import Principal, audit
from noivu_ioc.errors import ConflictError, InvalidInputError, IOCError
from noivu_ioc.ingest import events
from noivu_ioc.operations import alerts
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import Alert, AlertRule, CapMessage, Event, as_utc, utcnow
from noivu_ioc.units import admin

log = logging.getLogger(__name__)

NS = "urn:oasis:names:tc:emergency:cap:1.2"
MEDIA_TYPE = "application/cap+xml"
MEDIA_TYPES = (MEDIA_TYPE, "application/xml", "text/xml")
MAX_BYTES = 512 * 1024
KEPT_BYTES = 32 * 1024  # of a refused message, in its event: enough to see what came
GEOCODE_NAMES = ("VN-ADMIN", "GSO")
VIETNAM = timezone(timedelta(hours=7))  # Vietnam keeps no daylight saving time

# CAP severity and the IOC's, both ways.
SEVERITY_OF = {
    "Extreme": "critical",
    "Severe": "major",
    "Moderate": "minor",
    "Minor": "warning",
    "Unknown": "info",
}
CAP_SEVERITY = {ioc: cap for cap, ioc in SEVERITY_OF.items()}

KIND_OF = {"Alert": "cap.alert", "Update": "cap.alert", "Cancel": "cap.cancelled"}
EVENT_KINDS = ("cap.alert", "cap.cancelled", "cap.ack", "cap.error")
STATUS_MARK = {
    "Exercise": "[DIỄN TẬP] ",
    "Test": "[THỬ NGHIỆM] ",
    "System": "[HỆ THỐNG] ",
    "Draft": "[BẢN NHÁP] ",
}

SENDER_NAME = ("Trung tâm Điều hành thông minh – Bộ Nội vụ", "MOHA Intelligent Operations Center")
RESTRICTION = (
    "Chỉ lưu hành trong các cơ quan nhà nước kết nối với Trung tâm Điều hành thông minh "
    "của Bộ Nội vụ; không phát tới công chúng."
)
FEED_TITLE = ("Cảnh báo CAP của Trung tâm Điều hành thông minh – Bộ Nội vụ", "IOC CAP alerts")

_CAP_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")
_PROLOG = re.compile(rb"\A(?:\xef\xbb\xbf)?(?:\s+|<\?.*?\?>|<!--.*?-->)*", re.S)
_TIME_HINT = (
    "a CAP date-time: YYYY-MM-DDThh:mm:ss and an offset such as +07:00 (UTC is -00:00; no "
    "'Z', no fractions of a second)"
)
_HANDLE_HINT = "free of spaces, commas, '<' and '&'"
_PATTERN_HINTS = {
    "sent": _TIME_HINT,
    "effective": _TIME_HINT,
    "onset": _TIME_HINT,
    "expires": _TIME_HINT,
    "identifier": _HANDLE_HINT,
    "sender": _HANDLE_HINT,
    "polygon": "at least four 'lat,lon' pairs separated by spaces",
    "circle": "'lat,lon radius' with the radius in kilometres",
}
_SCHEMA_LOCK = threading.Lock()  # an XMLSchema keeps its error log on the instance


class TooLargeError(IOCError):
    code = "too_large"


class UnsupportedTypeError(IOCError):
    code = "unsupported_type"


class InvalidCapError(InvalidInputError):
    """A message that is not well-formed, not CAP 1.2, or breaks one of its rules."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


# -- reading a message ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reference:
    """An earlier message, as ``<references>`` names it: sender, identifier and sent."""

    sender: str
    identifier: str
    sent: str

    def __str__(self) -> str:
        return f"{self.sender},{self.identifier},{self.sent}"


@dataclass(frozen=True, slots=True)
class Area:
    description: str
    geocodes: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Info:
    language: str
    categories: tuple[str, ...]
    event: str
    response_types: tuple[str, ...]
    urgency: str
    severity: str
    certainty: str
    headline: str | None
    description: str | None
    instruction: str | None
    sender_name: str | None
    web: str | None
    onset: str | None
    expires: str | None
    areas: tuple[Area, ...]


@dataclass(frozen=True, slots=True)
class Message:
    identifier: str
    sender: str
    sent: datetime
    sent_text: str
    status: str
    msg_type: str
    scope: str
    note: str | None
    references: tuple[Reference, ...]
    infos: tuple[Info, ...]
    xml: str  # as received (UTF-8), or re-serialised from another encoding
    canonical: bytes  # see _canonical

    @property
    def main(self) -> Info | None:
        """The Vietnamese info block if there is one, else the first."""
        for info in self.infos:
            if info.language.lower().startswith("vi"):
                return info
        return self.infos[0] if self.infos else None


def _safe_parser(remove_blank_text: bool = False) -> Any:
    # One per call: lxml parsers are not to be shared between threads.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_blank_text=remove_blank_text,
    )


def _canonical(data: bytes) -> bytes:
    """The C14N form without the indentation: what tells a repeat from another message."""
    return bytes(etree.tostring(etree.fromstring(data, _safe_parser(True)), method="c14n"))


@lru_cache(maxsize=1)
def schema() -> Any:
    """The CAP 1.2 schema shipped in the package."""
    source = resources.files("noivu_ioc.operations").joinpath("schemas/cap-1.2.xsd")
    return etree.XMLSchema(etree.fromstring(source.read_bytes(), _safe_parser()))


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def _text(element: Any, name: str) -> str | None:
    found = element.find(_q(name))
    if found is None or found.text is None:
        return None
    return str(found.text).strip()


def _texts(element: Any, name: str) -> tuple[str, ...]:
    return tuple(str(e.text).strip() for e in element.findall(_q(name)) if e.text)


def _readable(message: str) -> str:
    return message.replace(f"{{{NS}}}", "cap:")


def _names(listed: str) -> str:
    return " or ".join(f"<{n.strip().removeprefix('cap:')}>" for n in listed.split(","))


def _schema_problem(entry: Any) -> str:
    """A schema error in words: what the element should hold, or which one is missing."""
    message = _readable(entry.message)
    where = f"line {entry.line}: "
    element = re.match(r"Element 'cap:(\w+)': ", message)
    if element is None:
        return where + message.rstrip(".")
    name, rest = element.group(1), message[element.end() :]
    pattern = re.match(r"\[facet 'pattern'\] The value '(.*)' is not accepted", rest)
    if pattern:
        if name in _PATTERN_HINTS:
            return where + f"<{name}> {pattern.group(1)!r} must be {_PATTERN_HINTS[name]}"
        return where + f"<{name}> must not be empty"
    enumeration = re.match(
        r"\[facet 'enumeration'\] The value '(.*)' is not an element of the set \{(.*)\}", rest
    )
    if enumeration:
        allowed = enumeration.group(2).replace("'", "")
        return where + f"<{name}> {enumeration.group(1)!r} is not one of {allowed}"
    missing = re.match(r"Missing child element\(s\)\. Expected is (?:one of )?\( (.*) \)", rest)
    if missing:
        return where + f"<{name}> lacks a required {_names(missing.group(1))}"
    unexpected = re.match(
        r"This element is not expected\. Expected is (?:one of )?\( (.*) \)", rest
    )
    if unexpected:
        return where + (
            f"<{name}> is not expected here; expected {_names(unexpected.group(1))} (a required "
            "element is missing, or the elements are out of the order CAP 1.2 gives)"
        )
    return where + f"<{name}>: {rest.rstrip('.')}"


def _refuse(message: str, line: int | None = None) -> InvalidCapError:
    where = f"line {line}: " if line is not None else ""
    return InvalidCapError(f"CAP message refused: {where}{message}", line)


def parse_message(data: bytes) -> Message:
    """A CAP 1.2 message read from untrusted bytes, or InvalidCapError (TooLargeError for one
    over ``MAX_BYTES``) that names the line and what is wrong."""
    if len(data) > MAX_BYTES:
        raise TooLargeError(
            f"the CAP message has {len(data):,} bytes, more than the limit of {MAX_BYTES:,}; "
            "send large resources by <uri> instead of <derefUri>"
        )
    if not data.strip():
        raise _refuse("the body is empty; send one CAP 1.2 <alert> document")
    prolog = _PROLOG.match(data)
    if data[prolog.end() if prolog else 0 :].startswith(b"<!DOCTYPE"):
        raise _refuse("a DOCTYPE (and with it any entity declaration) is not accepted in CAP")
    try:
        root = etree.fromstring(data, _safe_parser())
    except etree.XMLSyntaxError as exc:
        raise _refuse(f"not well-formed XML: {exc.msg}", exc.lineno) from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise _refuse("a DOCTYPE (and with it any entity declaration) is not accepted in CAP")

    namespace = etree.QName(root).namespace
    if etree.QName(root).localname != "alert" or namespace != NS:
        found = f"<{etree.QName(root).localname}> in namespace {namespace or '(none)'}"
        hint = " (an older CAP version)" if (namespace or "").startswith(NS[:-3]) else ""
        raise _refuse(
            f"the document is {found}{hint}; a CAP 1.2 message is an <alert> in namespace {NS}",
            root.sourceline,
        )
    with _SCHEMA_LOCK:
        valid = schema().validate(tree)
        problems = [_schema_problem(e) for e in schema().error_log][:5]
    if not valid:
        raise InvalidCapError("CAP message refused: " + "; ".join(problems), _first_line(problems))
    _check_rules(root)

    encoding = (tree.docinfo.encoding or "UTF-8").upper()
    text = (
        data.decode("utf-8-sig")
        if encoding in ("UTF-8", "US-ASCII", "ASCII")
        else etree.tostring(tree, encoding="unicode")
    )
    return _message(root, text, _canonical(data))


def _first_line(problems: list[str]) -> int | None:
    match = re.match(r"line (\d+):", problems[0]) if problems else None
    return int(match.group(1)) if match else None


def _check_rules(root: Any) -> None:
    """The rules of the data dictionary that the schema cannot express."""
    if _text(root, "scope") == "Private" and not _text(root, "addresses"):
        raise _refuse("scope Private needs <addresses> naming the recipients", root.sourceline)
    for name in ("identifier", "sender"):
        value = _text(root, name) or ""
        if len(value) > 255:
            raise _refuse(f"<{name}> has {len(value)} characters; at most 255 are accepted")
    references = root.find(_q("references"))
    if references is not None:
        for token in (references.text or "").split():
            parts = token.split(",")
            if len(parts) != 3 or not all(parts) or not _CAP_TIME.match(parts[2]):
                raise _refuse(
                    f"<references> entry {token!r} must be sender,identifier,sent (the sent "
                    "time as in the earlier message)",
                    references.sourceline,
                )
    for polygon in root.iter(_q("polygon")):
        pairs = (polygon.text or "").split()
        if pairs[0] != pairs[-1]:
            raise _refuse(
                f"<polygon> must end on its first point {pairs[0]!r}, not {pairs[-1]!r}",
                polygon.sourceline,
            )
        _check_points(pairs, polygon.sourceline)
    for circle in root.iter(_q("circle")):
        _check_points((circle.text or "").split()[:1], circle.sourceline)
    for area in root.iter(_q("area")):
        if area.find(_q("ceiling")) is not None and area.find(_q("altitude")) is None:
            raise _refuse("<ceiling> is only allowed with an <altitude>", area.sourceline)


def _check_points(pairs: Iterable[str], line: int) -> None:
    for pair in pairs:
        lat, lon = (float(v) for v in pair.split(","))
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise _refuse(f"point {pair!r} is not a WGS 84 latitude,longitude", line)


def _message(root: Any, text: str, canonical: bytes) -> Message:
    sent_text = _text(root, "sent") or ""
    infos = []
    for info in root.findall(_q("info")):
        areas = tuple(
            Area(
                description=_text(area, "areaDesc") or "",
                geocodes=tuple(
                    ((_text(g, "valueName") or ""), (_text(g, "value") or ""))
                    for g in area.findall(_q("geocode"))
                ),
            )
            for area in info.findall(_q("area"))
        )
        infos.append(
            Info(
                language=_text(info, "language") or "en-US",
                categories=_texts(info, "category"),
                event=_text(info, "event") or "",
                response_types=_texts(info, "responseType"),
                urgency=_text(info, "urgency") or "Unknown",
                severity=_text(info, "severity") or "Unknown",
                certainty=_text(info, "certainty") or "Unknown",
                headline=_text(info, "headline"),
                description=_text(info, "description"),
                instruction=_text(info, "instruction"),
                sender_name=_text(info, "senderName"),
                web=_text(info, "web"),
                onset=_text(info, "onset"),
                expires=_text(info, "expires"),
                areas=areas,
            )
        )
    references = tuple(
        Reference(*token.split(",")) for token in (_text(root, "references") or "").split()
    )
    return Message(
        identifier=_text(root, "identifier") or "",
        sender=_text(root, "sender") or "",
        sent=datetime.fromisoformat(sent_text).astimezone(UTC),
        sent_text=sent_text,
        status=_text(root, "status") or "",
        msg_type=_text(root, "msgType") or "",
        scope=_text(root, "scope") or "",
        note=_text(root, "note"),
        references=references,
        infos=tuple(infos),
        xml=text,
        canonical=canonical,
    )


def places(info: Info | None) -> tuple[list[admin.AdminUnit], list[str]]:
    """The current administrative units an info block names by geocode, and the codes it
    names that are not (a commune inside a province also named is left out: the province
    covers it)."""
    if info is None:
        return [], []
    found: dict[str, admin.AdminUnit] = {}
    unknown: list[str] = []
    for area in info.areas:
        for name, value in area.geocodes:
            if name.strip().upper() not in GEOCODE_NAMES:
                continue
            try:
                unit = admin.unit(value)
            except IOCError:
                unknown.append(value)
                continue
            found.setdefault(unit.code, unit)
    units = [u for u in found.values() if u.is_province or u.province_code not in found]
    return units, unknown


# -- receiving -------------------------------------------------------------------------------


@dataclass
class Received:
    message: CapMessage
    events: list[Event] = field(default_factory=list)
    repeat: bool = False  # the same message came before; nothing new was recorded


def _thread(session: Session, linked: Sequence[CapMessage], message: Message) -> str:
    """The subject stem shared by a message and the ones it updates or cancels."""
    for earlier in linked:
        event = session.get(Event, earlier.event_id) if earlier.event_id else None
        if event is not None and event.payload and event.payload.get("thread"):
            return str(event.payload["thread"])
    origin = linked[0] if linked else message
    stem = f"cap:{origin.sender}:{origin.identifier}"
    # Subjects hold 255 characters; a long stem is replaced by its digest.
    return stem if len(stem) <= 240 else "cap:" + hashlib.sha256(stem.encode()).hexdigest()[:40]


def _stored(session: Session, sender: str, identifier: str) -> CapMessage | None:
    return session.scalar(
        select(CapMessage).where(CapMessage.sender == sender, CapMessage.identifier == identifier)
    )


def receive(session: Session, xml_bytes: bytes, received_by: str) -> Received:
    """Validate, store and record an incoming CAP 1.2 message (see the module's docstring).
    InvalidCapError, TooLargeError or ConflictError when it is refused; ``accept`` also
    records the refusal."""
    message = parse_message(xml_bytes)
    earlier = _stored(session, message.sender, message.identifier)
    if earlier is not None:
        if earlier.direction == "in" and _canonical(earlier.xml.encode()) == message.canonical:
            return Received(earlier, repeat=True)
        whose = "received" if earlier.direction == "in" else "published by the IOC"
        raise ConflictError(
            f"CAP message {message.identifier!r} from {message.sender} was {whose} already "
            f"(message {earlier.id}, sent {earlier.sent:%Y-%m-%d %H:%M} UTC) with other "
            "content; a change is sent as an Update with a new identifier that references it"
        )

    found = (_stored(session, ref.sender, ref.identifier) for ref in message.references)
    linked = [m for m in found if m is not None]
    thread = _thread(session, linked, message)
    stored = CapMessage(
        direction="in",
        identifier=message.identifier,
        sender=message.sender,
        sent=message.sent,
        msg_type=message.msg_type,
        status=message.status,
        xml=message.xml,
        received_at=utcnow(),
    )
    session.add(stored)
    try:
        session.flush()
    except IntegrityError:  # the same message, posted twice at the same moment
        raise ConflictError(
            f"CAP message {message.identifier!r} from {message.sender} is being received "
            "by another request; send it again to get its receipt"
        ) from None

    recorded = _record(session, message, stored, thread, linked, received_by)
    session.flush()
    stored.event_id = recorded[0].id
    if message.msg_type == "Cancel":
        _resolve_thread(session, thread, by=f"cap:{message.sender}"[:64])
    log.info(
        "CAP %s %s from %s received by %s: %d event(s)",
        message.msg_type,
        message.identifier,
        message.sender,
        received_by,
        len(recorded),
    )
    return Received(stored, recorded)


def _record(
    session: Session,
    message: Message,
    stored: CapMessage,
    thread: str,
    linked: Sequence[CapMessage],
    received_by: str,
) -> list[Event]:
    info = message.main
    units, unknown = places(info)
    kind = KIND_OF.get(message.msg_type, f"cap.{message.msg_type.lower()}")
    severity = _event_severity(message, info, kind)
    text = STATUS_MARK.get(message.status, "") + _summary(message, info, kind)
    payload: dict[str, Any] = {
        "cap_message_id": stored.id,
        "identifier": message.identifier,
        "sender": message.sender,
        "sent": message.sent_text,
        "status": message.status,
        "msg_type": message.msg_type,
        "scope": message.scope,
        "thread": thread,
        "references": [str(r) for r in message.references],
        "linked": [m.id for m in linked],
        "note": message.note,
        "received_by": received_by,
        "admin_codes": [u.code for u in units],
        "unknown_geocodes": unknown,
    }
    if info is not None:
        payload |= {
            "language": info.language,
            "event": info.event,
            "categories": list(info.categories),
            "response_types": list(info.response_types),
            "urgency": info.urgency,
            "cap_severity": info.severity,
            "certainty": info.certainty,
            "headline": info.headline,
            "description": (info.description or "")[:2000] or None,
            "instruction": (info.instruction or "")[:2000] or None,
            "sender_name": info.sender_name,
            "web": info.web,
            "onset": info.onset,
            "expires": info.expires,
            "areas": [a.description for a in info.areas],
        }
    if not units:
        return [
            events.record(
                session,
                kind=kind,
                severity=severity,
                subject=thread,
                message=text,
                admin_code=None,
                payload=payload,
                observed_at=message.sent,
            )
        ]
    return [
        events.record(
            session,
            kind=kind,
            severity=severity,
            subject=f"{thread}:{unit.code}",
            message=f"{text} — {unit.name}" if len(units) > 1 else text,
            admin_code=unit.code,
            payload=payload,
            observed_at=message.sent,
        )
        for unit in units
    ]


def _event_severity(message: Message, info: Info | None, kind: str) -> str:
    if kind == "cap.error":
        return "warning"
    if kind != "cap.alert" or info is None or message.status not in ("Actual", "Exercise"):
        return "info"
    return SEVERITY_OF[info.severity]


def _summary(message: Message, info: Info | None, kind: str) -> str:
    what = (info.headline or info.event) if info else (message.note or message.identifier)
    if kind == "cap.cancelled":
        return f"Hủy cảnh báo: {what}"
    if kind == "cap.ack":
        return (
            f"Xác nhận đã nhận bản tin CAP: {', '.join(r.identifier for r in message.references)}"
        )
    if kind == "cap.error":
        return f"Báo lỗi về bản tin CAP: {message.note or what}"
    return f"Cập nhật: {what}" if message.msg_type == "Update" else what


def _resolve_thread(session: Session, thread: str, by: str) -> list[Alert]:
    """Resolve the open alerts raised from a thread that its sender has cancelled."""
    found = list(
        session.scalars(
            select(Alert).where(
                Alert.state.in_(alerts.OPEN),
                or_(
                    Alert.subject == thread, Alert.subject.startswith(f"{thread}:", autoescape=True)
                ),
            )
        )
    )
    return [alerts.resolve(session, a.id, by) for a in found]


def reject(
    session: Session, xml_bytes: bytes, reason: str, received_by: str, line: int | None = None
) -> Event:
    """Record a refused message: the reason and its first ``KEPT_BYTES`` as received."""
    head = xml_bytes[:KEPT_BYTES].decode("utf-8", "replace").replace("\x00", "")
    log.warning("CAP message from %s refused: %s", received_by, reason)
    return events.record(
        session,
        kind="cap.rejected",
        severity="warning",
        subject="cap:rejected",
        message=reason,
        payload={
            "reason": reason,
            "line": line,
            "size": len(xml_bytes),
            "sha256": hashlib.sha256(xml_bytes).hexdigest(),
            "received_by": received_by,
            "xml_head": head,
            "truncated": len(xml_bytes) > KEPT_BYTES,
        },
    )


def check_media_type(content_type: str | None) -> None:
    media = (content_type or "").split(";")[0].strip().lower()
    if media not in MEDIA_TYPES:
        raise UnsupportedTypeError(
            f"content type {content_type or '(none)'!r} is not CAP; send the message as "
            f"{' or '.join(MEDIA_TYPES[:2])}"
        )


def accept(
    store: OpStore,
    xml_bytes: bytes,
    principal: Principal,
    *,
    content_type: str | None = None,
    client: str | None = None,
) -> Received:
    """Receive a message posted by ``principal``, audited; a refusal is recorded (event and
    audit) in its own transaction, since the receiving one is rolled back."""
    try:
        if content_type is not None:
            check_media_type(content_type)
        with store.session() as session:
            received = receive(session, xml_bytes, principal.username)
            audit(
                session,
                "cap.receive",
                "ok",
                user=principal,
                target=f"cap message {received.message.id}",
                detail={"identifier": received.message.identifier, "repeat": received.repeat},
                client=client,
            )
            return received
    except (InvalidInputError, ConflictError, TooLargeError, UnsupportedTypeError) as exc:
        with store.session() as session:
            reject(session, xml_bytes, exc.message, principal.username, getattr(exc, "line", None))
            audit(
                session,
                "cap.receive",
                "failed",
                user=principal,
                target="cap",
                detail={"reason": exc.message[:500]},
                client=client,
            )
        raise


# -- publishing ------------------------------------------------------------------------------


def cap_time(value: datetime) -> str:
    """A time as CAP writes it: to the second, with the Vietnam offset."""
    return as_utc(value).astimezone(VIETNAM).replace(microsecond=0).isoformat()


def _sub(parent: Any, name: str, text: str | None = None) -> Any:
    element = etree.SubElement(parent, _q(name))
    if text is not None:
        element.text = text
    return element


def _named(parent: Any, name: str, value_name: str, value: str) -> None:
    element = _sub(parent, name)
    _sub(element, "valueName", value_name)
    _sub(element, "value", value)


def _short(text: str, limit: int = 160) -> str:
    """CAP asks for headlines under 160 characters."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _area(parent: Any, admin_code: str | None, lang: str) -> None:
    area = _sub(parent, "area")
    if admin_code is None:
        _sub(area, "areaDesc", "Toàn quốc" if lang == "vi" else "Viet Nam (nationwide)")
        return
    try:
        unit = admin.unit(admin_code)
        name = unit.name
        if not unit.is_province:
            name += f", {admin.unit(unit.province_code).name}"
    except IOCError:  # a code that is no longer current still names the place
        name = admin_code
    _sub(area, "areaDesc", name)
    _named(area, "geocode", "VN-ADMIN", admin_code)


def _category(rule: AlertRule, origin: dict[str, Any] | None) -> list[str]:
    if origin and origin.get("categories"):
        return list(origin["categories"])
    kinds = rule.config.get("kinds", []) if rule.kind == "event" else []
    if kinds and all(k.startswith(("device", "source.")) for k in kinds):
        return ["Infra"]
    return ["Other"]


def alert_to_cap(
    alert: Alert,
    rule: AlertRule,
    sender: str,
    base_url: str,
    *,
    sequence: int = 1,
    previous: CapMessage | None = None,
    sent: datetime | None = None,
    origin: dict[str, Any] | None = None,
) -> bytes:
    """An IOC alert as a CAP 1.2 message: the ``sequence``-th of the alert, referencing
    ``previous``. ``origin`` is the payload of the ``cap.alert`` event the alert came from,
    if any: its categories, urgency, certainty and status carry over."""
    resolved = alert.state == "resolved"
    at = sent or utcnow()
    root = etree.Element(_q("alert"), nsmap={None: NS})
    _sub(root, "identifier", f"urn:moha:ioc:alert:{alert.id}:{sequence}")
    _sub(root, "sender", sender)
    _sub(root, "sent", cap_time(at))
    _sub(root, "status", (origin or {}).get("status") or "Actual")
    _sub(root, "msgType", _msg_type(alert, previous))
    _sub(root, "source", f"{SENDER_NAME[0]}, quy tắc {rule.name}")
    _sub(root, "scope", "Restricted")
    _sub(root, "restriction", RESTRICTION)
    if alert.state == "acknowledged" and alert.acknowledged_at is not None:
        _sub(
            root,
            "note",
            f"Đã tiếp nhận: {alert.acknowledged_by}, {cap_time(alert.acknowledged_at)}",
        )
    elif resolved and alert.resolved_at is not None:
        _sub(root, "note", f"Đã xử lý xong: {alert.resolved_by}, {cap_time(alert.resolved_at)}")
    if previous is not None:
        _sub(
            root, "references", f"{previous.sender},{previous.identifier},{cap_time(previous.sent)}"
        )

    urgency = (
        "Past"
        if resolved
        else (origin or {}).get("urgency")
        or ("Immediate" if alerts.rank(alert.severity) <= alerts.rank("major") else "Expected")
    )
    texts = [("vi", "vi-VN", rule.title_vi)]
    if rule.title_en and rule.title_en != rule.title_vi:
        texts.append(("en", "en-US", rule.title_en))
    for lang, language, title in texts:
        info = _sub(root, "info")
        _sub(info, "language", language)
        for category in _category(rule, origin):
            _sub(info, "category", category)
        _sub(info, "event", title)
        _sub(info, "responseType", "AllClear" if resolved else "Monitor")
        _sub(info, "urgency", urgency)
        _sub(info, "severity", CAP_SEVERITY[alert.severity])
        _sub(info, "certainty", (origin or {}).get("certainty") or "Observed")
        _sub(info, "onset", cap_time(alert.opened_at))
        _sub(info, "senderName", SENDER_NAME[0] if lang == "vi" else SENDER_NAME[1])
        _sub(info, "headline", _short(f"{title}: {alert.message}"))
        _sub(info, "description", alert.message)
        _sub(info, "web", f"{base_url.rstrip('/')}/api/alerts/{alert.id}/cap")
        _named(info, "parameter", "IOC-ALERT-ID", str(alert.id))
        _named(info, "parameter", "IOC-RULE", rule.name)
        _named(info, "parameter", "IOC-ALERT-STATE", alert.state)
        _named(info, "parameter", "IOC-SEVERITY", alert.severity)
        if origin:
            _named(info, "parameter", "IOC-ORIGIN", f"{origin['sender']},{origin['identifier']}")
        _area(info, alert.admin_code, lang)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _state_of(xml: str) -> tuple[str | None, str | None, str | None]:
    """The alert state, severity and message a published message describes."""
    root = etree.fromstring(xml.encode(), _safe_parser())
    info = root.find(_q("info"))
    if info is None:
        return None, None, None
    named = {_text(p, "valueName"): _text(p, "value") for p in info.findall(_q("parameter"))}
    return named.get("IOC-ALERT-STATE"), named.get("IOC-SEVERITY"), _text(info, "description")


def _origin(session: Session, alert: Alert) -> dict[str, Any] | None:
    event = session.scalar(
        select(Event)
        .where(Event.kind == "cap.alert", Event.subject == alert.subject)
        .order_by(Event.id.desc())
        .limit(1)
    )
    return event.payload if event is not None else None


def _msg_type(alert: Alert, previous: CapMessage | None) -> str:
    if previous is None:
        return "Alert"
    return "Cancel" if alert.state == "resolved" else "Update"


def publish(
    session: Session, alert: Alert, *, sender: str, base_url: str, now: datetime | None = None
) -> CapMessage:
    """The CAP message describing the alert's current state: the latest published one if it
    still does, else a new one (stored, and recorded as a ``cap.published`` event)."""
    return _publish(session, alert, sender=sender, base_url=base_url, now=now)[0]


def _publish(
    session: Session, alert: Alert, *, sender: str, base_url: str, now: datetime | None = None
) -> tuple[CapMessage, bool]:
    published = list(
        session.scalars(
            select(CapMessage)
            .where(CapMessage.direction == "out", CapMessage.alert_id == alert.id)
            .order_by(CapMessage.id)
        )
    )
    previous = published[-1] if published else None
    if previous is not None and (
        previous.msg_type == "Cancel"
        or _state_of(previous.xml) == (alert.state, alert.severity, alert.message.strip())
    ):
        return previous, False
    rule = session.get(AlertRule, alert.rule_id)
    assert rule is not None
    origin = _origin(session, alert)
    sent = (now or utcnow()).replace(microsecond=0)
    sequence = len(published) + 1
    xml = alert_to_cap(
        alert,
        rule,
        sender,
        base_url,
        sequence=sequence,
        previous=previous,
        sent=sent,
        origin=origin,
    )
    message = CapMessage(
        direction="out",
        identifier=f"urn:moha:ioc:alert:{alert.id}:{sequence}",
        sender=sender,
        sent=sent,
        msg_type=_msg_type(alert, previous),
        status=(origin or {}).get("status") or "Actual",
        xml=xml.decode(),
        alert_id=alert.id,
        received_at=utcnow(),
    )
    session.add(message)
    session.flush()
    event = events.record(
        session,
        kind="cap.published",
        severity="info",
        subject=alert.subject,
        message=f"Đã phát bản tin CAP ({message.msg_type}) của cảnh báo {alert.id}",
        admin_code=alert.admin_code,
        payload={
            "cap_message_id": message.id,
            "identifier": message.identifier,
            "msg_type": message.msg_type,
            "alert_id": alert.id,
        },
    )
    session.flush()
    message.event_id = event.id
    return message, True


def publish_pending(session: Session, *, sender: str, base_url: str) -> list[CapMessage]:
    """Publish every alert whose state changed since its last CAP message: the open ones,
    and the resolved ones whose Cancel has not gone out yet."""
    latest = (
        select(func.max(CapMessage.id))
        .where(CapMessage.direction == "out")
        .group_by(CapMessage.alert_id)
    )
    unfinished = select(CapMessage.alert_id).where(
        CapMessage.id.in_(latest), CapMessage.msg_type != "Cancel"
    )
    candidates = list(
        session.scalars(
            select(Alert)
            .where(or_(Alert.state.in_(alerts.OPEN), Alert.id.in_(unfinished)))
            .order_by(Alert.id)
        )
    )
    published = []
    for alert in candidates:
        message, new = _publish(session, alert, sender=sender, base_url=base_url)
        if new:
            published.append(message)
    return published


def publish_due(store: OpStore, *, sender: str, base_url: str) -> int:
    """``publish_pending`` in a transaction of its own, for the operations loop: how many
    messages went out."""
    with store.session() as session:
        return len(publish_pending(session, sender=sender, base_url=base_url))


# -- reading what is stored, within a scope --------------------------------------------------


def place_filter(column: Any, scope: Scope) -> ColumnElement[bool]:
    """A SQL condition keeping rows whose place (a province or commune code; NULL for
    national) the scope covers."""
    if scope.national:
        return true()
    codes = set(scope.provinces) | set(scope.communes)
    for province in scope.provinces:
        codes.update(c.code for c in admin.communes_of(province))
    if not codes:
        return false()
    result: ColumnElement[bool] = column.in_(sorted(codes))
    return result


def _visible(scope: Scope) -> ColumnElement[bool]:
    if scope.national:
        return true()
    incoming = exists(
        select(Event.id).where(
            Event.kind.in_(EVENT_KINDS),
            Event.payload["cap_message_id"].as_integer() == CapMessage.id,
            place_filter(Event.admin_code, scope),
        )
    )
    outgoing = exists(
        select(Alert.id).where(
            Alert.id == CapMessage.alert_id, place_filter(Alert.admin_code, scope)
        )
    )
    return or_(
        (CapMessage.direction == "in") & incoming, (CapMessage.direction == "out") & outgoing
    )


def visible_messages(
    session: Session, scope: Scope, direction: str | None = None, limit: int = 50
) -> list[CapMessage]:
    """Stored messages the scope covers, newest first: an incoming one by the places its
    events concern, a published one by its alert's place."""
    query = select(CapMessage).where(_visible(scope))
    if direction is not None:
        query = query.where(CapMessage.direction == direction)
    return list(session.scalars(query.order_by(CapMessage.id.desc()).limit(limit)))


def visible_message(session: Session, scope: Scope, message_id: int) -> CapMessage | None:
    return session.scalar(select(CapMessage).where(CapMessage.id == message_id, _visible(scope)))


def headline(message: CapMessage) -> tuple[str | None, str | None]:
    """The (Vietnamese, if any) headline and event of a stored message."""
    root = etree.fromstring(message.xml.encode(), _safe_parser())
    infos = root.findall(_q("info"))
    chosen = next(
        (i for i in infos if (_text(i, "language") or "").lower().startswith("vi")),
        infos[0] if infos else None,
    )
    if chosen is None:
        return _text(root, "note"), None
    return _text(chosen, "headline"), _text(chosen, "event")


ATOM = "http://www.w3.org/2005/Atom"


def atom_feed(
    messages: Sequence[CapMessage], *, self_url: str, message_url: str, title: str
) -> bytes:
    """An Atom feed with one entry per CAP message, the message itself inline as its content
    and linked as ``application/cap+xml``; ``message_url`` has a ``{id}`` to fill."""

    def atom(name: str) -> str:
        return f"{{{ATOM}}}{name}"

    def stamp(value: datetime) -> str:
        return as_utc(value).astimezone(UTC).replace(microsecond=0).isoformat()

    feed = etree.Element(atom("feed"), nsmap={None: ATOM})
    etree.SubElement(feed, atom("id")).text = self_url
    etree.SubElement(feed, atom("title")).text = title
    newest = max((m.sent for m in messages), default=None, key=as_utc)
    etree.SubElement(feed, atom("updated")).text = stamp(newest or utcnow())
    author = etree.SubElement(feed, atom("author"))
    etree.SubElement(author, atom("name")).text = SENDER_NAME[0]
    etree.SubElement(feed, atom("link"), rel="self", href=self_url)
    for message in messages:
        entry = etree.SubElement(feed, atom("entry"))
        etree.SubElement(entry, atom("id")).text = (
            message.identifier
            if message.identifier.startswith("urn:")
            else f"{self_url}#{message.id}"
        )
        headline_text, event = headline(message)
        etree.SubElement(entry, atom("title")).text = headline_text or event or message.identifier
        etree.SubElement(entry, atom("updated")).text = stamp(message.sent)
        etree.SubElement(
            entry,
            atom("link"),
            rel="alternate",
            type=MEDIA_TYPE,
            href=message_url.format(id=message.id),
        )
        content = etree.SubElement(entry, atom("content"), type=MEDIA_TYPE)
        content.append(etree.fromstring(message.xml.encode(), _safe_parser()))
    return bytes(etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True))
