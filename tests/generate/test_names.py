import unicodedata

import numpy as np
import numpy.typing as npt
import pytest

from noivu_ioc.catalog.codelists import ETHNICITY, ETHNICITY_POPULATION_SHARE
from noivu_ioc.generate import names
from noivu_ioc.generate.names import full_names, full_names_arrow, village_names

VIETNAMESE_LETTERS = set("ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")


def rows(n: int, sex: str, ethnicity: str = "01") -> tuple[npt.NDArray[np.str_], ...]:
    return np.full(n, sex), np.full(n, ethnicity)


def population(n: int, seed: int = 0) -> tuple[npt.NDArray[np.str_], npt.NDArray[np.str_]]:
    rng = np.random.default_rng(seed)
    eth_codes = np.array(list(ETHNICITY_POPULATION_SHARE))
    shares = np.array(list(ETHNICITY_POPULATION_SHARE.values()))
    sex = rng.choice(np.array(["1", "2"]), size=n)
    return sex, rng.choice(eth_codes, size=n, p=shares)


def test_same_seed_same_names() -> None:
    sex, eth = population(5_000)
    first = full_names(np.random.default_rng(42), sex, eth)
    again = full_names(np.random.default_rng(42), sex, eth)
    other = full_names(np.random.default_rng(43), sex, eth)
    assert first.tolist() == again.tolist()
    assert first.tolist() != other.tolist()


def test_one_name_per_row_well_spaced_and_composed() -> None:
    sex, eth = population(20_000, seed=1)
    result = full_names(np.random.default_rng(1), sex, eth)
    assert result.shape == (20_000,)
    for name in result:
        assert isinstance(name, str)
        assert name == name.strip() and "  " not in name
        assert len(name.split()) >= 2
        assert unicodedata.normalize("NFC", name) == name


def test_names_carry_diacritics() -> None:
    result = full_names(np.random.default_rng(2), *population(2_000, seed=2))
    with_marks = [n for n in result if VIETNAMESE_LETTERS & set(n.lower())]
    assert len(with_marks) / len(result) > 0.9


def test_kinh_surname_frequencies() -> None:
    result = full_names(np.random.default_rng(3), *rows(200_000, "1"))
    surnames = np.array([n.split()[0] for n in result])
    assert np.mean(surnames == "Nguyễn") == pytest.approx(0.38, abs=0.01)
    assert np.mean(surnames == "Trần") == pytest.approx(0.11, abs=0.01)
    assert len(set(surnames)) >= 30


def test_middle_names_follow_sex() -> None:
    female = full_names(np.random.default_rng(4), *rows(20_000, "2"))
    male = full_names(np.random.default_rng(4), *rows(20_000, "1"))
    female_middle = [n.split()[1:-1] for n in female]
    male_middle = [n.split()[1:-1] for n in male]
    assert np.mean(["Thị" in m for m in female_middle]) > 0.5
    assert not any("Thị" in m for m in male_middle)
    assert np.mean(["Văn" in m for m in male_middle]) > 0.25
    assert not any("Văn" in m for m in female_middle)
    # Some women carry two middle names (Nguyễn Thị Thu Hà).
    assert np.mean([len(m) == 2 for m in female_middle]) > 0.1


def test_given_names_are_varied() -> None:
    for sex in ("1", "2"):
        result = full_names(np.random.default_rng(5), *rows(50_000, sex))
        assert len({n.split()[-1] for n in result}) >= 80


def test_minority_traditions() -> None:
    rng = np.random.default_rng(6)
    hmong = full_names(rng, *rows(2_000, "1", "08"))
    assert np.mean([n.split()[0] in {"Giàng", "Vàng", "Sùng", "Thào", "Lý"} for n in hmong]) > 0.5
    ede_women = full_names(rng, *rows(2_000, "2", "12"))
    assert all(n.startswith("H'") for n in ede_women)
    ede_men = full_names(rng, *rows(2_000, "1", "12"))
    assert all(n.startswith("Y ") for n in ede_men)
    assert np.mean([n.endswith(" Niê") or " Niê " in n for n in ede_men]) > 0.15
    thai = full_names(rng, *rows(2_000, "1", "03"))
    assert (
        np.mean([n.split()[0] in {"Lò", "Lường", "Cầm", "Quàng", "Vi", "Hà"} for n in thai]) > 0.5
    )


def test_every_ethnicity_has_a_tradition() -> None:
    assert {c.code for c in ETHNICITY.codes} == set(names._ETHNICITY_TRADITION)


def test_unknown_ethnicity_falls_back_to_kinh_and_bad_sex_is_refused() -> None:
    result = full_names(np.random.default_rng(7), np.array(["1", "2"]), np.array(["99", ""]))
    assert len(result) == 2
    with pytest.raises(ValueError, match="'M'"):
        full_names(np.random.default_rng(7), np.array(["1", "M"]), np.array(["01", "01"]))
    with pytest.raises(ValueError, match="one length"):
        full_names(np.random.default_rng(7), np.array(["1"]), np.array(["01", "01"]))


def test_arrow_and_numpy_forms_agree_and_accept_object_arrays() -> None:
    sex, eth = population(1_000, seed=8)
    arrow = full_names_arrow(np.random.default_rng(8), sex.astype(object), eth.astype(object))
    assert arrow.to_pylist() == full_names(np.random.default_rng(8), sex, eth).tolist()


def test_empty_input() -> None:
    assert (
        full_names(np.random.default_rng(9), np.array([], dtype=str), np.array([], dtype=str)).size
        == 0
    )


def test_village_names_agree_with_their_kind() -> None:
    kind = np.random.default_rng(11).choice(np.array(names.VILLAGE_KINDS), 10_000)
    first = village_names(np.random.default_rng(10), kind).to_pylist()
    assert first == village_names(np.random.default_rng(10), kind).to_pylist()
    labels = {
        "thon": "Thôn", "ap": "Ấp", "soc": "Sóc", "ban": "Bản", "buon": "Buôn", "lang": "Làng",
        "to_dan_pho": "Tổ dân phố", "khu_pho": "Khu phố",
    }
    for k, name in zip(kind.tolist(), first, strict=True):
        assert name.startswith(labels[k] + " ") and len(name) > len(labels[k]) + 1
    assert all(n == n.strip() and "  " not in n for n in first)
    assert len(set(first)) > 1_000
    # Numbered groups where numbers are the custom, place names where they are not.
    bodies = {k: [n.removeprefix(labels[k] + " ") for n, kk in zip(first, kind, strict=True)
                  if kk == k] for k in labels}
    assert any(b.isdigit() for b in bodies["to_dan_pho"])
    assert not any(b.isdigit() for b in bodies["ban"] + bodies["buon"] + bodies["lang"])


def test_unknown_village_kind_is_refused() -> None:
    with pytest.raises(ValueError, match=r"'xom' at row 1 .*expected one of ap, ban"):
        village_names(np.random.default_rng(1), np.array(["thon", "xom"]))
