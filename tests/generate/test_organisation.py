"""Sector 1 generator: real agencies, job positions and headcount that agree with the
personnel generated from them."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from noivu_ioc.catalog import codelists
from noivu_ioc.catalog.sectors import s1_organisation as cat
from noivu_ioc.generate.context import SCALES, GenContext
from noivu_ioc.generate.sectors import s1_organisation
from noivu_ioc.generate.sectors.s1_organisation import (
    GRADE_FAMILIES,
    NATIONAL_WORKFORCE,
    TEMPLATES,
    TITLE_FAMILIES,
    workforce,
)
from noivu_ioc.units import admin
from tests.generate.factories import (
    ORGANISATION_SCALE,
    Tables,
    column,
    run_organisation_and_personnel,
)


@pytest.fixture(scope="module")
def generated() -> tuple[Tables, GenContext]:
    return run_organisation_and_personnel(seed=11)


def test_templates_use_real_codes() -> None:
    grades = set(codelists.CIVIL_SERVANT_GRADE.values)
    titles = set(codelists.PUBLIC_EMPLOYEE_TITLE.values)
    positions = set(codelists.POSITION.values)
    groups = set(cat.JOB_POSITION_GROUP.values)
    for grade_family in GRADE_FAMILIES.values():
        assert {c for c in grade_family if c} <= grades
    for title_family in TITLE_FAMILIES.values():
        assert {c for c in title_family if c} <= titles
    for templates in TEMPLATES.values():
        for t in templates:
            assert t.position in positions and t.group in groups
            assert t.category in codelists.STAFF_CATEGORY.values


def test_workforce_keeps_the_national_proportions() -> None:
    ctx = GenContext(ORGANISATION_SCALE, 1)
    counts = workforce(ctx)
    assert sum(counts.values()) == round(ORGANISATION_SCALE.persons * 0.96)
    ratio = counts[("TW", "CC")] / counts[("TINH", "CC")]
    assert ratio == pytest.approx(NATIONAL_WORKFORCE[("TW", "CC")]
                                  / NATIONAL_WORKFORCE[("TINH", "CC")], rel=0.01)


def test_agencies_are_real_and_well_formed(generated: tuple[Tables, GenContext]) -> None:
    agency = generated[0]["agency"]
    ids = column(agency, "agency_id")
    assert len(set(ids)) == len(ids)
    parents = agency.column("parent_agency_id").drop_null().to_pylist()
    assert set(parents) <= set(ids)
    names = set(column(agency, "name"))
    for ministry in ("Bộ Nội vụ", "Bộ Tài chính", "Bộ Tư pháp", "Bộ Dân tộc và Tôn giáo",
                     "Ngân hàng Nhà nước Việt Nam", "Văn phòng Chính phủ"):
        assert ministry in names
    assert "Sở Nội vụ thành phố Hà Nội" in names
    assert "Ủy ban nhân dân phường Ba Đình" in names
    kinds = Counter(column(agency, "agency_type"))
    assert kinds["UBND_TINH"] == len(admin.provinces())
    assert kinds["UBND_XA"] == len(admin.communes())
    for name, codelist in (("agency_type", cat.AGENCY_TYPE), ("status", cat.AGENCY_STATUS),
                           ("level", codelists.GOVERNMENT_LEVEL)):
        assert set(column(agency, name)) <= set(codelist.values)


def test_agency_places_match_their_level(generated: tuple[Tables, GenContext]) -> None:
    agency = generated[0]["agency"]
    level = column(agency, "level")
    province = agency.column("province_code")
    commune = agency.column("commune_code")
    assert province.filter(pa.array(level == "TW")).null_count == (level == "TW").sum()
    assert province.filter(pa.array(level != "TW")).null_count == 0
    assert commune.filter(pa.array(level == "XA")).null_count == 0
    assert commune.filter(pa.array(level != "XA")).null_count == (level != "XA").sum()
    real = {c.code: c.province_code for c in admin.communes()}
    at_commune = pa.array(level == "XA")
    for code, prov in zip(commune.filter(at_commune).to_pylist(),
                          province.filter(at_commune).to_pylist(), strict=True):
        assert real[code] == prov


def test_shared_agency_keys(generated: tuple[Tables, GenContext]) -> None:
    tables, ctx = generated
    ids = ctx.shared["agency.agency_id"]
    assert isinstance(ids, np.ndarray)
    assert list(ids) == tables["agency"].column("agency_id").to_pylist()
    for key in ("agency.province_code", "agency.commune_code", "agency.level"):
        assert len(ctx.shared[key]) == len(ids)


def test_job_positions(generated: tuple[Tables, GenContext]) -> None:
    tables, _ = generated
    jobs = tables["job_position"]
    ids = column(jobs, "job_position_id")
    assert len(set(ids)) == len(ids)
    assert set(column(jobs, "agency_id")) <= set(column(tables["agency"], "agency_id"))
    assert set(jobs.column("grade").drop_null().to_pylist()) <= set(
        codelists.CIVIL_SERVANT_GRADE.values)
    assert set(jobs.column("title").drop_null().to_pylist()) <= set(
        codelists.PUBLIC_EMPLOYEE_TITLE.values)
    assert pc.min(jobs.column("approved_count")).as_py() >= 0
    held = tables["person"].column("job_position_id").drop_null().to_pylist()
    assert set(held) <= set(ids)


def test_headcount_matches_the_people_in_post(
    generated: tuple[Tables, GenContext]
) -> None:
    tables, _ = generated
    quota = tables["headcount_quota"]
    keys = list(zip(quota.column("agency_id").to_pylist(), quota.column("year").to_pylist(),
                    strict=True))
    assert len(set(keys)) == len(keys)

    # people in post, with a commune's offices counted in its People's Committee
    agency = tables["agency"]
    parent = dict(zip(column(agency, "agency_id"),
                      agency.column("parent_agency_id").to_pylist(), strict=True))
    kind = dict(zip(column(agency, "agency_id"), column(agency, "agency_type"), strict=True))
    person = tables["person"]
    in_post = np.isin(column(person, "status"), ("DANG_CONG_TAC", "TAM_DINH_CHI"))
    civil = np.isin(column(person, "staff_category"), ("CB", "CC"))
    expected: Counter[str] = Counter()
    for agency_id in column(person, "agency_id")[in_post & civil]:
        expected[parent[agency_id] if kind[agency_id] == "PHONG_XA" else agency_id] += 1
    now = quota.filter(pc.equal(quota.column("year"), 2026))
    actual = dict(zip(now.column("agency_id").to_pylist(),
                      now.column("actual_civil_servants").to_pylist(), strict=True))
    assert {k: v for k, v in actual.items() if v} == dict(expected)

    approved = column(now, "approved_civil_servants").sum()
    assert 0.95 < approved / sum(expected.values()) < 1.12


def test_staff_reduction(generated: tuple[Tables, GenContext]) -> None:
    reduction = generated[0]["staff_reduction"]
    assert reduction.num_rows > 0
    planned, done = column(reduction, "planned"), column(reduction, "done")
    assert (done <= planned).all()
    early, resigned = column(reduction, "early_retirement"), column(reduction, "resigned")
    assert (early + resigned == done).all()
    keys = list(zip(*(reduction.column(k).to_pylist() for k in ("agency_id", "year", "reason")),
                    strict=True))
    assert len(set(keys)) == len(keys)
    by_year = Counter(dict(zip(*np.unique(column(reduction, "year"), return_counts=True),
                               strict=True)))
    assert by_year[2025] == max(by_year.values())  # the restructuring year


def test_full_scale_plan_fills_every_leadership_post() -> None:
    """At the national scale each commune has its secretary, chairs and two vice-chairs,
    each province its chair and four vice-chairs, each ministry its minister."""
    plan = s1_organisation.organisation_plan(GenContext(SCALES["national"], 3))
    filled: Counter[str] = Counter()
    for position, count in zip(plan.jp_position, plan.jp_filled, strict=True):
        filled[str(position)] += int(count)
    communes, provinces = len(admin.communes()), len(admin.provinces())
    for post in ("BI_THU_DANG_UY_XA", "CHU_TICH_HDND_XA", "CHU_TICH_UBND_XA"):
        assert filled[post] == communes
    assert filled["PHO_CHU_TICH_UBND_XA"] == pytest.approx(2 * communes, rel=0.01)
    assert filled["CHU_TICH_UBND_TINH"] == provinces
    assert filled["PHO_CHU_TICH_UBND_TINH"] == 4 * provinces
    assert filled["BO_TRUONG"] == NATIONAL_WORKFORCE[("TW", "CB")]
    assert plan.jp_filled.sum() == sum(workforce(GenContext(SCALES["national"], 3)).values())


def test_some_communes_fall_below_their_norm() -> None:
    ctx = GenContext(SCALES["province"], 3)
    quota = s1_organisation.headcount_quota_table(s1_organisation.organisation_plan(ctx), ctx)
    now = quota.filter(pc.and_(pc.equal(quota.column("year"), 2026),
                               pc.is_valid(quota.column("norm_civil_servants"))))
    assert now.num_rows == len(admin.communes())
    below = pc.less(now.column("actual_civil_servants"), now.column("norm_civil_servants"))
    assert 0.05 < pc.mean(below.cast(pa.int8())).as_py() < 0.5


def test_demo_scale_carries_no_commune_norm(
    generated: tuple[Tables, GenContext]
) -> None:
    quota = generated[0]["headcount_quota"]
    assert quota.column("norm_civil_servants").null_count == quota.num_rows


def _province_shares(plan: s1_organisation.OrganisationPlan, level: str) -> dict[str, float]:
    """Each province's share of the people serving at ``level``."""
    sel = plan.level[plan.jp_agency] == level
    codes, group = np.unique(plan.province[plan.jp_agency][sel], return_inverse=True)
    people = np.bincount(group, weights=plan.jp_filled[sel])
    return dict(zip(codes.tolist(), (people / people.sum()).tolist(), strict=True))


@pytest.mark.parametrize("level", ["TINH", "XA"])
def test_small_scales_keep_every_province_share(level: str) -> None:
    """The demo scale is a faithful miniature: with a hundred times fewer units, each
    province still gets its national-scale share of the people serving at each level."""
    demo = _province_shares(s1_organisation.organisation_plan(GenContext(SCALES["demo"], 5)),
                            level)
    national = _province_shares(
        s1_organisation.organisation_plan(GenContext(SCALES["national"], 5)), level)
    assert set(demo) == set(national) == {p.code for p in admin.provinces()}
    for code, share in national.items():
        assert demo[code] == pytest.approx(share, rel=0.10), code
