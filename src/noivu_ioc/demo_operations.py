"""The operations the demo starts with, so that a fresh installation shows the operating half
of the IOC at work rather than empty pages:

- alert rules a ministry would keep (retirements due and women's share per province, staff
  quotas used up, sources late against their interval, device faults, a surge of citizen
  reports, CAP warnings from other systems);
- citizen reports from Lào Cai after heavy rain, one of them an incident with tasks for two
  communes;
- a directive to all 34 provincial departments that two have acknowledged, and an older one
  whose silent units have been escalated;
- the inspection of Lào Cai's civil-servant recruitment, its fourth step late.

Everything goes through the same services as the pages and the API, as the demo users; it
is done once per store (an install fact remembers it).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from noivu_ioc.access.users import Principal, principal_of
from noivu_ioc.indicators.registry import Registry
from noivu_ioc.operations import alerts, directives, incidents, processes
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import AlertRule, InstallFact, User, utcnow

log = logging.getLogger(__name__)

DONE_FACT = "demo.operations"

RULES: tuple[dict[str, object], ...] = (
    {
        "name": "nghi-huu-5-nam-cao",
        "title_vi": "Tỷ lệ công chức đến tuổi nghỉ hưu trong 5 năm cao",
        "title_en": "High share of civil servants retiring within five years",
        "kind": "indicator",
        "severity": "major",
        "config": {
            "indicator": "personnel.retiring_5y_share",
            "condition": "above",
            "threshold": 6.5,
            "per": "province",
        },
        "escalate_after_minutes": 240,
    },
    {
        "name": "ty-le-nu-thap",
        "title_vi": "Tỷ lệ nữ cán bộ, công chức dưới 50%",
        "title_en": "Women below 50% of the staff",
        "kind": "indicator",
        "severity": "minor",
        "config": {
            "indicator": "personnel.women_share",
            "condition": "below",
            "threshold": 50,
            "per": "province",
        },
    },
    {
        "name": "su-dung-het-bien-che",
        "title_vi": "Đã sử dụng hết biên chế công chức được giao",
        "title_en": "Approved civil-servant headcount used up",
        "kind": "indicator",
        "severity": "warning",
        "config": {
            "indicator": "organisation.civil_servant_quota_use",
            "condition": "above",
            "threshold": 99.5,
            "per": "province",
        },
    },
    {
        "name": "nguon-du-lieu-tre-han",
        "title_vi": "Nguồn dữ liệu không cập nhật đúng hạn",
        "title_en": "Source not updated on time",
        "kind": "freshness",
        "severity": "major",
        "config": {"sources": "all", "grace_minutes": 30},
        "escalate_after_minutes": 120,
    },
    {
        "name": "thiet-bi-bao-loi",
        "title_vi": "Thiết bị tại điểm tiếp dân báo lỗi",
        "title_en": "Device at a reception point reports a fault",
        "kind": "event",
        "severity": "minor",
        "config": {"kinds": ["device"], "min_severity": "minor"},
        "escalate_after_minutes": 60,
    },
    {
        "name": "phan-anh-tang-dot-bien",
        "title_vi": "Phản ánh của người dân tăng đột biến",
        "title_en": "Surge of citizen reports",
        "kind": "event",
        "severity": "major",
        "config": {
            "kinds": ["report.citizen"],
            "min_severity": "info",
            "surge": {"count": 3, "minutes": 60, "per": "province"},
        },
        "escalate_after_minutes": 30,
    },
    {
        "name": "canh-bao-cap",
        "title_vi": "Cảnh báo từ hệ thống chuyên ngành (CAP)",
        "title_en": "Warning from a sector system (CAP)",
        "kind": "event",
        "severity": "major",
        "config": {"kinds": ["cap.alert"], "min_severity": "minor"},
        "escalate_after_minutes": 30,
    },
)

# Citizen reports taken down by the Lào Cai department after heavy rain (commune, title, text).
REPORTS: tuple[tuple[str, str, str], ...] = (
    (
        "02683",
        "Trụ sở UBND xã Bát Xát bị ngập",
        "Nước tràn vào tầng một trụ sở, kho lưu trữ hồ sơ có nguy cơ bị ướt.",
    ),
    (
        "02680",
        "Sạt lở đường vào xã Hợp Thành",
        "Đường liên thôn bị sạt lở, cán bộ xã không thể đến thôn Lùng Thàng.",
    ),
    (
        "02671",
        "Mất điện tại bộ phận một cửa phường Cam Đường",
        "Người dân không nộp được hồ sơ trực tuyến tại bộ phận một cửa.",
    ),
)


def _principal(session: Session, username: str) -> Principal:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise LookupError(f"demo user {username} is missing; run the demo set-up first")
    return principal_of(user)


def prepare_operations(store: OpStore, registry: Registry) -> bool:
    """Seed the demo's operations once, in one transaction; False when they are there
    already."""
    now = utcnow()
    with store.session() as session:
        if session.scalar(select(InstallFact.id).where(InstallFact.key == DONE_FACT)):
            return False
        for rule in RULES:
            if session.scalar(select(AlertRule.id).where(AlertRule.name == rule["name"])):
                continue
            alerts.create_rule(session, dict(rule), registry, "vanhanh")

        laocai = _principal(session, "sonv.laocai")
        reports = [
            incidents.record_field_report(
                session,
                laocai,
                admin_code=commune,
                title=title,
                text=text,
                reporter_name="Tổ công tác Sở Nội vụ",
            )
            for commune, title, text in REPORTS
        ]
        session.flush()
        incident = incidents.open_from_report(
            session,
            laocai,
            reports[0].id,
            severity="major",
            description="Mưa lớn kéo dài, nước tràn vào trụ sở UBND xã Bát Xát.",
        )
        flood = incidents.assign_task(
            session,
            laocai,
            incident,
            unit_code="UBX.02683",
            title="Di chuyển hồ sơ lưu trữ lên tầng hai, báo cáo thiệt hại",
            due_at=now + timedelta(hours=6),
            resources="Tổ lưu trữ xã, 2 xe chở tài liệu",
        )
        incidents.assign_task(
            session,
            laocai,
            incident,
            unit_code="UBX.02680",
            title="Bố trí điểm tiếp nhận hồ sơ tạm thời cho thôn bị chia cắt",
            due_at=now + timedelta(hours=24),
        )
        incidents.comment_task(
            session,
            laocai,
            flood,
            body="Đã chuyển xong 60% hồ sơ; còn hồ sơ địa chính ở kho phía sau.",
            progress=60,
        )

        leader = _principal(session, "lanhdao")
        older = directives.issue(
            session,
            leader,
            title="Rà soát tài liệu lưu trữ có nguy cơ hư hỏng do mưa lũ",
            body="Các Sở Nội vụ rà soát kho lưu trữ, báo cáo tài liệu có nguy cơ hư hỏng.",
            unit_codes=["SNV.15", "SNV.08", "SNV.04"],
            severity="major",
            ack_minutes=60,
        )
        older.issued_at = now - timedelta(hours=3)
        newer = directives.issue(
            session,
            leader,
            title="Báo cáo tiến độ sắp xếp, bố trí cán bộ cấp xã sau hợp nhất",
            body=(
                "Đề nghị Sở Nội vụ các tỉnh, thành phố báo cáo số cán bộ, công chức cấp xã "
                "đã bố trí, số dôi dư và phương án giải quyết trước 17 giờ ngày mai."
            ),
            unit_codes=["SNV.*"],
            severity="major",
            ack_minutes=120,
            report_due_at=now + timedelta(hours=30),
        )
        session.flush()
        hanoi = _principal(session, "sonv.hanoi")
        directives.acknowledge(session, newer.id, hanoi)
        directives.report(
            session,
            newer.id,
            hanoi,
            "Đã bố trí 2.140/2.198 cán bộ cấp xã; 58 người dôi dư đang làm thủ tục nghỉ chế độ.",
        )
        directives.acknowledge(session, newer.id, laocai)
        directives.acknowledge(session, older.id, laocai)

        started = now - timedelta(days=45)  # step 4 (30 days) fell due 3 days ago
        inspector = _principal(session, "thanhtra")
        run = processes.start_run(
            session,
            inspector,
            template="thanh-tra-tuyen-dung-cong-chuc",
            subject="SNV.15",
            title="Thanh tra công tác tuyển dụng, sử dụng công chức tại Sở Nội vụ Lào Cai",
            now=started,
        )
        session.flush()
        done_by = ("lanhdao", "thanhtra", "sonv.laocai")
        for position, (username, days) in enumerate(zip(done_by, (3, 5, 12), strict=True), 1):
            processes.complete_step(
                session,
                _principal(session, username),
                run.id,
                position,
                note="Hoàn thành theo kế hoạch.",
                now=started + timedelta(days=days),
            )
        session.add(InstallFact(key=DONE_FACT, value=now.isoformat()))
    log.info("seeded the demo's operations: rules, reports, an incident, directives, a process")
    return True
