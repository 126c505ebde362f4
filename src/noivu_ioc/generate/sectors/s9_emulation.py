"""Generator for sector 9 (emulation and commendation): awards to the persons and agencies
of the personnel and organisation databases, yearly emulation titles, and award dossiers.

Award rates are per thousand staff per year, plausible rather than published: a few tens
of Giấy khen and Bằng khen per thousand staff, a few Kỷ niệm chương, well under one Huân
chương; collective awards too are counted per staff and go to agencies by their size.
About 55% of staff are Lao động tiên tiến each year and 7% Chiến sĩ thi đua cơ sở; half
of the agencies are Tập thể lao động tiên tiến. Awards above the base level come from
dossiers: one dossier proposes several recipients of one province (or central ministry),
and one decision closes it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from noivu_ioc.catalog import catalog
from noivu_ioc.generate.columns import (
    IntArray,
    StrArray,
    batches,
    build_table,
    dates_between,
    lookup,
    nullable,
    pick,
    serial_ids,
    shared,
    shared_strings,
    take,
)
from noivu_ioc.generate.context import GenContext

AWARDS_FROM = date(2021, 1, 1)
EMULATION_YEARS = range(2021, 2026)  # titles of 2026 are decided in early 2027
_ALL = frozenset({"TW", "TINH", "XA"})

# Award form: (per thousand staff per year, levels of staff who receive it).
_INDIVIDUAL_RATES: dict[str, tuple[float, frozenset[str]]] = {
    "HC-DL1": (0.0005, _ALL),
    "HC-DL2": (0.001, _ALL),
    "HC-DL3": (0.004, _ALL),
    "HC-LD1": (0.01, _ALL),
    "HC-LD2": (0.05, _ALL),
    "HC-LD3": (0.35, _ALL),
    "HC-DDK": (0.003, _ALL),
    "HC-DC": (0.005, _ALL),
    "HCH-VANTQ": (0.02, _ALL),
    "DH-AHLD": (0.002, _ALL),
    "DH-NGND": (0.004, _ALL),
    "DH-NGUT": (0.08, _ALL),
    "DH-TTND": (0.003, _ALL),
    "DH-TTUT": (0.04, _ALL),
    "DH-NSND": (0.001, _ALL),
    "DH-NSUT": (0.006, _ALL),
    "DH-NNND": (0.001, _ALL),
    "DH-NNUT": (0.005, _ALL),
    "GT-HCM": (0.0005, _ALL),
    "GT-NN": (0.003, _ALL),
    "KNC-BO": (4.0, _ALL),
    "KNC-NV": (1.2, _ALL),
    "BK-TTG": (0.6, _ALL),
    "BK-BO": (12.0, frozenset({"TW"})),
    "BK-TINH": (8.0, frozenset({"TINH", "XA"})),
    "GK-DV": (30.0, frozenset({"TW", "TINH"})),
    "GK-XA": (25.0, frozenset({"XA"})),
}
# Award form: (per thousand staff of the level per year, levels of agencies that receive
# it). Rates are per staff, not per agency, so that they hold at every scale whatever the
# number of agencies; an agency's chance grows with its staff.
_COLLECTIVE_RATES: dict[str, tuple[float, frozenset[str]]] = {
    "HC-SV": (0.0002, _ALL),
    "HC-HCM": (0.001, _ALL),
    "HC-DL1": (0.002, _ALL),
    "HC-DL2": (0.005, _ALL),
    "HC-DL3": (0.012, _ALL),
    "HC-LD1": (0.025, _ALL),
    "HC-LD2": (0.07, _ALL),
    "HC-LD3": (0.25, _ALL),
    "BK-TTG": (0.5, _ALL),
    "BK-BO": (3.5, frozenset({"TW"})),
    "BK-TINH": (3.0, frozenset({"TINH", "XA"})),
    "GK-DV": (6.0, frozenset({"TW", "TINH"})),
    "GK-XA": (4.0, frozenset({"XA"})),
}
_STATE_GROUPS = frozenset({"huan_chuong", "huy_chuong", "danh_hieu_vinh_du", "giai_thuong"})
_BASIS: dict[str, dict[str, float]] = {
    "CTN": {"THANH_TICH": 0.55, "CONG_HIEN": 0.35, "DOT_XUAT": 0.05, "CHUYEN_DE": 0.05},
    "TTG": {"THANH_TICH": 0.6, "CHUYEN_DE": 0.25, "DOT_XUAT": 0.1, "CONG_HIEN": 0.05},
    "BO_TINH": {"THANH_TICH": 0.6, "CHUYEN_DE": 0.25, "DOT_XUAT": 0.1, "CONG_HIEN": 0.05},
    "CO_SO": {"THANH_TICH": 0.7, "CHUYEN_DE": 0.2, "DOT_XUAT": 0.1},
}
# Mean days from a dossier's submission to the decision, by deciding authority.
_PROCESSING_DAYS = {"CTN": 110.0, "TTG": 80.0, "BO_TINH": 30.0}
_DOSSIER_SIZE = {"individual": 6.0, "collective": 2.0}  # mean recipients per dossier
_MINISTRIES = ("BNV", "BTC", "BYT", "BGDĐT", "BTP", "BCT", "BXD", "BNNMT", "BKHCN",
               "BVHTTDL", "BNG", "BQP", "BCA", "VPCP")

# Emulation title: share of staff (or agencies) whose highest title of a year it is.
_INDIVIDUAL_TITLES = {"CSTD-TQ": 0.0003, "CSTD-BO": 0.008, "CSTD-CS": 0.07, "LDTT": 0.55}
_COLLECTIVE_TITLES = {"CO-CP": 0.004, "CO-BO": 0.03, "TTLDXS": 0.2, "TTLDTT": 0.5}


@dataclass(frozen=True, slots=True)
class _Recipients:
    """Persons or agencies that can be awarded, from ``ctx.shared``."""

    kind: str  # recipient_kind code
    ids: pa.Array
    province: pa.Array  # null for central ones
    level: StrArray
    agency: pa.Array  # the agency a person works in; the agency itself for collectives
    weight: npt.NDArray[np.float64]  # chance of being drawn, relative within a level

    @property
    def size(self) -> int:
        return len(self.level)


def _recipients(ctx: GenContext) -> tuple[_Recipients, _Recipients]:
    agency_ids = shared_strings(ctx, "agency.agency_id")
    person_agency = shared_strings(ctx, "person.agency_id")
    # Staff per agency: an agency with more staff is more often awarded.
    staff = pc.value_counts(person_agency)
    counts = pc.index_in(agency_ids, staff.field("values"))
    staff_of_agency = pc.fill_null(pc.take(staff.field("counts"), counts), 0).to_numpy()
    agencies = _Recipients(
        "collective",
        agency_ids,
        shared_strings(ctx, "agency.province_code"),
        np.asarray(shared(ctx, "agency.level")).astype(str),
        agency_ids,
        staff_of_agency.astype(np.float64) + 0.5,
    )
    level = np.asarray(shared(ctx, "person.level")).astype(str)
    persons = _Recipients(
        "individual",
        shared_strings(ctx, "person.person_id"),
        shared_strings(ctx, "person.province_code"),
        level,
        person_agency,
        np.ones(len(level)),
    )
    return persons, agencies


def generate(ctx: GenContext) -> Iterator[tuple[str, pa.Table]]:
    persons, agencies = _recipients(ctx)
    awards, dossiers = _awards(ctx, persons, agencies)
    yield "award_dossier", dossiers
    yield from batches("award", awards, ctx)
    for year in EMULATION_YEARS:
        yield from batches("emulation_record", _titles(ctx, persons, agencies, year), ctx)


def _form_groups() -> dict[str, str]:
    return {c.code: c.parent or "" for c in catalog().codelist("award_form").codes}


def _authority(forms: StrArray) -> StrArray:
    group = lookup(_form_groups(), forms).astype(str)
    result: StrArray = np.select(
        [np.isin(group, list(_STATE_GROUPS)), forms == "BK-TTG", group == "giay_khen"],
        ["CTN", "TTG", "CO_SO"],
        "BO_TINH",
    )
    return result


def _draw_awards(
    rng: np.random.Generator,
    who: _Recipients,
    rates: dict[str, tuple[float, frozenset[str]]],
    staff: dict[str, int],
    years: float,
) -> tuple[StrArray, IntArray]:
    """Award forms and recipient indices: a Poisson count per form and level from the
    level's staff, recipients drawn among those of the level by their weight."""
    forms: list[StrArray] = [np.array([], dtype=str)]
    recipients: list[IntArray] = [np.array([], dtype=np.int64)]
    for level in sorted(_ALL):
        pool = np.flatnonzero(who.level == level)
        if len(pool) == 0:
            continue
        p = who.weight[pool] / who.weight[pool].sum()
        for form, (rate, levels) in rates.items():
            if level not in levels:
                continue
            count = int(rng.poisson(rate * staff.get(level, 0) / 1000.0 * years))
            forms.append(np.full(count, form))
            recipients.append(pool[rng.choice(len(pool), count, p=p)])
    return np.concatenate(forms), np.concatenate(recipients)


