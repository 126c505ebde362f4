"""The column helpers every sector generator builds on."""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa
import pytest

from noivu_ioc.generate import columns
from noivu_ioc.generate.context import SCALES, GenContext, Scale


def test_ids_are_padded_and_keep_wide_numbers() -> None:
    assert columns.serial_ids("KH", 3, 4).to_pylist() == ["KH0001", "KH0002", "KH0003"]
    assert columns.string_ids("", [7, 123_456], 3).to_pylist() == ["007", "123456"]
    assert columns.numpy_text(columns.serial_ids("CQ", 2, 2)).tolist() == ["CQ01", "CQ02"]


def test_text_columns() -> None:
    assert columns.blank_to_null(["01", "", None]).to_pylist() == ["01", None, None]
    assert columns.nullable([1, 2, 3], [False, True, False]).to_pylist() == [1, None, 3]
    taken = columns.take(("a", "b"), [1, 0, 1], null=[False, False, True])
    assert taken.to_pylist() == ["b", "a", None]
    assert columns.concat(pa.array(["x", "y"]), "-", pa.array(["1", "2"])).to_pylist() == [
        "x-1",
        "y-2",
    ]


def test_apportion_sums_exactly() -> None:
    parts = columns.apportion(10, [1.0, 1.0, 1.0])
    assert parts.sum() == 10 and set(parts.tolist()) == {3, 4}
    assert columns.apportion(7, [0.0, 0.0]).tolist() == [0, 0]
    assert columns.apportion(0, [1.0, 2.0]).tolist() == [0, 0]


def test_choices_follow_their_weights() -> None:
    rng = np.random.default_rng(2)
    drawn = columns.choose(rng, 100_000, [1.0, 3.0, 0.0])
    assert 2 not in drawn
    assert (drawn == 1).mean() == pytest.approx(0.75, abs=0.01)
    picked = columns.pick(rng, 1_000, {"A": 1.0, "B": 0.0})
    assert set(picked.tolist()) == {"A"}


def test_ranks_and_rows_within_groups() -> None:
    assert columns.cumcount(np.array([5, 3, 5, 5, 3])).tolist() == [0, 0, 1, 2, 1]
    assert columns.cumcount(np.array(["b", "a", "b"])).tolist() == [0, 0, 1]
    owner, number = columns.explode(np.array([2, 0, 3]))
    assert owner.tolist() == [0, 0, 2, 2, 2] and number.tolist() == [0, 1, 0, 1, 2]


def test_sample_within_stays_in_the_group() -> None:
    rng = np.random.default_rng(3)
    pool = np.array(["x", "y", "x", "z"])
    chosen = columns.sample_within(rng, pool, np.array(["x"] * 50 + ["w"]))
    assert set(chosen[:50].tolist()) == {0, 2}
    assert chosen[50] == -1


def test_dates() -> None:
    dates = np.array(["2024-03-01", "NaT"], dtype="datetime64[D]")
    assert columns.year_of(dates).tolist() == [2024, 0]
    assert columns.year_start([2025]).tolist() == [date(2025, 1, 1)]
    drawn = columns.dates_between(np.random.default_rng(4), date(2025, 1, 1),
                                  date(2025, 1, 3), 1_000)
    assert set(drawn.astype(object).tolist()) == {date(2025, 1, d) for d in (1, 2, 3)}


def test_unit_names() -> None:
    assert columns.inline_name("Tỉnh Cao Bằng") == "tỉnh Cao Bằng"
    assert columns.unit_phrase(["01", "01"]).tolist() == ["thành phố Hà Nội"] * 2
    assert columns.short_names(["01"]).tolist() == ["Hà Nội"]


def test_tables_take_the_catalog_shape_and_batch_size() -> None:
    table = columns.build_table(
        "ngo_activity_area", {"province_code": ["01", "79"], "ngo_id": ["NGO1", "NGO1"]}
    )
    assert table.column_names == ["ngo_id", "province_code"]
    with pytest.raises(ValueError, match=r"missing \['province_code'\]"):
        columns.build_table("ngo_activity_area", {"ngo_id": ["NGO1"]})

    ctx = GenContext(Scale("tiny", persons=10, training_records=0, factor=0.01, batch_rows=2), 1)
    sizes = [t.num_rows for _, t in columns.batches("x", pa.table({"a": range(5)}), ctx)]
    assert sizes == [2, 2, 1]
    assert [t.num_rows for _, t in columns.batches("x", table.slice(0, 0), ctx)] == [0]


def test_missing_shared_keys_name_the_generator_to_run_first() -> None:
    ctx = GenContext(SCALES["demo"], 1)
    with pytest.raises(RuntimeError, match=r"'person\.level'.*personnel"):
        columns.shared(ctx, "person.level")
    ctx.shared["agency.level"] = np.array(["TW", None], dtype=object)
    assert columns.shared_codes(ctx, "agency.level").tolist() == ["TW", ""]
    assert columns.organiser_agencies(ctx, np.random.default_rng(5), ["TW"], [""]).null_count == 1
