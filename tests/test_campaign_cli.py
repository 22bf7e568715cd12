"""The CLI faces of the queue: campaigns in `batch`, its CSV, and mbox messages in `analyze`."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from mailview.export.queue_csv import neutralise
from tests.campaign_families import lure_bases, resend
from tests.cli_run import mailview

BASES = lure_bases(2)
needs_corpus = pytest.mark.skipif(len(BASES) < 2, reason="the corpus is absent")
ENVELOPE = b"From sender@example.org Mon Jan  1 10:00:00 2024\n"


@pytest.fixture
def families(tmp_path: Path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    for b, base in enumerate(BASES):
        for n in range(1, 4):
            (folder / f"{b}-{n}.eml").write_bytes(resend(base.read_bytes(), n + 10 * b))
    (folder / "lonely.eml").write_bytes(
        b"From: =cmd|' /C calc'!A0 <x@lonely.example>\nTo: a@b.example\n"
        b"Subject: +lonely one\n\nsee http://evil.example/login\n"
    )
    return folder


@needs_corpus
def test_batch_stamps_each_document_with_its_campaign(families: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    done = mailview("batch", str(families), "--out", str(out), "--jobs", "2")
    assert done.returncode == 0, done.stderr
    docs = {Path(d["input"]["name"]).name: d for d in map(json.loads, out.read_text().splitlines())}
    assert docs["lonely.eml"]["campaign"] is None
    first = {docs[f"0-{n}.eml"]["campaign"] for n in (1, 2, 3)}
    second = {docs[f"1-{n}.eml"]["campaign"] for n in (1, 2, 3)}
    assert len(first) == len(second) == 1 and first != second and None not in first
    assert "schema" in docs["lonely.eml"]  # the document is whole, the key added
    assert "campaigns          2 (6 messages in them)" in done.stderr
    for campaign in first | second:
        assert f"{campaign}  3 messages: same subject skeleton" in done.stderr


@needs_corpus
def test_campaign_ids_do_not_change_between_runs(families: Path, tmp_path: Path) -> None:
    runs = []
    for jobs in ("1", "3"):
        out = tmp_path / f"out{jobs}.jsonl"
        mailview("batch", str(families), "--out", str(out), "--jobs", jobs)
        runs.append([json.loads(line)["campaign"] for line in out.read_text().splitlines()])
    assert runs[0] == runs[1]


@needs_corpus
def test_batch_csv_is_defanged_and_formula_safe(families: Path, tmp_path: Path) -> None:
    table = tmp_path / "queue.csv"
    done = mailview("batch", str(families), "--out", str(tmp_path / "o"), "--csv", str(table))
    assert done.returncode == 0, done.stderr
    with table.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 7
    lonely = next(r for r in rows if r["label"].endswith("lonely.eml"))
    assert lonely["sender"].startswith("'=cmd")  # a formula shown as text
    assert lonely["subject"] == "'+lonely one"
    assert "hxxp://evil[.]example/login" in lonely["urls"]
    assert "evil[.]example" in lonely["domains"].split()
    grouped = [r for r in rows if r["campaign"]]
    assert len(grouped) == 6 and {r["campaign_size"] for r in grouped} == {"3"}
    plain = tmp_path / "plain.csv"
    mailview(
        "batch",
        str(families),
        "--out",
        str(tmp_path / "o2"),
        "--csv",
        str(plain),
        "--plain-indicators",
    )
    assert "http://evil.example/login" in plain.read_text(encoding="utf-8")


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_every_formula_start_is_neutralised(cell: str) -> None:
    assert neutralise(cell) == "'" + cell
    assert neutralise("plain " + cell) == "plain " + cell


@pytest.fixture
def mbox(tmp_path: Path) -> Path:
    box = tmp_path / "box.mbox"
    box.write_bytes(
        b"".join(
            ENVELOPE + f"From: a@example.org\nSubject: number {n}\n\nbody {n}\n\n".encode()
            for n in (1, 2, 3)
        )
    )
    return box


def test_analyze_tells_how_many_messages_an_mbox_holds(mbox: Path) -> None:
    done = mailview("analyze", str(mbox))
    assert done.returncode == 0
    assert "holds 3 messages" in done.stderr
    assert "--message N (1 to 3)" in done.stderr and "--message all" in done.stderr


def test_analyze_message_all_analyses_each(mbox: Path) -> None:
    done = mailview("analyze", str(mbox), "--message", "all", "--json")
    docs = [json.loads(line) for line in done.stdout.splitlines()]
    assert [d["message"]["subject"] for d in docs] == ["number 1", "number 2", "number 3"]
    assert "holds" not in done.stderr
