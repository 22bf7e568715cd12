"""`mailview batch` and the message sources it streams: folders, mbox files, Ctrl+C."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

from mailview import cli
from mailview.cli.batch import Tally, network_of, progress_text, run_batch, summary_lines
from mailview.core.errors import InputError
from mailview.core.stream import count_messages, iter_files, iter_messages

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 20
SETTINGS: dict[str, object] = {
    "own_domain": [],
    "own_network": [],
    "wrapper": False,
    "strict": True,  # a failing rule raises: the tests see it
    "dkim_keys": None,
    "geoip_db": [],
}
ENVELOPE = "From sender@example.org Mon Jan  1 10:00:00 2024\n"

# Runs the command as `python -m mailview` does; builds the parser from the batch module
# alone while the top-level command line does not list `batch` yet.
DRIVER = """
import argparse, sys
from mailview.cli import batch
parser = argparse.ArgumentParser(prog="mailview")
batch.add_parser(parser.add_subparsers())
args = parser.parse_args(sys.argv[1:])
sys.exit(args.run(args, parser))
"""


def command(*args: str) -> list[str]:
    if "batch" in cli.COMMANDS:
        return [sys.executable, "-m", "mailview", "batch", *args]
    return [sys.executable, "-c", DRIVER, "batch", *args]


def mailview_batch(*args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command(*args), capture_output=True, text=True, check=False)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def message(n: int, ip: str, *, message_id: bool = True, body: str = "body\n") -> str:
    """A message whose first external hop sent from `ip` (a documentation address)."""
    lines = [
        "Received: from mx1.example.net (mx1.example.net [10.1.2.3])",
        f"\tby inbox.example.net with ESMTP id a{n}; Mon, 1 Jan 2024 10:00:05 +0000",
        f"Received: from sender.example.org (sender.example.org [{ip}])",
        f"\tby mx1.example.net with ESMTPS id b{n}; Mon, 1 Jan 2024 10:00:01 +0000",
        "From: Alice <alice@example.org>",
        "To: bob@example.net",
        f"Subject: message {n}",
        "Date: Mon, 1 Jan 2024 10:00:00 +0000",
    ]
    if message_id:
        lines.append(f"Message-ID: <{n}@example.org>")
    return "\n".join(lines) + "\n\n" + body


def mbox_entry(text: str) -> str:
    return ENVELOPE + text + "\n"


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[Path, Path]:
    """A folder (3 messages, one nested; a PNG; an empty file) and an mbox of 5."""
    folder = tmp_path / "in"
    (folder / "nested").mkdir(parents=True)
    (folder / "a.eml").write_text(message(1, "192.0.2.10"))
    (folder / "b.eml").write_text(message(2, "192.0.2.20", message_id=False))
    (folder / "nested" / "c.eml").write_text(message(3, "198.51.100.7"))
    (folder / "image.png").write_bytes(PNG)
    (folder / "empty.eml").write_bytes(b"")
    box = tmp_path / "box.mbox"
    bodies = ["body\n>From the escaped line\n" if n == 12 else "body\n" for n in range(10, 15)]
    box.write_text("".join(mbox_entry(message(n, "203.0.113.5", body=b)) for n, b in
                           zip(range(10, 15), bodies, strict=True)))  # fmt: skip
    return folder, box


# --- message sources ---------------------------------------------------------------------


def test_folders_are_walked_recursively_in_sorted_order(inputs: tuple[Path, Path]) -> None:
    folder, box = inputs
    listed = list(iter_files([str(folder), str(box), str(folder / "missing.eml")]))
    names = [Path(item.path).relative_to(folder.parent).as_posix() for item in listed]
    assert names == [
        "in/a.eml",
        "in/b.eml",
        "in/empty.eml",
        "in/image.png",
        "in/nested/c.eml",
        "box.mbox",
        "in/missing.eml",
    ]
    assert all(item.error is None for item in listed)


def test_an_mbox_yields_each_message_without_its_envelope(inputs: tuple[Path, Path]) -> None:
    _, box = inputs
    found = list(iter_messages(str(box)))
    assert [label for label, _ in found] == [f"{box}#{n}" for n in range(1, 6)]
    assert found[0][1] == message(10, "203.0.113.5").encode()
    assert found[2][1].endswith(b"\n\nbody\nFrom the escaped line\n")
    assert count_messages(str(box)) == 5


def test_a_lone_message_or_plain_file_is_yielded_whole(tmp_path: Path) -> None:
    lone = tmp_path / "one.mbox"
    lone.write_text(mbox_entry(message(1, "192.0.2.1")))
    plain = tmp_path / "one.eml"
    plain.write_text(message(1, "192.0.2.1"))
    assert list(iter_messages(str(lone))) == [(str(lone), lone.read_bytes())]
    assert list(iter_messages(str(plain))) == [(str(plain), plain.read_bytes())]
    with pytest.raises(InputError, match="it does not exist"):
        list(iter_messages(str(tmp_path / "missing.eml")))


def test_a_body_line_from_without_a_date_does_not_split(tmp_path: Path) -> None:
    box = tmp_path / "box.mbox"
    body = "para\n\nFrom my point of view\n"
    box.write_text(
        mbox_entry(message(1, "192.0.2.1", body=body)) + mbox_entry(message(2, "192.0.2.2"))
    )
    found = list(iter_messages(str(box)))
    assert len(found) == 2
    assert found[0][1].endswith(b"para\n\nFrom my point of view\n")


def test_a_big_mbox_is_streamed_in_flat_memory(tmp_path: Path) -> None:
    box = tmp_path / "big.mbox"
    entry = mbox_entry(message(1, "192.0.2.1", body="x" * 600 + "\n>From here\n>>From there\n"))
    box.write_text(entry * 5000)
    size = box.stat().st_size
    assert size > 5_000_000
    tracemalloc.start()
    try:
        count = 0
        for _, data in iter_messages(str(box)):
            count += 1
            assert data.endswith(b"\nFrom here\n>From there\n")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 5000
    assert peak < size / 50  # a message or two at a time, never the file


# --- the batch ---------------------------------------------------------------------------


def run_in_process(paths: list[Path], jobs: int) -> tuple[list[dict[str, object]], Tally]:
    out = io.BytesIO()
    tally = run_batch([str(p) for p in paths], out, SETTINGS, jobs)
    docs = [json.loads(line) for line in out.getvalue().decode().splitlines()]
    return docs, tally


def test_batch_writes_one_document_per_message_in_input_order(
    inputs: tuple[Path, Path],
) -> None:
    folder, box = inputs
    docs, tally = run_in_process([folder, box], jobs=2)
    names = [str(doc["input"]["name"]) for doc in docs]  # type: ignore[index]
    # image.png is no mail, found in a folder: skipped and counted; empty.eml is named as
    # mail and is not: reported.
    expected = [str(folder / n) for n in ("a.eml", "b.eml", "empty.eml")]
    expected += [str(folder / "nested" / "c.eml")] + [f"{box}#{n}" for n in range(1, 6)]
    assert names == expected
    assert all(doc["schema"] == "mailview/report-1" for doc in docs)
    errors = {str(d["input"]["name"]): d["error"] for d in docs if "error" in d}  # type: ignore[index]
    assert errors == {
        str(folder / "empty.eml"): "This file is empty, not an email message.",
    }
    assert tally.analysed == 8 and len(tally.unreadable) == 1 and tally.skipped == 1
    assert tally.levels == {"none": 7, "low": 1}
    assert tally.ips == {"203.0.113.5": 5, "192.0.2.10": 1, "192.0.2.20": 1, "198.51.100.7": 1}
    assert tally.networks == {"203.0.113.0/24": 5, "192.0.2.0/24": 2, "198.51.100.0/24": 1}
    assert tally.findings == {("identity.message_id_missing", "No Message-ID header"): 1}
    assert tally.exit_status() == 1


def test_one_job_and_two_give_the_same_results(inputs: tuple[Path, Path]) -> None:
    one, _ = run_in_process(list(inputs), jobs=1)
    two, _ = run_in_process(list(inputs), jobs=2)
    assert [json.dumps(d, sort_keys=True) for d in one] == [
        json.dumps(d, sort_keys=True) for d in two
    ]


def test_summary_lists_counts_and_each_unreadable_input(inputs: tuple[Path, Path]) -> None:
    _, tally = run_in_process(list(inputs), jobs=1)
    text = "\n".join(summary_lines(tally))
    assert "  analysed           8" in text
    assert "  could not be read  1" in text
    assert "empty.eml: This file is empty, not an email message." in text
    assert "  skipped, not mail  1" in text
    assert "image.png" not in text
    assert "  verdicts           high 0  medium 0  low 1  info 0  none 7" in text
    assert "    5  203.0.113.5" in text
    assert "    2  192.0.2.0/24" in text
    assert "    1  identity.message_id_missing: No Message-ID header" in text


def test_command_exits_1_with_an_unreadable_input_and_0_without(
    inputs: tuple[Path, Path], tmp_path: Path
) -> None:
    folder, box = inputs
    out = tmp_path / "out.jsonl"
    done = mailview_batch(str(folder), str(box), "--out", str(out), "--jobs", "2")
    assert done.returncode == 1
    assert done.stdout == ""
    assert len(out.read_text().splitlines()) == 9
    assert "could not be read  1" in done.stderr
    good = mailview_batch(str(folder / "a.eml"), str(box), "--quiet")
    assert good.returncode == 0
    assert good.stderr == ""
    assert len(good.stdout.splitlines()) == 6
    quiet = mailview_batch(str(folder / "image.png"), "--quiet", "--out", str(out))
    assert quiet.returncode == 1
    assert quiet.stderr == (
        f"mailview: {folder / 'image.png'}: This file is a PNG image, not an email message.\n"
    )


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--jobs", "0"], "at least 1"),
        (["--message", "2"], "--message picks one message"),
        (["--online"], "batch analyses offline"),
    ],
)
def test_usage_errors_exit_2(args: list[str], said: str, inputs: tuple[Path, Path]) -> None:
    done = mailview_batch(str(inputs[0]), *args)
    assert done.returncode == 2
    assert said in done.stderr


def test_ctrl_c_flushes_whole_lines_prints_the_summary_and_exits_130(tmp_path: Path) -> None:
    box = tmp_path / "big.mbox"
    box.write_text("".join(mbox_entry(message(n, "192.0.2.1")) for n in range(20_000)))
    out = tmp_path / "out.jsonl"
    process = subprocess.Popen(
        command(str(box), "--out", str(out), "--jobs", "2"),
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for_output(tmp_path)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    lines = out.read_text().splitlines()
    assert 0 < len(lines) < 20_000
    assert all(json.loads(line)["schema"] == "mailview/report-1" for line in lines)
    assert out.read_text().endswith("\n")
    assert "(interrupted by Ctrl+C)" in stderr
    assert f"  analysed           {len(lines):,}" in stderr


def wait_for_output(folder: Path) -> None:
    """Until the batch has written something: the output grows under a temporary name
    beside it (`.out.jsonl.*.partial`) and takes its own name only at the end."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if any(p.stat().st_size for p in folder.glob(".out.jsonl.*.partial")):
            return
        time.sleep(0.02)


