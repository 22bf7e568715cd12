"""The batch on Dask (`mailview.scale`): the same JSON Lines as `mailview batch`, and Dask
never needed by anything else.

The reference is always a real `mailview batch` run over the same paths; the Dask run must
give its lines byte for byte and in its order, campaign stamps included.
"""

from __future__ import annotations

import argparse
import ast
import json
import subprocess
import sys
from importlib.metadata import requires
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from packaging.requirements import Requirement

from mailview.cli.commands import add_analysis_options
from tests.cli_run import mailview
from tests.corpus import CORPUS

if TYPE_CHECKING:
    from mailview.scale import ScaleRun

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "load"  # an mbox, a .msg, an empty .eml, non-mail
EXAMPLE = ROOT / "examples" / "dask_batch.py"
# Makes `import dask` fail in a fresh interpreter, as on a machine without the extra.
BLOCK_DASK = (
    "import sys\n"
    "class Block:\n"
    "    def find_spec(self, name, path=None, target=None):\n"
    "        if name.split('.')[0] == 'dask':\n"
    "            raise ModuleNotFoundError('blocked: ' + name, name=name)\n"
    "sys.meta_path.insert(0, Block())\n"
)


def batch_lines(paths: list[str], out: Path) -> bytes:
    done = mailview("batch", *paths, "--out", str(out), "--quiet", "--jobs", "2")
    assert out.is_file(), done.stderr
    return out.read_bytes()


def dask_lines(paths: list[str], work: Path, **options: Any) -> tuple[bytes, ScaleRun]:
    pytest.importorskip("dask")
    from mailview import scale

    work.mkdir()
    out = work / "all.jsonl"
    with out.open("wb") as sink:
        done = scale.run(paths, sink, str(work), **options)
    return out.read_bytes(), done


def campaigns(lines: bytes) -> list[str | None]:
    return [json.loads(line)["campaign"] for line in lines.splitlines()]


@pytest.fixture(scope="module")
def corpus_batch(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    if not CORPUS.is_dir():
        pytest.skip(f"no corpus at {CORPUS}")
    pytest.importorskip("dask")
    return batch_lines([str(CORPUS)], tmp_path_factory.mktemp("batch") / "corpus.jsonl")


@pytest.mark.corpus
def test_each_file_a_partition_gives_batch_lines_and_campaigns(
    corpus_batch: bytes, tmp_path: Path
) -> None:
    lines, done = dask_lines(
        [str(CORPUS)], tmp_path / "work", scheduler="synchronous", files_per_partition=1
    )
    assert lines == corpus_batch
    stamps = campaigns(lines)
    # The reduction is what joins them: a campaign holds messages of several files, and
    # here every file was analysed in a partition of its own.
    files_of: dict[str, set[str]] = {}
    for line, stamp in zip(lines.splitlines(), stamps, strict=True):
        if stamp is not None:
            label = json.loads(line)["input"]["name"]
            files_of.setdefault(stamp, set()).add(label.partition("#")[0])
    assert any(len(files) > 1 for files in files_of.values())
    assert {c.id for c in done.campaigns} == set(files_of)
    assert done.messages == len(stamps)
    assert done.partitions == done.files > 1


@pytest.mark.corpus
def test_worker_processes_give_batch_lines(corpus_batch: bytes, tmp_path: Path) -> None:
    lines, done = dask_lines(
        [str(CORPUS)], tmp_path / "work", scheduler="processes", files_per_partition=64
    )
    assert lines == corpus_batch
    assert done.partitions > 1


@pytest.mark.parametrize("scheduler", ["synchronous", "threads"])
def test_unreadable_skipped_and_mbox_messages_as_batch_writes_them(
    scheduler: str, tmp_path: Path
) -> None:
    pytest.importorskip("dask")
    paths = [str(FIXTURES), str(FIXTURES / "three.mbox")]  # a file given twice stays twice
    expected = batch_lines(paths, tmp_path / "batch.jsonl")
    lines, done = dask_lines(paths, tmp_path / "work", scheduler=scheduler, files_per_partition=3)
    assert lines == expected
    docs = [json.loads(line) for line in lines.splitlines()]
    assert any("error" in doc for doc in docs)  # empty.eml: its error document, stamped
    assert sum(doc["input"]["name"].endswith(".mbox#2") for doc in docs) == 2
    assert done.unreadable == 1 and done.skipped > 0
    assert any(stamp is not None for stamp in campaigns(lines))


def test_analysis_options_reach_the_workers(tmp_path: Path) -> None:
    pytest.importorskip("dask")
    from mailview import scale

    parser = argparse.ArgumentParser()
    add_analysis_options(parser)
    own = ["--own-network", "198.51.100.0/24", "--wrapper"]
    settings = scale.settings_of(parser.parse_args(own))
    paths = [str(FIXTURES)]
    expected = batch_lines([*paths, *own], tmp_path / "batch.jsonl")
    plain = batch_lines(paths, tmp_path / "plain.jsonl")
    assert expected != plain  # the options change what these messages say
    lines, _ = dask_lines(paths, tmp_path / "work", scheduler="synchronous", settings=settings)
    assert lines == expected


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        (["--online"], "analyses offline"),
        (["--message", "2"], "analyses them all"),
        (["--own-network", "nowhere"], "--own-network"),
    ],
)
def test_options_a_batch_refuses_are_refused(argv: list[str], problem: str) -> None:
    pytest.importorskip("dask")
    from mailview import scale

    parser = argparse.ArgumentParser()
    add_analysis_options(parser)
    with pytest.raises(ValueError, match=problem):
        scale.settings_of(parser.parse_args(argv))


