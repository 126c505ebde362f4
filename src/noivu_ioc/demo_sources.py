"""The sources of the demo: what the connection monitor shows on a fresh installation.

Three sector systems as the ministry meets them, written from the generated data into the
data directory and synced once at set-up (the scheduler keeps syncing them afterwards):

- the religion database of the Government Committee for Religious Affairs, as an SQLite file
  (sector 8, the worship places; a few rows with a pre-2025 province code, a local name of a
  religion or a commune of another province, which quarantine catches);
- the Lào Cai Department of Home Affairs' export of commune-level officials, a CSV file in
  Windows-1258 with ';' and dd/mm/yyyy dropped into a watched folder (owned by SNV.15);
- the emulation and commendation system posting a batch of awards to its push endpoint
  (two of them naming a person the personnel database does not hold).

Nothing here is simulated at run time: these are real files and a real push batch, loaded
by the same syncs as any source.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import sqlite3
import unicodedata
from pathlib import Path

from sqlalchemy import select

from noivu_ioc.access.users import principal_of
from noivu_ioc.catalog import catalog
from noivu_ioc.ingest import sources as svc
from noivu_ioc.ingest.mapping import FieldMap, Mapping
from noivu_ioc.ingest.sync import IngestContext, run_sync
from noivu_ioc.store.models import PushBatch, Source, User
from noivu_ioc.units import admin

log = logging.getLogger(__name__)

STEWARD = "dulieu"
LAO_CAI = "15"


def _labels(codelist: str) -> dict[str, str]:
    return {c.code: c.label_vi for c in catalog().codelist(codelist).codes}


def _successors() -> dict[str, str]:
    """For each current province, one pre-2025 province code that merged into it."""
    found: dict[str, str] = {}
    for code in admin.legacy_province_codes():
        conversion = admin.convert_legacy(code)
        if conversion.is_unambiguous and conversion.current[0].code != code:
            found.setdefault(conversion.current[0].code, code)
    return found


def _religion_database(ctx: IngestContext, path: Path) -> int:
    """The worship places as the committee's own database holds them: Vietnamese column
    names, kinds and religions by name, and the usual faults of a live database: a few
    rows still on pre-2025 province codes, a local name of a religion, a commune of
    another province."""
    rows = ctx.warehouse.query("SELECT * FROM worship_place ORDER BY worship_place_id")
    religions = _labels("religion")
    kinds = _labels("worship_place_kind")
    former = _successors()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE co_so_tho_tu (ma_co_so TEXT PRIMARY KEY, ten_co_so TEXT NOT NULL, "
            "loai_co_so TEXT, ton_giao TEXT, ma_to_chuc TEXT, ma_xa TEXT, ma_tinh TEXT, "
            "nam_xay_dung INTEGER, da_cong_nhan INTEGER, dien_tich_m2 REAL, "
            "ngay_cap_nhat TEXT)"
        )
        for n, r in enumerate(rows):
            religion = religions.get(r["religion"], r["religion"])
            province, commune = r["province_code"], r["commune_code"]
            if n in (5, 61, 150) and province in former:
                province = former[province]
            if n in (9, 97):
                religion = "Đạo Hòa Hảo"  # a local name, to translate in the mapping
            if n == 44:
                commune = "00004" if province != "01" else "02647"  # another province's
            db.execute(
                "INSERT INTO co_so_tho_tu VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    r["worship_place_id"],
                    r["name"],
                    kinds.get(r["kind"], r["kind"]),
                    religion,
                    r["organisation_id"],
                    commune,
                    province,
                    r["established_year"],
                    1 if r["legally_recognised"] else 0,
                    r["land_area_m2"],
                    "2026-06-30 09:00:00",
                ],
            )
    return len(rows)


def _lao_cai_export(ctx: IngestContext, folder: Path) -> int:
    """Commune-level officials of Lào Cai as the department exports them."""
    rows = ctx.warehouse.query(
        "SELECT * FROM commune_official WHERE province_code = ? ORDER BY official_id", [LAO_CAI]
    )
    positions = _labels("commune_position")
    kinds = _labels("commune_staff_kind")
    education = _labels("education_level")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            "STT",
            "Mã CBCC",
            "Họ và tên",
            "Giới tính",
            "Năm sinh",
            "Chức vụ, chức danh",
            "Cán bộ/Công chức",
            "Trình độ chuyên môn",
            "Mã xã",
            "Ngày giữ chức vụ",
        ]
    )
    for n, r in enumerate(rows, start=1):
        commune = r["commune_code"]
        if n == 20:
            commune = "00004"  # a Hà Nội ward: the row's province says Lào Cai
        start = r["start_date"]
        writer.writerow(
            [
                n,
                r["official_id"] if n != 7 else "",
                r["full_name"],
                "Nữ" if r["sex"] == "2" else "Nam",
                r["birth_year"] or "",
                positions.get(r["position"], r["position"]),
                kinds.get(r["staff_kind"], ""),
                education.get(r["education_level"] or "", ""),
                commune,
                start.strftime("%d/%m/%Y") if start else "",
            ]
        )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "can_bo_cong_chuc_cap_xa_2026.csv").write_bytes(windows_1258(out.getvalue()))
    return len(rows)


_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def windows_1258(text: str) -> bytes:
    """Text in Windows-1258, as older Vietnamese office software saves it: letters with a
    circumflex, breve or horn are single bytes, tone marks follow as combining bytes."""
    out: list[str] = []
    base = ""
    tones = ""
    for char in unicodedata.normalize("NFD", text) + "\0":
        if unicodedata.combining(char):
            if char in _TONES:
                tones += char
            else:
                base += char
            continue
        if base:
            out.append(unicodedata.normalize("NFC", base) + tones)
        base, tones = char, ""
    return "".join(out).encode("cp1258")


def _award_batch(ctx: IngestContext) -> bytes:
    """Awards as the emulation system posts them; two name a person unknown to the
    personnel database."""
    rows = ctx.warehouse.query(
        "SELECT * FROM award WHERE person_id IS NOT NULL ORDER BY award_id LIMIT 400"
    )
    records = []
    for n, r in enumerate(rows):
        person = r["person_id"] if n not in (17, 211) else f"CB9{n:09d}"
        records.append(
            {
                "so_khen_thuong": r["award_id"],
                "hinh_thuc": r["award_form"],
                "doi_tuong": r["recipient_kind"],
                "ma_can_bo": person,
                "ma_don_vi": r["agency_id"],
                "can_cu": r["basis"],
                "cap_quyet_dinh": r["authority"],
                "so_quyet_dinh": r["decision_no"],
                "ngay_quyet_dinh": r["decision_date"].strftime("%d/%m/%Y"),
                "ma_tinh": r["province_code"],
            }
        )
    return json.dumps({"records": records}, ensure_ascii=False).encode()


RELIGION_MAPPING = Mapping(
    fields={
        "worship_place_id": FieldMap(column="ma_co_so"),
        "name": FieldMap(column="ten_co_so"),
        "kind": FieldMap(column="loai_co_so"),
        "religion": FieldMap(column="ton_giao"),
        "organisation_id": FieldMap(column="ma_to_chuc"),
        "commune_code": FieldMap(column="ma_xa"),
        "province_code": FieldMap(column="ma_tinh"),
        "established_year": FieldMap(column="nam_xay_dung"),
        "legally_recognised": FieldMap(column="da_cong_nhan"),
        "land_area_m2": FieldMap(column="dien_tich_m2"),
    }
)

LAO_CAI_MAPPING = Mapping(
    fields={
        "official_id": FieldMap(column="Mã CBCC"),
        "full_name": FieldMap(column="Họ và tên"),
        "sex": FieldMap(column="Giới tính"),
        "birth_year": FieldMap(column="Năm sinh"),
        "position": FieldMap(column="Chức vụ, chức danh"),
        "staff_kind": FieldMap(column="Cán bộ/Công chức"),
        "education_level": FieldMap(column="Trình độ chuyên môn"),
        "commune_code": FieldMap(column="Mã xã"),
        "province_code": FieldMap(value=LAO_CAI),
        "start_date": FieldMap(column="Ngày giữ chức vụ"),
    }
)

AWARD_MAPPING = Mapping(
    fields={
        "award_id": FieldMap(column="so_khen_thuong"),
        "award_form": FieldMap(column="hinh_thuc"),
        "recipient_kind": FieldMap(column="doi_tuong"),
        "person_id": FieldMap(column="ma_can_bo"),
        "agency_id": FieldMap(column="ma_don_vi"),
        "basis": FieldMap(column="can_cu"),
        "authority": FieldMap(column="cap_quyet_dinh"),
        "decision_no": FieldMap(column="so_quyet_dinh"),
        "decision_date": FieldMap(column="ngay_quyet_dinh"),
        "province_code": FieldMap(column="ma_tinh"),
    }
)


def _definitions(religion_db: Path, incoming: Path) -> list[svc.SourceIn]:
    return [
        svc.SourceIn(
            name="csdl-ton-giao",
            label="CSDL Tôn giáo (Ban Tôn giáo Chính phủ)",
            kind="sql",
            owner_unit="BNV.BTGCP",
            mode="snapshot",
            schedule_minutes=60,
            freshness_minutes=180,
            config={"url": f"sqlite:///{religion_db.resolve()}"},
            bindings=[
                svc.BindingIn(
                    name="co-so-tho-tu",
                    entity="worship_place",
                    selector={"table": "co_so_tho_tu"},
                    mapping=RELIGION_MAPPING,
                )
            ],
        ),
        svc.SourceIn(
            name="snv-lao-cai-can-bo-xa",
            label="Sở Nội vụ Lào Cai: cán bộ, công chức cấp xã",
            kind="file",
            owner_unit="SNV.15",
            schedule_minutes=30,
            freshness_minutes=60 * 24 * 31,
            config={"folder": str(incoming.resolve())},
            bindings=[
                svc.BindingIn(
                    name="can-bo-xa",
                    entity="commune_official",
                    selector={"pattern": "*.csv"},
                    mapping=LAO_CAI_MAPPING,
                )
            ],
        ),
        svc.SourceIn(
            name="phan-mem-thi-dua",
            label="Phần mềm Thi đua - Khen thưởng (Ban Thi đua - Khen thưởng Trung ương)",
            kind="push",
            owner_unit="BNV.BTDKT",
            freshness_minutes=60 * 24 * 7,
            bindings=[svc.BindingIn(name="khen-thuong", entity="award", mapping=AWARD_MAPPING)],
        ),
    ]


def prepare_sources(ctx: IngestContext) -> list[str]:
    """Register and sync the demo's sources unless some source exists; returns the names
    of those created."""
    with ctx.store.session() as session:
        if session.scalar(select(Source.id).limit(1)) is not None:
            return []
        user = session.scalar(select(User).where(User.username == STEWARD))
        if user is None:
            raise RuntimeError("the demo users are created before the demo sources")
        steward = principal_of(user)
    if not ctx.warehouse.count("worship_place"):
        log.info("the warehouse holds no generated data; the demo has no sources")
        return []

    base = Path(ctx.settings.data_dir) / "sources"
    religion_db = base / "csdl_ton_giao.sqlite3"
    incoming = base / "incoming" / "lao-cai"
    _religion_database(ctx, religion_db)
    _lao_cai_export(ctx, incoming)
    awards = _award_batch(ctx)

    created: list[int] = []
    with ctx.store.session() as session:
        for data in _definitions(religion_db, incoming):
            created.append(svc.create_source(ctx, session, steward, data).source.id)
        push = session.scalar(select(Source).where(Source.name == "phan-mem-thi-dua"))
        assert push is not None
        session.add(
            PushBatch(
                source_id=push.id,
                binding="khen-thuong",
                content_type="application/json",
                size=len(awards),
                sha256=hashlib.sha256(awards).hexdigest(),
                payload=awards,
                client="127.0.0.1",
            )
        )
    names = []
    for source_id in created:
        run = run_sync(ctx, source_id, trigger="manual", user=STEWARD)
        with ctx.store.session() as session:
            source = session.get(Source, source_id)
            assert source is not None
            names.append(source.name)
        log.info("demo source %s: run %s %s", names[-1], run.id, run.state)
    return names
