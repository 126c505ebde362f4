"""Listens to an MQTT broker for messages from the Ministry's devices (sensors in the archive
repositories, queue kiosks at the service centres, the operations room's wall controllers) and
turns each message into a device event, or into a rejected message kept with its reason.

MQTT is a stream, not a pull, so this is not a ``Reader``: ``MqttListener`` hands batches to a
sink and acknowledges a message to the broker only after the sink has stored the batch that
holds it. With QoS 1 on a persistent session (MQTT 5, clean start off, a stable client id),
what was not acknowledged comes again after a reconnect: delivery is at least once.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import re
import socket
import ssl
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, cast, get_args
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode
from paho.mqtt.subscribeoptions import SubscribeOptions
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from noivu_ioc.errors import IOCError
from noivu_ioc.ingest.readers.base import SourceError
from noivu_ioc.units import admin

logger = logging.getLogger(__name__)

Severity = Literal["critical", "major", "minor", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = get_args(Severity)
Phase = Literal["stopped", "connecting", "listening", "retrying", "failed"]

_EXCERPT_CHARS = 200
_FIELDS_SHOWN = 12
_MAX_CLIENT_ID = 128
_RECONNECT_MIN_S = 1
_RECONNECT_MAX_S = 60
_SINK_RETRY_MAX_S = 30.0
_WARN_AGAIN_S = 60.0
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")
# Bytes below 0x20 other than tab, LF and CR: text never holds them, binary payloads nearly
# always do, and PostgreSQL refuses NUL in text columns.
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")

# CONNACK / DISCONNECT reason codes (MQTT 5) after which trying again can succeed.
_TRANSIENT_REASONS = frozenset({0x80, 0x83, 0x88, 0x89, 0x8B, 0x8D, 0x97, 0x98, 0x9F})
_SESSION_TAKEN_OVER = 0x8E
# DISCONNECT reasons a broker gives when it will not take a SUBSCRIBE: malformed packet,
# protocol error, topic filter invalid, shared or wildcard subscriptions not supported.
_SUBSCRIPTION_REFUSALS = frozenset({0x81, 0x82, 0x8F, 0x9E, 0xA2})
_NOT_AUTHORIZED = 0x87
_BAD_CREDENTIALS = 0x86
_BAD_CLIENT_ID = 0x85


class MqttConfig(BaseModel):
    """One MQTT source: the broker, the topic filters, and where each event's device, kind,
    status and time come from in a message."""

    # hide_input_in_errors: a validation error would otherwise print the URL, password included.
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    # mqtt://user:password@host:1883 or mqtts://user:password@host:8883
    url: str = Field(repr=False)
    # Topic filters, with + for one level and # for the rest, e.g. "ioc/kho-luu-tru/+/moi-truong".
    topics: list[str]
    qos: Literal[0, 1] = 1
    # Stable per source: the broker keeps the session (and what arrives while the listener is
    # away) under this id. Two listeners with one id push each other off the broker.
    client_id: str
    payload: Literal["json", "text"] = "json"
    # "topic:2" (0-based level of the topic) or "field:device_id" (a payload field; nested
    # fields with dots, "thiet_bi.ma"). kind_from may also be a constant, "const:moi-truong".
    device_from: str
    kind_from: str
    # Where the device stands: the province (2 digits) or commune (5 digits) code of its
    # events, from the topic, a field or a constant ("const:15" for a source of one
    # province). Without it the events are national; a code that is not a current unit
    # sends the message to quarantine.
    place_from: str | None = None
    status_field: str | None = None
    # Status value -> severity, matched without regard to case; other statuses get
    # default_severity.
    severity_map: dict[str, Severity] = {}
    default_severity: Severity = "info"
    # The device's own timestamp, ISO 8601 or epoch seconds; without it, the receive time.
    time_field: str | None = None
    # The zone of ISO timestamps that carry no offset.
    timezone: str = "Asia/Ho_Chi_Minh"
    keepalive_s: int = 60
    connect_timeout_s: float = 10.0
    # How long the broker keeps the session, and the messages queued in it, while the listener
    # is away.
    session_expiry_s: int = 7 * 24 * 3600

    _broker: _Broker = PrivateAttr()
    _plan: _Plan = PrivateAttr()

    @field_validator("url")
    @classmethod
    def _broker_url(cls, value: str) -> str:
        _parse_broker(value)
        return value

    @field_validator("topics")
    @classmethod
    def _topic_filters(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("no topic filter: list at least one, e.g. `ioc/kho-luu-tru/#`")
        seen: set[str] = set()
        for topic in value:
            problem = _filter_problem(topic)
            if problem:
                raise ValueError(f"topic filter `{topic}`: {problem}")
            if topic in seen:
                raise ValueError(f"topic filter `{topic}` is listed twice")
            seen.add(topic)
        return value

    @field_validator("qos", mode="before")
    @classmethod
    def _qos(cls, value: Any) -> Any:
        if value not in (0, 1) or isinstance(value, bool):
            raise ValueError(
                f"qos `{value}` is not supported (expected 1, the default, so that nothing is "
                "lost while the listener is away, or 0)"
            )
        return value

    @field_validator("payload", mode="before")
    @classmethod
    def _payload(cls, value: Any) -> Any:
        if value not in ("json", "text"):
            raise ValueError(f"payload `{value}` is not supported (expected json or text)")
        return value

    @field_validator("client_id")
    @classmethod
    def _client_id(cls, value: str) -> str:
        if (
            not value
            or len(value) > _MAX_CLIENT_ID
            or any(char.isspace() or not char.isprintable() for char in value)
        ):
            raise ValueError(
                f"client_id `{value}` is not usable: give 1 to {_MAX_CLIENT_ID} characters "
                "without spaces, stable for this source, e.g. `ioc-kho-luu-tru-01`"
            )
        return value

    @field_validator("severity_map", mode="before")
    @classmethod
    def _severity_map(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        for status, severity in value.items():
            if severity not in SEVERITIES:
                raise ValueError(
                    f"status `{status}` maps to `{severity}`, which is not a severity "
                    f"(expected one of {', '.join(SEVERITIES)})"
                )
        return value

    @field_validator("default_severity", mode="before")
    @classmethod
    def _default_severity(cls, value: Any) -> Any:
        if value not in SEVERITIES:
            raise ValueError(
                f"`{value}` is not a severity (expected one of {', '.join(SEVERITIES)})"
            )
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"timezone `{value}` is not an IANA time zone (e.g. Asia/Ho_Chi_Minh)"
            ) from None
        return value

    @field_validator("keepalive_s")
    @classmethod
    def _keepalive(cls, value: int) -> int:
        if not 5 <= value <= 65535:
            raise ValueError(f"{value} is not allowed (expected 5 to 65535 seconds)")
        return value

    @field_validator("connect_timeout_s")
    @classmethod
    def _connect_timeout(cls, value: float) -> float:
        if not 0 < value <= 300:
            raise ValueError(f"{value} is not allowed (expected above 0 and at most 300 seconds)")
        return value

    @field_validator("session_expiry_s")
    @classmethod
    def _session_expiry(cls, value: int) -> int:
        if not 60 <= value <= 0xFFFFFFFF:
            raise ValueError(
                f"{value} is not allowed (expected 60 seconds or more: the broker must keep "
                "the session while the listener is away)"
            )
        return value

    @model_validator(mode="after")
    def _compile(self) -> MqttConfig:
        device = _parse_from("device_from", self.device_from, constant_allowed=False)
        kind = _parse_from("kind_from", self.kind_from, constant_allowed=True)
        place = None
        if self.place_from is not None:
            place = _parse_from("place_from", self.place_from, constant_allowed=True)
            if place.where == "const":
                problem = _place_problem(place.name)
                if problem:
                    raise ValueError(f"place_from `{self.place_from}`: {problem}")
        picked = [("device_from", device), ("kind_from", kind)]
        if place is not None:
            picked.append(("place_from", place))
        for name, source in picked:
            if source.where == "topic":
                _check_levels(name, source, self.topics)
            elif source.where == "field":
                self._check_field(f"{name} `{source.spec}`", source.name)
        for name, named in (("status_field", self.status_field), ("time_field", self.time_field)):
            if named is not None:
                if not named:
                    raise ValueError(f"{name} is empty: name a payload field or leave it out")
                self._check_field(f"{name} `{named}`", named)
        if self.severity_map and self.status_field is None:
            raise ValueError(
                "severity_map needs status_field: the payload field whose value is looked up"
            )

        severities: dict[str, Severity] = {}
        for status, severity in self.severity_map.items():
            key = status.casefold()
            if severities.get(key, severity) != severity:
                raise ValueError(
                    f"severity_map gives status `{status}` two severities (statuses are "
                    "matched without regard to case); keep one"
                )
            severities[key] = severity

        self._broker = _parse_broker(self.url)
        self._plan = _Plan(
            text=self.payload == "text",
            device=device,
            kind=kind,
            place=place,
            status_field=self.status_field,
            severities=severities,
            default_severity=self.default_severity,
            time_field=self.time_field,
            zone=ZoneInfo(self.timezone),
        )
        return self

    def _check_field(self, what: str, name: str) -> None:
        if self.payload == "text" and name != _TEXT_FIELD:
            raise ValueError(
                f"{what}: with payload=text the only field is `{_TEXT_FIELD}` (the whole "
                "payload); reading a named field needs payload=json"
            )


# -- what a message becomes -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeviceEvent:
    """One message from a device. ``values`` holds the payload's fields, nested ones flattened
    with dots (``moi_truong.nhiet_do``); with payload=text, the text under ``value``."""

    device_id: str
    kind: str
    status: str | None
    severity: Severity
    # UTC: the device's time_field, else received_at (also for a retained message, which
    # may be older than that).
    observed_at: datetime
    received_at: datetime  # UTC
    topic: str
    values: dict[str, Any]
    position: str
    admin_code: str | None = None  # where the device stands (place_from); None: national


@dataclass(frozen=True, slots=True)
class RejectedMessage:
    """A message that is not an event, kept for the quarantine with its reason. ``raw_text``
    is the payload decoded as UTF-8 (bad bytes replaced), or its hex when it is binary."""

    topic: str
    received_at: datetime
    raw_text: str
    reason: str
    position: str


Sink = Callable[[list[DeviceEvent], list[RejectedMessage]], None]

_TEXT_FIELD = "value"


@dataclass(frozen=True, slots=True)
class _From:
    spec: str  # as configured, "topic:2", for messages
    where: Literal["topic", "field", "const"]
    level: int
    name: str  # the field, or the constant


@dataclass(frozen=True, slots=True)
class _Plan:
    """What parsing needs of the config, as plain attributes: a pydantic model's private
    attributes are slow to reach, and every message needs them."""

    text: bool  # payload=text
    device: _From
    kind: _From
    place: _From | None
    status_field: str | None
    severities: dict[str, Severity]  # casefolded status -> severity
    default_severity: Severity
    time_field: str | None
    zone: ZoneInfo


class _Rejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_message(
    config: MqttConfig, topic: str, payload: bytes | bytearray, received_at: datetime
) -> DeviceEvent | RejectedMessage:
    """The event a message carries, or the reason it carries none. ``received_at`` is kept
    in UTC; without a timezone it is taken as UTC already (as databases often return it)."""
    if received_at.tzinfo is None:
        received_at = received_at.replace(tzinfo=UTC)
    return _parse(config._plan, topic, payload, received_at.astimezone(UTC))


def _parse(
    plan: _Plan, topic: str, payload: bytes | bytearray, received_at: datetime
) -> DeviceEvent | RejectedMessage:
    position = _position(topic, received_at)
    raw, binary = _raw_text(payload)
    try:
        values = _values(plan, raw, binary, len(payload))
        return _event(plan, topic, values, received_at, position)
    except _Rejected as rejected:
        return RejectedMessage(topic, received_at, raw, rejected.reason, position)


def _values(plan: _Plan, raw: str, binary: bool, size: int) -> dict[str, Any]:
    fix = (
        "devices on this source must send UTF-8 text"
        if plan.text
        else "devices on this source must send JSON objects"
    )
    if binary:
        raise _Rejected(
            f"payload is binary, not text ({size} bytes, kept as hex, starting `{raw[:32]}`); {fix}"
        )
    if "\ufffd" in raw:
        raise _Rejected(f"payload `{_excerpt(raw)}` is not UTF-8 (bad bytes shown as �); {fix}")
    if plan.text:
        return {_TEXT_FIELD: raw}
    if not raw or raw.isspace():
        raise _Rejected(
            f"payload is empty; {fix} (an empty message usually clears a retained message)"
        )

    try:
        document = _JSON.decode(raw)
    except json.JSONDecodeError as exc:
        where = (
            f"unexpected end at char {exc.pos}"
            if exc.pos >= len(raw)
            else f"{exc.msg[:1].lower()}{exc.msg[1:]} at char {exc.pos}"
        )
        raise _Rejected(f"payload `{_excerpt(raw)}` is not JSON ({where}); {fix}") from None
    except ValueError as exc:
        raise _Rejected(f"payload `{_excerpt(raw)}` is not JSON ({exc}); {fix}") from None
    if not isinstance(document, dict):
        kind = "array" if isinstance(document, list) else _json_kind(document).split()[-1]
        raise _Rejected(f"payload `{_excerpt(raw)}` is a JSON {kind}, not an object; {fix}")
    values: dict[str, Any] = {}
    _flatten(document, "", values)
    return values


def _event(
    plan: _Plan,
    topic: str,
    values: dict[str, Any],
    received_at: datetime,
    position: str,
) -> DeviceEvent:
    levels = topic.split("/")
    device_id = _pick("device id", "device_from", plan.device, topic, levels, values)
    kind = _pick("kind", "kind_from", plan.kind, topic, levels, values)
    admin_code = None
    if plan.place is not None:
        admin_code = _pick("place", "place_from", plan.place, topic, levels, values)
        problem = _place_problem(admin_code)
        if problem:
            raise _Rejected(
                f"place `{_excerpt(admin_code)}` (`place_from={plan.place.spec}`): {problem}; "
                "the device must send the code of the unit where it stands"
            )

    status = None
    if plan.status_field is not None:
        value = values.get(plan.status_field)
        if value is not None:
            if isinstance(value, list):
                raise _Rejected(
                    f"status_field `{plan.status_field}` holds a list "
                    f"`{_excerpt(_text(value))}`, not a status; the device must send one value"
                )
            status = _text(value)
    severity = plan.default_severity
    if status is not None:
        severity = plan.severities.get(status.casefold(), severity)

    observed_at = received_at
    if plan.time_field is not None:
        stamp = values.get(plan.time_field)
        # A reading without its own time is still a reading: it keeps the receive time.
        if stamp is not None:
            observed_at = _timestamp(plan.time_field, stamp, plan.zone)

    return DeviceEvent(
        device_id,
        kind,
        status,
        severity,
        observed_at,
        received_at,
        topic,
        values,
        position,
        admin_code,
    )


def _place_problem(code: str) -> str | None:
    """Why ``code`` is not a current province or commune code, or None when it is one."""
    try:
        admin.unit(code)
    except IOCError as exc:
        return exc.message
    return None


def _pick(
    what: str,
    setting: str,
    source: _From,
    topic: str,
    levels: list[str],
    values: dict[str, Any],
) -> str:
    if source.where == "const":
        return source.name
    if source.where == "topic":
        if source.level < len(levels) and levels[source.level]:
            return levels[source.level]
        if source.level >= len(levels):
            raise _Rejected(
                f"no {what}: topic `{topic}` has no level {source.level} "
                f"(`{setting}={source.spec}`)"
            )
        raise _Rejected(
            f"no {what}: level {source.level} of topic `{topic}` is empty "
            f"(`{setting}={source.spec}`)"
        )

    value = values.get(source.name)
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if source.name not in values:
        raise _Rejected(
            f"no {what}: the payload has no field `{source.name}` "
            f"(`{setting}={source.spec}`); its fields are: {_fields(values)}"
        )
    raise _Rejected(
        f"no {what}: field `{source.name}` holds {_json_kind(value)} "
        f"`{_excerpt(_text(value))}`, expected text or a whole number "
        f"(`{setting}={source.spec}`)"
    )


def _timestamp(field: str, value: Any, zone: ZoneInfo) -> datetime:
    stamp = value
    if isinstance(stamp, str):
        try:
            parsed = datetime.fromisoformat(stamp.strip())
        except ValueError:
            if not _NUMBER.fullmatch(stamp.strip()):
                raise _Rejected(_bad_time(field, value)) from None
            stamp = float(stamp)
        else:
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=zone)
            return parsed.astimezone(UTC)
    if isinstance(stamp, bool) or not isinstance(stamp, int | float) or not math.isfinite(stamp):
        raise _Rejected(_bad_time(field, value))
    if abs(stamp) >= 1e11:
        raise _Rejected(
            f"{_bad_time(field, value)} (it looks like epoch milliseconds; send seconds)"
        )
    return datetime.fromtimestamp(stamp, UTC)


def _bad_time(field: str, value: Any) -> str:
    return f"time_field `{field}` = `{_excerpt(_text(value))}` is not ISO 8601 or epoch seconds"


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


# One decoder for every message; NaN and Infinity are not JSON, and no database takes them.
_JSON = json.JSONDecoder(parse_constant=_no_constant)


def _raw_text(payload: bytes | bytearray) -> tuple[str, bool]:
    """The payload as text, and whether it is binary (then the text is its hex)."""
    if _CONTROL_BYTES.search(payload):
        return payload.hex(), True
    return payload.decode("utf-8", errors="replace"), False


def _position(topic: str, received_at: datetime) -> str:
    # received_at is in UTC; isoformat() without arguments is the fast one, and it leaves
    # out the fraction when there is none.
    stamp = received_at.isoformat()
    stamp = f"{stamp[:23]}Z" if received_at.microsecond else f"{stamp[:19]}.000Z"
    return f"topic {topic}, received {stamp}"


def _flatten(value: dict[str, Any], prefix: str, into: dict[str, Any]) -> None:
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, dict):
            _flatten(item, f"{name}.", into)
        else:
            into[name] = item


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _json_kind(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string" if value.strip() else "an empty string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "null"


def _fields(values: dict[str, Any]) -> str:
    names = list(values)
    shown = ", ".join(names[:_FIELDS_SHOWN]) or "none"
    more = len(names) - _FIELDS_SHOWN
    return shown + (f" (and {more} more)" if more > 0 else "")


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat[:_EXCERPT_CHARS] + ("…" if len(flat) > _EXCERPT_CHARS else "")


# -- configuration helpers --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Broker:
    host: str
    port: int
    tls: bool
    username: str | None
    password: str | None = field(default=None, repr=False)

    @property
    def label(self) -> str:
        """The broker for messages and logs: scheme, host and port, never the password."""
        return f"{'mqtts' if self.tls else 'mqtt'}://{self.host}:{self.port}"

    @property
    def user(self) -> str:
        return f"user `{self.username}`" if self.username else "no user name"


def _parse_broker(url: str) -> _Broker:
    parts = urlsplit(url)
    shown = _safe_url(url)
    if parts.scheme not in ("mqtt", "mqtts") or not parts.hostname:
        raise ValueError(
            f"`{shown}` is not a broker address (expected mqtt://user:password@host:1883 "
            "or mqtts://user:password@host:8883)"
        )
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"`{shown}` has a port that is not a number from 1 to 65535") from None
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(
            f"`{shown}` has a path or query; the URL names only the broker, the topic "
            "filters go in `topics`"
        )
    tls = parts.scheme == "mqtts"
    return _Broker(
        host=parts.hostname,
        port=port or (8883 if tls else 1883),
        tls=tls,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
    )


def _safe_url(url: str) -> str:
    """The URL without user and password, for messages."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return f"{parts.scheme}://{host}{parts.path}" if parts.scheme else "(not a URL)"


