"""File sources end to end: agency workbooks and CSV exports in a watched folder, loaded once
per content, with code translations, replay, and a bad file that does not hold back the
others."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from noivu_ioc.ingest import sources as svc
from noivu_ioc.ingest.mapping import FieldMap, Mapping
from noivu_ioc.ingest.sync import IngestContext, run_sync
from noivu_ioc.warehouse import quarantine as wq
from tests.ingest.agency_files import (
    CAN_BO_SHEET,
    write_can_bo_csv,
    write_can_bo_workbook,
)
from tests.ingest.factories import ingest_context, principal

POSITIONS = {
    "Công chức Văn phòng - Thống kê": "VP_TK",
    "Công chức Tư pháp - Hộ tịch": "TP_HT",
    "Công chức Địa chính - Xây dựng": "DC_XD",
    "Công chức Tài chính - Kế toán": "TC_KT",
    "Công chức Văn hóa - Xã hội": "VH_XH",
}

WORKBOOK_MAPPING = Mapping(
    fields={
        "official_id": FieldMap(column="Số định danh cá nhân"),
        "full_name": FieldMap(column="Họ và tên"),
        "sex": FieldMap(
            when_present={"Ngày, tháng, năm sinh - Nam": "1", "Ngày, tháng, năm sinh - Nữ": "2"}
        ),
        "position": FieldMap(column="Chức vụ", codes=POSITIONS),
        "staff_kind": FieldMap(value="cong_chuc"),
        "education_level": FieldMap(column="Trình độ - Chuyên môn"),
        "commune_code": FieldMap(column="Mã đơn vị"),
        "province_code": FieldMap(value="15"),
    }
)

CSV_MAPPING = Mapping(
    fields={
        "official_id": FieldMap(column="Số định danh cá nhân"),
        "full_name": FieldMap(column="Họ và tên"),
        "sex": FieldMap(column="Giới tính"),
        "position": FieldMap(
            column="Chức vụ", codes={**POSITIONS, "Chỉ huy trưởng Quân sự": "CHT_QS"}
        ),
        "staff_kind": FieldMap(value="cong_chuc"),
        "education_level": FieldMap(column="Trình độ chuyên môn"),
        "commune_code": FieldMap(column="Mã đơn vị"),
        "province_code": FieldMap(column="Mã tỉnh"),
    }
)


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[IngestContext]:
    context = ingest_context(tmp_path, f"sqlite:///{tmp_path / 'ioc.sqlite3'}")
    yield context
    context.warehouse.close()
    context.store.dispose()


def _file_source(
    ctx: IngestContext,
    folder: Path,
    pattern: str,
    mapping: Mapping,
    selector: dict[str, object] | None = None,
) -> int:
    folder.mkdir(exist_ok=True)
    with ctx.store.session() as session:
        created = svc.create_source(
            ctx,
            session,
            principal(ctx),
            svc.SourceIn(
                name="lao-cai-can-bo-xa",
                label="Sở Nội vụ Lào Cai: cán bộ, công chức cấp xã",
                kind="file",
                owner_unit="SNV.15",
                config={"folder": str(folder)},
                bindings=[
                    svc.BindingIn(
                        name="can-bo",
                        entity="commune_official",
                        selector={"pattern": pattern, **(selector or {})},
                        mapping=mapping,
                    )
                ],
            ),
        )
        return created.source.id


def test_an_agency_workbook_loads_with_translations_and_replay(
    ctx: IngestContext, tmp_path: Path
) -> None:
    folder = tmp_path / "incoming"
    source_id = _file_source(ctx, folder, "*.xlsx", WORKBOOK_MAPPING, {"sheet": CAN_BO_SHEET})
    written = write_can_bo_workbook(folder / "can_bo_2025.xlsx", rows=40)

    run = run_sync(ctx, source_id)

    # Eight positions rotate; "Chỉ huy trưởng Quân sự" has no translation yet.
    assert (run.rows_read, run.rows_loaded, run.rows_quarantined) == (40, 35, 5)
    assert run.detail is not None
    notes = run.detail["bindings"]["can-bo"]["notes"]
    assert any("footer" in note or "Người lập biểu" in note for note in notes), notes
    official = ctx.warehouse.query(
        "SELECT * FROM commune_official WHERE official_id = ?",
        [written.column("Số định danh cá nhân")[0]],
    )[0]
    assert official["full_name"] == written.column("Họ và tên")[0]
    assert official["province_code"] == "15"
    assert official["sex"] in ("1", "2")
    assert official["education_level"] in ("DH", "THS", "CD", "TC")

    entries, _ = wq.list_entries(ctx.warehouse, source_ids=[source_id])
    assert len(entries) == 5
    assert all(
        e.position.startswith(f"can_bo_2025.xlsx, sheet '{CAN_BO_SHEET}', row ") for e in entries
    )
    assert "`Chỉ huy trưởng Quân sự` is not a code of" in entries[0].reasons[0]
    first_row = written.row_numbers[written.column("Chức vụ").index("Chỉ huy trưởng Quân sự")]
    assert f"row {first_row}" in {e.position.rsplit(", ", 1)[1] for e in entries}

    with ctx.store.session() as session:
        svc.add_code_translation(
            ctx,
            session,
            principal(ctx),
            "lao-cai-can-bo-xa",
            "can-bo",
            "position",
            "Chỉ huy trưởng Quân sự",
            "CHT_QS",
        )
    replay = run_sync(ctx, source_id, trigger="replay", replay_ids=[e.id for e in entries])
    assert (replay.rows_read, replay.rows_loaded, replay.rows_quarantined) == (5, 5, 0)
    assert ctx.warehouse.count("commune_official") == 40


def test_a_file_is_loaded_once_per_content(ctx: IngestContext, tmp_path: Path) -> None:
    folder = tmp_path / "incoming"
    source_id = _file_source(ctx, folder, "*.csv", CSV_MAPPING)
    write_can_bo_csv(folder / "can_bo_thang_10.csv", rows=30, encoding="cp1258", delimiter=";")

    first = run_sync(ctx, source_id)
    again = run_sync(ctx, source_id)
    written = write_can_bo_csv(
        folder / "can_bo_thang_10.csv", rows=31, encoding="cp1258", delimiter=";"
    )
    changed = run_sync(ctx, source_id)

    assert (first.rows_read, first.rows_loaded) == (30, 30)
    assert again.rows_read == 0
    assert (changed.rows_read, changed.rows_loaded) == (31, 31)
    assert ctx.warehouse.count("commune_official") == 31
    # Windows-1258 text arrives as Unicode with its diacritics composed.
    names = ctx.warehouse.query("SELECT full_name FROM commune_official ORDER BY official_id")
    by_id = dict(
        zip(written.column("Số định danh cá nhân"), written.column("Họ và tên"), strict=True)
    )
    assert sorted(r["full_name"] for r in names) == sorted(by_id.values())


def test_a_bad_file_does_not_hold_back_the_others(ctx: IngestContext, tmp_path: Path) -> None:
    folder = tmp_path / "incoming"
    source_id = _file_source(ctx, folder, "*", CSV_MAPPING)
    write_can_bo_csv(folder / "a_can_bo.csv", rows=12)
    (folder / "b_bao_cao.xlsx").write_bytes(b"%PDF-1.7 not a workbook at all")

    run = run_sync(ctx, source_id)

    assert run.state == "partial"
    assert (run.rows_read, run.rows_loaded) == (12, 12)
    assert run.error is not None and "b_bao_cao.xlsx" in run.error and "PDF" in run.error
    with ctx.store.session() as session:
        status = svc.status_of(
            ctx, session, svc.get_source(session, principal(ctx), "lao-cai-can-bo-xa")
        )
        assert status.health == "partial"

    # The bad file is tried again until it is fixed; the good one is not read twice.
    (folder / "b_bao_cao.xlsx").unlink()
    write_can_bo_csv(folder / "b_bao_cao.csv", rows=3)
    fixed = run_sync(ctx, source_id)
    assert (fixed.state, fixed.rows_read) == ("succeeded", 3)


def test_a_file_with_nothing_readable_fails_the_run(ctx: IngestContext, tmp_path: Path) -> None:
    folder = tmp_path / "incoming"
    source_id = _file_source(ctx, folder, "*.csv", CSV_MAPPING)
    (folder / "rong.csv").write_bytes(b"")

    run = run_sync(ctx, source_id)

    assert run.state == "failed"
    assert run.error is not None and "rong.csv" in run.error
