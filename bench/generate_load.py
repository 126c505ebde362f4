"""Benchmark: generating and loading the sector data at each scale.

For every scale, two runs, each in its own process so that peak memory is its own:

- baseline: generate every batch and drop it (the cost of making the data alone);
- load: generate and load into a fresh DuckDB warehouse file (what `ioc generate` does).

Prints rows, seconds, rows per second, peak resident memory, and the ratio of the load run
to its baseline measured in the same run.

    uv run python bench/generate_load.py --scales demo,province,national
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _child(scale: str, seed: int, mode: str, path: str) -> None:
    from noivu_ioc.generate import SCALES, GenContext, generate_batches, generate_into
    from noivu_ioc.warehouse import Warehouse

    started = time.perf_counter()
    if mode == "baseline":
        rows = sum(t.num_rows for _, t in generate_batches(GenContext(SCALES[scale], seed)))
        tables = {}
    else:
        warehouse = Warehouse(Path(path))
        summary = generate_into(warehouse, scale, seed)
        rows, tables = sum(summary.rows.values()), summary.rows
        warehouse.close()
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"rows": rows, "seconds": seconds, "peak_mib": peak_kib / 1024,
                      "tables": tables}))


def _run(scale: str, seed: int, mode: str) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "warehouse.duckdb")
        out = subprocess.run(
            [sys.executable, __file__, "--child", scale, str(seed), mode, path],
            check=True, capture_output=True, text=True,
        ).stdout
        result: dict[str, object] = json.loads(out.strip().splitlines()[-1])
        file = Path(path)
        result["file_mib"] = file.stat().st_size / 2**20 if file.exists() else 0.0
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--scales", default="demo,province,national")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], int(args.child[1]), args.child[2], args.child[3])
        return

    header = (f"{'scale':10} {'run':9} {'rows':>12} {'seconds':>9} {'rows/s':>11} "
              f"{'peak MiB':>9} {'file MiB':>9} {'vs baseline':>11}")
    print(header)
    print("-" * len(header))
    for scale in args.scales.split(","):
        base = _run(scale, args.seed, "baseline")
        load = _run(scale, args.seed, "load")
        for name, r in (("baseline", base), ("load", load)):
            ratio = float(r["seconds"]) / float(base["seconds"])  # type: ignore[arg-type]
            print(f"{scale:10} {name:9} {r['rows']:>12,} {r['seconds']:>9.2f} "
                  f"{float(r['rows']) / float(r['seconds']):>11,.0f} "  # type: ignore[arg-type]
                  f"{r['peak_mib']:>9,.0f} {r['file_mib']:>9,.0f} {ratio:>10.2f}x")
        if scale == args.scales.split(",")[-1]:
            print("\nrows per table at scale", scale)
            for table, rows in sorted(load["tables"].items()):  # type: ignore[attr-defined]
                print(f"  {table:32} {rows:>12,}")


if __name__ == "__main__":
    main()
