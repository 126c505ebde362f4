"""Small cells of figures about sensitive personal data are withheld, on DuckDB and on
PostgreSQL alike: a share of ethnic minorities is not shown where fewer than five people
stand on either side of it, and the panel says why; figures about other data are not
touched; where a cut would withhold one cell only, a second is withheld with it, so that
the one is not the total less the others."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pyarrow as pa
import pytest

from noivu_ioc.access.scope import Scope
from noivu_ioc.catalog import catalog
from noivu_ioc.indicators import views
from noivu_ioc.indicators.compile import SMALL_CELL, Place
from noivu_ioc.indicators.engine import DuckDBEngine, Evaluator, PostgresEngine
from noivu_ioc.indicators.registry import library
from noivu_ioc.units import admin
from noivu_ioc.warehouse import Warehouse
from noivu_ioc.warehouse.publish import publish_to_postgres
from tests.conftest import PG_ADMIN_URL, _pg_server_or_skip

LAOCAI = "15"
MINORITY = next(i for i in library() if i.id == "personnel.ethnic_minority_share")
WOMEN = next(i for i in library() if i.id == "personnel.women_share")

# Per commune of Lào Cai: (serving staff, of whom ethnic minorities), and what is shown.
COMMUNES = [c.code for c in admin.communes_of(LAOCAI)[:6]]
CELLS: dict[str, tuple[int, int, float | None]] = {
    COMMUNES[0]: (20, 8, 40.0),  # both sides large enough
    COMMUNES[1]: (20, 3, None),  # three minority officials would be told apart
    COMMUNES[2]: (3, 0, None),  # three people in all
    COMMUNES[3]: (10, 10, 100.0),  # nobody on the other side: no one is singled out
    COMMUNES[4]: (10, 7, None),  # three Kinh officials would be told apart
    COMMUNES[5]: (10, 0, 0.0),
}

# In Hà Nội one commune only is small: the smallest other share that is not zero goes with it.
HANOI = "01"
HANOI_COMMUNES = [c.code for c in admin.communes_of(HANOI)[:5]]
HANOI_CELLS: dict[str, tuple[int, int, float | None]] = {
    HANOI_COMMUNES[0]: (20, 8, 40.0),
    HANOI_COMMUNES[1]: (20, 3, None),  # the small cell
    HANOI_COMMUNES[2]: (12, 6, 50.0),
    HANOI_COMMUNES[3]: (20, 5, None),  # 25 %, the smallest share above zero: withheld with it
    HANOI_COMMUNES[4]: (10, 0, 0.0),
}


def _people() -> pa.Table:
    rows: list[dict[str, Any]] = []
    for province, cells in ((LAOCAI, CELLS), (HANOI, HANOI_CELLS)):
        for commune, (staff, minority, _) in cells.items():
            for i in range(staff):
                rows.append(
                    {
                        "person_id": f"P-{commune}-{i}",
                        "full_name": "x",
                        "sex": "2" if i % 2 else "1",
                        "ethnicity": "05" if i < minority else "01",
                        "province_code": province,
                        "commune_code": commune,
                        "status": "DANG_CONG_TAC",
                    }
                )
    fields = catalog().entity("person").fields
    return pa.table({f.name: [r.get(f.name) for r in rows] for f in fields})


@pytest.fixture(scope="module", params=["duckdb", "postgresql"])
def evaluator(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Evaluator]:
    warehouse = Warehouse(Path(tmp_path_factory.mktemp("disclosure")) / "w.duckdb")
    warehouse.replace_all([catalog().entity("person")], [("person", _people())], "test data")
    if request.param == "duckdb":
        yield Evaluator(DuckDBEngine(warehouse))
        warehouse.close()
        return
    _pg_server_or_skip()
    schema = f"ioc_sdc_{uuid.uuid4().hex[:8]}"
    publish_to_postgres(warehouse, PG_ADMIN_URL, schema)
    warehouse.close()
    try:
        yield Evaluator(PostgresEngine(PG_ADMIN_URL, schema))
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def test_the_rule_knows_which_figures_are_about_sensitive_data() -> None:
    assert MINORITY.discloses and not WOMEN.discloses
    assert [m.sensitive for m in MINORITY.measures] == [("ethnicity",), ()]
    assert SMALL_CELL == 5


def test_a_cut_by_commune_withholds_the_small_cells(evaluator: Evaluator) -> None:
    rows = evaluator.cut(MINORITY, Place("province", LAOCAI), Scope.everything(), "commune")
    found = {r.key: (r.value, r.suppressed) for r in rows}
    assert found == {commune: (shown, shown is None) for commune, (_, _, shown) in CELLS.items()}


def test_a_commune_panel_says_why_its_value_is_withheld(evaluator: Evaluator) -> None:
    withheld = evaluator.read(MINORITY, Place("commune", COMMUNES[1]), Scope.everything())
    assert withheld.value is None and withheld.status is None
    assert withheld.reason is not None and withheld.reason.code == "suppressed"
    assert withheld.reason.text("vi") == (
        "Ẩn số liệu: dưới 5 người, có thể làm lộ dữ liệu cá nhân nhạy cảm"
    )
    assert "fewer than 5 people" in withheld.reason.text("en")
    shown = evaluator.read(MINORITY, Place("commune", COMMUNES[0]), Scope.everything())
    assert shown.value == pytest.approx(40.0) and shown.reason is None


def test_the_province_is_shown_and_other_figures_are_not_withheld(evaluator: Evaluator) -> None:
    province = evaluator.read(MINORITY, Place("province", LAOCAI), Scope.everything())
    staff = sum(s for s, _, _ in CELLS.values())
    minority = sum(m for _, m, _ in CELLS.values())
    assert province.value == pytest.approx(100 * minority / staff)
    # Sex is basic personal data, not sensitive: three people's share is shown.
    small = evaluator.read(WOMEN, Place("commune", COMMUNES[2]), Scope.everything())
    assert small.value == pytest.approx(100 / 3) and small.reason is None


def test_a_lone_small_cell_takes_a_second_one_with_it(evaluator: Evaluator) -> None:
    """Hà Nội's figure less four communes would give the fifth: with two withheld, it does
    not. The panel gives each its own reason."""
    rows = evaluator.cut(MINORITY, Place("province", HANOI), Scope.everything(), "commune")
    found = {r.key: (r.value, r.suppressed, r.complement) for r in rows}
    assert found == {
        HANOI_COMMUNES[0]: (40.0, False, False),
        HANOI_COMMUNES[1]: (None, True, False),
        HANOI_COMMUNES[2]: (50.0, False, False),
        HANOI_COMMUNES[3]: (None, True, True),
        HANOI_COMMUNES[4]: (0.0, False, False),
    }
    shown = {r["key"]: r["withheld"] for r in views.rows(MINORITY, "commune", rows, "vi")}
    assert shown[HANOI_COMMUNES[1]] == (
        "Ẩn số liệu: dưới 5 người, có thể làm lộ dữ liệu cá nhân nhạy cảm"
    )
    assert shown[HANOI_COMMUNES[3]] == (
        "Ẩn số liệu để không suy ra được một ô dưới 5 người từ tổng và các ô còn lại"
    )
    assert shown[HANOI_COMMUNES[0]] is None
    # Lào Cai withholds three cells of its own: nothing more is needed there.
    laocai = evaluator.cut(MINORITY, Place("province", LAOCAI), Scope.everything(), "commune")
    assert not any(r.complement for r in laocai)
    # A figure about other data is never withheld, however its cells fall.
    women = evaluator.cut(WOMEN, Place("province", HANOI), Scope.everything(), "commune")
    assert not any(r.suppressed for r in women)
