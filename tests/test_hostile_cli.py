"""Hostile input at the command line: never a traceback, never a message driving the terminal.

Each test runs `mailview` in a subprocess, as a user (or a script piping it) does.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mailview.cli import analyze as analyze_command
from mailview.core.errors import InputError

HEAD = (
    "From: Alice <alice@example.com>\nTo: bob@example.org\n"
    "Date: Mon, 1 Jan 2024 10:00:00 +0000\nMessage-ID: <1@example.com>\n"
)


def mailview(
    *args: str, stdin: bytes = b"", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    done = subprocess.run(
        [sys.executable, "-m", "mailview", *args],
        input=stdin,
        capture_output=True,
        check=False,
        env={**os.environ, **(env or {})},
    )
    assert b"Traceback" not in done.stderr, done.stderr.decode("utf-8", "replace")
    return done


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


BAD_CHARSET_SUBJECT = HEAD + "Subject: =?\u00e9?Q?x?=\n\nbody\n"
BAD_CHARSET_ATTACHMENT = (
    HEAD + "Subject: hi\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=XX\n\n"
    "--XX\nContent-Type: text/plain\n\nhi\n--XX\nContent-Type: message/rfc822\n"
    'Content-Disposition: attachment; filename="=?\u00e9?Q?x?=.eml"\n\n'
    "From: a@b.example\nSubject: =?\u00e9?B?eA==?=\n\ninner\n--XX--\n"
)


@pytest.mark.parametrize("text", [BAD_CHARSET_SUBJECT, BAD_CHARSET_ATTACHMENT])
def test_an_invalid_charset_in_an_encoded_word_is_shown_as_written(
    tmp_path: Path, text: str
) -> None:
    path = write(tmp_path, "m.eml", text)
    done = mailview("analyze", "--json", str(path))
    assert done.returncode == 0
    report = json.loads(done.stdout)
    assert "=?\u00e9?" in json.dumps(report, ensure_ascii=False)
    batch = mailview("batch", str(path), "--quiet")
    assert batch.returncode == 0 and json.loads(batch.stdout)["schema"] == "mailview/report-1"


def test_standard_input_is_read_to_a_limit_not_without_end(monkeypatch: pytest.MonkeyPatch) -> None:
    endless = io.BytesIO(b"\0" * 4096)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(endless))
    with pytest.raises(InputError) as caught:
        analyze_command.read_stdin(limit=1024)
    assert "more than" in caught.value.sentence
    assert endless.tell() == 1025  # read one byte past the limit, no further


def test_standard_input_at_a_terminal_gets_a_prompt(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    class Terminal(io.TextIOWrapper):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Terminal(io.BytesIO(HEAD.encode())))
    assert analyze_command.read_stdin() == HEAD.encode()
    assert "Ctrl+D" in capsys.readouterr().err


def test_output_to_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    path = write(tmp_path, "m.eml", HEAD + "Subject: hi\n\nbody\n")
    command = [sys.executable, "-m", "mailview", "analyze", "--json", *[str(path)] * 200]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.read(100)
        process.stdout.close()  # `| head -c 100`
        error = process.stderr.read()
    assert process.returncode == 1
    assert error == b""


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_output_to_a_full_disk_is_one_sentence(tmp_path: Path) -> None:
    path = write(tmp_path, "m.eml", HEAD + "Subject: hi\n\nbody\n")
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            [sys.executable, "-m", "mailview", "analyze", "--json", str(path)],
            stdout=full,
            stderr=subprocess.PIPE,
            check=False,
        )
    assert done.returncode == 1
    assert done.stderr == b"mailview: the output could not be written: no space left on device.\n"


def test_an_ascii_terminal_gets_escapes_not_an_encoding_error(tmp_path: Path) -> None:
    path = write(tmp_path, "m.eml", HEAD + "Subject: =?utf-8?Q?caf=C3=A9_=E2=82=AC?=\n\nbody\n")
    done = mailview("analyze", str(path), env={"PYTHONIOENCODING": "ascii"})
    assert done.returncode == 0
    assert b"caf\\xe9 \\u20ac" in done.stdout


def test_terminal_commands_in_headers_are_shown_not_obeyed(tmp_path: Path) -> None:
    title = "\x1b]0;owned\x07"
    clear = "\x1b[2J"
    path = write(
        tmp_path,
        "m.eml",
        HEAD + f"Subject: a{title}b{clear}c\u202etxt.exe\nX-Mailer: x\rY\n\nbody\n",
    )
    done = mailview("analyze", str(path))
    assert done.returncode == 0
    out = done.stdout.decode()
    assert not any(c in out for c in "\x1b\x07\r\u202e")
    assert "a\\x1b]0;owned\\x07b\\x1b[2Jc\\u202etxt.exe" in out


def test_analyse_is_accepted_as_analyze(tmp_path: Path) -> None:
    path = write(tmp_path, "m.eml", HEAD + "Subject: hi\n\nbody\n")
    british = mailview("analyse", "--json", str(path))
    american = mailview("analyze", "--json", str(path))
    assert british.returncode == 0
    assert json.loads(british.stdout)["input"] == json.loads(american.stdout)["input"]


def test_export_without_an_output_is_a_usage_error_of_export(tmp_path: Path) -> None:
    path = write(tmp_path, "m.eml", HEAD + "Subject: hi\n\nbody\n")
    done = mailview("export", str(path))
    assert done.returncode == 2
    assert done.stderr.startswith(b"usage: mailview export")
    assert b"name an output" in done.stderr


def test_a_missing_file_is_named_once(tmp_path: Path) -> None:
    missing = tmp_path / "gone.eml"
    done = mailview("analyze", str(missing))
    assert done.returncode == 3
    assert done.stderr.decode().count("gone.eml") == 1


def test_a_folder_given_to_analyze_points_at_batch(tmp_path: Path) -> None:
    done = mailview("analyze", str(tmp_path))
    assert done.returncode == 3
    assert f"'mailview batch {tmp_path}'".encode() in done.stderr


def test_a_bug_met_on_one_message_does_not_end_a_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    from mailview.cli import batch
    from mailview.core.analyze import analyze_bytes as real

    def flaky(data: bytes, name: str, **kwargs: object) -> object:
        if b"boom" in data:
            raise RuntimeError("boom")
        return real(data, name, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(batch, "analyze_bytes", flaky)
    good = (HEAD + "Subject: fine\n\nbody\n").encode()
    bad = (HEAD + "Subject: boom\n\nbody\n").encode()
    outcomes = batch._analyse_task([("bad.eml", bad, False), ("good.eml", good, False)])
    assert outcomes[0].error is not None and "RuntimeError: boom" in outcomes[0].error
    assert json.loads(outcomes[0].line)["error"] == outcomes[0].error
    assert outcomes[1].error is None and outcomes[1].level is not None
