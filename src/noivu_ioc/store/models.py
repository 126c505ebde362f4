"""Tables of the operational store. Times are stored in UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """A stored time with its zone: SQLite gives naive datetimes back, and they are UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    pass


class OrgUnit(Base):
    """An organisational unit that scopes users: the ministry and its departments, each
    province's Department of Home Affairs, each commune's People's Committee."""

    __tablename__ = "org_unit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(24))  # ministry, department, province, commune
    name_vi: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str] = mapped_column(String(255))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    # The administrative unit the org unit answers for: none for the ministry (national),
    # a 2-digit province code, or a 5-digit commune code.
    admin_code: Mapped[str | None] = mapped_column(String(5), index=True)

    parent: Mapped[OrgUnit | None] = relationship(remote_side=[id])


class User(Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(32))  # for SMS notifications
    password_hash: Mapped[str] = mapped_column(String(255))
    language: Mapped[str] = mapped_column(String(2), default="vi")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # TOTP second factor (RFC 6238): the secret encrypted with the store's key, and when the
    # user proved they hold it; a secret without confirmation is an enrolment under way.
    totp_secret: Mapped[str | None] = mapped_column(Text)
    totp_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)  # a code is used once
    # Sign-in through an external OpenID Connect provider: "issuer|subject".
    oidc_subject: Mapped[str | None] = mapped_column(String(512), unique=True)

    roles: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    scope: Mapped[list[UserScope]] = relationship(cascade="all, delete-orphan", lazy="selectin")


class UserRole(Base):
    __tablename__ = "user_role"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(32), primary_key=True)


class UserScope(Base):
    """One org unit a user answers for; the user sees that unit and everything under it."""

    __tablename__ = "user_scope"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), primary_key=True)

    org_unit: Mapped[OrgUnit] = relationship(lazy="joined")


