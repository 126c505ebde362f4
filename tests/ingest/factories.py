"""Named factories for the ingest tests: a context over real stores, the demo steward, push
sources of worship places and religious organisations (sector 8), and their batches."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from sqlalchemy import select

from noivu_ioc.access.users import Principal, principal_of
from noivu_ioc.demo import prepare_store
from noivu_ioc.ingest import sources as svc
from noivu_ioc.ingest.mapping import FieldMap, Mapping
from noivu_ioc.ingest.sync import IngestContext
from noivu_ioc.settings import Settings
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import PushBatch, User
from noivu_ioc.store.secrets import secret_box
from noivu_ioc.warehouse import Warehouse


def ingest_context(tmp_path: Path, store_url: str, **settings_: Any) -> IngestContext:
    """Fresh stores: the operational store with the demo users, an empty warehouse."""
    settings = Settings(data_dir=tmp_path, **settings_)
    store = OpStore(store_url)
    prepare_store(store)
    warehouse = Warehouse(tmp_path / "warehouse.duckdb")
    return IngestContext(store, warehouse, settings, secret_box(settings), retry_delays=(0.05,))


def principal(ctx: IngestContext, username: str = "dulieu") -> Principal:
    with ctx.store.session() as session:
        user = session.scalar(select(User).where(User.username == username))
        assert user is not None
        return principal_of(user)


ORGANISATION_MAPPING = Mapping(
    fields={
        "organisation_id": FieldMap(column="ma_to_chuc"),
        "name": FieldMap(column="ten_to_chuc"),
        "religion": FieldMap(column="ton_giao"),
        "recognised_date": FieldMap(column="ngay_cong_nhan"),
        "scope": FieldMap(value="Toàn quốc"),
        "headquarters_province_code": FieldMap(column="tinh_tru_so"),
    }
)

WORSHIP_MAPPING = Mapping(
    fields={
        "worship_place_id": FieldMap(column="Mã cơ sở"),
        "name": FieldMap(column="Tên cơ sở thờ tự"),
        "kind": FieldMap(column="Loại"),
        "religion": FieldMap(column="Tôn giáo", codes={"Hòa Hảo": "03"}),
        "organisation_id": FieldMap(column="Tổ chức"),
        "commune_code": FieldMap(column="Mã xã"),
        "province_code": FieldMap(column="Mã tỉnh"),
        "established_year": FieldMap(column="Năm xây dựng"),
        "legally_recognised": FieldMap(column="Được công nhận", empty="Không"),
        "land_area_m2": FieldMap(column="Diện tích (m2)"),
    },
    number_format="vi",
)


def push_source(
    ctx: IngestContext,
    name: str,
    entity: str,
    mapping: Mapping,
    *,
    mode: str = "upsert",
    binding: str = "du-lieu",
    owner_unit: str | None = None,
    user: str = "dulieu",
) -> tuple[int, str]:
    """A push source with one confirmed binding; returns its id and API key."""
    with ctx.store.session() as session:
        created = svc.create_source(
            ctx,
            session,
            principal(ctx, user),
            svc.SourceIn(
                name=name,
                label=f"Nguồn thử {name}",
                kind="push",
                mode=mode,  # type: ignore[arg-type]
                owner_unit=owner_unit,
                bindings=[svc.BindingIn(name=binding, entity=entity, mapping=mapping)],
            ),
        )
        assert created.api_key is not None
        return created.source.id, created.api_key


def push_records(
    ctx: IngestContext, source_id: int, records: list[dict[str, Any]], binding: str = "du-lieu"
) -> int:
    """Store a batch as the push endpoint does; returns its id."""
    body = json.dumps(records, ensure_ascii=False).encode()
    with ctx.store.session() as session:
        batch = PushBatch(
            source_id=source_id,
            binding=binding,
            content_type="application/json",
            size=len(body),
            sha256=hashlib.sha256(body).hexdigest(),
            payload=body,
        )
        session.add(batch)
        session.flush()
        return batch.id


def organisations(count: int = 3) -> list[dict[str, Any]]:
    names = [
        "Giáo hội Phật giáo Việt Nam",
        "Hội đồng Giám mục Việt Nam",
        "Giáo hội Phật giáo Hòa Hảo",
    ]
    religions = ["01", "02", "03"]
    return [
        {
            "ma_to_chuc": f"TCTG-{i:03d}",
            "ten_to_chuc": names[(i - 1) % 3],
            "ton_giao": religions[(i - 1) % 3],
            "ngay_cong_nhan": "07/11/1981",
            "tinh_tru_so": "01",
        }
        for i in range(1, count + 1)
    ]


def worship_place(number: int, **changes: Any) -> dict[str, Any]:
    """A clean worship place in Hà Nội (commune 00004, Phường Ba Đình)."""
    record: dict[str, Any] = {
        "Mã cơ sở": f"CSTT-{number:04d}",
        "Tên cơ sở thờ tự": f"Chùa số {number}",
        "Loại": "chua",
        "Tôn giáo": "Phật giáo",
        "Tổ chức": "TCTG-001",
        "Mã xã": "00004",
        "Mã tỉnh": "01",
        "Năm xây dựng": str(1800 + number),
        "Được công nhận": "Có",
        "Diện tích (m2)": "1.234,5",
    }
    record.update(changes)
    return record
