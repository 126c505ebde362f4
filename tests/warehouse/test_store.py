"""The warehouse loads whole or not at all, and is reached through one module."""

import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

from noivu_ioc.catalog import Entity, Field, FieldType
from noivu_ioc.errors import ConfigurationError, StoreUnavailableError
from noivu_ioc.warehouse import Warehouse, open_warehouse

THING = Entity(
    id="thing",
    sector="test",
    label_vi="Vật",
    label_en="Thing",
    key=("thing_id",),
    fields=(
        Field("thing_id", "Mã", "Id", FieldType.STRING, required=True),
        Field("n", "Số", "Number", FieldType.INTEGER),
    ),
)


def batch(ids: list[str]) -> pa.Table:
    return pa.table({"thing_id": ids, "n": list(range(len(ids)))})


def test_replace_all_loads_batches_and_records_the_load(tmp_path: Path) -> None:
    w = Warehouse(tmp_path / "w.duckdb")
    summary = w.replace_all([THING], [("thing", batch(["a", "b"])), ("thing", batch(["c"]))],
                            "test load")
    assert summary.rows == {"thing": 3}
    assert w.count("thing") == 3
    assert w.query("SELECT DISTINCT _load_id FROM thing") == [{"_load_id": summary.load_id}]
    assert w.loads(1)[0]["description"] == "test load"


def test_a_failing_load_leaves_the_previous_data_whole(tmp_path: Path) -> None:
    w = Warehouse(tmp_path / "w.duckdb")
    w.replace_all([THING], [("thing", batch(["a", "b"]))], "first")

    def broken() -> object:
        yield "thing", batch(["x", "y", "z"])
        raise RuntimeError("source died mid-load")

    with pytest.raises(RuntimeError, match="mid-load"):
        w.replace_all([THING], broken(), "second")  # type: ignore[arg-type]
    assert sorted(r["thing_id"] for r in w.query("SELECT thing_id FROM thing")) == ["a", "b"]
    assert [r["description"] for r in w.loads()] == ["first"]


def test_a_batch_that_does_not_match_the_catalog_is_refused(tmp_path: Path) -> None:
    w = Warehouse(tmp_path / "w.duckdb")
    with pytest.raises(ValueError, match=r"missing \['n'\]"):
        w.replace_all([THING], [("thing", pa.table({"thing_id": ["a"]}))], "bad")
    assert w.count("thing") == 0


def test_urls() -> None:
    assert open_warehouse("duckdb://:memory:").path is None
    with pytest.raises(ConfigurationError, match="duckdb:///"):
        open_warehouse("postgresql://somewhere/db")


def test_a_second_writer_gets_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    Warehouse(path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); "
         "sys.stdin.read()", str(path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(StoreUnavailableError, match="Another IOC process"):
            Warehouse(path)
    finally:
        holder.communicate("")