class LoginSession(Base):
    """A browser session. Only the SHA-256 of the cookie's token is stored, so that a copy
    of this table cannot be replayed as cookies."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    user_agent: Mapped[str | None] = mapped_column(String(255))
    client: Mapped[str | None] = mapped_column(String(64))
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    method: Mapped[str] = mapped_column(String(16), default="password")  # password | oidc
    # When the second factor was given; None while a session waits for it (it may then do
    # nothing but give it).
    second_factor_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    needs_second_factor: Mapped[bool] = mapped_column(Boolean, default=False)

    user: Mapped[User] = relationship(lazy="joined")


class LoginThrottle(Base):
    """Failed logins counted per username and per client address, whether or not the
    account exists, so that lock-out says nothing about which accounts there are."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)  # user:NAME | ip:ADDR
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEvent(Base):
    """Append-only record of logins, refusals and changes (the trust issue extends it)."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    username: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str | None] = mapped_column(String(255))
    outcome: Mapped[str] = mapped_column(String(16))  # ok, denied, failed
    detail: Mapped[dict[str, object] | None] = mapped_column(JSON)
    client: Mapped[str | None] = mapped_column(String(64))
    # Its leaf in the ledger, once sealed there (see ledger/): an entry edited or deleted
    # afterwards no longer matches.
    ledger_idx: Mapped[int | None] = mapped_column(BigInteger, index=True)


class InstallFact(Base):
    """Small key/value facts about this installation, e.g. what the demo loaded."""

    __tablename__ = "install_fact"
    __table_args__ = (UniqueConstraint("key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(Text)


# -- sources and syncs (the ingest stage) ---------------------------------------------------


class Source(Base):
    """A sector system the IOC copies data from: a database, files, an API, a push endpoint
    or an MQTT broker. Credentials live encrypted in ``secret``, never in ``config``."""

    __tablename__ = "source"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)  # slug, e.g. "ton-giao-csdl"
    label: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))  # sql, file, rest, push, mqtt
    owner_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    secret: Mapped[str | None] = mapped_column(Text)  # Fernet token of a JSON object
    # snapshot: deletions detected; incremental: by cursor column; upsert: neither.
    mode: Mapped[str] = mapped_column(String(16), default="upsert")
    schedule_minutes: Mapped[int | None] = mapped_column(Integer)  # None: on demand only
    freshness_minutes: Mapped[int | None] = mapped_column(Integer)  # the agreed interval
    max_delete_share: Mapped[float] = mapped_column(Float, default=0.5)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    # Scheduling: when the next run is due, a pending "sync now", and the lease that lets
    # one worker of several run it.
    next_run_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    requested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    requested_by: Mapped[str | None] = mapped_column(String(64))
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    # Health, kept up to date by each run and by the freshness check.
    health: Mapped[str] = mapped_column(String(16), default="new")
    last_run_id: Mapped[int | None] = mapped_column(Integer)
    last_success_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)

    owner_unit: Mapped[OrgUnit] = relationship(lazy="joined")
    bindings: Mapped[list[SourceBinding]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="SourceBinding.id"
    )


class SourceBinding(Base):
    """One table of a source (a database table, a sheet, an endpoint) bound to one catalog
    entity, with the mapping from its columns to the entity's fields."""

    __tablename__ = "source_binding"
    __table_args__ = (UniqueConstraint("source_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))  # e.g. "co-so-tho-tu"
    entity: Mapped[str] = mapped_column(String(64))
    selector: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    mapping: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    confirmed_by: Mapped[str | None] = mapped_column(String(64))


class SyncRun(Base):
    """One run of a source's sync, as the connection monitor shows it. The warehouse keeps
    its own record of every committed run; after a crash the two are reconciled."""

    __tablename__ = "sync_run"
    __table_args__ = (Index("ix_sync_run_source_started", "source_id", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"))
    trigger: Mapped[str] = mapped_column(String(16))  # schedule, manual, push, replay, upload
    triggered_by: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))  # running, succeeded, failed, interrupted
    worker: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_loaded: Mapped[int] = mapped_column(Integer, default=0)
    rows_quarantined: Mapped[int] = mapped_column(Integer, default=0)
    rows_deleted: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    error_transient: Mapped[bool | None] = mapped_column(Boolean)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class PushBatch(Base):
    """A batch a sector system posted to its push endpoint, kept as received until a run
    has loaded it, so that an acknowledged batch is never lost."""

    __tablename__ = "push_batch"
    __table_args__ = (Index("ix_push_batch_source_state", "source_id", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    binding: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    state: Mapped[str] = mapped_column(String(16), default="received")  # received, loaded
    run_id: Mapped[int | None] = mapped_column(Integer)
    client: Mapped[str | None] = mapped_column(String(64))


class Event(Base):
    """Something that happened and that the alerts capability may turn into an alert: a
    source failing or going stale (and recovering), a device reporting its status."""

    __tablename__ = "event"
    __table_args__ = (Index("ix_event_at", "at"), Index("ix_event_kind_at", "kind", "at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    kind: Mapped[str] = mapped_column(String(32))  # source.failed, source.stale, device, ...
    severity: Mapped[str] = mapped_column(String(16))  # critical, major, minor, warning, info
    source_id: Mapped[int | None] = mapped_column(ForeignKey("source.id"), index=True)
    subject: Mapped[str] = mapped_column(String(255))  # the source name, a device id
    admin_code: Mapped[str | None] = mapped_column(String(5))  # the unit it concerns
    message: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    observed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WallScene(Base):
    """A layout of panels for the video wall; scenes rotate in ``position`` order."""

    __tablename__ = "wall_scene"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title_vi: Mapped[str] = mapped_column(String(255))
    title_en: Mapped[str] = mapped_column(String(255))
    position: Mapped[int] = mapped_column(Integer, default=0)
    dwell_seconds: Mapped[int] = mapped_column(Integer, default=30)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    panels: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(64))


class SavedIndicator(Base):
    """An indicator an analyst defined (the same keys as the shipped library's TOML)."""

    __tablename__ = "saved_indicator"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator_id: Mapped[str] = mapped_column(String(96), unique=True)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AlertRule(Base):
    """A condition watched by the IOC: on an indicator (per nation or per province) or on
    events (a device's fault, a source gone stale). ``config`` holds the kind's settings."""

    __tablename__ = "alert_rule"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    title_vi: Mapped[str] = mapped_column(String(255))
    title_en: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))  # indicator | event
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    severity: Mapped[str] = mapped_column(String(16))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    evaluated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_event_id: Mapped[int] = mapped_column(Integer, default=0)  # event rules: seen up to


class Alert(Base):
    """One alert per rule and subject while it is open; repeats update it."""

    __tablename__ = "alert"
    __table_args__ = (
        Index("ix_alert_state", "state"),
        # At most one open alert per rule and subject, whatever two evaluators do.
        Index(
            "ux_alert_open",
            "rule_id",
            "subject",
            unique=True,
            sqlite_where=Column("state") != "resolved",
            postgresql_where=Column("state") != "resolved",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("alert_rule.id"), index=True)
    subject: Mapped[str] = mapped_column(String(255))  # "province:01", a device id, ...
    admin_code: Mapped[str | None] = mapped_column(String(5))  # where it is, for scoping
    severity: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))  # active | acknowledged | resolved
    message: Mapped[str] = mapped_column(Text)
    value: Mapped[float | None] = mapped_column(Float)
    occurrences: Mapped[int] = mapped_column(Integer, default=1)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by: Mapped[str | None] = mapped_column(String(64))  # a user, or "auto"
    # Escalation: 0 the unit's own level (commune or province), then up to the ministry (2)
    # and the command level (3), while nobody acknowledges.
    level: Mapped[int] = mapped_column(Integer, default=0)
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Reminders: repeated to the alert's level while it stays active.
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reminders: Mapped[int] = mapped_column(Integer, default=0)


# -- operations: incidents, tasks, processes, plans, directives, notifications -------------


class Incident(Base):
    """Something that needs a response: opened from an alert, a citizen report, by hand or by
    activating a plan; closed with an evaluation."""

    __tablename__ = "incident"
    __table_args__ = (
        # One open incident per alert and per citizen report, whatever two requests do.
        Index(
            "ux_incident_open_alert",
            "alert_id",
            unique=True,
            sqlite_where=Column("state") == "open",
            postgresql_where=Column("state") == "open",
        ),
        Index(
            "ux_incident_open_report",
            "report_event_id",
            unique=True,
            sqlite_where=Column("state") == "open",
            postgresql_where=Column("state") == "open",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    severity: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default="open")  # open | closed
    origin: Mapped[str] = mapped_column(String(16))  # alert | report | manual | plan
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alert.id"), index=True)
    report_event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id"))
    plan_run_id: Mapped[int | None] = mapped_column(Integer, index=True)
    drill: Mapped[bool] = mapped_column(Boolean, default=False)
    admin_code: Mapped[str | None] = mapped_column(String(5), index=True)  # where, for scoping
    root_cause: Mapped[str] = mapped_column(Text, default="")
    impact: Mapped[str] = mapped_column(Text, default="")
    affected_units: Mapped[list[str]] = mapped_column(JSON, default=list)  # org unit codes
    opened_by: Mapped[str] = mapped_column(String(64))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    closed_by: Mapped[str | None] = mapped_column(String(64))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    evaluation: Mapped[str | None] = mapped_column(Text)
    rating: Mapped[int | None] = mapped_column(Integer)  # 1..5, given at closure

    tasks: Mapped[list[Task]] = relationship(
        back_populates="incident", lazy="selectin", order_by="Task.id"
    )


class Task(Base):
    """One action of an incident's plan, held by an org unit, with a deadline and progress.
    Only users of that unit (or of a unit above it) update it."""

    __tablename__ = "task"
    __table_args__ = (Index("ix_task_unit_state", "unit_code", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), index=True)
    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    resources: Mapped[str] = mapped_column(Text, default="")
    unit_code: Mapped[str] = mapped_column(String(32))  # the org unit that holds it
    admin_code: Mapped[str | None] = mapped_column(String(5))  # that unit's place
    assigned_by: Mapped[str] = mapped_column(String(64))
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # open, in_progress, done or cancelled
    state: Mapped[str] = mapped_column(String(16), default="open")
    progress: Mapped[int] = mapped_column(Integer, default=0)  # percent
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    done_by: Mapped[str | None] = mapped_column(String(64))
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reminders: Mapped[int] = mapped_column(Integer, default=0)

    incident: Mapped[Incident] = relationship(back_populates="tasks")


class TaskComment(Base):
    __tablename__ = "task_comment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"), index=True)
    author: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    body: Mapped[str] = mapped_column(Text)
    progress: Mapped[int | None] = mapped_column(Integer)  # the progress reported with it


class Attachment(Base):
    """A file attached to an incident, a task or a directive's report (kept in the store;
    size and type are checked on upload)."""

    __tablename__ = "attachment"
    __table_args__ = (Index("ix_attachment_owner", "owner_kind", "owner_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_kind: Mapped[str] = mapped_column(String(16))  # incident | task | directive_report
    owner_id: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ProcessTemplate(Base):
    """A step-by-step procedure with deadlines and responsible roles, e.g. the inspection of
    civil-servant recruitment. ``steps``: [{key, title_vi, title_en, role, holder, days}], where
    ``holder`` is ``inspector``, ``subject`` or an org unit code."""

    __tablename__ = "process_template"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title_vi: Mapped[str] = mapped_column(String(255))
    title_en: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ProcessRun(Base):
    """One run of a template, e.g. the inspection of one province's recruitment."""

    __tablename__ = "process_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("process_template.id"), index=True)
    title: Mapped[str] = mapped_column(String(255))
    unit_code: Mapped[str] = mapped_column(String(32))  # the unit concerned (inspected)
    admin_code: Mapped[str | None] = mapped_column(String(5), index=True)
    state: Mapped[str] = mapped_column(String(16), default="running")  # running | done
    started_by: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    steps: Mapped[list[ProcessStep]] = relationship(
        lazy="selectin", order_by="ProcessStep.position", cascade="all, delete-orphan"
    )


class ProcessStep(Base):
    __tablename__ = "process_step"
    __table_args__ = (UniqueConstraint("run_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("process_run.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(64))
    title_vi: Mapped[str] = mapped_column(String(255))
    title_en: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))  # the role responsible
    unit_code: Mapped[str] = mapped_column(String(32))  # the unit holding the step
    days: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending|active|done
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    done_by: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)


class Plan(Base):
    """An emergency plan prepared in advance. ``tasks``: [{unit, title_vi, title_en, hours,
    resources}], where ``unit`` is an org unit code or ``SNV.*`` (every province's Department
    of Home Affairs, or the one of the activated area)."""

    __tablename__ = "plan"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title_vi: Mapped[str] = mapped_column(String(255))
    title_en: Mapped[str] = mapped_column(String(255))
    hazard: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text, default="")
    severity: Mapped[str] = mapped_column(String(16), default="major")
    tasks: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PlanRun(Base):
    """A plan activated (for real or as a drill): its incident holds the tasks."""

    __tablename__ = "plan_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    drill: Mapped[bool] = mapped_column(Boolean, default=False)
    admin_code: Mapped[str | None] = mapped_column(String(5))  # the area, None: nationwide
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"))
    activated_by: Mapped[str] = mapped_column(String(64))
    activated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    state: Mapped[str] = mapped_column(String(16), default="active")  # active | closed
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Directive(Base):
    """A leader's instruction to a set of units, each of which acknowledges and reports."""

    __tablename__ = "directive"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(16), default="major")
    issued_by: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ack_minutes: Mapped[int] = mapped_column(Integer)  # silence beyond this escalates
    report_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"))
    state: Mapped[str] = mapped_column(String(16), default="open")  # open | closed

    recipients: Mapped[list[DirectiveRecipient]] = relationship(
        lazy="selectin", order_by="DirectiveRecipient.id", cascade="all, delete-orphan"
    )