def _filter_problem(topic: str) -> str | None:
    if not topic:
        return "a topic filter cannot be empty"
    if "\x00" in topic or len(topic.encode()) > 65535:
        return "holds a NUL character or is longer than 65,535 bytes"
    levels = _filter_levels(topic)
    for index, level in enumerate(levels):
        if "#" in level and (level != "#" or index != len(levels) - 1):
            return "`#` must be the last level, on its own (e.g. `ioc/kho-luu-tru/#`)"
        if "+" in level and level != "+":
            return "`+` must fill a whole level (e.g. `ioc/kho-luu-tru/+/moi-truong`)"
    return None


def _filter_levels(topic: str) -> list[str]:
    levels = topic.split("/")
    # A shared subscription, $share/<group>/<filter>: messages arrive on the inner topic.
    if levels[0] == "$share" and len(levels) > 2:
        return levels[2:]
    return levels


def _parse_from(name: str, spec: str, *, constant_allowed: bool) -> _From:
    where, _, rest = spec.partition(":")
    forms = "topic:N for topic level N counted from 0, field:NAME for a payload field"
    if constant_allowed:
        forms += ", const:VALUE for one value on every message"
    if where == "topic" and rest.isdigit() and int(rest) < 128:
        return _From(spec, "topic", int(rest), "")
    if where == "field" and rest:
        return _From(spec, "field", 0, rest)
    if where == "const" and constant_allowed and rest:
        return _From(spec, "const", 0, rest)
    raise ValueError(f"{name} `{spec}` is not understood (expected {forms})")


