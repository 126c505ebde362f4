"""The administrative units are the statistics office's, after 1 July 2025."""

import pytest

from noivu_ioc.errors import InvalidInputError, NotFoundError
from noivu_ioc.units import admin


def test_there_are_34_provinces_and_3321_communes() -> None:
    assert len(admin.provinces()) == 34
    assert len(admin.communes()) == 3321
    assert len({c.code for c in admin.communes()}) == 3321
    assert sum(len(admin.communes_of(p.code)) for p in admin.provinces()) == 3321


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("01", "Thành phố Hà Nội"),
        ("79", "Thành phố Hồ Chí Minh"),
        ("15", "Tỉnh Lào Cai"),
        ("08", "Tỉnh Tuyên Quang"),
        ("00004", "Phường Ba Đình"),
        ("23425", "Xã Tu Mơ Rông"),
    ],
)
def test_known_codes_carry_their_official_names(code: str, name: str) -> None:
    assert admin.unit(code).name == name


def test_a_commune_knows_its_province() -> None:
    assert admin.unit("23425").province_code == "51"
    assert admin.unit("00004").province_code == "01"


def test_pre_2025_province_maps_to_its_current_province() -> None:
    conversion = admin.convert_legacy_province("77")  # Bà Rịa - Vũng Tàu
    assert conversion.legacy_name == "Tỉnh Bà Rịa - Vũng Tàu"
    assert [u.code for u in conversion.current] == ["79"]
    assert conversion.is_unambiguous


@pytest.mark.parametrize(
    ("legacy", "current"),
    [("74", "79"), ("31", "31"), ("36", "37"), ("02", "08"), ("01", "01")],
)
def test_merged_provinces(legacy: str, current: str) -> None:
    # Bình Dương → TP. HCM; Hải Phòng stays; Nam Định → Ninh Bình; Hà Giang → Tuyên Quang
    assert [u.code for u in admin.convert_legacy_province(legacy).current] == [current]


def test_a_split_commune_shows_every_candidate_instead_of_guessing() -> None:
    conversion = admin.convert_legacy_commune("00016")  # Phường Ngọc Hà (old)
    assert conversion.legacy_name == "Phường Ngọc Hà"
    assert [u.code for u in conversion.current] == ["00004", "00008"]
    assert not conversion.is_unambiguous


def test_a_whole_commune_maps_to_one_unit() -> None:
    conversion = admin.convert_legacy_commune("00004")  # Phường Trúc Bạch (old)
    assert [u.name for u in conversion.current] == ["Phường Ba Đình"]


def test_every_legacy_province_has_a_current_province() -> None:
    codes = admin.legacy_province_codes()
    assert len(codes) == 63
    for code in codes:
        assert admin.convert_legacy_province(code).current


def test_bad_codes_are_refused_with_the_fix() -> None:
    with pytest.raises(InvalidInputError, match="expected 2 digits"):
        admin.unit("1A")
    with pytest.raises(NotFoundError, match="pre-2025 code"):
        admin.unit("02")  # Hà Giang, merged into Tuyên Quang
    with pytest.raises(NotFoundError, match="63 former provinces"):
        admin.convert_legacy_province("99")
