"""Syncs from real sector databases, a PostgreSQL and a MariaDB database created by the test
with clean and dirty rows, and from a REST/JSON API served by a local test server: the
rows land checked, the dirty ones in quarantine with exact reasons; incremental syncs read
only what changed; snapshots detect deletions; a wrong password fails the run at once and an
unreachable server is retried, then fails with a clear state."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

from noivu_ioc.ingest import sources as svc
from noivu_ioc.ingest.mapping import FieldMap, Mapping
from noivu_ioc.ingest.sync import IngestContext, run_sync
from noivu_ioc.store.models import Event, Source
from noivu_ioc.warehouse import quarantine as wq
from tests.ingest.factories import (
    ORGANISATION_MAPPING,
    ingest_context,
    organisations,
    principal,
    push_records,
    push_source,
)
from tests.ingest.rest_server import AUTH_HEADERS, RECORD_COUNT, serve_rest_source
from tests.ingest.sql_sources import (
    SourceDatabase,
    free_port,
    mariadb_source,
    mariadb_url,
    mariadb_user,
    postgres_source,
)

MAPPING = Mapping(
    fields={
        "worship_place_id": FieldMap(column="ma_co_so"),
        "name": FieldMap(column="ten_co_so"),
        "kind": FieldMap(value="chua"),
        "religion": FieldMap(column="ton_giao", codes={"Phật giao": "01"}),
        "organisation_id": FieldMap(value="TCTG-001"),
        "commune_code": FieldMap(column="ma_xa"),
        "province_code": FieldMap(column="ma_tinh"),
        "established_year": FieldMap(column="nam_xay_dung"),
        "legally_recognised": FieldMap(column="da_xep_hang", empty="Không"),
        "land_area_m2": FieldMap(column="dien_tich_m2"),
    }
)

SERVERS: dict[str, Callable[[], AbstractContextManager[SourceDatabase]]] = {
    "postgresql": postgres_source,
    "mariadb": mariadb_source,
}


@pytest.fixture(params=list(SERVERS))
def database(request: pytest.FixtureRequest) -> Iterator[SourceDatabase]:
    with SERVERS[request.param]() as db:
        yield db


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[IngestContext]:
    context = ingest_context(tmp_path, f"sqlite:///{tmp_path / 'ioc.sqlite3'}")
    orgs, _ = push_source(context, "to-chuc", "religious_organisation", ORGANISATION_MAPPING)
    push_records(context, orgs, organisations())
    run_sync(context, orgs)
    yield context
    context.warehouse.close()
    context.store.dispose()


def _sql_source(
    ctx: IngestContext,
    url: str,
    *,
    mode: str = "snapshot",
    selector: dict[str, Any] | None = None,
    secrets: dict[str, Any] | None = None,
) -> int:
    with ctx.store.session() as session:
        return svc.create_source(
            ctx,
            session,
            principal(ctx),
            svc.SourceIn(
                name="csdl-ton-giao",
                label="CSDL Tôn giáo",
                kind="sql",
                mode=mode,  # type: ignore[arg-type]
                config={"url": url},
                secrets=secrets or {},
                bindings=[
                    svc.BindingIn(
                        name="co-so",
                        entity="worship_place",
                        selector=selector or {"table": "co_so_tho_tu"},
                        mapping=MAPPING,
                    )
                ],
            ),
        ).source.id


def test_a_database_sync_loads_clean_rows_and_quarantines_dirty_ones(
    ctx: IngestContext, database: SourceDatabase
) -> None:
    source_id = _sql_source(ctx, database.url)

    run = run_sync(ctx, source_id)

    assert run.state == "succeeded"
    assert run.rows_read == 12
    assert run.rows_read == run.rows_loaded + run.rows_quarantined
    entries, _ = wq.list_entries(ctx.warehouse, source_ids=[source_id])
    reasons = {e.position: e.reasons for e in entries}
    assert reasons["ma_co_so=TT-01-0004"] == [
        "column `ten_co_so` (name): required (Tên cơ sở thờ tự), but empty"
    ]
    assert any(
        "`35` is a province code of before 1 July 2025 (Tỉnh Hà Nam)" in r
        for r in reasons["ma_co_so=TT-35-0001"]
    )
    assert any(
        "`Đạo Mẫu Tứ Phủ` is not a code of Tôn giáo" in r for r in reasons["ma_co_so=TT-22-0001"]
    )
    assert any("ma_xa" in r and "required" in r for r in reasons["ma_co_so=TT-22-0001"])
    loaded = {r["worship_place_id"]: r for r in ctx.warehouse.query("SELECT * FROM worship_place")}
    assert loaded["TT-01-0001"]["name"] == "Chùa Trấn Quốc"
    assert loaded["TT-01-0001"]["land_area_m2"] == 3000.0  # a NUMERIC of the source
    assert loaded["TT-01-0001"]["legally_recognised"] is True
    assert loaded["TT-79-0001"]["legally_recognised"] is False
    assert set(loaded) | {e.key_text for e in entries} >= {"TT-01-0001", "TT-46-0001"}
    assert len(loaded) == run.rows_loaded


def test_incremental_syncs_read_only_what_changed(
    ctx: IngestContext, database: SourceDatabase
) -> None:
    source_id = _sql_source(
        ctx,
        database.url,
        mode="incremental",
        selector={"table": "co_so_tho_tu", "cursor_column": "ngay_cap_nhat"},
    )
    first = run_sync(ctx, source_id)
    database.execute(
        "UPDATE co_so_tho_tu SET ten_co_so = 'Chùa Trấn Quốc (Khai Quốc)', "
        "ngay_cap_nhat = '2025-04-01 08:00:00' WHERE ma_co_so = 'TT-01-0001'"
    )
    second = run_sync(ctx, source_id)
    third = run_sync(ctx, source_id)

    assert first.rows_read == 12
    # From the last cursor on (>=): the changed row, and the row the cursor came from,
    # read again and absorbed by the upsert; then only the new boundary row.
    assert second.rows_read == 2
    assert third.rows_read == 1
    names = ctx.warehouse.query(
        "SELECT name FROM worship_place WHERE worship_place_id = 'TT-01-0001'"
    )
    assert names == [{"name": "Chùa Trấn Quốc (Khai Quốc)"}]
    assert ctx.warehouse.count("worship_place") == first.rows_loaded


def test_a_snapshot_detects_rows_deleted_at_the_source(
    ctx: IngestContext, database: SourceDatabase
) -> None:
    source_id = _sql_source(ctx, database.url)
    first = run_sync(ctx, source_id)
    database.execute("DELETE FROM co_so_tho_tu WHERE ma_co_so IN ('TT-01-0001', 'TT-01-0002')")

    second = run_sync(ctx, source_id)

    assert second.rows_deleted == 2
    assert ctx.warehouse.count("worship_place") == first.rows_loaded - 2


def test_a_wrong_password_fails_at_once(ctx: IngestContext) -> None:
    with mariadb_source() as db, mariadb_user(db.name, "mat-khau-dung") as user:
        source_id = _sql_source(ctx, mariadb_url(db.name, user, "mat-khau-sai"))
        run = run_sync(ctx, source_id)

    assert run.state == "failed"
    assert run.attempts == 1 and run.error_transient is False
    assert run.error is not None and "mat-khau-sai" not in run.error
    with ctx.store.session() as session:
        source = session.get(Source, source_id)
        assert source is not None and source.health == "failed"
        assert source.secret is not None and "mat-khau-sai" not in source.secret
        assert "mat-khau-sai" not in str(source.config)
        events = session.query(Event).filter(Event.source_id == source_id).all()
        assert [(e.kind, e.severity) for e in events] == [("source.failed", "major")]


def test_an_unreachable_server_is_retried_then_marked_failing(ctx: IngestContext) -> None:
    port = free_port()
    source_id = _sql_source(ctx, f"postgresql://ioc@127.0.0.1:{port}/ton_giao")

    run = run_sync(ctx, source_id)

    assert run.state == "failed"
    assert run.attempts == 2  # one retry after the first refusal (the test's back-off)
    assert run.error_transient is True
    with ctx.store.session() as session:
        source = session.get(Source, source_id)
        assert source is not None
        assert (source.health, source.consecutive_failures) == ("failing", 1)
        assert source.next_run_at is not None  # tried again with back-off


def test_a_rest_api_is_synced_page_by_page_and_incrementally(ctx: IngestContext) -> None:
    mapping = Mapping(
        fields={
            "candidate_id": FieldMap(column="ma_can_bo"),
            "citizen_id": FieldMap(column="ma_can_bo"),
            "full_name": FieldMap(column="ho_ten"),
            "sex": FieldMap(column="gioi_tinh"),
            "birth_date": FieldMap(column="ngay_sinh"),
            "ethnicity": FieldMap(value="Kinh"),
            "province_code": FieldMap(column="dia_chi.ma_tinh"),
            "education_level": FieldMap(value="Đại học"),
            "priority": FieldMap(value="KHONG"),
        }
    )
    with serve_rest_source() as base:
        with ctx.store.session() as session:
            source = svc.create_source(
                ctx,
                session,
                principal(ctx),
                svc.SourceIn(
                    name="lgsp-can-bo",
                    label="LGSP: thí sinh",
                    kind="rest",
                    mode="incremental",
                    config={
                        "base_url": base + "/",
                        "paging": "page",
                        "page_size": 200,
                        "records_path": "data.items",
                        "headers": AUTH_HEADERS,
                    },
                    bindings=[
                        svc.BindingIn(
                            name="thi-sinh",
                            entity="candidate",
                            mapping=mapping,
                            selector={
                                "path": "ndxp/can-bo",
                                "cursor_param": "updated_since",
                                "cursor_field": "updated_at",
                            },
                        )
                    ],
                ),
            ).source
            assert "Bearer" not in str(source.config)
            source_id = source.id
        first = run_sync(ctx, source_id)
        second = run_sync(ctx, source_id)

    assert (first.state, first.rows_read, first.rows_loaded) == (
        "succeeded",
        RECORD_COUNT,
        RECORD_COUNT,
    )
    assert second.rows_read == 0  # nothing newer than the last record's updated_at
    loaded = ctx.warehouse.query("SELECT * FROM candidate WHERE candidate_id = 'CB000002'")[0]
    assert loaded["full_name"] == "Lê Hữu Chi"
    assert loaded["sex"] == "1" and loaded["province_code"] == "48"
    assert str(loaded["birth_date"]) == "1965-01-23"
    assert loaded["ethnicity"] == "01" and loaded["education_level"] == "DH"
