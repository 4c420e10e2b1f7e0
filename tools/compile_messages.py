"""Compile every gettext catalog of the project (*.po -> *.mo) with Babel.

Pure Python, so a fresh machine needs no gettext tools to run the app; the .mo files are
build products and are not committed.
"""

import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def catalogs() -> list[Path]:
    return sorted(
        path for path in ROOT.glob("**/locale/*/LC_MESSAGES/*.po") if ".venv" not in path.parts
    )


def compile_catalog(po_path: Path) -> Path:
    mo_path = po_path.with_suffix(".mo")
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file)
    with mo_path.open("wb") as mo_file:
        write_mo(mo_file, catalog, use_fuzzy=False)
    return mo_path


def main() -> int:
    for po_path in catalogs():
        compile_catalog(po_path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
