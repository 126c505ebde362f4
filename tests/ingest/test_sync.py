"""Sync runs end to end through push sources, on SQLite and on PostgreSQL: the invariant
rows read = loaded + quarantined, idempotent upserts, snapshots with deletion detection,
references, duplicates, quarantine and replay, the run record and the source's events."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from noivu_ioc.ingest import sources as svc
from noivu_ioc.ingest.sync import IngestContext, run_sync
from noivu_ioc.store.models import Event, PushBatch, Source, SyncRun
from noivu_ioc.warehouse import quarantine as wq
from tests.ingest.factories import (
    ORGANISATION_MAPPING,
    WORSHIP_MAPPING,
    ingest_context,
    organisations,
    principal,
    push_records,
    push_source,
    worship_place,
)


@pytest.fixture
def ctx(tmp_path: Path, store_url: str) -> Iterator[IngestContext]:
    context = ingest_context(tmp_path, store_url)
    yield context
    context.warehouse.close()
    context.store.dispose()


@pytest.fixture
def places(ctx: IngestContext) -> int:
    """A push source of worship places whose organisations are already loaded."""
    orgs, _ = push_source(ctx, "to-chuc-ton-giao", "religious_organisation", ORGANISATION_MAPPING)
    push_records(ctx, orgs, organisations())
    assert run_sync(ctx, orgs).state == "succeeded"
    source_id, _ = push_source(ctx, "co-so-tho-tu", "worship_place", WORSHIP_MAPPING)
    return source_id


def rows(ctx: IngestContext, sql: str) -> list[dict[str, object]]:
    return ctx.warehouse.query(sql)


def test_clean_and_dirty_rows_keep_the_invariant(ctx: IngestContext, places: int) -> None:
    batch = [worship_place(n) for n in range(1, 21)]
    batch[4]["Ngày"] = "thừa"  # an unmapped extra column is reported, not fatal
    batch[5]["Mã tỉnh"] = "10"  # Lào Cai's code before 1 July 2025
    batch[6]["Tôn giáo"] = "Đạo Mẫu"  # not a recognised religion
    batch[7]["Năm xây dựng"] = "năm 1900"
    batch[8]["Mã cơ sở"] = None
    batch[9]["Tổ chức"] = "TCTG-999"  # no such organisation
    push_records(ctx, places, batch)

    run = run_sync(ctx, places, user="dulieu")

    assert run.state == "succeeded"
    assert (run.rows_read, run.rows_loaded, run.rows_quarantined) == (20, 15, 5)
    assert run.rows_read == run.rows_loaded + run.rows_quarantined
    assert run.detail is not None
    assert run.detail["bindings"]["du-lieu"]["unmapped_columns"] == ["Ngày"]
    loaded = rows(ctx, "SELECT * FROM worship_place ORDER BY worship_place_id")
    assert len(loaded) == 15
    first = loaded[0]
    assert first["worship_place_id"] == "CSTT-0001"
    assert first["religion"] == "01"  # the label "Phật giáo" became its code
    assert first["land_area_m2"] == 1234.5  # Vietnamese decimal notation
    assert first["legally_recognised"] is True
    assert first["established_year"] == 1801
    assert first["_source_id"] == places

    entries, total = wq.list_entries(ctx.warehouse, source_ids=[places])
    assert total == 5
    by_position = {e.position.rsplit(", ", 1)[1]: e for e in entries}
    assert by_position["record 6"].reasons == [
        "column `Mã tỉnh` (province_code): `10` is a province code of before 1 July 2025 "
        "(Tỉnh Lào Cai), not a current one; correct the row, or set the mapping to pre-2025 "
        "codes if the whole source uses them"
    ]
    assert "`Đạo Mẫu` is not a code of Tôn giáo (religion)" in by_position["record 7"].reasons[0]
    assert by_position["record 8"].reasons == [
        "column `Năm xây dựng` (established_year): `năm 1900` is not a whole number "
        "(expected e.g. 1234 or 1.234)"
    ]
    assert by_position["record 9"].reasons == [
        "column `Mã cơ sở` (worship_place_id): required (Mã cơ sở thờ tự), but empty"
    ]
    assert by_position["record 9"].key_text is None
    assert by_position["record 10"].raw_kind == "mapped"
    assert "`TCTG-999` is not a tổ chức tôn giáo" in by_position["record 10"].reasons[0]
    assert by_position["record 6"].raw["Mã tỉnh"] == "10"  # the source's own values are kept


def test_the_same_delivery_twice_changes_nothing(ctx: IngestContext, places: int) -> None:
    batch = [worship_place(n) for n in range(1, 11)] + [worship_place(11, **{"Mã tỉnh": "99"})]
    push_records(ctx, places, batch)
    run_sync(ctx, places)
    before = rows(ctx, "SELECT * EXCLUDE (_load_id) FROM worship_place ORDER BY 1")

    push_records(ctx, places, batch)
    again = run_sync(ctx, places)

    assert (again.rows_read, again.rows_loaded, again.rows_quarantined) == (11, 10, 1)
    assert rows(ctx, "SELECT * EXCLUDE (_load_id) FROM worship_place ORDER BY 1") == before
    assert again.detail is not None
    assert again.detail["entities"]["worship_place"] == {
        "inserted": 0,
        "updated": 10,
        "deleted": 0,
        "rejected_at_commit": 0,
    }
    # The repeated bad row supersedes its first entry instead of piling up.
    entries, _ = wq.list_entries(ctx.warehouse, source_ids=[places], status=None)
    assert sorted(e.status for e in entries) == ["pending", "superseded"]


def test_a_batch_is_loaded_once(ctx: IngestContext, places: int) -> None:
    push_records(ctx, places, [worship_place(1)])
    run_sync(ctx, places)
    second = run_sync(ctx, places)

    assert second.rows_read == 0
    with ctx.store.session() as session:
        states = session.scalars(select(PushBatch.state).where(PushBatch.source_id == places))
        assert list(states) == ["loaded"]


def test_duplicate_keys_in_one_delivery(ctx: IngestContext, places: int) -> None:
    batch = [
        worship_place(1),
        worship_place(1),  # the same row twice: loaded once
        worship_place(2),
        worship_place(2, **{"Tên cơ sở thờ tự": "Chùa khác tên"}),  # two versions: neither
        worship_place(3),
    ]
    push_records(ctx, places, batch)

    run = run_sync(ctx, places)

    assert (run.rows_read, run.rows_loaded, run.rows_quarantined) == (5, 3, 2)
    ids = [r["worship_place_id"] for r in rows(ctx, "SELECT worship_place_id FROM worship_place")]
    assert sorted(ids) == ["CSTT-0001", "CSTT-0003"]
    entries, _ = wq.list_entries(ctx.warehouse, source_ids=[places])
    assert {e.key_text for e in entries} == {"CSTT-0002"}
    assert entries[0].reasons[0].startswith("key CSTT-0002 appears 2 times with different values")
    assert "record 3; " in entries[0].reasons[0] and "record 4)" in entries[0].reasons[0]


def test_a_reference_may_arrive_in_the_same_run(ctx: IngestContext) -> None:
    """An organisation and its worship places pushed together to one source."""
    source_id, _ = push_source(ctx, "ban-ton-giao", "religious_organisation", ORGANISATION_MAPPING)
    with ctx.store.session() as session:
        svc.add_binding(
            ctx,
            session,
            principal(ctx),
            "ban-ton-giao",
            svc.BindingIn(name="co-so", entity="worship_place", mapping=WORSHIP_MAPPING),
        )
    push_records(ctx, source_id, organisations(1))
    push_records(
        ctx,
        source_id,
        [worship_place(1), worship_place(2, **{"Tổ chức": "TCTG-002"})],
        binding="co-so",
    )

    run = run_sync(ctx, source_id)

    assert (run.rows_read, run.rows_loaded, run.rows_quarantined) == (3, 2, 1)
    assert rows(ctx, "SELECT worship_place_id FROM worship_place") == [
        {"worship_place_id": "CSTT-0001"}
    ]


def test_snapshot_detects_deletions_but_not_of_rejected_rows(ctx: IngestContext) -> None:
    orgs, _ = push_source(ctx, "to-chuc", "religious_organisation", ORGANISATION_MAPPING)
    push_records(ctx, orgs, organisations())
    run_sync(ctx, orgs)
    source_id, _ = push_source(ctx, "snapshot", "worship_place", WORSHIP_MAPPING, mode="snapshot")
    push_records(ctx, source_id, [worship_place(n) for n in range(1, 31)])
    assert run_sync(ctx, source_id).rows_loaded == 30

    # Rows 1-5 are gone from the source; row 6 comes with a bad value: it still exists.
    second = [worship_place(n) for n in range(6, 31)]
    second[0]["Mã tỉnh"] = "1000"
    push_records(ctx, source_id, second)
    run = run_sync(ctx, source_id)

    assert (run.rows_read, run.rows_loaded, run.rows_quarantined, run.rows_deleted) == (
        25,
        24,
        1,
        5,
    )
    ids = {r["worship_place_id"] for r in rows(ctx, "SELECT worship_place_id FROM worship_place")}
    assert ids == {f"CSTT-{n:04d}" for n in range(6, 31)}


def test_snapshot_refuses_to_delete_most_rows_without_confirmation(ctx: IngestContext) -> None:
    orgs, _ = push_source(ctx, "to-chuc", "religious_organisation", ORGANISATION_MAPPING)
    push_records(ctx, orgs, organisations())
    run_sync(ctx, orgs)
    source_id, _ = push_source(ctx, "snapshot", "worship_place", WORSHIP_MAPPING, mode="snapshot")
    push_records(ctx, source_id, [worship_place(n) for n in range(1, 41)])
    run_sync(ctx, source_id)

    push_records(ctx, source_id, [worship_place(1)])  # a broken export: one row of forty
    refused = run_sync(ctx, source_id)

    assert refused.state == "failed"
    assert refused.error is not None
    assert "lacks 39 of the 40 rows" in refused.error and "nothing was changed" in refused.error
    assert ctx.warehouse.count("worship_place") == 40

    confirmed = run_sync(ctx, source_id, allow_mass_delete=True)
    assert (confirmed.state, confirmed.rows_deleted) == ("succeeded", 39)
    assert ctx.warehouse.count("worship_place") == 1


def test_replay_loads_corrected_and_translated_rows(ctx: IngestContext, places: int) -> None:
    batch = [
        worship_place(1),
        worship_place(2, **{"Mã tỉnh": "10"}),
        worship_place(3, **{"Tôn giáo": "Đạo Cao Đài Tây Ninh"}),
    ]
    push_records(ctx, places, batch)
    run_sync(ctx, places)
    entries, _ = wq.list_entries(ctx.warehouse, source_ids=[places])
    wrong_province = next(e for e in entries if e.raw["Mã tỉnh"] == "10")
    local_name = next(e for e in entries if e.raw["Tôn giáo"] == "Đạo Cao Đài Tây Ninh")

    wq.edit(ctx.warehouse, wrong_province.id, {"Mã tỉnh": "01"}, "dulieu")
    with ctx.store.session() as session:
        svc.add_code_translation(
            ctx,
            session,
            principal(ctx),
            "co-so-tho-tu",
            "du-lieu",
            "religion",
            "Đạo Cao Đài Tây Ninh",
            "05",
        )
    replay = run_sync(
        ctx,
        places,
        trigger="replay",
        user="dulieu",
        replay_ids=[wrong_province.id, local_name.id],
    )

    assert (replay.rows_read, replay.rows_loaded, replay.rows_quarantined) == (2, 2, 0)
    assert ctx.warehouse.count("worship_place") == 3
    religions = rows(ctx, "SELECT religion FROM worship_place WHERE worship_place_id = 'CSTT-0003'")
    assert religions == [{"religion": "05"}]
    replayed = wq.entries(ctx.warehouse, [wrong_province.id, local_name.id])
    assert [e.status for e in replayed] == ["replayed", "replayed"]
    assert replayed[0].edited_by == "dulieu" and replayed[0].resolved_by == "dulieu"


def test_a_replay_that_fails_again_updates_the_entry(ctx: IngestContext, places: int) -> None:
    push_records(ctx, places, [worship_place(1, **{"Mã tỉnh": "10"})])
    run_sync(ctx, places)
    (entry,), _ = wq.list_entries(ctx.warehouse, source_ids=[places])
    wq.edit(ctx.warehouse, entry.id, {"Mã tỉnh": "98"}, "dulieu")

    replay = run_sync(ctx, places, trigger="replay", replay_ids=[entry.id])

    assert (replay.rows_read, replay.rows_loaded, replay.rows_quarantined) == (1, 0, 1)
    again = wq.get(ctx.warehouse, entry.id)
    assert (again.status, again.attempts) == ("pending", 2)
    assert "`98` is not a province code after 1 July 2025" in again.reasons[0]
    _, total = wq.list_entries(ctx.warehouse, source_ids=[places], status=None)
    assert total == 1


def test_dismissed_entries_keep_their_reason(ctx: IngestContext, places: int) -> None:
    push_records(ctx, places, [worship_place(1, **{"Mã cơ sở": None})])
    run_sync(ctx, places)
    (entry,), _ = wq.list_entries(ctx.warehouse, source_ids=[places])

    assert wq.dismiss(ctx.warehouse, [entry.id], "dulieu", "dòng tổng cộng của biểu mẫu") == 1

    dismissed = wq.get(ctx.warehouse, entry.id)
    assert dismissed.status == "dismissed"
    assert dismissed.reasons[-1] == "dismissed by dulieu: dòng tổng cộng của biểu mẫu"


def test_failures_are_recorded_with_one_event_per_change(ctx: IngestContext, places: int) -> None:
    push_records(ctx, places, [{"Mã cơ sở": "CSTT-0001"}])  # the mapped columns are missing
    first = run_sync(ctx, places)
    push_records(ctx, places, [{"Mã cơ sở": "CSTT-0002"}])
    second = run_sync(ctx, places)

    assert first.state == second.state == "failed"
    assert first.error_transient is False
    assert first.error is not None and "no longer has column(s)" in first.error
    with ctx.store.session() as session:
        source = session.get(Source, places)
        assert source is not None
        assert (source.health, source.consecutive_failures) == ("failed", 2)
        kinds = list(session.scalars(select(Event.kind).where(Event.source_id == places)))
        assert kinds == ["source.failed"]
        # Nothing was consumed: the batches wait for a fixed mapping.
        pending = session.scalars(select(PushBatch).where(PushBatch.state == "received"))
        assert len(list(pending)) == 2

    push_records(ctx, places, [worship_place(1)])
    with ctx.store.session() as session:
        session.execute(
            PushBatch.__table__.delete().where(PushBatch.state == "received", PushBatch.size < 100)
        )
    recovered = run_sync(ctx, places)
    assert recovered.state == "succeeded"
    with ctx.store.session() as session:
        kinds = list(session.scalars(select(Event.kind).where(Event.source_id == places)))
        assert kinds == ["source.failed", "source.recovered"]


def test_a_run_in_progress_is_refused_a_second_time(ctx: IngestContext, places: int) -> None:
    from noivu_ioc.errors import ConflictError
    from noivu_ioc.ingest.sync import start_run

    start_run(ctx, places, "manual", "dulieu")
    other = IngestContext(ctx.store, ctx.warehouse, ctx.settings, ctx.box, worker="other:1")
    with pytest.raises(ConflictError, match="already running"):
        run_sync(other, places)
    with ctx.store.session() as session:
        runs = session.scalars(select(SyncRun.state).where(SyncRun.source_id == places))
        assert list(runs) == ["running"]


def test_no_new_batch_is_no_news_not_an_empty_snapshot(ctx: IngestContext) -> None:
    orgs, _ = push_source(ctx, "to-chuc", "religious_organisation", ORGANISATION_MAPPING)
    push_records(ctx, orgs, organisations())
    run_sync(ctx, orgs)
    source_id, _ = push_source(ctx, "snapshot", "worship_place", WORSHIP_MAPPING, mode="snapshot")
    push_records(ctx, source_id, [worship_place(n) for n in range(1, 31)])
    run_sync(ctx, source_id)

    quiet = run_sync(ctx, source_id)

    assert (quiet.state, quiet.rows_read, quiet.rows_deleted) == ("succeeded", 0, 0)
    assert ctx.warehouse.count("worship_place") == 30


def test_a_committed_run_moves_the_change_counter_of_its_entities_only(
    ctx: IngestContext, places: int
) -> None:
    """Cached indicator answers remember these counters (indicators.engine): a sync of
    worship places recomputes what reads worship places, and nothing else."""
    before = ctx.warehouse.generations(("worship_place", "person"))
    push_records(ctx, places, [worship_place(n) for n in range(1, 4)])
    run_sync(ctx, places)
    after = ctx.warehouse.generations(("worship_place", "person"))
    assert after[1] > before[1]  # worship_place
    assert (after[0], after[2]) == (before[0], before[2])  # any table; person