def test_a_second_ctrl_c_stops_at_once(tmp_path: Path) -> None:
    box = tmp_path / "big.mbox"
    box.write_text("".join(mbox_entry(message(n, "192.0.2.1")) for n in range(20_000)))
    out = tmp_path / "out.jsonl"
    process = subprocess.Popen(
        command(str(box), "--out", str(out), "--jobs", "2"), stderr=subprocess.PIPE, text=True
    )
    wait_for_output(tmp_path)
    process.send_signal(signal.SIGINT)
    time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)  # not the minutes the rest would take
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    lines = out.read_text().splitlines()
    assert all(json.loads(line)["schema"] == "mailview/report-1" for line in lines)
    assert not list(tmp_path.glob("*.partial"))


# --- small pieces ------------------------------------------------------------------------


def test_networks_are_slash_24_and_slash_48() -> None:
    assert network_of("203.0.113.77") == "203.0.113.0/24"
    assert network_of("2001:db8:1:2::5") == "2001:db8:1::/48"


def test_progress_text_shows_rate_and_eta_when_the_total_is_known() -> None:
    assert progress_text(500, 2000, 2.0) == "500/2,000 messages  250/s  ETA 0:06"
    assert progress_text(500, None, 2.0) == "500 messages  250/s"
    assert progress_text(7200, 36_000_000, 1.0) == "7,200/36,000,000 messages  7,200/s  ETA 1:23:19"


