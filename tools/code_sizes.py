"""The longest modules and functions of the project's code (not tests, not migrations).

Usage, from the repo root: .venv/bin/python tools/code_sizes.py [--top N]
Exit status 1 when a module is over 400 lines or a function over 60: the limits the layout issue
set, so that each piece of logic stays readable in one screen or two.
"""

import argparse
import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULE_LIMIT, FUNCTION_LIMIT = 400, 60


def sources() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.py"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [
        ROOT / name
        for name in listed
        if "/migrations/" not in name and not name.startswith("tests/") and (ROOT / name).exists()
    ]


def functions(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            found.append((node.end_lineno - start + 1, f"{path.relative_to(ROOT)}:{node.name}"))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=5)
    top = parser.parse_args().top
    paths = sources()
    modules = sorted(
        ((len(p.read_text().splitlines()), str(p.relative_to(ROOT))) for p in paths), reverse=True
    )
    funcs = sorted((f for p in paths for f in functions(p)), reverse=True)
    print(f"longest modules (limit {MODULE_LIMIT} lines):")
    for lines, name in modules[:top]:
        print(f"  {lines:5d}  {name}")
    print(f"longest functions (limit {FUNCTION_LIMIT} lines):")
    for lines, name in funcs[:top]:
        print(f"  {lines:5d}  {name}")
    over = [m for m in modules if m[0] > MODULE_LIMIT] + [f for f in funcs if f[0] > FUNCTION_LIMIT]
    for lines, name in over:
        print(f"over the limit: {name} ({lines} lines)")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