def test_example_writes_batch_lines(tmp_path: Path) -> None:
    pytest.importorskip("dask")
    out = tmp_path / "dask.jsonl"
    done = subprocess.run(
        [sys.executable, str(EXAMPLE), str(FIXTURES), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1  # as batch: one input could not be read
    expected = batch_lines([str(FIXTURES)], tmp_path / "batch.jsonl")
    assert out.read_bytes() == expected
    messages = len(expected.splitlines())
    assert f"mailview on Dask (processes): {messages:,} messages" in done.stderr


def test_example_without_dask_says_how_to_install_it(tmp_path: Path) -> None:
    script = (
        BLOCK_DASK + "import runpy\n"
        f"sys.argv = ['dask_batch.py', {str(FIXTURES)!r}, '--out', {str(tmp_path / 'x')!r}]\n"
        f"runpy.run_path({str(EXAMPLE)!r}, run_name='__main__')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr, done.stderr
    assert done.stderr.count("\n") == 1
    assert "pip install 'mailview[scale]'" in done.stderr
    assert not (tmp_path / "x").exists()


def test_batch_runs_where_dask_cannot_be_imported(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    script = (
        BLOCK_DASK + "from mailview.cli import main\n"
        f"status = main(['batch', {str(FIXTURES)!r}, '--out', {str(out)!r}, '--quiet'])\n"
        "assert not [m for m in sys.modules if m.startswith(('dask', 'mailview.scale'))]\n"
        "print(status)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert done.stdout.strip() == "1", done.stderr  # 1: empty.eml could not be read
    assert all(json.loads(line)["input"] for line in out.read_bytes().splitlines())


def imports_dask_or_scale(path: Path) -> bool:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return any(n.split(".")[0] == "dask" or n.startswith("mailview.scale") for n in names)


def test_nothing_but_the_scale_module_imports_dask() -> None:
    importers = {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "mailview").rglob("*.py")
        if imports_dask_or_scale(path)
    }
    assert importers == {"mailview/scale.py"}
    assert imports_dask_or_scale(EXAMPLE)  # the scan sees `from mailview import scale`


def test_dask_is_an_extra_not_a_dependency() -> None:
    """What a plain `pip install mailview` installs holds no Dask; `[scale]` brings it."""
    wanted = [Requirement(r) for r in requires("mailview") or []]
    dask = [r for r in wanted if r.name == "dask"]

    def installs(extra: str) -> bool:
        return any(r.marker is None or r.marker.evaluate({"extra": extra}) for r in dask)

    assert not installs("")
    assert installs("scale") and installs("test")