# A worker as `run_batch` starts one, given its first task; what it reports afterwards.
_SETTLED_WORKER = """
import gc, json, sys
from mailview.cli import batch
settings = dict(own_domain=[], own_network=[], wrapper=False, strict=False, dkim_keys=None,
                geoip_db=[])
batch._start_worker(settings)
first = batch._analyse_task([("a.eml", sys.stdin.buffer.read(), False)])
tracked = len(gc.get_objects())
again = batch._analyse_task([("a.eml", first[0].line.encode(), False)])
print(json.dumps({"frozen": gc.get_freeze_count(), "tracked": tracked,
                  "analysed": first[0].error is None, "second": again[0].error is not None}))
"""


def test_a_worker_keeps_what_it_loaded_out_of_the_collectors_sight() -> None:
    """After its first task a batch worker's long-lived objects (modules, tables, caches)
    are frozen, so a full collection no longer traverses them; work goes on after."""
    done = subprocess.run(
        [sys.executable, "-c", _SETTLED_WORKER],
        input=message(1, "203.0.113.9").encode(),
        capture_output=True,
        check=True,
    )
    facts = json.loads(done.stdout)
    assert facts["analysed"] and facts["second"]  # a JSON line is no message: its error
    # Everything alive after the first task is frozen: the collector sees almost nothing.
    assert facts["frozen"] > 10_000
    assert facts["tracked"] < 50
