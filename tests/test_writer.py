"""One writer for every output file: atomic, and never over an input of the same run."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from mailview.export.writer import Outputs, WriteRefused, open_atomic, write_bytes
from tests.cli_run import mailview

MESSAGE = (
    b"From: Alice <alice@example.com>\nTo: bob@example.org\nSubject: hi\n"
    b"Date: Mon, 1 Jan 2024 10:00:00 +0000\nMessage-ID: <1@example.com>\n\nbody\n"
)


@pytest.fixture
def message(tmp_path: Path) -> Path:
    path = tmp_path / "b.eml"
    path.write_bytes(MESSAGE)
    return path


# --- the writer itself -------------------------------------------------------------------


def test_an_input_is_refused_by_its_name_another_spelling_a_symlink_and_a_hard_link(
    message: Path, tmp_path: Path
) -> None:
    outputs = Outputs()
    outputs.add_input(message)
    (tmp_path / "sub").mkdir()
    link = tmp_path / "link.eml"
    link.symlink_to(message)
    hard = tmp_path / "hard.eml"
    os.link(message, hard)
    for same in (message, tmp_path / "sub" / ".." / "b.eml", link, hard):
        with pytest.raises(WriteRefused, match="is an input of this run"):
            outputs.claim(same)
    assert outputs.claim(tmp_path / "other.json") == tmp_path / "other.json"


def test_two_outputs_of_one_run_may_not_be_the_same_file(tmp_path: Path) -> None:
    outputs = Outputs()
    outputs.claim(tmp_path / "r.md")
    with pytest.raises(WriteRefused, match="two outputs"):
        outputs.claim(tmp_path / "." / "r.md")


def test_a_kept_file_is_refused_when_it_exists(tmp_path: Path) -> None:
    picture = tmp_path / "r.png"
    picture.write_bytes(b"mine")
    with pytest.raises(WriteRefused, match="exists already"):
        Outputs().claim(picture, overwrite=False, what="the picture")
    with pytest.raises(WriteRefused, match="exists already"):
        write_bytes(picture, b"new", overwrite=False)  # appeared after the claim: still kept
    assert picture.read_bytes() == b"mine"


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), open_atomic(target) as stream:
        stream.write(b"half")
        raise RuntimeError("disk gone")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]
    write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]


def test_an_unwritable_folder_is_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(OSError, match=r"nowhere/r.json could not be written: no such file"):
        write_bytes(tmp_path / "nowhere" / "r.json", b"x")


# --- the commands -------------------------------------------------------------------------


def test_export_never_writes_over_its_input(message: Path) -> None:
    for option in ("--json", "--md", "--html", "--svg", "--png"):
        done = mailview("export", str(message), option, str(message))
        assert done.returncode == 1, option
        assert "is an input of this run" in done.stderr
        assert message.read_bytes() == MESSAGE


def test_export_md_names_its_picture_and_keeps_an_existing_one(
    message: Path, tmp_path: Path
) -> None:
    report = tmp_path / "NAME.md"
    picture = tmp_path / "NAME.png"
    first = mailview("export", str(message), "--md", str(report))
    assert first.returncode == 0
    assert f"{picture} (the Markdown report's picture)" in first.stdout
    assert picture.read_bytes().startswith(b"\x89PNG")
    picture.write_bytes(b"my own picture")
    again = mailview("export", str(message), "--md", str(report))
    assert again.returncode == 1
    assert "exists already" in again.stderr and "--force" in again.stderr
    assert picture.read_bytes() == b"my own picture"
    forced = mailview("export", str(message), "--md", str(report), "--force")
    assert forced.returncode == 0
    assert picture.read_bytes().startswith(b"\x89PNG")


def test_batch_never_writes_over_a_named_input(message: Path) -> None:
    done = mailview("batch", str(message), "--out", str(message))
    assert done.returncode == 1
    assert "is an input of this run" in done.stderr
    assert message.read_bytes() == MESSAGE


def test_batch_does_not_read_its_own_output_in_the_folder(message: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    for _ in range(2):  # the second run finds the first run's output in the folder
        done = mailview("batch", str(tmp_path), "--out", str(out), "--quiet")
        assert done.returncode == 0, done.stderr
        lines = out.read_text().splitlines()
        assert [json.loads(line)["input"]["name"] for line in lines] == [str(message)]


def test_batch_refuses_to_replace_a_message_inside_a_folder_it_reads(
    message: Path, tmp_path: Path
) -> None:
    done = mailview("batch", str(tmp_path), "--out", str(message))
    assert done.returncode == 1
    assert "inside the folder" in done.stderr
    assert message.read_bytes() == MESSAGE


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="needs /dev/null")
def test_a_device_is_written_in_place_never_replaced(message: Path) -> None:
    done = mailview("export", str(message), "--json", "/dev/stdout")
    assert done.returncode == 0
    assert json.loads(done.stdout.rsplit("/dev/stdout", 1)[0])["schema"] == "mailview/report-1"
    write_bytes("/dev/null", b"gone")
    assert not Path("/dev/null").is_file()  # still the device, not a file renamed over it