def _check_levels(name: str, source: _From, topics: list[str]) -> None:
    for topic in topics:
        levels = _filter_levels(topic)
        if levels[-1] != "#" and len(levels) <= source.level:
            raise ValueError(
                f"{name} `{source.spec}`: topic filter `{topic}` has levels 0 to "
                f"{len(levels) - 1} only (the first level, `{levels[0]}`, is 0)"
            )


# -- connecting ------------------------------------------------------------------------------


class _Client(paho.Client):
    """paho's client, remembering why the last connection attempt failed: its on_connect_fail
    callback is not told."""

    last_error: OSError | None = None

    def reconnect(self) -> MQTTErrorCode:
        try:
            return super().reconnect()
        except OSError as exc:
            self.last_error = exc
            raise


def _new_client(config: MqttConfig, client_id: str) -> _Client:
    broker = config._broker
    client = _Client(
        CallbackAPIVersion.VERSION2,
        client_id=client_id,
        protocol=paho.MQTTv5,
        manual_ack=True,
    )
    if broker.username is not None or broker.password is not None:
        client.username_pw_set(broker.username or "", broker.password)
    if broker.tls:
        # Known limit: the host's CA store only, no CA file or client certificate setting
        # yet; a broker with a private CA needs that CA installed on the IOC's host.
        client.tls_set_context(ssl.create_default_context())
    client.connect_timeout = config.connect_timeout_s
    client.reconnect_delay_set(_RECONNECT_MIN_S, _RECONNECT_MAX_S)
    return client


