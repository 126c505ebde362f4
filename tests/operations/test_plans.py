"""Emergency plans: the shipped library is valid; one activation creates the run, its incident
and every unit's task at once with their deadlines; a drill is marked everywhere; a province
activates for itself only and sees only its own tasks of a nationwide run; bad plans are
refused naming what is wrong; the command view counts progress and lateness. On SQLite and
PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from noivu_ioc.access.users import Principal, get_user, principal_of
from noivu_ioc.errors import ConflictError, InvalidInputError, NotAllowedError
from noivu_ioc.operations import incidents, plans
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import Event, Incident, Plan, PlanRun, Task, as_utc
from noivu_ioc.units import admin
from noivu_ioc.units.org import seed_org_units

PROVINCES = 34


def _who(session: Session, username: str) -> Principal:
    return principal_of(get_user(session, username))


def _plan(**changes: Any) -> dict[str, Any]:
    """A plan with a unique slug: two central tasks and one for the provinces."""
    raw: dict[str, Any] = {
        "slug": f"test-{uuid.uuid4().hex[:10]}",
        "title_vi": "Diễn tập ứng phó bão số 3",
        "title_en": "Typhoon 3 response",
        "hazard": "storm_flood",
        "severity": "critical",
        "description": "Phương án thử nghiệm.",
        "tasks": [
            {"unit": "BNV.VP", "title_vi": "Lập trực ban", "title_en": "Start duty", "hours": 2},
            {
                "unit": "SNV.*",
                "title_vi": "Báo cáo thiệt hại trụ sở",
                "title_en": "Report damage to offices",
                "hours": 24,
                "resources": "Mẫu báo cáo nhanh",
            },
            {
                "unit": "BNV.CTTN",
                "title_vi": "Huy động thanh niên tình nguyện",
                "title_en": "Mobilise youth volunteers",
                "hours": 12,
            },
        ],
    }
    raw.update(changes)
    return raw


def _create(store: OpStore, **changes: Any) -> str:
    with store.session() as session:
        return plans.create_plan(session, _who(session, "vanhanh"), _plan(**changes)).slug


def _activate(store: OpStore, username: str, slug: str, **options: Any) -> int:
    with store.session() as session:
        options.setdefault("drill", False)
        return plans.activate(session, _who(session, username), slug, **options).id


def _events_of(session: Session, incident_id: int, kind: str) -> list[Event]:
    rows = session.scalars(select(Event).where(Event.kind == kind).order_by(Event.id))
    return [e for e in rows if (e.payload or {}).get("incident_id") == incident_id]


def test_the_library_ships_three_plans_that_check_and_seed_once(store: OpStore) -> None:
    shipped = plans.load_library()
    assert {p.slug for p in shipped} == {"bao-lu", "mat-csdl-can-bo", "le-hoi-ton-giao"}
    assert all(p.tasks and all(t.hours >= 1 for t in p.tasks) for p in shipped)
    festival = next(p for p in shipped if p.slug == "le-hoi-ton-giao")
    assert festival.needs_area and {t.unit for t in festival.tasks} >= {"BNV.BTGCP", "UBX.*"}
    storm = next(p for p in shipped if p.slug == "bao-lu")
    assert {"BNV.CTTN", "SNV.*"} <= {t.unit for t in storm.tasks} and not storm.needs_area

    with store.session() as session:
        seed_org_units(session)
        assert plans.seed_plans(session) == 3
    with store.session() as session:
        assert plans.seed_plans(session) == 0  # kept as they are
        assert session.scalar(select(func.count()).select_from(Plan)) == 3


def test_nationwide_activation_creates_every_task_at_once_with_its_deadline(
    demo_store: OpStore,
) -> None:
    slug = _create(demo_store)
    run_id = _activate(demo_store, "vanhanh", slug, note="Bão đổ bộ Bắc Bộ")

    with demo_store.session() as session:
        run = session.get(PlanRun, run_id)
        assert run is not None and run.state == "active" and run.admin_code is None
        incident = session.get(Incident, run.incident_id)
        assert incident is not None
        assert (incident.origin, incident.plan_run_id, incident.drill) == ("plan", run_id, False)
        assert incident.severity == "critical" and "Bão đổ bộ Bắc Bộ" in incident.description
        tasks = list(session.scalars(select(Task).where(Task.incident_id == incident.id)))
        provincial = [t for t in tasks if t.unit_code.startswith("SNV.")]
        central = sorted(t.unit_code for t in tasks if t.unit_code.startswith("BNV."))
        assert len(provincial) == PROVINCES and len({t.unit_code for t in provincial}) == PROVINCES
        assert central == ["BNV.CTTN", "BNV.VP"]
        activated = as_utc(run.activated_at)
        hours = {"BNV.VP": 2, "BNV.CTTN": 12}
        for task in tasks:
            assert task.due_at is not None
            want = hours.get(task.unit_code, 24)
            assert as_utc(task.due_at) - activated == timedelta(hours=want), task.unit_code
            assert task.state == "open" and task.assigned_by == "vanhanh"
        hanoi = next(t for t in provincial if t.unit_code == "SNV.01")
        assert hanoi.admin_code == "01" and hanoi.resources == "Mẫu báo cáo nhanh"

        activated_events = [
            e
            for e in session.scalars(select(Event).where(Event.kind == "plan.activated"))
            if e.subject == f"plan_run:{run_id}"
        ]
        assert len(activated_events) == 1
        event = activated_events[0]
        assert event.severity == "critical" and event.admin_code is None
        assert event.payload is not None and event.payload["tasks"] == PROVINCES + 2
        assert not event.message.startswith("[DIỄN TẬP]")
        assert len(_events_of(session, incident.id, "task.assigned")) == PROVINCES + 2

        view = plans.run_view(session, _who(session, "vanhanh"), run_id)
        assert view.totals.total == PROVINCES + 2 and view.totals.not_started == PROVINCES + 2
        assert view.url == f"/plans/runs/{run_id}" and not view.partial and not view.left_out
        youth = next(u for u in view.units if u.unit == "BNV.CTTN")
        assert youth.title_en == "Mobilise youth volunteers" and youth.state == "not_started"


def test_a_drill_is_marked_on_the_run_the_incident_and_every_event(demo_store: OpStore) -> None:
    slug = _create(demo_store)
    run_id = _activate(demo_store, "lanhdao", slug, drill=True)
    with demo_store.session() as session:
        run = session.get(PlanRun, run_id)
        assert run is not None and run.drill
        incident = session.get(Incident, run.incident_id)
        assert incident is not None and incident.drill
        marked = [
            *_events_of(session, incident.id, "incident.opened"),
            *_events_of(session, incident.id, "task.assigned"),
            *[
                e
                for e in session.scalars(select(Event).where(Event.kind == "plan.activated"))
                if e.subject == f"plan_run:{run_id}"
            ],
        ]
        assert len(marked) == 1 + PROVINCES + 2 + 1
        assert all(e.message.startswith("[DIỄN TẬP]") for e in marked)
        assert marked[-1].payload is not None and marked[-1].payload["drill"] is True
        assert plans.run_view(session, _who(session, "lanhdao"), run_id).drill


def test_a_province_activates_for_itself_only(demo_store: OpStore) -> None:
    slug = _create(
        demo_store,
        tasks=[
            *_plan()["tasks"],
            {
                "unit": "UBX.*",
                "title_vi": "Báo cáo của xã",
                "title_en": "Commune report",
                "hours": 6,
            },
        ],
    )
    run_id = _activate(demo_store, "sonv.laocai", slug, drill=True, area="15")
    with demo_store.session() as session:
        view = plans.run_view(session, _who(session, "sonv.laocai"), run_id)
        assert view.area == "15" and view.area_name == admin.unit("15").name
        codes = [u.unit for u in view.units]
        communes = [c for c in codes if c.startswith("UBX.")]
        assert codes[0] == "SNV.15" and len(communes) == len(admin.communes_of("15"))
        assert {c[4:] for c in communes} == {c.code for c in admin.communes_of("15")}
        # the ministry's departments are outside a province's scope: left out, and named
        assert {(x.unit, x.reason) for x in view.left_out} == {
            ("BNV.VP", "outside_scope"),
            ("BNV.CTTN", "outside_scope"),
        }

    with pytest.raises(NotAllowedError, match="province 01 is outside your scope"):
        _activate(demo_store, "sonv.laocai", slug, area="01")
    with pytest.raises(NotAllowedError, match="nationwide needs a national scope"):
        _activate(demo_store, "sonv.laocai", slug)
    with pytest.raises(InvalidInputError, match="area '99' is not a province code"):
        _activate(demo_store, "vanhanh", slug, area="99")
    with pytest.raises(InvalidInputError, match=r"UBX\.\* .*activate it for a province"):
        _activate(demo_store, "vanhanh", slug)
    with demo_store.session() as session:
        plan_id = session.scalar(select(Plan.id).where(Plan.slug == slug))
        runs = session.scalar(
            select(func.count()).select_from(PlanRun).where(PlanRun.plan_id == plan_id)
        )
        assert runs == 1  # the refused activations wrote nothing


def test_a_national_activation_for_an_area_keeps_the_central_tasks(demo_store: OpStore) -> None:
    slug = _create(
        demo_store,
        tasks=[
            *_plan()["tasks"],
            {"unit": "SNV.01", "title_vi": "Hỗ trợ", "title_en": "Support", "hours": 3},
        ],
    )
    run_id = _activate(demo_store, "vanhanh", slug, area="15")
    with demo_store.session() as session:
        view = plans.run_view(session, _who(session, "vanhanh"), run_id)
        assert sorted(u.unit for u in view.units) == ["BNV.CTTN", "BNV.VP", "SNV.15"]
        assert [(x.unit, x.reason) for x in view.left_out] == [("SNV.01", "outside_area")]


def test_a_province_sees_only_its_own_tasks_of_a_nationwide_run(demo_store: OpStore) -> None:
    slug = _create(demo_store)
    run_id = _activate(demo_store, "vanhanh", slug)
    with demo_store.session() as session:
        laocai = _who(session, "sonv.laocai")
        view = plans.run_view(session, laocai, run_id)
        assert [u.unit for u in view.units] == ["SNV.15"] and view.partial
        assert view.totals.total == 1 and view.left_out == []
        listed = [r for r in plans.list_runs(session, laocai, "active") if r.id == run_id]
        assert len(listed) == 1 and listed[0].totals.total == 1
        hanoi = plans.run_view(session, _who(session, "sonv.hanoi"), run_id)
        assert [u.unit for u in hanoi.units] == ["SNV.01"]

    area_run = _activate(demo_store, "vanhanh", slug, area="15")
    with demo_store.session() as session:
        with pytest.raises(NotAllowedError, match=f"plan run {area_run} holds no task"):
            plans.run_view(session, _who(session, "sonv.hanoi"), area_run)
        hanoi_runs = {r.id for r in plans.list_runs(session, _who(session, "sonv.hanoi"), "all")}
        assert run_id in hanoi_runs and area_run not in hanoi_runs


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"unit": "BNV.KHONGCO"}, "task 1: organisational unit 'BNV.KHONGCO' does not exist"),
        ({"unit": "SNV.99"}, "'SNV.99' does not exist"),
        ({"unit": "XYZ.*"}, "unit group 'XYZ.*' is not known"),
        ({"hours": 0}, r"task 1 \(BNV.VP\): hours 0 is out of range"),
        ({"hours": "2"}, "hours must be a whole number"),
        ({"title_vi": "  "}, "task 1: title_vi is missing"),
        ({"title_en": None}, "task 1: title_en is missing"),
        ({"owner": "x"}, "task 1: unknown field owner"),
    ],
)
def test_a_bad_task_is_refused_naming_what_is_wrong(
    demo_store: OpStore, change: dict[str, Any], message: str
) -> None:
    raw = _plan()
    raw["tasks"][0] = {**raw["tasks"][0], **change}
    with demo_store.session() as session, pytest.raises(InvalidInputError, match=message):
        plans.create_plan(session, _who(session, "vanhanh"), raw)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"slug": "Bão Lũ"}, "plan slug 'Bão Lũ' is not valid"),
        ({"hazard": "volcano"}, "hazard 'volcano' must be one of"),
        ({"severity": "huge"}, "severity 'huge' must be one of"),
        ({"title_vi": ""}, "title_vi is missing"),
        ({"tasks": []}, "needs at least one task"),
    ],
)
def test_a_bad_plan_is_refused_naming_what_is_wrong(
    demo_store: OpStore, change: dict[str, Any], message: str
) -> None:
    with demo_store.session() as session, pytest.raises(InvalidInputError, match=message):
        plans.create_plan(session, _who(session, "vanhanh"), _plan(**change))


def test_plans_are_updated_in_place_and_slugs_stay_unique(demo_store: OpStore) -> None:
    slug = _create(demo_store)
    with demo_store.session() as session:
        manager = _who(session, "vanhanh")
        with pytest.raises(ConflictError, match=f"plan {slug} already exists"):
            plans.create_plan(session, manager, _plan(slug=slug))
        raw = _plan(severity="major")
        raw.pop("slug")
        plans.update_plan(session, manager, slug, raw)
        with pytest.raises(InvalidInputError, match="a plan's slug does not change"):
            plans.update_plan(session, manager, slug, _plan(slug="khac"))
    with demo_store.session() as session:
        assert plans.get_plan(session, slug).severity == "major"


def test_the_command_view_counts_progress_lateness_and_comments(demo_store: OpStore) -> None:
    slug = _create(demo_store)
    run_id = _activate(demo_store, "vanhanh", slug, drill=True)
    with demo_store.session() as session:
        run = session.get(PlanRun, run_id)
        assert run is not None
        tasks = {
            t.unit_code: t
            for t in session.scalars(select(Task).where(Task.incident_id == run.incident_id))
        }
        laocai = _who(session, "sonv.laocai")
        incidents.comment_task(
            session, laocai, tasks["SNV.15"], body="Đã di dời hồ sơ lưu trữ", progress=40
        )
        incidents.update_task(session, _who(session, "vanhanh"), tasks["BNV.VP"], progress=100)
        tasks["SNV.01"].due_at = as_utc(run.activated_at) - timedelta(minutes=5)

    with demo_store.session() as session:
        view = plans.run_view(session, _who(session, "lanhdao"), run_id)
        totals = view.totals
        assert (totals.done, totals.in_progress, totals.overdue) == (1, 1, 1)
        assert totals.not_started == PROVINCES + 2 - 2
        assert totals.progress == round((100 + 40) / (PROVINCES + 2))
        by_unit = {u.unit: u for u in view.units}
        assert by_unit["SNV.15"].state == "in_progress" and by_unit["SNV.15"].progress == 40
        assert by_unit["SNV.15"].last_comment is not None
        assert by_unit["SNV.15"].last_comment.body == "Đã di dời hồ sơ lưu trữ"
        assert by_unit["SNV.01"].overdue and not by_unit["BNV.VP"].overdue
        assert by_unit["BNV.VP"].state == "done" and by_unit["BNV.VP"].done_at is not None
        assert view.comments[0].unit == "SNV.15" and view.comments[0].author == "sonv.laocai"


def test_closing_a_run_closes_its_incident_and_cancels_what_is_open(demo_store: OpStore) -> None:
    slug = _create(demo_store)
    run_id = _activate(demo_store, "vanhanh", slug, drill=True)
    with demo_store.session() as session, pytest.raises(NotAllowedError):
        plans.close_run(session, _who(session, "sonv.laocai"), run_id, "Xong")
    with demo_store.session() as session:
        plans.close_run(session, _who(session, "lanhdao"), run_id, "Các đơn vị phản ứng kịp thời")
    with demo_store.session() as session:
        run = session.get(PlanRun, run_id)
        assert run is not None and run.state == "closed" and run.closed_at is not None
        incident = session.get(Incident, run.incident_id)
        assert incident is not None and incident.state == "closed"
        assert incident.evaluation == "Các đơn vị phản ứng kịp thời"
        states = set(session.scalars(select(Task.state).where(Task.incident_id == incident.id)))
        assert states == {"cancelled"}
        closed = [
            e
            for e in session.scalars(select(Event).where(Event.kind == "plan.closed"))
            if e.subject == f"plan_run:{run_id}"
        ]
        assert len(closed) == 1 and closed[0].message.startswith("[DIỄN TẬP]")
        assert run_id not in {r.id for r in plans.list_runs(session, _who(session, "lanhdao"))}
        with pytest.raises(ConflictError, match="already closed"):
            plans.close_run(session, _who(session, "lanhdao"), run_id, "lại")