def _awards(
    ctx: GenContext, persons: _Recipients, agencies: _Recipients
) -> tuple[pa.Table, pa.Table]:
    rng = ctx.rng("award")
    reference = np.datetime64(ctx.reference_date, "D")
    years = float((reference - np.datetime64(AWARDS_FROM, "D")).astype(np.int64)) / 365.25

    levels, counts = np.unique(persons.level, return_counts=True)
    staff = {str(level): int(count) for level, count in zip(levels, counts, strict=True)}
    tables: list[dict[str, Any]] = []
    for who, rates in ((persons, _INDIVIDUAL_RATES), (agencies, _COLLECTIVE_RATES)):
        form, index = _draw_awards(rng, who, rates, staff, years)
        m = len(form)
        decided = dates_between(rng, AWARDS_FROM, ctx.reference_date, m)
        # A quarter of awards come with the year-end review, decided in January.
        january = decided.astype("datetime64[Y]").astype("datetime64[D]") + rng.integers(
            2, 31, m
        ).astype("timedelta64[D]")
        decided = np.where(rng.random(m) < 0.25, np.minimum(january, reference), decided)
        province = who.province.take(pa.array(index))
        tables.append(
            {
                "form": form,
                "kind": np.full(m, who.kind),
                "recipient": who.ids.take(pa.array(index)),
                "agency": who.agency.take(pa.array(index)),
                "province": province,
                "province_key": province.fill_null("").to_numpy(zero_copy_only=False),
                "level": who.level[index],
                "decided": decided,
            }
        )
    form = np.concatenate([t["form"] for t in tables])
    kind = np.concatenate([t["kind"] for t in tables])
    province_key = np.concatenate([t["province_key"] for t in tables]).astype(str)
    decided = np.concatenate([t["decided"] for t in tables])
    agency = pa.concat_arrays([t["agency"] for t in tables])
    authority = _authority(form)
    n = len(form)

    dossier, dossier_table = _dossiers(
        ctx, rng, form, kind, province_key, authority, agency, decided
    )
    decided = np.where(dossier >= 0, dossier_table.pop("_decided")[np.maximum(dossier, 0)],
                       decided)
    decision_no = pc.if_else(
        pa.array(dossier >= 0),
        dossier_table.pop("_decision_no").take(pa.array(np.maximum(dossier, 0))),
        _decision_numbers(rng, authority, province_key),
    )
    dossier_ids = dossier_table["dossier_id"].to_numpy(zero_copy_only=False)
    individual = kind == "individual"
    recipient = pa.concat_arrays([t["recipient"] for t in tables])
    null = pa.scalar(None, pa.string())
    basis = np.empty(n, dtype="<U10")
    for code, weights in _BASIS.items():
        rows = authority == code
        basis[rows] = pick(rng, int(rows.sum()), weights)
    basis = np.where(np.char.startswith(form, "KNC"), "CONG_HIEN", basis)
    awards = build_table(
        "award",
        {
            "award_id": serial_ids("KT", n, 8),
            "award_form": form,
            "recipient_kind": kind,
            "person_id": pc.if_else(pa.array(individual), recipient, null),
            "agency_id": pc.if_else(pa.array(individual), null, recipient),
            "basis": basis,
            "authority": authority,
            "decision_no": decision_no,
            "decision_date": decided,
            "level": np.concatenate([t["level"] for t in tables]),
            "province_code": pa.concat_arrays([t["province"] for t in tables]),
            "dossier_id": nullable(dossier_ids[np.maximum(dossier, 0)], dossier < 0),
        },
    )
    return awards, build_table("award_dossier", dossier_table)