def _connect_properties(session_expiry_s: int, receive_maximum: int) -> Properties:
    properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    properties.SessionExpiryInterval = session_expiry_s
    # The broker sends at most this many unacknowledged QoS 1 messages; acknowledgements wait
    # for the sink, so this is what lets a whole batch (and the next one) arrive meanwhile.
    properties.ReceiveMaximum = max(1, min(receive_maximum, 65535))
    return properties


def _options(config: MqttConfig, retain: int) -> list[tuple[str, SubscribeOptions]]:
    return [
        (topic, SubscribeOptions(qos=config.qos, retainHandling=retain)) for topic in config.topics
    ]


def _unreachable(config: MqttConfig, exc: OSError) -> SourceError:
    """A failed connection attempt as a source error: transient unless retrying cannot help."""
    label = config._broker.label
    if isinstance(exc, ssl.SSLCertVerificationError):
        return SourceError(
            f"{label}: the broker's TLS certificate is not trusted ({exc.verify_message}); "
            "install the CA that signed it or use the host name the certificate names"
        )
    if isinstance(exc, ssl.SSLError) and not isinstance(
        exc, ssl.SSLEOFError | ssl.SSLZeroReturnError
    ):
        return SourceError(
            f"{label}: the TLS handshake failed ({exc.reason or exc}); check that this port "
            "speaks TLS (mqtts://, usually port 8883) or use mqtt:// for a plain port"
        )
    if isinstance(exc, socket.gaierror):
        return SourceError(
            f"cannot resolve the broker's host `{config._broker.host}` ({exc.strerror}); "
            "check the URL; will retry",
            transient=True,
        )
    if isinstance(exc, ConnectionRefusedError):
        return SourceError(
            f"{label} refused the connection: check that the broker is running and listens "
            "on that port; will retry",
            transient=True,
        )
    if isinstance(exc, TimeoutError):
        return SourceError(
            f"{label} did not answer within {config.connect_timeout_s:g} s: the host may be "
            "down or a firewall may drop the traffic; will retry",
            transient=True,
        )
    return SourceError(
        f"cannot reach {label} ({type(exc).__name__}: {exc.strerror or exc}); will retry",
        transient=True,
    )


