"""The command line: a run end to end, and bad input stopping with exit code 2."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from matching.engine.cli import main
from matching.engine.csvio import REQUIRED_COLUMNS, write_people
from matching.engine.synthetic import synthetic_people

ROOT = Path(__file__).resolve().parents[2]
HEADER = ",".join(REQUIRED_COLUMNS)
NUL = "\0"
GOOD_ROW = "a1,48.85,2.35,10,fr:native;en:fluent,cinema;cooking,weekend_day,woman,any,1980"


@pytest.fixture
def pools(tmp_path: Path) -> tuple[Path, Path]:
    sponsors, refugees = tmp_path / "S.csv", tmp_path / "R.csv"
    write_people(sponsors, synthetic_people(150, "sponsor", seed=3))
    write_people(refugees, synthetic_people(150, "refugee", seed=3))
    return sponsors, refugees


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_run_writes_pairs_and_unmatched_in_french(pools, tmp_path, capsys):
    sponsors, refugees = pools
    out, unmatched = tmp_path / "pairs.csv", tmp_path / "unmatched.csv"
    code = main(["--sponsors", str(sponsors), "--refugees", str(refugees), "--out", str(out),
                 "--unmatched", str(unmatched), "--explain-lang", "fr"])  # fmt: skip
    assert code == 0
    pairs = read_csv(out)
    assert list(pairs[0]) == ["sponsor_id", "refugee_id", "score", "distance_km", "reasons"]
    assert pairs and all(p["reasons"].startswith("Vous habitez") for p in pairs)
    assert all(0 <= int(p["score"]) <= 100 for p in pairs)
    left = read_csv(unmatched)
    assert len(pairs) * 2 + len(left) == 300
    assert "proved maximum" in capsys.readouterr().err


def test_exclusions_and_weights_are_applied(pools, tmp_path):
    sponsors, refugees = pools
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    args = ["--sponsors", str(sponsors), "--refugees", str(refugees), "--quiet"]
    assert main([*args, "--out", str(first), "--explain-lang", "en"]) == 0
    formed = read_csv(first)
    exclude = tmp_path / "exclude.csv"
    lines = [f"{p['sponsor_id']},{p['refugee_id']}" for p in formed[:10]]
    exclude.write_text("\n".join(["sponsor_id,refugee_id", *lines]) + "\n", encoding="utf-8")
    assert main([*args, "--out", str(second), "--exclude", str(exclude),
                 "--weights", "distance=45,waiting=0"]) == 0  # fmt: skip
    banned = {(p["sponsor_id"], p["refugee_id"]) for p in formed[:10]}
    assert not banned & {(p["sponsor_id"], p["refugee_id"]) for p in read_csv(second)}
    assert formed[0]["reasons"].startswith("You live")


def run_with(tmp_path: Path, sponsors_text: str | None, *extra: str) -> tuple[int, str]:
    sponsors = tmp_path / "sponsors.csv"
    if sponsors_text is not None:
        sponsors.write_text(sponsors_text, encoding="utf-8")
    refugees = tmp_path / "refugees.csv"
    refugees.write_text(f"{HEADER}\n{GOOD_ROW}\n", encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, "-m", "matching.engine", "--sponsors", str(sponsors),
         "--refugees", str(refugees), "--out", str(tmp_path / "out.csv"), *extra],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    return completed.returncode, completed.stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (None, "no such file"),
        ("", "sponsors.csv: the file is empty"),
        ("id,lat,lon\n", 'sponsors.csv, line 1: missing column "max_distance_km"'),
        (f"{HEADER}\n{GOOD_ROW.replace(',10,', ',abc,')}\n",
         'sponsors.csv, line 2, column "max_distance_km": "abc" is not a number'),
        (f"{HEADER}\n{GOOD_ROW.replace('fluent', 'expert')}\n",
         'sponsors.csv, line 2, column "languages": "expert" is not a level'),
        (f"{HEADER}\n{GOOD_ROW.replace('woman', 'robot')}\n",
         'sponsors.csv, line 2, column "gender": "robot" is not one of'),
        (f"{HEADER}\n{GOOD_ROW}\n{GOOD_ROW}\n",
         'sponsors.csv, line 3, column "id": duplicate id "a1" (first on line 2)'),
        (f"{HEADER}\n{GOOD_ROW.replace('48.85', '98.5')}\n",
         'sponsors.csv, line 2, column "lat": 98.5 is out of range'),
        (f"{HEADER}\n{GOOD_ROW.replace(',2.35,', ',-200,')}\n",
         'sponsors.csv, line 2, column "lon": -200 is out of range'),
        (f"{HEADER}\n{GOOD_ROW.replace('weekend_day', 'sunday')}\n",
         'sponsors.csv, line 2, column "availability": "sunday" is not one of'),
    ],
)  # fmt: skip
@pytest.mark.slow
def test_bad_input_stops_with_a_precise_message(tmp_path, text, message):
    code, stderr = run_with(tmp_path, text)
    assert code == 2
    assert message in stderr
    assert "Traceback" not in stderr


@pytest.mark.slow
def test_unknown_weight_is_rejected(tmp_path):
    code, stderr = run_with(tmp_path, f"{HEADER}\n{GOOD_ROW}\n", "--weights", "charisma=10")
    assert code == 2
    assert "unknown charisma" in stderr
    assert "Traceback" not in stderr


@pytest.mark.slow
def test_engine_imports_without_django():
    probe = "import sys, matching.engine, matching.engine.cli; print('django' in sys.modules)"
    completed = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                               text=True, check=True)  # fmt: skip
    assert completed.stdout.strip() == "False"


def test_cli_gives_no_age_points_when_both_birth_years_are_missing(tmp_path):
    row = "a1,48.85,2.35,10,fr:native,,,woman,any,"
    (tmp_path / "S.csv").write_text(f"{HEADER}\n{row}\n", encoding="utf-8")
    (tmp_path / "R.csv").write_text(f"{HEADER}\n{row.replace('a1', 'b1')}\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert main(["--sponsors", str(tmp_path / "S.csv"), "--refugees", str(tmp_path / "R.csv"),
                 "--out", str(out), "--quiet"]) == 0  # fmt: skip
    assert [p["score"] for p in read_csv(out)] == ["40"]


@pytest.mark.parametrize(
    ("option", "where", "message"),
    [
        ("--out", "missing/pairs.csv", "the folder"),
        ("--out", ".", "is a folder"),
        ("--unmatched", "missing/left.csv", "the folder"),
        ("--summary-json", "missing/summary.json", "the folder"),
    ],
)
@pytest.mark.slow
def test_cli_checks_every_output_path_before_solving(tmp_path, option, where, message):
    target = tmp_path / where
    args = ["--out", str(tmp_path / "out.csv")] if option != "--out" else []
    code, stderr = run_with(tmp_path, f"{HEADER}\n{GOOD_ROW}\n", *args, option, str(target))
    assert code == 2
    assert option in stderr and message in stderr
    assert "Traceback" not in stderr
    assert not (tmp_path / "out.csv").exists() or option == "--out"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (HEADER.replace(",", ";") + "\n" + GOOD_ROW.replace(",", ";") + "\n",
         "sponsors.csv, line 1: the separator must be a comma"),
        (f"{HEADER}\n{GOOD_ROW.replace('woman', 'woman' + NUL)}\n",
         "sponsors.csv, line 2: the line holds a NUL byte"),
        (f"{HEADER},gender\n{GOOD_ROW},man\n",
         'sponsors.csv, line 1: column "gender" appears twice'),
    ],
)  # fmt: skip
@pytest.mark.slow
def test_cli_explains_a_wrong_separator_a_nul_byte_and_a_repeated_column(tmp_path, text, message):
    code, stderr = run_with(tmp_path, text)
    assert code == 2
    assert message in stderr
    assert "Traceback" not in stderr


def test_cli_summary_shows_the_proved_bound_and_gap_in_large_mode(pools, tmp_path, capsys):
    sponsors, refugees = pools
    summary = tmp_path / "summary.json"
    out = tmp_path / "out.csv"
    assert main(["--sponsors", str(sponsors), "--refugees", str(refugees), "--mode", "large",
                 "--out", str(out), "--summary-json", str(summary)]) == 0  # fmt: skip
    data = json.loads(summary.read_text())
    assert data["score_bound"] >= data["total_score"]
    assert data["score_gap"] == 1 - data["total_score"] / data["score_bound"]
    assert f"proved bound {data['score_bound']}" in capsys.readouterr().err
    assert {"reading", "candidates", "solving", "bounding", "writing"} <= set(data["stages"])