def _decision_numbers(
    rng: np.random.Generator, authority: StrArray, province: StrArray
) -> pa.Array:
    """Numbers such as "1234/QĐ-UBND", with the issuer of the deciding authority."""
    n = len(authority)
    issuers = ("CTN", "TTg", "UBND", *_MINISTRIES)
    ministry = 3 + rng.integers(0, len(_MINISTRIES), n)
    issuer = np.select(
        [authority == "CTN", authority == "TTG", province != ""], [0, 1, 2], ministry
    )
    seq = pc.cast(pa.array(rng.integers(1, 3_500, n)), pa.string())
    return pc.binary_join_element_wise(seq, take(issuers, issuer), "/QĐ-")


def _dossiers(
    ctx: GenContext,
    rng: np.random.Generator,
    form: StrArray,
    kind: StrArray,
    province: StrArray,
    authority: StrArray,
    agency: pa.Array,
    decided: npt.NDArray[np.datetime64],
) -> tuple[IntArray, dict[str, Any]]:
    """Group the awards above the base level into dossiers, and add the dossiers still open
    or returned. Returns each award's dossier index (-1 for none) and the dossier columns."""
    rows = np.flatnonzero(authority != "CO_SO")
    _, group = np.unique(
        np.char.add(np.char.add(np.char.add(province[rows], "|"), form[rows]), kind[rows]),
        return_inverse=True,
    )
    order = rows[np.lexsort((decided[rows], group))]
    g = np.empty(len(form), dtype=np.int64)
    g[rows] = group
    mean_size = np.where(kind[order] == "individual", _DOSSIER_SIZE["individual"],
                         _DOSSIER_SIZE["collective"])
    start = np.ones(len(order), dtype=bool)
    if len(order):
        start[1:] = (g[order][1:] != g[order][:-1]) | (rng.random(len(order) - 1)
                                                      < 1.0 / mean_size[1:])
    dossier_sorted = np.cumsum(start) - 1
    dossier = np.full(len(form), -1, dtype=np.int64)
    dossier[order] = dossier_sorted
    first = np.flatnonzero(start)
    n_decided = len(first)

    # One decision per dossier, on the day of its last recipient's draw.
    decided_days = decided[order].astype(np.int64)
    closing = (
        np.maximum.reduceat(decided_days, first) if n_decided else np.array([], np.int64)
    ).astype("datetime64[D]")
    recipients = np.diff(np.append(first, len(order))).astype(np.int64)
    head = order[first]
    d_authority = authority[head]
    mean_days = lookup(_PROCESSING_DAYS, d_authority).astype(np.float64)
    processing = np.maximum(np.round(rng.gamma(3.0, mean_days / 3.0)), 5).astype(np.int64)
    submitted = closing - processing.astype("timedelta64[D]")

    # Dossiers still open, and dossiers returned, shaped like random decided ones.
    reference = np.datetime64(ctx.reference_date, "D")
    n_open = round(0.06 * n_decided)
    n_returned = round(0.05 * n_decided)
    template = rng.integers(0, max(n_decided, 1), n_open + n_returned)
    open_submitted = reference - rng.integers(0, 150, n_open).astype("timedelta64[D]")
    open_days = (reference - open_submitted).astype(np.int64)
    open_status = np.where(open_days > 20, pick(rng, n_open, {"DANG_XET": 0.5, "DA_TRINH": 0.5}),
                           "DANG_XET")
    returned_days = np.maximum(np.round(rng.gamma(2.0, 12.0, n_returned)), 3).astype(np.int64)
    returned_submitted = dates_between(
        rng, AWARDS_FROM, ctx.reference_date, n_returned
    ) - returned_days.astype("timedelta64[D]")

    source = np.concatenate([np.arange(n_decided), template]).astype(np.int64)
    src_head = head[source]
    n = len(source)
    status = np.concatenate([np.full(n_decided, "DA_QUYET_DINH"), open_status,
                             np.full(n_returned, "TRA_LAI")])
    submitted_all = np.concatenate([submitted, open_submitted, returned_submitted])
    closed = np.concatenate(
        [closing, np.full(n_open, np.datetime64("NaT", "D")),
         returned_submitted + returned_days.astype("timedelta64[D]")]
    )
    days = np.concatenate([processing, open_days, returned_days])
    province_head = province[src_head]
    dossier_table: dict[str, Any] = {
        "dossier_id": serial_ids("HSKT", n, 7),
        "award_form": form[src_head],
        "recipient_kind": kind[src_head],
        "recipients": np.concatenate([recipients, recipients[template]]),
        "proposing_agency_id": agency.take(pa.array(src_head, pa.int64())),
        "province_code": nullable(province_head, province_head == ""),
        "authority": authority[src_head],
        "submitted_date": submitted_all,
        "status": status,
        "decided_date": pa.array(closed, mask=np.isnat(closed)),
        "processing_days": days,
        "_decided": closing,
        "_decision_no": _decision_numbers(rng, d_authority, province[head]),
    }
    return dossier, dossier_table