def _refused(config: MqttConfig, reason: ReasonCode) -> SourceError:
    """A CONNACK (or a DISCONNECT) that refuses the connection, as a source error."""
    broker = config._broker
    label = broker.label
    code = reason.value
    # Mosquitto answers a wrong password with Not authorized, other brokers with Bad user
    # name or password: both point at the credentials first.
    if code in (_BAD_CREDENTIALS, _NOT_AUTHORIZED):
        if broker.username is None:
            return SourceError(
                f"{label} refused a connection without credentials ({reason}): write the "
                "user name and password in the URL, mqtt://user:password@host:port"
            )
        return SourceError(
            f"{label} refused {broker.user} ({reason}): check the user name and password "
            "in the source's URL, or ask the broker's administrator to let this user connect"
        )
    if code == _BAD_CLIENT_ID:
        return SourceError(
            f"{label} rejected client id `{config.client_id}` ({reason}): choose another "
            "client_id; letters, digits, - and _ are safe on every broker"
        )
    if code in _TRANSIENT_REASONS:
        return SourceError(
            f"{label} cannot take the connection now ({reason}); will retry",
            transient=True,
        )
    return SourceError(
        f"{label} refused the connection ({reason}); check the source's URL (the broker "
        "must speak MQTT 5)"
    )


def _refused_subscriptions(config: MqttConfig, reasons: list[ReasonCode]) -> SourceError | None:
    refused = [
        f"`{_excerpt(topic)}` ({reason})"
        for topic, reason in zip(config.topics, reasons, strict=False)
        if reason.is_failure
    ]
    if not refused:
        return None
    return SourceError(
        f"{config._broker.label} refused the subscription to {', '.join(refused)}: check the "
        f"topic filters and the broker's access list for {config._broker.user}"
    )


def _closed_on_subscribe(config: MqttConfig, reason: ReasonCode | str) -> SourceError:
    # A broker that cannot take a filter (too many levels, shared subscriptions unsupported)
    # may close the connection instead of answering; subscribing again would do the same.
    return SourceError(
        f"{config._broker.label} closed the connection on the subscription ({reason}): it "
        f"does not accept one of the topic filters {', '.join(map(_excerpt, config.topics))}; "
        "fix `topics`"
    )


def check_broker(config: MqttConfig) -> None:
    """Connect, subscribe and disconnect within ``connect_timeout_s``; raise ``SourceError``
    naming the problem. Uses its own client id (the source's plus a suffix) on a clean,
    short-lived session, so it neither pushes a running listener off nor leaves a session."""
    client_id = f"{config.client_id}-check-{uuid.uuid4().hex[:8]}"
    client = _new_client(config, client_id)
    answers: dict[str, Any] = {}
    client.on_connect = lambda _c, _u, _f, reason, _p: answers.setdefault("connack", reason)
    client.on_subscribe = lambda _c, _u, _m, reasons, _p: answers.setdefault("suback", reasons)
    client.on_disconnect = lambda _c, _u, _f, reason, _p: answers.setdefault("closed", reason)
    deadline = time.monotonic() + config.connect_timeout_s
    broker = config._broker
    try:
        try:
            client.connect(
                broker.host,
                broker.port,
                config.keepalive_s,
                clean_start=True,
                properties=_connect_properties(0, 1),
            )
        except OSError as exc:
            raise _unreachable(config, exc) from None
        if not _wait_for(client, answers, "connack", deadline, config):
            raise SourceError(
                f"{broker.label} closed the connection before answering "
                f"({answers.get('closed', 'no reason given')}): check that the URL points at "
                "an MQTT 5 broker; will retry",
                transient=True,
            )
        reason = answers["connack"]
        if reason.is_failure:
            raise _refused(config, reason)

        try:
            client.subscribe(_options(config, SubscribeOptions.RETAIN_DO_NOT_SEND))
        except ValueError as exc:
            raise SourceError(
                f"{broker.label}: a topic filter is not valid ({exc}); fix `topics`"
            ) from None
        if not _wait_for(client, answers, "suback", deadline, config):
            raise _closed_on_subscribe(config, answers.get("closed", "no reason given"))
        refused = _refused_subscriptions(config, answers["suback"])
        if refused:
            raise refused
        logger.info(
            "MQTT source %s answered: connected as %s, subscribed to %d topic filters",
            broker.label,
            broker.user,
            len(config.topics),
        )
    finally:
        _close(client)


