"""Process tracking: templates checked on load and save, a run of the shipped inspection of
Lào Cai's civil-servant recruitment walked step by step by the units that hold the steps,
out-of-order completion refused, late steps found and reminded at most once a day, and each
user seeing the runs of their scope. On SQLite and on PostgreSQL."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from noivu_ioc.access.users import Principal, create_user, get_user, principal_of
from noivu_ioc.errors import ConflictError, InvalidInputError, NotAllowedError
from noivu_ioc.operations import processes as svc
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import Event, Notification, ProcessRun, utcnow
from noivu_ioc.units import admin
from noivu_ioc.units.org import seed_org_units

INSPECTION = "thanh-tra-tuyen-dung-cong-chuc"
LAO_CAI_COMMUNE = admin.communes_of("15")[0].code

# username: (role, unit)
PEOPLE = {
    "lanhdao": ("leader", "BNV"),
    "thanhtra": ("operator", "BNV.TTr"),
    "vanhanh": ("operator", "BNV.TTTT"),
    "quantri": ("administrator", "BNV.TTTT"),
    "sonv.laocai": ("provincial_officer", "SNV.15"),
    "sonv.hanoi": ("provincial_officer", "SNV.01"),
}


@pytest.fixture
def world(store: OpStore) -> OpStore:
    """The org units, one user per part in an inspection, and the shipped templates."""
    with store.session() as session:
        seed_org_units(session)
        for username, (role, unit) in PEOPLE.items():
            create_user(
                session,
                username=username,
                full_name=username,
                password="process-test-2026",
                roles=[role],
                units=[unit],
            )
        assert svc.seed_templates(session) == 1
    return store


def who(store: OpStore, username: str) -> Principal:
    with store.session() as session:
        return principal_of(get_user(session, username))


def start(store: OpStore, username: str = "lanhdao", **kw: Any) -> int:
    kw.setdefault("template", INSPECTION)
    kw.setdefault("subject", "SNV.15")
    with store.session() as session:
        return svc.start_run(session, who(store, username), **kw).id


def complete(store: OpStore, username: str, run_id: int, position: int, note: str = "") -> None:
    with store.session() as session:
        svc.complete_step(session, who(store, username), run_id, position, note)


def steps(store: OpStore, run_id: int) -> list[tuple[str, str, str]]:
    with store.session() as session:
        run = session.get(ProcessRun, run_id)
        assert run is not None
        return [(s.key, s.unit_code, s.state) for s in run.steps]


def events_of(store: OpStore, kind: str, subject: str) -> list[Event]:
    with store.session() as session:
        found = session.scalars(
            select(Event).where(Event.kind == kind, Event.subject == subject).order_by(Event.id)
        )
        return list(found)


# -- templates ------------------------------------------------------------------------------


def test_the_shipped_inspection_runs_from_the_decision_to_the_follow_up() -> None:
    [inspection] = svc.load_library()
    assert inspection["slug"] == INSPECTION
    assert inspection["title_vi"] == "Thanh tra công tác tuyển dụng, sử dụng công chức"
    keys = [s["key"] for s in inspection["steps"]]
    assert keys[0] == "decision" and keys[-1] == "close"
    assert {"announce", "records", "verify", "conclusion", "publish", "remedy"} <= set(keys)
    assert {s["holder"] for s in inspection["steps"]} == {"inspector", "subject"}
    assert all(s["days"] >= 1 for s in inspection["steps"])


def _good() -> dict[str, Any]:
    return copy.deepcopy(svc.load_library()[0])


def _with_step(**changes: Any) -> dict[str, Any]:
    definition = _good()
    definition["steps"][1].update(changes)
    return definition


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        (_with_step(role="inspektor"), "step 2 (announce): role 'inspektor' is not a role"),
        (_with_step(holder="BNV.XYZ"), "step 2 (announce): holder 'BNV.XYZ' is not known"),
        (_with_step(holder="SNV.99"), "holder 'SNV.99' is not known"),
        (_with_step(days=0), "step 2 (announce): days 0 must be a whole number from 1"),
        (_with_step(days=True), "days True must be a whole number"),
        (_with_step(days="15"), "days '15' must be a whole number"),
        (_with_step(key="decision"), "key 'decision' is used by an earlier step"),
        (_with_step(key="Công bố"), "key 'Công bố' is not valid"),
        (_with_step(title_en=""), "step 2 (announce): title_en is missing"),
        (_with_step(owner="BNV"), "unknown field(s) owner"),
        ({**_good(), "steps": []}, "needs at least one step"),
        ({**_good(), "slug": "Thanh tra"}, "slug 'Thanh tra' is not valid"),
        ({**_good(), "title_vi": " "}, "template: title_vi is missing"),
        ("steps", "a process template is a table"),
    ],
)
def test_a_bad_definition_is_refused_with_what_is_wrong(
    definition: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidInputError) as refused:
        svc.check_template(definition)
    assert message in refused.value.message


def test_every_problem_is_named_at_once() -> None:
    definition = _with_step(role="thanh_tra_vien", days=-3)
    definition["steps"][3]["holder"] = "đoàn thanh tra"
    with pytest.raises(InvalidInputError) as refused:
        svc.check_template(definition)
    text = refused.value.message
    assert text.startswith(f"process template {INSPECTION}: ")
    assert "role 'thanh_tra_vien'" in text and "days -3" in text
    assert "step 4 (verify): holder 'đoàn thanh tra'" in text


def test_templates_are_seeded_once_and_saved_checked(world: OpStore) -> None:
    with world.session() as session:
        assert svc.seed_templates(session) == 0
        with pytest.raises(ConflictError, match="exists already"):
            svc.create_template(session, _good(), "vanhanh")
        with pytest.raises(InvalidInputError, match="days 400"):
            svc.create_template(session, {**_with_step(days=400), "slug": "x-y"}, "vanhanh")
        fixed = {**_with_step(holder="BNV.CCVC"), "slug": "kiem-tra-ccvc"}
        made = svc.create_template(session, fixed, "vanhanh")
        assert made.steps[1]["holder"] == "BNV.CCVC"
        assert [t.slug for t in svc.list_templates(session)] == ["kiem-tra-ccvc", INSPECTION]


# -- a run ----------------------------------------------------------------------------------


def test_an_inspection_of_lao_cai_is_done_step_by_step_by_the_units_that_hold_them(
    world: OpStore,
) -> None:
    run_id = start(world, title="Thanh tra tuyển dụng công chức tỉnh Lào Cai năm 2026")
    holders = steps(world, run_id)
    assert holders[0] == ("decision", "BNV.TTr", "active")
    assert {u for k, u, _ in holders if k in ("records", "remedy")} == {"SNV.15"}
    assert all(state == "pending" for _, _, state in holders[1:])
    with world.session() as session:
        run = session.get(ProcessRun, run_id)
        assert run is not None and run.admin_code == "15" and run.started_by == "lanhdao"
        first = run.steps[0]
        assert first.started_at is not None and first.due_at is not None
        assert first.due_at - first.started_at == timedelta(days=10)
    [started] = events_of(world, "process.started", f"process:{run_id}")
    assert started.admin_code == "15" and started.payload is not None
    assert started.payload["inspector"] == "BNV.TTr"

    # The operator of the Information Centre does not act for the inspectorate.
    with pytest.raises(NotAllowedError, match=r"held by BNV\.TTr.*your units are BNV\.TTTT"):
        complete(world, "vanhanh", run_id, 1)
    # The ministry's leader acts for every unit through the chain up to BNV.
    complete(world, "lanhdao", run_id, 1, "Quyết định số 12/QĐ-TTr")
    with world.session() as session:
        run = session.get(ProcessRun, run_id)
        assert run is not None
        decided, announce = run.steps[0], run.steps[1]
        assert decided.done_by == "lanhdao" and decided.note == "Quyết định số 12/QĐ-TTr"
        assert announce.state == "active" and announce.due_at is not None
        assert announce.started_at is not None and decided.done_at == announce.started_at
        assert announce.due_at - announce.started_at == timedelta(days=15)

    with pytest.raises(NotAllowedError, match=r"held by BNV\.TTr"):
        complete(world, "vanhanh", run_id, 2)
    # An administrator skips the role, never the unit.
    with pytest.raises(NotAllowedError, match=r"held by BNV\.TTr"):
        complete(world, "quantri", run_id, 2)
    complete(world, "thanhtra", run_id, 2)

    # The subject's step: Hà Nội does not even see the run, the ministry's leader lacks the role.
    with pytest.raises(NotAllowedError, match=r"concerns SNV\.15, outside your scope"):
        complete(world, "sonv.hanoi", run_id, 3)
    with pytest.raises(NotAllowedError, match="for the role provincial_officer"):
        complete(world, "lanhdao", run_id, 3)
    complete(world, "sonv.laocai", run_id, 3, "Đã gửi 48 hồ sơ tuyển dụng")

    with pytest.raises(ConflictError, match=r"step 8 .* is not active yet; the active step is 4"):
        complete(world, "sonv.laocai", run_id, 8)
    with pytest.raises(ConflictError, match=r"step 3 .* is done already"):
        complete(world, "sonv.laocai", run_id, 3)

    doer = {"leader": "lanhdao", "operator": "thanhtra", "provincial_officer": "sonv.laocai"}
    with world.session() as session:
        roles = [s.role for s in session.get_one(ProcessRun, run_id).steps]
    for position in range(4, len(roles) + 1):
        complete(world, doer[roles[position - 1]], run_id, position)

    assert all(state == "done" for _, _, state in steps(world, run_id))
    with world.session() as session:
        run = session.get_one(ProcessRun, run_id)
        assert run.state == "done" and run.done_at is not None
    assert len(events_of(world, "process.step_done", f"process:{run_id}")) == len(roles)
    assert len(events_of(world, "process.done", f"process:{run_id}")) == 1
    with pytest.raises(ConflictError, match="is done already"):
        complete(world, "lanhdao", run_id, 1)


def test_a_unit_acts_for_the_steps_it_inspects(world: OpStore) -> None:
    run_id = start(world, inspector="BNV.TTTT")
    complete(world, "lanhdao", run_id, 1)
    complete(world, "vanhanh", run_id, 2)
    assert steps(world, run_id)[1] == ("announce", "BNV.TTTT", "done")


def test_the_holder_units_must_be_in_the_starters_scope(world: OpStore) -> None:
    with pytest.raises(NotAllowedError, match=r"BNV\.TTr .* is outside your scope"):
        start(world, "sonv.laocai")
    with pytest.raises(NotAllowedError, match=r"SNV\.01 .* is outside your scope"):
        start(world, "sonv.laocai", subject="SNV.01", inspector="SNV.15")
    # A province inspects its own commune.
    run_id = start(world, "sonv.laocai", subject=LAO_CAI_COMMUNE, inspector="SNV.15")
    assert steps(world, run_id)[2] == ("records", f"UBX.{LAO_CAI_COMMUNE}", "pending")
    with pytest.raises(InvalidInputError, match="process template 'khong-co' does not exist"):
        start(world, template="khong-co")
    with pytest.raises(InvalidInputError, match=r"'SNV\.99' does not exist"):
        start(world, subject="SNV.99")


def test_each_user_sees_the_runs_of_their_scope_and_of_the_steps_they_hold(
    world: OpStore,
) -> None:
    lao_cai = start(world)
    commune = start(world, subject=LAO_CAI_COMMUNE)
    with world.session() as session:
        held = {**_with_step(holder="SNV.15"), "slug": "doi-chieu-lao-cai"}
        svc.create_template(session, held, "vanhanh")
    ha_noi_held_by_lao_cai = start(world, template="doi-chieu-lao-cai", subject="SNV.01")
    ha_noi = start(world, subject="SNV.01")

    def seen(username: str) -> set[int]:
        with world.session() as session:
            principal = who(world, username)
            found = {r.id for r in svc.list_runs(session, principal, "all")}
            for run_id in (lao_cai, commune, ha_noi_held_by_lao_cai, ha_noi):
                run = session.get_one(ProcessRun, run_id)
                assert svc.sees(principal, run) == (run_id in found), (username, run_id)
            return found

    assert seen("sonv.laocai") == {lao_cai, commune, ha_noi_held_by_lao_cai}
    assert seen("sonv.hanoi") == {ha_noi, ha_noi_held_by_lao_cai}
    assert seen("vanhanh") == {lao_cai, commune, ha_noi_held_by_lao_cai, ha_noi}
    with world.session() as session, pytest.raises(NotAllowedError, match="outside your scope"):
        svc.get_run(session, who(world, "sonv.hanoi"), lao_cai)
    with world.session() as session:
        principal = who(world, "lanhdao")
        assert {r.id for r in svc.list_runs(session, principal, "done")} == set()
        assert len(svc.list_runs(session, principal, "running", template=INSPECTION)) == 3


# -- late steps -----------------------------------------------------------------------------


def test_a_step_past_its_due_date_is_late_by_whole_days(world: OpStore) -> None:
    now = utcnow()
    late_run = start(world, now=now - timedelta(days=13, hours=2))  # due 3 days 2 h ago
    on_time = start(world, now=now - timedelta(days=9))
    with world.session() as session:
        late_step = session.get_one(ProcessRun, late_run).steps[0]
        assert svc.lateness(late_step, now) == svc.Lateness(True, 3)
        assert svc.lateness(late_step, now - timedelta(days=3, hours=1)) == svc.Lateness(True, 1)
        fresh = session.get_one(ProcessRun, on_time).steps[0]
        assert svc.lateness(fresh, now) == svc.Lateness(False, 0)
        pending = session.get_one(ProcessRun, late_run).steps[1]
        assert svc.lateness(pending, now) == svc.Lateness(False, 0)
        principal = who(world, "lanhdao")
        assert [r.id for r in svc.list_runs(session, principal, late_only=True)] == [late_run]

    # Done late, it stays late by the days it took beyond its deadline.
    complete(world, "lanhdao", late_run, 1)
    with world.session() as session:
        done = session.get_one(ProcessRun, late_run).steps[0]
        assert svc.lateness(done, now + timedelta(days=30)) == svc.Lateness(True, 3)
    [event] = events_of(world, "process.step_done", f"process:{late_run}")
    assert event.payload is not None and event.payload["days_late"] == 3


def test_late_steps_are_reminded_to_their_holder_at_most_once_a_day(world: OpStore) -> None:
    now = utcnow()
    late_run = start(world, now=now - timedelta(days=12))
    start(world, now=now - timedelta(days=1))  # on time: never reminded
    subject = f"process:{late_run}/step:1"

    def notes() -> int:
        with world.session() as session:
            thanhtra = get_user(session, "thanhtra").id
            return int(
                session.scalar(
                    select(func.count())
                    .select_from(Notification)
                    .where(Notification.user_id == thanhtra, Notification.kind == svc.LATE_EVENT)
                )
                or 0
            )

    with world.session() as session:
        assert svc.remind_late(session, now) == 1
    with world.session() as session:
        assert svc.remind_late(session, now) == 0
        assert svc.remind_late(session, now + timedelta(hours=23)) == 0
    [event] = events_of(world, svc.LATE_EVENT, subject)
    assert event.admin_code == "15" and event.severity == "warning"
    assert event.payload is not None and event.payload["days_late"] == 2
    assert notes() == 1

    with world.session() as session:
        assert svc.remind_late(session, now + timedelta(days=1, minutes=1)) == 1
    assert len(events_of(world, svc.LATE_EVENT, subject)) == 2
    assert notes() == 2

    # Done, the step is not late any more.
    complete(world, "lanhdao", late_run, 1)
    with world.session() as session:
        assert svc.remind_late(session, now + timedelta(days=5)) == 0
