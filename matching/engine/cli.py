"""`python -m matching.engine --sponsors S.csv --refugees R.csv --out pairs.csv`"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from .csvio import InputError, read_exclusions, read_people, write_rows
from .model import Weights

EXIT_BAD_INPUT = 2


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m matching.engine",
        description="Pair sponsors with refugees: the most pairs, then the best scores.",
    )
    parser.add_argument("--sponsors", required=True, type=Path, help="sponsors CSV")
    parser.add_argument("--refugees", required=True, type=Path, help="refugees CSV")
    parser.add_argument("--out", required=True, type=Path, help="pairs CSV to write")
    parser.add_argument("--unmatched", type=Path, help="CSV of people left without a pair")
    parser.add_argument("--exclude", type=Path, help="CSV of sponsor_id,refugee_id not to pair")
    parser.add_argument(
        "--weights",
        help="e.g. distance=30,interests=20,availability=15,language=10,age=10,waiting=15 "
        "(missing names keep their default), or a JSON file of the same",
    )
    parser.add_argument("--explain-lang", choices=("fr", "en"), default="fr")
    parser.add_argument("--mode", choices=("auto", "exact", "large"), default="auto")
    parser.add_argument("--quiet", action="store_true", help="no progress bar, no summary")
    parser.add_argument("--summary-json", type=Path, help="write counts and certificate here")
    return parser.parse_args(argv)


def parse_weights(text: str | None) -> Weights:
    if not text:
        return Weights()
    path = Path(text)
    if text.endswith(".json") and path.exists():
        try:
            values = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise InputError(f"--weights {text}: not a readable JSON object ({error})") from None
        if not isinstance(values, dict):
            raise InputError(f"--weights {text}: expected a JSON object")
    else:
        values = {}
        for item in text.split(","):
            name, sep, value = (part.strip() for part in item.partition("="))
            if not sep:
                raise InputError(f'--weights: "{item}" is not of the form name=points')
            try:
                values[name] = int(value)
            except ValueError:
                raise InputError(f'--weights: "{value}" is not a whole number') from None
    unknown = sorted(set(values) - set(Weights.names()))
    if unknown:
        raise InputError(f"--weights: unknown {', '.join(unknown)} (known: "
                         f"{', '.join(Weights.names())})")  # fmt: skip
    try:
        return Weights(**values)
    except (TypeError, ValueError) as error:
        raise InputError(f"--weights: {error}") from None


def check_output(path: Path | None, option: str) -> None:
    """Refuse an output that could not be written, before any computing."""
    if path is None:
        return
    if path.is_dir():
        raise InputError(f"{option} {path}: is a folder, not a file")
    folder = path.parent
    if not folder.is_dir():
        raise InputError(f"{option} {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise InputError(f"{option} {path}: cannot be written (permission denied)")


class ProgressBar:
    """A one-line bar on stderr, redrawn in place when stderr is a terminal."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.interactive = sys.stderr.isatty()
        self.last_stage = ""

    def __call__(self, fraction: float, stage: str) -> None:
        if not self.enabled:
            return
        if self.interactive:
            filled = int(30 * fraction)
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {fraction:4.0%} {stage:<12}")
            sys.stderr.flush()
        elif stage != self.last_stage:
            sys.stderr.write(f"{fraction:4.0%} {stage}\n")
        self.last_stage = stage

    def close(self) -> None:
        if self.enabled and self.interactive:
            sys.stderr.write("\n")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    # A national pool is a million long-lived Python objects (people, pairs, reasons):
    # the cyclic garbage collector would walk them all again and again, for nothing,
    # since a run makes no reference cycles worth collecting.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _run(args)
    finally:
        if collecting:
            gc.enable()


def _run(args: argparse.Namespace) -> int:
    started, started_cpu = time.perf_counter(), time.process_time()
    try:
        for option in ("out", "unmatched", "summary_json"):
            check_output(getattr(args, option), f"--{option.replace('_', '-')}")
        weights = parse_weights(args.weights)
        sponsors = read_people(args.sponsors)
        refugees = read_people(args.refugees)
        exclusions = read_exclusions(args.exclude) if args.exclude else []
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    read_at = (time.perf_counter(), time.process_time())
    from .api import match  # after validation: bad input fails fast, before SciPy loads
    from .explain import pair_sentence, translator_for, unmatched_sentence

    bar = ProgressBar(enabled=not args.quiet)
    result = match(sponsors, refugees, weights=weights, exclusions=exclusions,
                   progress=bar, mode=args.mode)  # fmt: skip
    bar.close()
    write_at = (time.perf_counter(), time.process_time())
    t = translator_for(args.explain_lang)
    write_rows(
        args.out,
        ("sponsor_id", "refugee_id", "score", "distance_km", "reasons"),
        ((p.sponsor_id, p.refugee_id, p.score, f"{p.distance_km:.2f}",
          pair_sentence(p.reasons, t)) for p in result.pairs),
    )  # fmt: skip
    if args.unmatched:
        write_rows(
            args.unmatched,
            ("side", "id", "reason", "explanation"),
            ((u.side, u.person_id, u.reason, unmatched_sentence(u, t))
             for u in result.unmatched),
        )  # fmt: skip
    seconds = time.perf_counter() - started
    done_at = (time.perf_counter(), time.process_time())
    stages = {"reading": (read_at[0] - started, read_at[1] - started_cpu),
              **result.stage_seconds,
              "writing": (done_at[0] - write_at[0], done_at[1] - write_at[1])}  # fmt: skip
    if args.summary_json:
        data = {**_summary_data(result, seconds), "stages": stages}
        args.summary_json.write_text(json.dumps(data), encoding="utf-8")
    if not args.quiet:
        _summary(result, seconds, args.out)
    return 0


def _summary_data(result, seconds: float) -> dict:
    cert = result.certificate
    return {
        "pairs": len(result.pairs),
        "total_score": result.total_score,
        "max_pairs": cert.max_pairs,
        "cardinality_proved": cert.cardinality_proved,
        "score_exact": cert.score_exact,
        "score_bound": cert.score_bound,
        "score_gap": cert.score_gap(result.total_score),
        "method": cert.method,
        "mode": result.mode,
        "edges": result.feasible_edges,
        "unmatched": len(result.unmatched),
        "seconds": round(seconds, 3),
    }


def _summary(result, seconds: float, out: Path) -> None:
    cert = result.certificate
    proof = "proved maximum" if cert.cardinality_proved else "NOT proved maximum"
    if cert.score_exact:
        score = "optimal"
    elif cert.score_bound is not None:
        gap = cert.score_gap(result.total_score)
        score = f"within {gap:.2%} of the optimum: proved bound {cert.score_bound}"
    else:
        score = "near-optimal, no bound"
    print(
        f"{len(result.pairs)} pairs ({proof}: {cert.max_pairs} by {cert.method}), "
        f"total score {result.total_score} ({score}, {result.mode} mode), "
        f"{len(result.unmatched)} people unmatched, {seconds:.2f} s -> {out}",
        file=sys.stderr,
    )