def _titles(
    ctx: GenContext, persons: _Recipients, agencies: _Recipients, year: int
) -> pa.Table:
    rng = ctx.rng(f"emulation_record.{year}")
    parts: list[dict[str, Any]] = []
    for who, shares in ((persons, _INDIVIDUAL_TITLES), (agencies, _COLLECTIVE_TITLES)):
        thresholds = np.cumsum(list(shares.values()))
        title = np.searchsorted(thresholds, rng.random(who.size), side="right")
        holders = np.flatnonzero(title < len(shares))
        m = len(holders)
        decided = np.datetime64(date(year + 1, 1, 5), "D") + rng.integers(0, 85, m).astype(
            "timedelta64[D]"
        )
        holder_index = pa.array(holders)
        parts.append(
            {
                "title": take(tuple(shares), title[holders]),
                "kind": take((who.kind,), np.zeros(m, dtype=np.int64)),
                "individual": np.full(m, who.kind == "individual"),
                "recipient": who.ids.take(holder_index),
                "province": who.province.take(holder_index),
                "decided": decided,
            }
        )
    recipient = pa.concat_arrays([p["recipient"] for p in parts])
    individual = pa.array(np.concatenate([p["individual"] for p in parts]))
    null = pa.scalar(None, pa.string())
    n = len(individual)
    return build_table(
        "emulation_record",
        {
            "record_id": serial_ids(f"TD{year}-", n, 7),
            "year": np.full(n, year, dtype=np.int64),
            "emulation_title": pa.concat_arrays([p["title"] for p in parts]),
            "recipient_kind": pa.concat_arrays([p["kind"] for p in parts]),
            "person_id": pc.if_else(individual, recipient, null),
            "agency_id": pc.if_else(individual, null, recipient),
            "province_code": pa.concat_arrays([p["province"] for p in parts]),
            "decision_date": np.concatenate([p["decided"] for p in parts]),
        },
    )
