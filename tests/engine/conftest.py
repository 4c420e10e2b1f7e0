"""The engine needs neither Django nor a database, and its tests must also run with
`pytest tests/engine -p no:django`: make the repository importable, and keep the
project's own autouse fixtures (tests/conftest.py, which use pytest-django) away
from these tests."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

HERE = Path(__file__).resolve().parent
PROJECT_CONFTEST = HERE.parent / "conftest.py"


def _defined_in_project_conftest(fixturedefs) -> bool:
    func = getattr(fixturedefs[-1], "func", None) if fixturedefs else None
    code = getattr(func, "__code__", None)
    return code is not None and Path(code.co_filename).resolve() == PROJECT_CONFTEST


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        if HERE not in Path(str(item.path)).resolve().parents:
            continue
        infos = item._fixtureinfo.name2fixturedefs
        project_wide = [
            name for name in item.fixturenames
            if _defined_in_project_conftest(infos.get(name, ()))
        ]  # fmt: skip
        # ...and what only they needed and this run cannot provide (pytest-django's).
        missing = {dep for name in project_wide for dep in infos[name][-1].argnames}
        missing = {dep for dep in missing if not infos.get(dep)}
        for name in [*project_wide, *missing]:
            if name in item.fixturenames:
                item.fixturenames.remove(name)