class DirectiveRecipient(Base):
    __tablename__ = "directive_recipient"
    __table_args__ = (UniqueConstraint("directive_id", "unit_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    directive_id: Mapped[int] = mapped_column(ForeignKey("directive.id"), index=True)
    unit_code: Mapped[str] = mapped_column(String(32))
    admin_code: Mapped[str | None] = mapped_column(String(5))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))
    reported_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reported_by: Mapped[str | None] = mapped_column(String(64))
    report: Mapped[str | None] = mapped_column(Text)
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reminders: Mapped[int] = mapped_column(Integer, default=0)
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Notification(Base):
    """A message to one user, shown in the app; e-mail and SMS copies go out as deliveries."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    kind: Mapped[str] = mapped_column(String(32))  # alert.escalated, task.assigned, ...
    ref: Mapped[str | None] = mapped_column(String(64))  # "alert:5", "task:12", ...
    severity: Mapped[str] = mapped_column(String(16), default="info")
    title: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Delivery(Base):
    """An e-mail or SMS copy of a notification, sent by the outbox with retries."""

    __tablename__ = "delivery"
    __table_args__ = (Index("ix_delivery_status", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notification.id"), index=True)
    channel: Mapped[str] = mapped_column(String(8))  # email | sms
    address: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|sent|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CapMessage(Base):
    """A CAP 1.2 message received from another system or published by the IOC, kept whole."""

    __tablename__ = "cap_message"
    __table_args__ = (UniqueConstraint("sender", "identifier"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    direction: Mapped[str] = mapped_column(String(4))  # in | out
    identifier: Mapped[str] = mapped_column(String(255))
    sender: Mapped[str] = mapped_column(String(255))
    sent: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    msg_type: Mapped[str] = mapped_column(String(16))  # Alert | Update | Cancel | ...
    status: Mapped[str] = mapped_column(String(16))  # Actual | Exercise | Test | ...
    xml: Mapped[str] = mapped_column(Text)
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alert.id"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id"))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Lease(Base):
    """A named lease: the worker holding it until ``until`` does the job (e.g. the scheduled
    rule evaluation), so that with several server processes it runs once."""

    __tablename__ = "lease"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner: Mapped[str | None] = mapped_column(String(64))
    until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    runs: Mapped[int] = mapped_column(Integer, default=0)


class SharingAgreement(Base):
    """A data-sharing agreement: who (a role, a unit and what lies under it, or both) may read
    which fields of a dataset, for what purpose, from when until when. Without one, personal
    and sensitive fields are masked (deny by default)."""

    __tablename__ = "sharing_agreement"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    dataset: Mapped[str] = mapped_column(String(64), index=True)  # a catalog entity id
    fields: Mapped[list[str]] = mapped_column(JSON)  # field names, or ["*"]
    grantee_role: Mapped[str | None] = mapped_column(String(32))
    grantee_unit: Mapped[str | None] = mapped_column(String(32))  # an org unit code
    purpose: Mapped[str] = mapped_column(Text)
    valid_from: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    valid_until: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by: Mapped[str | None] = mapped_column(String(64))


class LedgerEntry(Base):
    """One leaf of the verifiable log (RFC 9162): ``data`` is the exact UTF-8 text whose
    SHA-256 with the leaf prefix is ``leaf_hash``; ``idx`` counts from 0 without gaps."""

    __tablename__ = "ledger_entry"

    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(16))  # personnel | audit
    key: Mapped[str] = mapped_column(String(160), index=True)  # "person:CB0000000001"
    data: Mapped[str] = mapped_column(Text)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LedgerNode(Base):
    """The hash of a complete subtree of 2**level leaves starting at leaf idx * 2**level,
    kept so that roots and proofs take O(log n) reads."""

    __tablename__ = "ledger_node"

    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class LedgerState(Base):
    """One row per log, locked by each append so that appends are serial."""

    __tablename__ = "ledger_state"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger, default=0)


class LedgerHead(Base):
    """A signed tree head: the size and root of the log at a time, signed with Ed25519."""

    __tablename__ = "ledger_head"

    tree_size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    timestamp_ms: Mapped[int] = mapped_column(BigInteger)
    key_id: Mapped[str] = mapped_column(String(64))
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))


class LedgerCosignature(Base):
    """A witness's signature on a tree head, given after it checked consistency with the
    last head it had seen."""

    __tablename__ = "ledger_cosignature"
    __table_args__ = (UniqueConstraint("tree_size", "key_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tree_size: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("ledger_head.tree_size"), index=True
    )
    witness: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(String(64))
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# Tables whose rows the database refuses to edit or delete (migration 0007 installs the
# triggers; sealing an audit row is the one update let through). ``ioc ledger verify`` checks
# that each still has them.
APPEND_ONLY_TABLES = (
    "audit_event",
    "ledger_entry",
    "ledger_node",
    "ledger_state",
    "ledger_head",
    "ledger_cosignature",
)
