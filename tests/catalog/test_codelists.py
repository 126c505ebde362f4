import math
import unicodedata

import pytest

from noivu_ioc.catalog.codelists import (
    CORE_CODELISTS,
    ETHNICITY_POPULATION_SHARE,
    RELIGION_FOLLOWER_SHARE,
)
from noivu_ioc.catalog.model import CodeList

LISTS = {c.id: c for c in CORE_CODELISTS}


def codes(list_id: str) -> dict[str, str]:
    return {c.code: c.label_vi for c in LISTS[list_id].codes}


def test_the_ids_other_modules_use_are_present() -> None:
    expected = {
        "sex",
        "ethnicity",
        "religion",
        "civil_servant_grade",
        "public_employee_title",
        "award_form",
        "emulation_title",
        "education_level",
        "general_education",
        "political_theory_level",
        "state_management_level",
        "staff_category",
        "government_level",
        "personnel_status",
        "position",
        "discipline_form",
        "appraisal_result",
    }
    assert expected <= set(LISTS)
    assert len(LISTS) == len(CORE_CODELISTS), "a code list id repeats"


@pytest.mark.parametrize("codelist", CORE_CODELISTS, ids=lambda c: c.id)
def test_every_list_is_well_formed(codelist: CodeList) -> None:
    values = [c.code for c in codelist.codes]
    assert len(values) == len(set(values))
    assert codelist.codes
    assert codelist.source.strip()
    assert codelist.label_vi.strip() and codelist.label_en.strip()
    for c in codelist.codes:
        assert c.code.strip() == c.code and c.code
        assert c.label_vi.strip(), f"{codelist.id} {c.code} has no Vietnamese label"
        assert c.label_en.strip(), f"{codelist.id} {c.code} has no English label"
        # Labels are stored composed (NFC), as users type and search them.
        assert unicodedata.normalize("NFC", c.label_vi) == c.label_vi


def test_sex() -> None:
    assert codes("sex") == {"1": "Nam", "2": "Nữ"}


def test_ethnicity_has_the_54_groups_in_statistics_office_order() -> None:
    eth = codes("ethnicity")
    assert list(eth) == [f"{i:02d}" for i in range(1, 55)]
    assert eth["01"] == "Kinh"
    assert eth["02"] == "Tày"
    assert eth["03"] == "Thái"
    assert eth["04"] == "Hoa"
    assert eth["05"] == "Khơ-me"
    assert eth["06"] == "Mường"
    assert eth["08"] == "Hmông"
    assert eth["12"] == "Ê-đê"
    assert eth["52"] == "Brâu"
    assert eth["53"] == "Ơ Đu"
    assert eth["54"] == "Rơ-măm"
    assert len(set(eth.values())) == 54


def test_ethnicity_shares() -> None:
    assert set(ETHNICITY_POPULATION_SHARE) == set(codes("ethnicity"))
    assert math.isclose(sum(ETHNICITY_POPULATION_SHARE.values()), 1.0, abs_tol=1e-9)
    assert ETHNICITY_POPULATION_SHARE["01"] == pytest.approx(0.853, abs=0.005)
    assert ETHNICITY_POPULATION_SHARE["02"] == pytest.approx(0.019, abs=0.001)
    assert ETHNICITY_POPULATION_SHARE["05"] == pytest.approx(0.014, abs=0.001)
    assert all(share > 0 for share in ETHNICITY_POPULATION_SHARE.values())


def test_religion_codes() -> None:
    rel = codes("religion")
    assert rel["00"] == "Không"
    assert rel["01"] == "Phật giáo"
    assert rel["02"] == "Công giáo"
    assert rel["03"] == "Phật giáo Hòa Hảo"
    assert rel["04"] == "Hồi giáo"
    assert rel["05"] == "Cao Đài"
    assert rel["08"] == "Tin Lành"
    assert "99" in rel
    # The 16 religions recognised by the State, plus none and other.
    assert len(rel) == 18


def test_religion_shares() -> None:
    assert set(RELIGION_FOLLOWER_SHARE) == set(codes("religion"))
    assert math.isclose(sum(RELIGION_FOLLOWER_SHARE.values()), 1.0, abs_tol=1e-9)
    assert RELIGION_FOLLOWER_SHARE["00"] == pytest.approx(0.86, abs=0.01)
    assert RELIGION_FOLLOWER_SHARE["02"] == pytest.approx(0.061, abs=0.003)
    assert RELIGION_FOLLOWER_SHARE["01"] == pytest.approx(0.048, abs=0.003)
    assert all(share > 0 for share in RELIGION_FOLLOWER_SHARE.values())


def test_civil_servant_grades() -> None:
    grades = codes("civil_servant_grade")
    assert grades["01.001"] == "Chuyên viên cao cấp"
    assert grades["01.002"] == "Chuyên viên chính"
    assert grades["01.003"] == "Chuyên viên"
    assert grades["01.004"] == "Cán sự"
    assert grades["01.005"] == "Nhân viên"
    assert grades["04.023"] == "Thanh tra viên cao cấp"
    assert grades["04.025"] == "Thanh tra viên"
    assert grades["06.031"] == "Kế toán viên"
    classes = {c.parent for c in LISTS["civil_servant_grade"].codes}
    assert classes <= {"A3", "A2", "A1", "A0", "B", "C"}


def test_public_employee_titles() -> None:
    titles = LISTS["public_employee_title"].codes
    assert len(titles) >= 25
    assert all(t.code.startswith("V.") and len(t.code.split(".")) == 4 for t in titles)
    assert codes("public_employee_title")["V.07.01.01"] == "Giảng viên cao cấp (hạng I)"
    assert {t.parent for t in titles} <= {"I", "II", "III", "IV"}


def test_award_forms_are_grouped() -> None:
    groups = {
        "huan_chuong",
        "huy_chuong",
        "danh_hieu_vinh_du",
        "giai_thuong",
        "ky_niem_chuong",
        "bang_khen",
        "giay_khen",
    }
    awards = LISTS["award_form"].codes
    assert {a.parent for a in awards} == groups
    assert codes("award_form")["HC-SV"] == "Huân chương Sao vàng"
    assert codes("award_form")["HC-LD1"] == "Huân chương Lao động hạng Nhất"


def test_emulation_titles_name_their_recipient() -> None:
    titles = LISTS["emulation_title"].codes
    assert {t.parent for t in titles} == {"individual", "collective"}
    assert "Lao động tiên tiến" in codes("emulation_title").values()


def test_positions_are_grouped_by_government_level() -> None:
    levels = set(codes("government_level"))
    assert levels == {"TW", "TINH", "XA"}
    assert {p.parent for p in LISTS["position"].codes} <= levels | {None}
    assert codes("position")["none"] == "Không giữ chức vụ"


def test_staff_categories_and_small_lists() -> None:
    assert {"CB", "CC", "VC", "HD"} <= set(codes("staff_category"))
    assert len(codes("appraisal_result")) == 4
    assert {"Khiển trách", "Cảnh cáo", "Buộc thôi việc"} <= set(codes("discipline_form").values())
