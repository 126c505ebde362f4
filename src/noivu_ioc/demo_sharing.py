"""The data-sharing agreements the demo starts with, so that the records pages show both
sides of the rule: what a grant opens, and what stays masked without one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from noivu_ioc.access.sharing import AgreementIn, check
from noivu_ioc.store.models import SharingAgreement, utcnow

LEGAL = "Nghị định 13/2023/NĐ-CP về bảo vệ dữ liệu cá nhân"


def _agreements(now: datetime) -> list[AgreementIn]:
    return [
        AgreementIn(
            name="sonv-ho-so-can-bo-tinh",
            dataset="person",
            fields=["full_name", "sex", "birth_date", "hometown_province", "military_service"],
            grantee_role="provincial_officer",
            purpose="Quản lý hồ sơ cán bộ, công chức, viên chức thuộc tỉnh theo phân cấp "
            f"quản lý ({LEGAL})",
            valid_from=now - timedelta(days=30),
            valid_until=now + timedelta(days=335),
        ),
        AgreementIn(
            name="thanh-tra-doi-chieu-tuyen-dung",
            dataset="person",
            fields=["full_name", "birth_date", "citizen_id"],
            grantee_unit="BNV.TTr",
            purpose="Thanh tra công tác tuyển dụng, sử dụng công chức: đối chiếu hồ sơ người "
            "được tuyển dụng",
            valid_from=now - timedelta(days=45),
            valid_until=now + timedelta(days=45),
        ),
        AgreementIn(
            name="phan-tich-co-cau-doi-ngu",
            dataset="person",
            fields=["sex", "birth_date", "ethnicity"],
            grantee_role="analyst",
            grantee_unit="BNV.TCBC",
            purpose="Phân tích cơ cấu đội ngũ theo giới tính, độ tuổi và dân tộc phục vụ xây "
            "dựng chính sách cán bộ",
            valid_from=now - timedelta(days=10),
            valid_until=now + timedelta(days=170),
        ),
        AgreementIn(
            name="phan-tich-co-cau-can-bo-cap-xa",
            dataset="commune_official",
            fields=["sex", "birth_year", "ethnicity", "education_level"],
            grantee_role="analyst",
            grantee_unit="BNV.TCBC",
            purpose="Phân tích cơ cấu cán bộ, công chức cấp xã sau sắp xếp đơn vị hành chính "
            "(giới tính, độ tuổi, dân tộc, trình độ) phục vụ xây dựng chính sách",
            valid_from=now - timedelta(days=10),
            valid_until=now + timedelta(days=170),
        ),
        AgreementIn(
            name="kiem-ke-du-lieu-2025",
            dataset="person",
            fields=["*"],
            grantee_role="data_steward",
            grantee_unit="BNV",
            purpose="Kiểm kê, làm sạch dữ liệu hồ sơ trước khi hợp nhất tỉnh (đã kết thúc)",
            valid_from=datetime(2025, 5, 1, tzinfo=UTC),
            valid_until=datetime(2025, 9, 30, tzinfo=UTC),
        ),
    ]


def prepare_sharing(session: Session) -> int:
    """Add the demo's agreements that are not there yet; returns how many were added."""
    existing = set(session.scalars(select(SharingAgreement.name)))
    added = 0
    for data in _agreements(utcnow()):
        if data.name in existing:
            continue
        agreement = check(session, data)
        agreement.created_by = "quantri"
        session.add(agreement)
        added += 1
    return added
