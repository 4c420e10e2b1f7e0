"""Benchmark: `python -m matching.engine.bench [--sizes 300,2000,20000,100000]`.

For each size, synthetic pools clustered around French cities (fixed seed) are written
as CSV, and the real CLI runs in a fresh process: seconds and peak memory are end to
end (interpreter start, CSV read, match, CSV write). Where a dense matrix fits, the
same pools are also solved by `linear_sum_assignment` on all pairs, as the baseline.
The large-pool algorithm is also run on the 20,000 pool and compared with the exact
answer there.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_SIZES = (300, 2_000, 20_000, 100_000)
DENSE_BASELINE_MAX = 5_000  # per side: all-pairs float64 matrix of 200 MB
SEED = 2026


def run_child(args: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak resident memory in MiB and exit code of a fresh process."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, *args], stdout=subprocess.DEVNULL)  # noqa: S603
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - started, usage.ru_maxrss / 1024, child.returncode


def write_pools(n: int, folder: Path) -> tuple[Path, Path]:
    from .csvio import write_people
    from .synthetic import synthetic_people

    sponsors, refugees = folder / f"sponsors_{n}.csv", folder / f"refugees_{n}.csv"
    write_people(sponsors, synthetic_people(n, "sponsor", SEED))
    write_people(refugees, synthetic_people(n, "refugee", SEED))
    return sponsors, refugees


def run_cli(sponsors: Path, refugees: Path, folder: Path, mode: str) -> dict:
    summary = folder / f"summary_{sponsors.stem}_{mode}.json"
    seconds, mib, code = run_child(
        ["-m", "matching.engine", "--sponsors", str(sponsors), "--refugees", str(refugees),
         "--out", str(folder / f"pairs_{mode}.csv"), "--mode", mode, "--quiet",
         "--summary-json", str(summary)]
    )  # fmt: skip
    if code != 0:
        return {"error": f"exit code {code}", "wall": seconds, "mib": mib}
    return {**json.loads(summary.read_text()), "wall": seconds, "mib": mib}


def run_dense(sponsors: Path, refugees: Path, folder: Path) -> dict:
    out = folder / f"dense_{sponsors.stem}.json"
    seconds, mib, code = run_child(
        ["-m", "matching.engine.bench", "--dense-child", str(sponsors), str(refugees), str(out)]
    )
    if code != 0:
        return {"error": f"exit code {code}", "wall": seconds, "mib": mib}
    return {**json.loads(out.read_text()), "wall": seconds, "mib": mib}


def dense_child(sponsors: str, refugees: str, out: str) -> None:
    """All pairs in one dense matrix, weight BIG + score, solved by linear_sum_assignment."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    from . import scoring
    from .csvio import read_people
    from .model import Weights, build_pools

    pool_s, pool_r = build_pools(read_people(sponsors), read_people(refugees))
    a, b = pool_s.as_rows(), pool_r.as_columns()
    chord2, limit2 = scoring.squared_chord(a, b), scoring.reach_limit(a, b)
    ok = scoring.feasible(a, b, chord2, limit2)
    score = scoring.total_score(scoring.criterion_points(a, b, chord2, limit2, Weights()))
    big = 101 * min(len(pool_s), len(pool_r)) + 1
    weight = np.where(ok, big + score.astype(np.float64), 0.0)
    rows, cols = linear_sum_assignment(weight, maximize=True)
    used = ok[rows, cols]
    result = {"pairs": int(used.sum()), "total_score": int(score[rows, cols][used].sum()),
              "edges": int(ok.sum())}  # fmt: skip
    Path(out).write_text(json.dumps(result))


def fmt_row(cells: list[str], widths: list[int]) -> str:
    return "  ".join(c.rjust(w) for c, w in zip(cells, widths, strict=True))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m matching.engine.bench")
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)))
    parser.add_argument("--dense-child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.dense_child:
        dense_child(*args.dense_child)
        return 0
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s]
    headers = ["per side", "solver", "edges", "seconds", "peak MiB", "pairs", "max pairs",
               "certificate", "total score"]  # fmt: skip
    widths = [8, 22, 11, 7, 8, 7, 9, 40, 11]
    print(fmt_row(headers, widths), flush=True)
    exact_20k = None
    with tempfile.TemporaryDirectory(prefix="duos-bench-") as tmp:
        folder = Path(tmp)
        for n in sizes:
            sponsors, refugees = write_pools(n, folder)
            modes = ["exact"] if n <= 25_000 else ["large"]
            if n == 20_000:
                modes.append("large")  # the 1% comparison
            for mode in modes:
                r = run_cli(sponsors, refugees, folder, mode)
                print(fmt_row(_cells(n, f"engine {mode} (CLI)", r), widths), flush=True)
                if n == 20_000 and mode == "exact":
                    exact_20k = r
                if n == 20_000 and mode == "large" and exact_20k and "error" not in r:
                    gap = 1 - r["total_score"] / exact_20k["total_score"]
                    print(f"{'':>8}  large mode on the 20,000 pool: {gap:.3%} below the exact "
                          f"optimum ({r['total_score']} vs {exact_20k['total_score']})",
                          flush=True)  # fmt: skip
            if n <= DENSE_BASELINE_MAX:
                r = run_dense(sponsors, refugees, folder)
                r["method"] = "dense LSA, exact"
                r["max_pairs"] = ""
                print(fmt_row(_cells(n, "dense LSA baseline", r), widths), flush=True)
            else:
                gib = n * n * 8 / 2**30
                print(f"{n:>8,}  {'dense LSA baseline':>22}  skipped: the all-pairs matrix "
                      f"alone is {gib:.1f} GiB", flush=True)  # fmt: skip
    return 0


def _cells(n: int, solver: str, r: dict) -> list[str]:
    if "error" in r:
        return [f"{n:,}", solver, "", f"{r['wall']:.2f}", f"{r['mib']:.0f}", r["error"],
                "", "", ""]  # fmt: skip
    certificate = r.get("method", "")
    if "cardinality_proved" in r:
        proof = "max proved" if r["cardinality_proved"] else "NOT proved"
        score = "score exact" if r["score_exact"] else "score not proved"
        certificate = f"{proof}, {score}"
    return [f"{n:,}", solver, f"{r['edges']:,}", f"{r['wall']:.2f}", f"{r['mib']:.0f}",
            f"{r['pairs']:,}", f"{r['max_pairs']:,}" if r["max_pairs"] != "" else "",
            certificate, f"{r['total_score']:,}"]  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
