"""Tests for accounts.geodata and tools/build_postal_codes.py; no Django, no database."""

import importlib.util
import itertools
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_SOURCE = REPO_ROOT / ".." / "shared" / "data" / "geonames-fr-postal-codes.tsv"
COMMITTED_DATA = REPO_ROOT / "accounts" / "data" / "postal_codes.tsv"

# Run as `.venv/bin/pytest -p no:django`, nothing puts the repo root on sys.path.
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from accounts.geodata import (  # noqa: E402
    Commune,
    PostalCodeError,
    commune,
    communes_for,
    distance_km,
)


def load_build_tool() -> ModuleType:
    # tools/ is a folder of scripts, not a package: load the file itself.
    path = REPO_ROOT / "tools" / "build_postal_codes.py"
    spec = importlib.util.spec_from_file_location("build_postal_codes", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def error_code(postal_code: str) -> str:
    with pytest.raises(PostalCodeError) as excinfo:
        communes_for(postal_code)
    return excinfo.value.code


def only_commune(postal_code: str) -> Commune:
    (found,) = communes_for(postal_code)
    return found


def test_communes_for_paris_arrondissements_are_distinct_communes_a_few_km_apart():
    arrondissements = [only_commune(f"750{number:02d}") for number in range(1, 21)]
    assert len({arr.name for arr in arrondissements}) == 20
    assert arrondissements[0].name == "Paris 1er Arrondissement"
    assert 2 < distance_km(arrondissements[0], arrondissements[19]) < 5  # 1er to 20e
    assert all(distance_km(a, b) > 0.5 for a, b in itertools.combinations(arrondissements, 2))


def test_communes_for_paris_75116_is_the_16th_arrondissement():
    assert only_commune("75116").name == "Paris 16e Arrondissement"


def test_communes_for_lyon_69003_is_the_3rd_arrondissement():
    lyon_3 = only_commune("69003")
    assert lyon_3.name == "Lyon 3e Arrondissement"
    assert lyon_3.departement == "69"
    assert lyon_3.label == "Lyon 3e Arrondissement (69003)"


def test_communes_for_marseille_13001_has_no_bare_city_centre_entry():
    assert only_commune("13001").name == "Marseille 1er Arrondissement"


def test_communes_for_multi_commune_code_returns_several_sorted_by_name():
    names = [found.name for found in communes_for("01000")]
    assert names == ["Bourg-en-Bresse", "Saint-Denis-lès-Bourg"]


def test_communes_for_corsica_splits_into_2a_and_2b():
    assert only_commune("20000").departement == "2A"  # Ajaccio
    assert only_commune("20090").departement == "2A"  # Ajaccio
    assert {found.departement for found in communes_for("20200")} == {"2B"}  # Bastia
    assert {found.departement for found in communes_for("20600")} == {"2B"}  # Bastia, Furiani


@pytest.mark.parametrize("raw", ["75011", " 75011 ", "75 011", "75\u00a0011", "7\u200b5011\n"])
def test_communes_for_tolerates_whitespace(raw: str):
    assert only_commune(raw).name == "Paris 11e Arrondissement"


@pytest.mark.parametrize(
    ("raw", "expected_code"),
    [
        ("01001 CEDEX", "cedex"),
        ("75700 cedex 07", "cedex"),
        ("97400", "overseas"),
        ("98000", "overseas"),
        ("12", "format"),
        ("", "format"),
        ("750111", "format"),
        ("75O11", "format"),
        ("00000", "unknown"),
        ("75000", "unknown"),
    ],
)
def test_communes_for_refuses_with_stable_error_code(raw: str, expected_code: str):
    assert error_code(raw) == expected_code


def test_commune_returns_the_picked_commune_ignoring_case():
    picked = commune("01000", "saint-denis-lès-bourg")
    assert picked.name == "Saint-Denis-lès-Bourg"
    assert picked.postal_code == "01000"


def test_commune_unknown_name_raises_unknown():
    with pytest.raises(PostalCodeError) as excinfo:
        commune("01000", "Paris")
    assert excinfo.value.code == "unknown"


def test_distance_km_matches_a_known_distance():
    paris = only_commune("75004")
    lyon = only_commune("69002")
    assert distance_km(paris, lyon) == pytest.approx(392, abs=5)
    assert distance_km(paris, paris) == 0


def test_build_postal_codes_is_deterministic_and_committed_copy_is_fresh(tmp_path: Path):
    if not SHARED_SOURCE.is_file():
        pytest.skip(f"GeoNames source not present at {SHARED_SOURCE}: cannot rebuild")
    build_tool = load_build_tool()
    first, second = tmp_path / "first.tsv", tmp_path / "second.tsv"
    assert build_tool.main([str(SHARED_SOURCE), "--output", str(first)]) == 0
    assert build_tool.main([str(SHARED_SOURCE), "--output", str(second)]) == 0
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() == COMMITTED_DATA.read_bytes(), (
        "accounts/data/postal_codes.tsv is stale: run tools/build_postal_codes.py and commit it"
    )


def test_departement_for_rejects_codes_outside_known_ranges():
    departement_for = load_build_tool().departement_for
    assert departement_for("20199") == "2A"
    assert departement_for("20699") == "2B"
    assert departement_for("20700") is None
    assert departement_for("00100") is None
