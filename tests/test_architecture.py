"""The analysis core stays pure: no Qt, no GUI, no network, importable without PySide6."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[1] / "mailview" / "core"
QT = ("PySide6", "PyQt5", "PyQt6", "PySide2", "shiboken6")
FORBIDDEN = (*QT, "mailview.gui", "mailview.cli", "socket", "urllib.request", "http.client")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted(CORE.rglob("*.py")), ids=lambda p: p.name)
def test_core_module_imports_nothing_forbidden(path: Path) -> None:
    bad = {
        name
        for name in imported_modules(path)
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
    }
    assert not bad, f"{path.relative_to(CORE.parent.parent)} imports {sorted(bad)}"


def test_the_scan_sees_a_qt_import(tmp_path: Path) -> None:
    sample = tmp_path / "m.py"
    sample.write_text("from PySide6.QtCore import QObject\nimport os\n")
    assert "PySide6.QtCore" in imported_modules(sample)


def test_core_analyses_with_qt_blocked() -> None:
    """Import and run the core in a fresh interpreter where importing Qt fails."""
    script = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        f"        if name.split('.')[0] in {QT!r}: raise ImportError('Qt blocked: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "from mailview.core.analyze import analyze_bytes\n"
        "r = analyze_bytes(b'From: a@example.com\\r\\nSubject: hi\\r\\n\\r\\nbody')\n"
        "assert r.message.subject == 'hi', r.message\n"
        "assert not any(m.split('.')[0] in " + repr(QT) + " for m in sys.modules)\n"
        "print('ok')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
