"""Benchmark: `python -m matching.engine.bench [--sizes 300,5000,20000,100000]`.

For each size, synthetic pools clustered around eight French cities (fixed seed, as
dense as real city pools: about 31 million feasible pairs at 20,000 per side) are
written as CSV, and the real CLI runs in a fresh process: seconds (wall, and CPU of the
process) and peak memory are end to end (interpreter start, CSV read, match, CSV
write), with each stage's wall seconds. Up to 5,000 per side the same pools are also
solved by `linear_sum_assignment` on the dense matrix of all pairs, the naive
baseline, in the same run. The large mode also runs on the 20,000 pool, where its
proved gap can be compared with the true one.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_SIZES = (300, 5_000, 20_000, 100_000)
STAGES = (("reading", "read"), ("preparing", "prep"), ("candidates", "cand"),
          ("verifying", "proof"), ("solving", "solve"), ("bounding", "bound"),
          ("explaining", "expl"), ("writing", "write"))  # fmt: skip
DENSE_BASELINE_MAX = 5_000  # per side: all-pairs float64 matrix of 200 MB
SEED = 2026


def run_child(args: list[str]) -> tuple[float, float, float, int]:
    """Wall seconds, CPU seconds, peak resident memory in MiB and exit code of a fresh
    process."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, *args], stdout=subprocess.DEVNULL)  # noqa: S603
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    return time.perf_counter() - started, cpu, usage.ru_maxrss / 1024, child.returncode


def write_pools(n: int, folder: Path) -> tuple[Path, Path]:
    from .csvio import write_people
    from .synthetic import synthetic_people

    sponsors, refugees = folder / f"sponsors_{n}.csv", folder / f"refugees_{n}.csv"
    write_people(sponsors, synthetic_people(n, "sponsor", SEED))
    write_people(refugees, synthetic_people(n, "refugee", SEED))
    return sponsors, refugees


def run_cli(sponsors: Path, refugees: Path, folder: Path, mode: str) -> dict:
    summary = folder / f"summary_{sponsors.stem}_{mode}.json"
    seconds, cpu, mib, code = run_child(
        ["-m", "matching.engine", "--sponsors", str(sponsors), "--refugees", str(refugees),
         "--out", str(folder / f"pairs_{mode}.csv"), "--mode", mode, "--quiet",
         "--summary-json", str(summary)]
    )  # fmt: skip
    if code != 0:
        return {"error": f"exit code {code}", "wall": seconds, "cpu": cpu, "mib": mib}
    return {**json.loads(summary.read_text()), "wall": seconds, "cpu": cpu, "mib": mib}


def run_dense(sponsors: Path, refugees: Path, folder: Path) -> dict:
    out = folder / f"dense_{sponsors.stem}.json"
    seconds, cpu, mib, code = run_child(
        ["-m", "matching.engine.bench", "--dense-child", str(sponsors), str(refugees), str(out)]
    )
    if code != 0:
        return {"error": f"exit code {code}", "wall": seconds, "cpu": cpu, "mib": mib}
    return {**json.loads(out.read_text()), "wall": seconds, "cpu": cpu, "mib": mib}


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


HEADERS = ["per side", "solver", "edges", *(short for _, short in STAGES), "total s",
           "cpu s", "peak MiB", "pairs", "max pairs", "total score", "certificate",
           "proved gap"]  # fmt: skip
WIDTHS = [8, 17, 11, *(5 for _ in STAGES), 7, 6, 8, 7, 9, 11, 26, 10]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m matching.engine.bench")
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)))
    parser.add_argument("--dense-child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.dense_child:
        dense_child(*args.dense_child)
        return 0
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s]
    # As an installed package is: compiled once. Without it, every run of the CLI would
    # compile the engine again where PYTHONDONTWRITEBYTECODE is set (a tenth of a second).
    compileall.compile_dir(str(Path(__file__).parent), quiet=1)
    print("Seconds are wall-clock; 'cpu s' is the process's CPU time (both cores count).")
    print(fmt_row(HEADERS, WIDTHS), flush=True)
    with tempfile.TemporaryDirectory(prefix="duos-bench-") as tmp:
        folder = Path(tmp)
        for n in sizes:
            _bench_size(n, folder)
    return 0


def _bench_size(n: int, folder: Path) -> None:
    sponsors, refugees = write_pools(n, folder)
    modes = ["auto"] if n > 25_000 else ["exact", "large"] if n == 20_000 else ["exact"]
    results = {}
    for mode in modes:
        r = results[mode] = run_cli(sponsors, refugees, folder, mode)
        print(fmt_row(_cells(n, f"engine {r.get('mode', mode)} CLI", r), WIDTHS), flush=True)
    if "exact" in results and "large" in results and "error" not in results["large"]:
        exact, large = results["exact"], results["large"]
        true_gap = 1 - large["total_score"] / exact["total_score"]
        print(f"{'':>8}  large mode on the {n:,} pool: {true_gap:.3%} below the exact optimum "
              f"({large['total_score']:,} vs {exact['total_score']:,}); it proved at most "
              f"{large['score_gap']:.3%}", flush=True)  # fmt: skip
    if n > DENSE_BASELINE_MAX:
        gib = n * n * 8 / 2**30
        print(f"{n:>8,}  {'dense LSA baseline':>17}  skipped: the all-pairs matrix alone is "
              f"{gib:.1f} GiB", flush=True)  # fmt: skip
        return
    r = run_dense(sponsors, refugees, folder)
    r.update(method="dense LSA, exact", max_pairs="", mode="dense")
    print(fmt_row(_cells(n, "dense LSA baseline", r), WIDTHS), flush=True)
    engine = results.get("exact", {})
    if "error" not in r and "wall" in engine and "error" not in engine:
        same = r["pairs"] == engine["pairs"] and r["total_score"] == engine["total_score"]
        ratio, cpu_ratio = r["wall"] / engine["wall"], r["cpu"] / engine["cpu"]
        print(f"{'':>8}  dense baseline {r['wall']:.2f} s ({r['cpu']:.2f} s CPU) vs engine "
              f"{engine['wall']:.2f} s ({engine['cpu']:.2f} s CPU): {ratio:.1f}x "
              f"faster (CPU {cpu_ratio:.1f}x), "
              f"{'same pairs and total' if same else 'DIFFERENT ANSWER'}", flush=True)  # fmt: skip


def _cells(n: int, solver: str, r: dict) -> list[str]:
    blank = ["" for _ in STAGES]
    if "error" in r:
        return [f"{n:,}", solver, "", *blank, f"{r['wall']:.2f}", f"{r['cpu']:.2f}",
                f"{r['mib']:.0f}", r["error"], "", "", "", ""]  # fmt: skip
    stages = r.get("stages", {})
    times = [f"{stages[name][0]:.2f}" if name in stages else "" for name, _ in STAGES]
    certificate, gap = r.get("method", ""), ""
    if "cardinality_proved" in r:
        proof = "max proved" if r["cardinality_proved"] else "max NOT proved"
        certificate = f"{proof}, {'score exact' if r['score_exact'] else 'score bounded'}"
        if r.get("score_gap") is not None:
            gap = f"{r['score_gap']:.3%}"
    return [f"{n:,}", solver, f"{r['edges']:,}", *times, f"{r['wall']:.2f}", f"{r['cpu']:.2f}",
            f"{r['mib']:.0f}", f"{r['pairs']:,}",
            f"{r['max_pairs']:,}" if r["max_pairs"] != "" else "", f"{r['total_score']:,}",
            certificate, gap]  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
