"""Data-sharing agreements: granted and revoked by those who manage sharing, checked against
the catalog and the unit list before anything is written, and audited."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from noivu_ioc.access.policy import ALL_FIELDS
from noivu_ioc.access.roles import parse_role
from noivu_ioc.access.users import Principal, access_changed, audit
from noivu_ioc.catalog import catalog
from noivu_ioc.errors import ConflictError, InvalidInputError, NotFoundError
from noivu_ioc.store.models import SharingAgreement, as_utc, utcnow
from noivu_ioc.units import org

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$")
MAX_YEARS = 5  # an agreement is reviewed at least this often (it can be renewed)


class AgreementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="Short name: lowercase letters, digits and '-'.")
    dataset: str = Field(description="A catalog entity, e.g. person.")
    fields: list[str] = Field(description="Field names, or ['*'] for every field.")
    grantee_role: str | None = Field(default=None, description="A role, e.g. provincial_officer.")
    grantee_unit: str | None = Field(
        default=None, description="An org unit, e.g. SNV.15; it covers the units under it."
    )
    purpose: str = Field(description="Why the data is shared (kept with every read).")
    valid_from: datetime | None = Field(default=None, description="Default: now.")
    valid_until: datetime


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def check(session: Session, data: AgreementIn) -> SharingAgreement:
    """The agreement as it would be stored; InvalidInputError naming the first problem."""
    name = data.name.strip()
    if not _NAME.match(name):
        raise InvalidInputError(
            f"name {data.name!r} is not valid: use 3-64 lowercase letters, digits and '-', "
            "e.g. sonv-lao-cai-ho-so",
            vi=f"tên {data.name!r} không hợp lệ: hãy dùng 3-64 chữ thường không dấu, chữ số và "
            "'-', ví dụ sonv-lao-cai-ho-so",
        )
    try:
        entity = catalog().entity(data.dataset)
    except KeyError:
        raise InvalidInputError(
            f"dataset {data.dataset!r} is not in the catalog; see /catalog for the datasets",
            vi=f"bộ dữ liệu {data.dataset!r} không có trong danh mục; xem các bộ dữ liệu ở "
            "/catalog",
        ) from None
    fields = sorted({f.strip() for f in data.fields if f.strip()})
    if not fields:
        raise InvalidInputError(
            "fields is empty: name the fields shared, or '*' for all",
            vi="chưa có trường nào: hãy ghi các trường được chia sẻ, hoặc '*' cho tất cả",
        )
    if ALL_FIELDS in fields:
        fields = [ALL_FIELDS]
    else:
        unknown = [f for f in fields if f not in entity.field_names]
        if unknown:
            raise InvalidInputError(
                f"dataset {entity.id} has no field {', '.join(repr(u) for u in unknown)}; "
                f"its fields are {', '.join(entity.field_names)}",
                vi=f"bộ dữ liệu {entity.id} không có trường "
                f"{', '.join(repr(u) for u in unknown)}; các trường của nó là "
                f"{', '.join(entity.field_names)}",
            )
    role = None
    if data.grantee_role:
        try:
            role = parse_role(data.grantee_role).value
        except ValueError as exc:
            raise InvalidInputError(str(exc)) from None
    unit = None
    if data.grantee_unit:
        try:
            unit = org.find_unit(session, data.grantee_unit).code
        except NotFoundError as exc:
            raise InvalidInputError(str(exc)) from None
    if role is None and unit is None:
        raise InvalidInputError(
            "an agreement needs a grantee: give grantee_role, grantee_unit or both",
            vi="thỏa thuận cần có bên được chia sẻ: hãy chọn vai trò, đơn vị hoặc cả hai",
        )
    purpose = data.purpose.strip()
    if len(purpose) < 10:
        raise InvalidInputError(
            "purpose is too short: say what the data is used for (Decree 13/2023/NĐ-CP "
            "asks for it), e.g. 'quản lý hồ sơ cán bộ của Sở'",
            vi="mục đích quá ngắn: hãy nói dữ liệu được dùng để làm gì (Nghị định "
            "13/2023/NĐ-CP yêu cầu), ví dụ 'quản lý hồ sơ cán bộ của Sở'",
        )
    start = _aware(data.valid_from) if data.valid_from else utcnow()
    until = _aware(data.valid_until)
    if until <= start:
        raise InvalidInputError(
            f"valid_until {until.isoformat()} is not after valid_from {start.isoformat()}",
            vi=f"ngày hết hạn {until.isoformat()} không sau ngày bắt đầu {start.isoformat()}",
        )
    if (until - start).days > MAX_YEARS * 366:
        raise InvalidInputError(
            f"an agreement lasts at most {MAX_YEARS} years; renew it when it ends",
            vi=f"một thỏa thuận kéo dài nhiều nhất {MAX_YEARS} năm; hãy gia hạn khi nó hết hạn",
        )
    return SharingAgreement(
        name=name,
        dataset=entity.id,
        fields=fields,
        grantee_role=role,
        grantee_unit=unit,
        purpose=purpose[:2000],
        valid_from=start,
        valid_until=until,
    )


def create(
    session: Session, principal: Principal, data: AgreementIn, client: str | None
) -> SharingAgreement:
    agreement = check(session, data)
    if session.scalar(select(SharingAgreement.id).where(SharingAgreement.name == agreement.name)):
        raise ConflictError(
            f"agreement {agreement.name} exists already; choose another name",
            vi=f"thỏa thuận {agreement.name} đã có; hãy chọn tên khác",
        )
    agreement.created_by = principal.username
    session.add(agreement)
    session.flush()
    access_changed()
    audit(
        session,
        "sharing.grant",
        "ok",
        user=principal,
        target=agreement.name,
        detail={
            "dataset": agreement.dataset,
            "fields": agreement.fields,
            "role": agreement.grantee_role,
            "unit": agreement.grantee_unit,
            "until": agreement.valid_until.isoformat(),
        },
        client=client,
    )
    return agreement


def get(session: Session, name: str) -> SharingAgreement:
    found = session.scalar(select(SharingAgreement).where(SharingAgreement.name == name))
    if found is None:
        raise NotFoundError(f"no agreement {name!r}; GET /api/sharing-agreements lists them")
    return found


def revoke(
    session: Session, principal: Principal, name: str, client: str | None
) -> SharingAgreement:
    agreement = get(session, name)
    if agreement.revoked_at is not None:
        raise ConflictError(
            f"agreement {name} was revoked already by {agreement.revoked_by} at "
            f"{as_utc(agreement.revoked_at).isoformat()}"
        )
    agreement.revoked_at = utcnow()
    agreement.revoked_by = principal.username
    access_changed()
    audit(session, "sharing.revoke", "ok", user=principal, target=name, client=client)
    return agreement


def state(agreement: SharingAgreement, now: datetime | None = None) -> str:
    moment = now or utcnow()
    if agreement.revoked_at is not None:
        return "revoked"
    if as_utc(agreement.valid_from) > moment:
        return "pending"
    if as_utc(agreement.valid_until) <= moment:
        return "expired"
    return "active"


def listing(session: Session) -> list[SharingAgreement]:
    return list(
        session.scalars(
            select(SharingAgreement).order_by(SharingAgreement.dataset, SharingAgreement.name)
        )
    )