def _wait_for(
    client: _Client, answers: dict[str, Any], key: str, deadline: float, config: MqttConfig
) -> bool:
    """Run the client's network loop until ``key`` is answered (True) or the broker closes
    the connection (False); raise a transient error at the deadline."""
    while key not in answers:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise SourceError(
                f"{config._broker.label} accepted the connection but did not answer within "
                f"{config.connect_timeout_s:g} s; the broker may be overloaded; will retry",
                transient=True,
            )
        rc = client.loop(timeout=min(remaining, 0.2))
        if rc != MQTTErrorCode.MQTT_ERR_SUCCESS and key not in answers:
            return False
    return True


def _close(client: _Client) -> None:
    """Disconnect a client that runs no network thread, and free its socket either way."""
    if client.is_connected():
        client.disconnect()
        for _ in range(10):
            if client.loop(timeout=0.1) != MQTTErrorCode.MQTT_ERR_SUCCESS:
                break
            if client.socket() is None:
                break
    sock = client.socket()
    if sock is not None:
        sock.close()


# -- the listener ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ListenerState:
    """Where the listener stands: ``connecting``, ``listening``, ``retrying`` (``error`` says
    what went wrong last), ``failed`` (``error`` says what must be fixed; nothing retries) or
    ``stopped``."""

    phase: Phase
    error: str | None
    since: datetime


@dataclass(frozen=True, slots=True)
class ListenerCounters:
    """Since the listener was created. Once it has stopped, ``received == events + rejected
    + unacknowledged + lost``; a message counts again each time the broker sends it again."""

    received: int  # every message the broker delivered, redeliveries included
    events: int  # stored by the sink
    rejected: int  # stored by the sink as rejected
    # Left unacknowledged after a failed sink, a lost connection or a stop: the broker sends
    # them again. Those the sink had stored when the connection dropped come as duplicates.
    unacknowledged: int
    lost: int  # QoS 0 messages (never resent) whose last sink call, at stop(), failed
    last_message_at: datetime | None


@dataclass(slots=True)
class _Received:
    item: DeviceEvent | RejectedMessage
    mid: int
    qos: int
    connection: int  # the connection it came on: an ack is only valid on that one
    at: float  # monotonic


