"""Benchmark: loading sector data through the IOC's real path against the tools' own loaders.

Three sources of exam candidates (sector 5, entity ``candidate``), written in the agencies'
style by ``tests/ingest/agency_files.py``:

- a CSV export of 1,000,000 rows;
- the same rows in a PostgreSQL table (typed columns: dates, decimals);
- an agency workbook of 200,000 rows (title block, merged two-row header, dates typed both
  ways, a signature footer).

Each is loaded by a sync run of a registered source (reading, mapping, validation of every
field against the catalog, staging and the one-transaction commit into a fresh DuckDB
warehouse) and, as the baseline in the same run, by the tools' own loaders on the same
data: DuckDB's ``read_csv`` for the CSV; for the SQL table, the fastest way out of the server
(``COPY ... TO STDOUT`` into a file) followed by DuckDB's ``read_csv`` of it, timed together,
with DuckDB's ``read_csv`` of the same export alone also shown; polars' ``read_excel`` with
the calamine engine for the workbook. Each measurement runs in its own
process (so that peak memory is its own), ``--repeat`` times alternating with its baseline;
the best time of each is kept. Targets: CSV and SQL at least 40% of DuckDB's rows per second,
XLSX at least 70% of polars'.

    uv run python bench/ingest_load.py                 # 1,000,000 / 1,000,000 / 200,000
    uv run python bench/ingest_load.py --rows 100000 --xlsx-rows 20000 --repeat 1
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "bench" / "output"
PG_ADMIN_URL = os.environ.get("IOC_TEST_POSTGRES", "postgresql://root@127.0.0.1:5432/test")

TARGETS = {"csv": 0.40, "sql": 0.40, "xlsx": 0.70}


def _mappings() -> dict[str, object]:
    from noivu_ioc.ingest.mapping import FieldMap, Mapping

    common = {
        "candidate_id": FieldMap(column="Số định danh cá nhân"),
        "citizen_id": FieldMap(column="Số định danh cá nhân"),
        "full_name": FieldMap(column="Họ và tên"),
        "ethnicity": FieldMap(value="01"),
        "priority": FieldMap(value="KHONG"),
        "major": FieldMap(column="Chức vụ"),
    }
    return {
        "csv": Mapping(
            fields={
                **common,
                "sex": FieldMap(column="Giới tính"),
                "birth_date": FieldMap(column="Ngày sinh"),
                "province_code": FieldMap(column="Mã tỉnh"),
                "commune_code": FieldMap(column="Mã đơn vị"),
                "education_level": FieldMap(column="Trình độ chuyên môn"),
            }
        ),
        "sql": Mapping(
            fields={
                **common,
                "sex": FieldMap(column="gioi_tinh"),
                "birth_date": FieldMap(column="ngay_sinh"),
                "province_code": FieldMap(column="ma_tinh"),
                "commune_code": FieldMap(column="ma_don_vi"),
                "education_level": FieldMap(column="trinh_do"),
                "candidate_id": FieldMap(column="so_dinh_danh"),
                "citizen_id": FieldMap(column="so_dinh_danh"),
                "full_name": FieldMap(column="ho_ten"),
                "major": FieldMap(column="chuc_vu"),
            }
        ),
        "xlsx": Mapping(
            fields={
                **common,
                "sex": FieldMap(
                    when_present={
                        "Ngày, tháng, năm sinh - Nam": "1",
                        "Ngày, tháng, năm sinh - Nữ": "2",
                    }
                ),
                "birth_date": FieldMap(
                    columns=["Ngày, tháng, năm sinh - Nam", "Ngày, tháng, năm sinh - Nữ"]
                ),
                "province_code": FieldMap(value="15"),
                "commune_code": FieldMap(column="Mã đơn vị"),
                "education_level": FieldMap(column="Trình độ - Chuyên môn"),
            }
        ),
    }


# -- the data, written once and kept under bench/output ------------------------------------


def _data(rows: int, xlsx_rows: int) -> tuple[Path, Path]:
    sys.path.insert(0, str(ROOT))
    from tests.ingest.agency_files import write_can_bo_csv, write_can_bo_workbook

    OUTPUT.mkdir(parents=True, exist_ok=True)
    csv = OUTPUT / f"thi_sinh_{rows}.csv"
    xlsx = OUTPUT / f"thi_sinh_{xlsx_rows}.xlsx"
    if not csv.exists():
        print(f"writing {csv.name} ...", file=sys.stderr)
        write_can_bo_csv(csv, rows=rows)
    if not xlsx.exists():
        print(f"writing {xlsx.name} (openpyxl, slow) ...", file=sys.stderr)
        write_can_bo_workbook(xlsx, rows=xlsx_rows)
    return csv, xlsx


def _pg_table(csv: Path) -> tuple[str, str, Path]:
    """A PostgreSQL database holding the CSV's rows in a typed table, and its CSV export
    (what DuckDB's loader reads for the baseline). Returns the database name, its URL and
    the export."""
    import psycopg

    name = f"ioc_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE UNLOGGED TABLE raw (stt text, ho_ten text, gioi_tinh text, ngay_sinh text, "
            "so_dinh_danh text, chuc_vu text, don_vi text, ma_don_vi text, ma_tinh text, "
            "trinh_do text, he_so_luong text, ghi_chu text)"
        )
        with (
            conn.cursor().copy("COPY raw FROM STDIN (FORMAT csv, HEADER true)") as copy,
            csv.open("rb") as handle,
        ):
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        conn.execute(
            "CREATE TABLE thi_sinh AS SELECT stt::int AS stt, ho_ten, gioi_tinh, "
            "to_date(ngay_sinh, 'DD/MM/YYYY') AS ngay_sinh, so_dinh_danh, chuc_vu, don_vi, "
            "ma_don_vi, ma_tinh, trinh_do, he_so_luong::numeric(5, 2) AS he_so_luong, "
            "ghi_chu FROM raw"
        )
        conn.execute("ALTER TABLE thi_sinh ADD PRIMARY KEY (stt)")
        conn.execute("DROP TABLE raw")
        export = OUTPUT / f"{name}.csv"
        with (
            export.open("wb") as out,
            conn.cursor().copy("COPY thi_sinh TO STDOUT (FORMAT csv, HEADER true)") as copy,
        ):
            for data in copy:
                out.write(data)
    return name, url, export


def _drop_pg(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- one measurement, in a child process ------------------------------------------------------


def _baseline(kind: str, path: str, workdir: Path) -> tuple[int, float]:
    """Rows and seconds of the tool's own loader; imports are not timed."""
    import duckdb
    import polars as pl

    sys.path.insert(0, str(ROOT))
    from tests.ingest.agency_files import CAN_BO_SHEET

    started = time.perf_counter()
    if kind == "xlsx":
        frame = pl.read_excel(path, engine="calamine", sheet_name=CAN_BO_SHEET)
        return int(frame.height), time.perf_counter() - started
    if kind == "sql-server":
        # From the server, the fastest way out: COPY into a file, then DuckDB's loader.
        import psycopg

        export = workdir / "export.csv"
        with (
            psycopg.connect(path) as source,
            export.open("wb") as out,
            source.cursor().copy("COPY thi_sinh TO STDOUT (FORMAT csv, HEADER true)") as copy,
        ):
            for data in copy:
                out.write(data)
        path = str(export)
    conn = duckdb.connect(str(workdir / "baseline.duckdb"))
    conn.execute(f"CREATE TABLE loaded AS SELECT * FROM read_csv('{path}')")
    seconds = time.perf_counter() - started
    rows = conn.execute("SELECT count(*) FROM loaded").fetchall()[0][0]
    conn.close()
    return int(rows), seconds


def _ioc(kind: str, path: str, workdir: Path) -> tuple[int, float, dict[str, object]]:
    """Register a source over fresh stores, then time one sync run."""
    sys.path.insert(0, str(ROOT))
    from tests.ingest.agency_files import CAN_BO_SHEET
    from tests.ingest.factories import ingest_context, principal

    from noivu_ioc.ingest import sources as svc
    from noivu_ioc.ingest.sync import run_sync

    ctx = ingest_context(workdir, f"sqlite:///{workdir / 'ioc.sqlite3'}")
    mapping = _mappings()[kind]
    if kind == "sql":
        config = {"url": path}
        selector: dict[str, object] = {"table": "thi_sinh"}
    else:
        folder = workdir / "incoming"
        folder.mkdir()
        os.link(path, folder / Path(path).name)
        config = {"folder": str(folder)}
        selector = {"pattern": Path(path).name}
        if kind == "xlsx":
            selector["sheet"] = CAN_BO_SHEET
    with ctx.store.session() as session:
        source = svc.create_source(
            ctx,
            session,
            principal(ctx),
            svc.SourceIn(
                name=f"bench-{kind}",
                label=f"Benchmark {kind}",
                kind="sql" if kind == "sql" else "file",
                config=config,
                bindings=[
                    svc.BindingIn(
                        name="thi-sinh", entity="candidate", selector=selector, mapping=mapping
                    )
                ],  # type: ignore[arg-type]
            ),
        ).source
        source_id = source.id
    started = time.perf_counter()
    run = run_sync(ctx, source_id)
    seconds = time.perf_counter() - started
    assert run.state == "succeeded", run.error
    assert run.rows_read == run.rows_loaded + run.rows_quarantined
    loaded = ctx.warehouse.count("candidate")
    ctx.warehouse.close()
    ctx.store.dispose()
    detail = {
        "loaded": run.rows_loaded,
        "quarantined": run.rows_quarantined,
        "in_warehouse": loaded,
    }
    return run.rows_read, seconds, detail


def _peak_mib() -> float:
    """This process's peak resident memory. Not getrusage: on Linux its maximum survives
    exec, so a child would report its parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(kind: str, mode: str, path: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        detail: dict[str, object] = {}
        if mode == "baseline":
            rows, seconds = _baseline(kind, path, workdir)
        else:
            rows, seconds, detail = _ioc(kind, path, workdir)
    print(json.dumps({"rows": rows, "seconds": seconds, "peak_mib": _peak_mib(), **detail}))


def _measure(kind: str, mode: str, path: str) -> dict[str, float]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("IOC_") or k == "IOC_TEST_POSTGRES"
    }
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, mode, path],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of CSV and SQL")
    parser.add_argument("--xlsx-rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default="csv,sql,xlsx")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return

    csv, xlsx = _data(args.rows, args.xlsx_rows)
    cases = args.only.split(",")
    database = None
    try:
        inputs: dict[str, tuple[str, str]] = {
            "csv": (str(csv), str(csv)),
            "xlsx": (str(xlsx), str(xlsx)),
        }
        if "sql" in cases:
            database, url, export = _pg_table(csv)
            inputs["sql"] = (str(export), url)
        header = (
            f"{'source':6} {'run':22} {'rows':>10} {'best s':>8} {'rows/s':>10} "
            f"{'peak MiB':>9} {'vs baseline':>12} {'target':>7}"
        )
        print(header)
        print("-" * len(header))
        for kind in cases:
            baseline_input, ioc_input = inputs[kind]
            base_runs, server_runs, ioc_runs = [], [], []
            for _ in range(args.repeat):
                base_runs.append(_measure(kind, "baseline", baseline_input))
                if kind == "sql":
                    server_runs.append(_measure("sql-server", "baseline", ioc_input))
                ioc_runs.append(_measure(kind, "ioc", ioc_input))
            file_base = min(base_runs, key=lambda r: r["seconds"])
            base = min(server_runs or base_runs, key=lambda r: r["seconds"])
            ours = min(ioc_runs, key=lambda r: r["seconds"])
            base_speed = base["rows"] / base["seconds"]
            our_speed = ours["rows"] / ours["seconds"]
            ratio = our_speed / base_speed
            label = {
                "csv": "DuckDB read_csv",
                "sql": "COPY out + read_csv",
                "xlsx": "polars read_excel",
            }[kind]
            if kind == "sql":
                file_speed = file_base["rows"] / file_base["seconds"]
                print(
                    f"{kind:6} {'read_csv of the export':22} {file_base['rows']:>10,.0f} "
                    f"{file_base['seconds']:>8.2f} {file_speed:>10,.0f} "
                    f"{file_base['peak_mib']:>9,.0f} {our_speed / file_speed:>12.2f} (IOC vs it)"
                )
            print(
                f"{kind:6} {label:22} {base['rows']:>10,.0f} {base['seconds']:>8.2f} "
                f"{base_speed:>10,.0f} {base['peak_mib']:>9,.0f} {'1.00':>12} {'':>7}"
            )
            verdict = "ok" if ratio >= TARGETS[kind] else "MISSED"
            print(
                f"{kind:6} {'IOC sync run':22} {ours['rows']:>10,.0f} {ours['seconds']:>8.2f} "
                f"{our_speed:>10,.0f} {ours['peak_mib']:>9,.0f} {ratio:>12.2f} "
                f"{TARGETS[kind]:>6.0%} {verdict}"
            )
            print(
                f"{'':6} loaded {ours['loaded']:,.0f}, quarantined {ours['quarantined']:,.0f}; "
                f"all runs (s): baseline {[round(r['seconds'], 2) for r in base_runs]}, "
                f"IOC {[round(r['seconds'], 2) for r in ioc_runs]}"
            )
    finally:
        if database:
            _drop_pg(database)
            for stale in OUTPUT.glob(f"{database}.csv"):
                stale.unlink()


if __name__ == "__main__":
    main()