class MqttListener:
    """Listens to one MQTT source and hands what arrives to ``sink`` in batches, at the latest
    ``flush_interval_s`` after the first message of a batch or when ``max_batch`` messages
    wait. A message is acknowledged only after ``sink`` returned for its batch; when ``sink``
    raises, the batch is not acknowledged and the connection is dropped so that the broker
    sends it again.

    Threads: paho's network loop and one flush thread, which also calls ``sink``; both end
    in ``stop()``, and by themselves after a terminal error.

    Known limits: paho reads one packet per network wakeup, which caps one listener at
    about 8,000 messages a second on the test machine (paho alone: about 10,000). A broker
    drops QoS 1 messages beyond its per-client queue (Mosquitto's max_queued_messages,
    1,000 by default) while the listener is away or behind; size it for the outage to ride
    out. Two listeners with one client id push each other off: brokers that say so (MQTT 5
    Session taken over) make it a terminal error, Mosquitto 2.0 just closes the connection
    and both keep reconnecting.
    """

    def __init__(
        self,
        config: MqttConfig,
        sink: Sink,
        *,
        flush_interval_s: float = 0.5,
        max_batch: int = 500,
    ) -> None:
        if not flush_interval_s > 0:
            raise ValueError(f"flush_interval_s {flush_interval_s} must be above 0 seconds")
        if max_batch < 1:
            raise ValueError(f"max_batch {max_batch} must be 1 or more")
        self.config = config
        self._sink = sink
        self._interval = flush_interval_s
        self._max_batch = max_batch
        self._source = f"{config._broker.label} (client id {config.client_id})"
        self._plan = config._plan

        # Which connection acknowledgements may go on (None: none), and whether the flush
        # thread is cutting it. A lock of its own, held while a batch is acknowledged, so
        # that new messages need not wait for the acknowledgements of the last batch.
        self._ack_lock = threading.Lock()
        self._live: int | None = None
        self._dropping = False

        # Guards everything below; paho's callbacks and the flush thread meet here.
        self._lock = threading.Condition()
        self._pending: list[_Received] = []
        self._connection = 0  # counts successful connections
        self._stopping = False
        self._stop_at = 0.0  # monotonic time of stop(): what came before is handed over
        self._connected = False  # a CONNACK accepted the current connection
        self._subscribing = False  # between SUBSCRIBE and its SUBACK
        self._last_warning = ("", 0.0)
        self._sink_failures = 0
        self._retry_sink_at = 0.0
        self._state = ListenerState("stopped", None, datetime.now(UTC))
        self._received = self._events = self._rejected = 0
        self._unacknowledged = self._lost = 0
        self._last_message_at: datetime | None = None
        self._client: _Client | None = None
        self._network: threading.Thread | None = None
        self._flusher: threading.Thread | None = None

    @property
    def state(self) -> ListenerState:
        with self._lock:
            return self._state

    @property
    def counters(self) -> ListenerCounters:
        with self._lock:
            return ListenerCounters(
                self._received,
                self._events,
                self._rejected,
                self._unacknowledged,
                self._lost,
                self._last_message_at,
            )

    def start(self) -> None:
        """Connect in the background and listen; ``state`` tells how it goes."""
        config = self.config
        broker = config._broker
        with self._ack_lock:
            self._live = None
            self._dropping = False
        with self._lock:
            if self._flusher is not None:
                raise RuntimeError(f"the listener for {self._source} is already started")
            self._stopping = self._subscribing = self._connected = False
            self._sink_failures = 0
            self._retry_sink_at = 0.0
            self._set_state("connecting", None)

        client = _new_client(config, config.client_id)
        client.on_connect = self._on_connect
        client.on_connect_fail = self._on_connect_fail
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        client.on_disconnect = self._on_disconnect
        client.connect_async(
            broker.host,
            broker.port,
            config.keepalive_s,
            clean_start=False,
            properties=_connect_properties(config.session_expiry_s, 2 * self._max_batch),
        )
        flusher = threading.Thread(
            target=self._flush_loop, name=f"mqtt-flush-{config.client_id}", daemon=True
        )
        with self._lock:
            self._client = client
            self._flusher = flusher
        client.loop_start()
        # Kept here because paho forgets its thread when the loop ends by itself (after a
        # terminal error), and stop() must still join it.
        self._network = client._thread
        flusher.start()
        logger.info(
            "MQTT source %s: connecting as %s to %d topic filters",
            self._source,
            broker.user,
            len(config.topics),
        )

    def stop(self) -> None:
        """Hand what was received to the sink, acknowledge it, disconnect and end both
        threads. Messages that arrive during the stop stay unacknowledged and come again."""
        with self._lock:
            client, network, flusher = self._client, self._network, self._flusher
            if client is None or flusher is None:
                return
            if threading.current_thread() is flusher:
                raise RuntimeError("stop() cannot be called from the sink")
            self._stopping = True
            self._stop_at = time.monotonic()
            self._lock.notify_all()

        flusher.join()
        # The DISCONNECT goes out after the acknowledgements the flush thread queued.
        client.disconnect()
        client.loop_stop()
        if network is not None:
            network.join()

        with self._ack_lock:
            self._live = None
        with self._lock:
            leftovers, self._pending = self._pending, []
        if leftovers:
            self._deliver(client, leftovers)
        with self._lock:
            self._client = self._network = self._flusher = None
            if self._state.phase != "failed":
                self._set_state("stopped", None)
            counts = (self._received, self._events, self._rejected, self._unacknowledged)
        logger.info(
            "MQTT source %s stopped: %d received, %d events, %d rejected, "
            "%d left unacknowledged for the broker to send again",
            self._source,
            *counts,
        )

    # -- paho's callbacks, on its network thread ---------------------------------------------

    def _on_connect(
        self,
        client: paho.Client,
        _userdata: Any,
        flags: paho.ConnectFlags,
        reason: ReasonCode,
        _properties: Properties | None,
    ) -> None:
        if reason.is_failure:
            self._trouble(client, _refused(self.config, reason))
            return
        with self._lock:
            self._connection += 1
            self._connected = self._subscribing = True
            first = self._connection == 1
        with self._ack_lock:
            self._live = self._connection
        if not flags.session_present:
            if first:
                logger.info("MQTT source %s: the broker opened a new session", self._source)
            else:
                logger.warning(
                    "MQTT source %s: the broker had no session for this client id any more; "
                    "messages sent while the listener was away were not kept for it",
                    self._source,
                )
        # Retained messages only for a new subscription: a reconnect on a kept session does
        # not bring every retained message again. Known limit: a filter taken out of `topics`
        # stays subscribed in the kept session until it expires; nothing unsubscribes it.
        client.subscribe(_options(self.config, SubscribeOptions.RETAIN_SEND_IF_NEW_SUB))

    def _on_connect_fail(self, client: paho.Client, _userdata: Any) -> None:
        error = cast(_Client, client).last_error
        if error is None:
            error = OSError("the connection attempt failed")
        self._trouble(client, _unreachable(self.config, error))

    def _on_subscribe(
        self,
        client: paho.Client,
        _userdata: Any,
        _mid: int,
        reasons: list[ReasonCode],
        _properties: Properties | None,
    ) -> None:
        with self._lock:
            self._subscribing = False
        refused = _refused_subscriptions(self.config, reasons)
        if refused:
            self._trouble(client, refused)
            return
        for topic, reason in zip(self.config.topics, reasons, strict=False):
            if reason.value < self.config.qos:
                logger.warning(
                    "MQTT source %s: the broker grants only QoS %d on `%s`; messages sent "
                    "there while the listener is away are lost",
                    self._source,
                    reason.value,
                    topic,
                )
        with self._lock:
            self._set_state("listening", None)
        logger.info("MQTT source %s: listening", self._source)

    def _on_message(self, _client: paho.Client, _userdata: Any, message: paho.MQTTMessage) -> None:
        received_at = datetime.now(UTC)
        try:
            topic = message.topic
        except UnicodeDecodeError:
            topic = "(topic is not UTF-8)"
        try:
            item = _parse(self._plan, topic, message.payload, received_at)
        except Exception as exc:  # a reading that breaks the parser still reaches quarantine
            logger.exception("MQTT source %s: cannot read a message on %s", self._source, topic)
            raw, _ = _raw_text(message.payload)
            item = RejectedMessage(
                topic,
                received_at,
                raw,
                f"the listener could not read this message ({type(exc).__name__}: {exc})",
                _position(topic, received_at),
            )
        with self._lock:
            self._pending.append(
                _Received(item, message.mid, message.qos, self._connection, time.monotonic())
            )
            self._received += 1
            self._last_message_at = received_at
            waiting = len(self._pending)
            if waiting == 1 or waiting >= self._max_batch:
                self._lock.notify_all()

    def _on_disconnect(
        self,
        client: paho.Client,
        _userdata: Any,
        _flags: paho.DisconnectFlags,
        reason: ReasonCode,
        _properties: Properties | None,
    ) -> None:
        with self._ack_lock:
            self._live = None
            dropped, self._dropping = self._dropping, False
        with self._lock:
            self._lock.notify_all()
            subscribing, self._subscribing = self._subscribing, False
            connected, self._connected = self._connected, False
            # Cut by _sink_failed, the state already names the cause: the sink. Never
            # accepted: the refusal in _on_connect already did.
            if dropped or not connected or self._stopping or self._state.phase == "failed":
                return
        if subscribing and reason.value in _SUBSCRIPTION_REFUSALS:
            self._trouble(client, _closed_on_subscribe(self.config, reason))
        elif reason.value == _SESSION_TAKEN_OVER:
            self._trouble(
                client,
                SourceError(
                    f"{self.config._broker.label}: another client connected with client id "
                    f"`{self.config.client_id}` and took the session over; give each source "
                    "its own client_id"
                ),
            )
        elif reason.value == _NOT_AUTHORIZED:
            self._trouble(client, _refused(self.config, reason))
        else:
            self._trouble(
                client,
                SourceError(
                    f"lost the connection to {self.config._broker.label} ({reason}); reconnecting",
                    transient=True,
                ),
            )

    def _trouble(self, client: paho.Client, error: SourceError) -> None:
        """Record ``error``: retry when it is transient, otherwise fail and make paho stop."""
        now = time.monotonic()
        with self._lock:
            if self._stopping or self._state.phase == "failed":
                return
            self._set_state("retrying" if error.transient else "failed", error.message)
            self._lock.notify_all()
            # The same trouble again within a minute goes to DEBUG: a broker that keeps
            # dropping the connection would otherwise write a warning a second.
            message, logged_at = self._last_warning
            repeated = message == error.message and now - logged_at < _WARN_AGAIN_S
            if not repeated:
                self._last_warning = (error.message, now)
        if error.transient:
            log = logger.debug if repeated else logger.warning
            log("MQTT source %s: %s", self._source, error.message)
            return
        logger.error("MQTT source %s failed: %s", self._source, error.message)
        # Puts paho's loop in the disconnecting state, which ends it instead of reconnecting.
        client.disconnect()

    # -- the flush thread --------------------------------------------------------------------

    def _flush_loop(self) -> None:
        client = self._client
        assert client is not None
        while True:
            with self._lock:
                batch = self._next_batch()
            if batch is None:
                return
            self._deliver(client, batch)

    def _next_batch(self) -> list[_Received] | None:
        """Holding the lock: the next batch that is due, or None when the listener stops or
        failed and nothing waits."""
        while True:
            now = time.monotonic()
            if self._stopping:
                # Only what came before stop(): under a steady stream the queue never empties.
                head = self._pending[: self._max_batch]
                count = next((i for i, r in enumerate(head) if r.at > self._stop_at), len(head))
                batch = self._pending[:count]
                del self._pending[:count]
                return batch or None
            if now < self._retry_sink_at:
                self._lock.wait(self._retry_sink_at - now)
            elif self._pending:
                age = now - self._pending[0].at
                if len(self._pending) >= self._max_batch or age >= self._interval:
                    batch = self._pending[: self._max_batch]
                    del self._pending[: self._max_batch]
                    return batch
                self._lock.wait(self._interval - age)
            elif self._state.phase == "failed":
                return None
            else:
                self._lock.wait()

    def _deliver(self, client: _Client, batch: list[_Received]) -> None:
        with self._ack_lock:
            live = self._live
        # QoS 1 messages from a connection that is gone cannot be acknowledged any more; the
        # broker sends them again on the next one, so they are not handed to the sink twice.
        fresh = [r for r in batch if r.qos == 0 or r.connection == live]
        stale = len(batch) - len(fresh)
        events = [r.item for r in fresh if isinstance(r.item, DeviceEvent)]
        rejected = [r.item for r in fresh if isinstance(r.item, RejectedMessage)]

        if fresh:
            try:
                self._sink(events, rejected)
            except Exception as exc:
                self._sink_failed(client, fresh, stale, exc)
                return

        late = 0
        with self._ack_lock:
            for received in fresh:
                if received.qos == 0:
                    continue
                if received.connection == self._live:
                    client.ack(received.mid, received.qos)
                else:
                    # Stored, but the connection dropped meanwhile: it comes again.
                    late += 1
        with self._lock:
            self._events += len(events)
            self._rejected += len(rejected)
            self._unacknowledged += stale + late
            self._sink_failures = 0
        if fresh:
            logger.debug(
                "MQTT source %s: stored %d events and %d rejected messages",
                self._source,
                len(events),
                len(rejected),
            )

    def _sink_failed(
        self, client: _Client, fresh: list[_Received], stale: int, exc: Exception
    ) -> None:
        qos0 = [r for r in fresh if r.qos == 0]
        with self._ack_lock:
            drop = self._live is not None
            self._dropping = self._dropping or drop
            self._live = None
        with self._lock:
            self._unacknowledged += stale + len(fresh) - len(qos0)
            if self._stopping:
                self._lost += len(qos0)
            else:
                # QoS 0 messages are never sent again: they wait here for the next attempt.
                self._pending[:0] = qos0
            self._sink_failures += 1
            delay = min(_SINK_RETRY_MAX_S, 2.0 ** (self._sink_failures - 1))
            self._retry_sink_at = time.monotonic() + delay
            if not self._stopping and self._state.phase != "failed":
                self._set_state("retrying", f"the sink failed: {type(exc).__name__}: {exc}")
        logger.error(
            "MQTT source %s: the sink failed on %d messages (%s: %s); they stay "
            "unacknowledged and the broker sends them again after a reconnect",
            self._source,
            len(fresh),
            type(exc).__name__,
            exc,
            exc_info=exc,
        )
        if qos0 and self._stopping:
            logger.error(
                "MQTT source %s: %d QoS 0 messages are lost (the broker never resends them)",
                self._source,
                len(qos0),
            )
        if drop:
            _drop_connection(client)

    def _set_state(self, phase: Phase, error: str | None) -> None:
        if self._state.phase != phase or self._state.error != error:
            self._state = ListenerState(phase, error, datetime.now(UTC))


def _drop_connection(client: _Client) -> None:
    """Cut the connection under paho's feet, from another thread: paho sees it lost and
    reconnects with back-off, and the broker sends again what was not acknowledged. MQTT has
    no negative acknowledgement; a reconnect is the only way to get a message again."""
    sock = client.socket()
    if isinstance(sock, socket.socket):
        # Already closed means paho is reconnecting anyway. socket.socket's own shutdown, not
        # SSLSocket's, which would drop the TLS state the network thread may be using now.
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)
