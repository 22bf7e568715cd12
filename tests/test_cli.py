"""`mailview analyze` end to end, in a subprocess as a user runs it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mailview.assets import sample_message

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 20


def mailview(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "mailview", *args],
        input=stdin.decode("latin-1"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


def test_text_output_of_the_sample() -> None:
    done = mailview("analyze", "--sample")
    assert done.returncode == 0
    out = done.stdout
    assert "Route: 6 hops, oldest first; total transit 9 min 30 s" in out
    assert "trust boundary" in out
    assert "Origin:      203.0.113.77 (first external hop), 198.51.100.23 (X-Originating-IP)" in out
    assert "from mail.paypa1-billing.example [203.0.113.77 documentation]" in out
    assert "→ by BN2PEPF000044A5.mail.protection.outlook.com" in out
    assert "-1 min 23 s skew" in out
    assert "Findings (" in out and "Clock skew at hop 3" in out
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 100


def test_json_for_one_file_and_json_lines_for_several(tmp_path: Path) -> None:
    one = mailview("analyze", "--json", str(sample_message()))
    assert one.returncode == 0
    assert json.loads(one.stdout)["schema"] == "mailview/report-1"
    two = mailview("analyze", "--json", str(sample_message()), str(sample_message()))
    docs = [json.loads(line) for line in two.stdout.splitlines()]
    assert len(docs) == 2 and docs[0]["input"]["sha256"] == docs[1]["input"]["sha256"]


def test_unreadable_input_exits_3_with_one_sentence_and_others_still_analysed(
    tmp_path: Path,
) -> None:
    image = tmp_path / "photo.png"
    image.write_bytes(PNG)
    done = mailview("analyze", "--json", str(image), str(sample_message()))
    assert done.returncode == 3
    first, second = (json.loads(line) for line in done.stdout.splitlines())
    assert first["error"] == "This file is a PNG image, not an email message."
    assert first["input"]["format"] is None
    assert second["hops"]
    assert done.stderr.strip() == f"mailview: {image}: {first['error']}"
    assert image.read_bytes() == PNG  # never written to


def test_missing_file_is_an_input_error_not_a_traceback(tmp_path: Path) -> None:
    done = mailview("analyze", str(tmp_path / "nope.eml"))
    assert done.returncode == 3
    assert done.stderr.startswith("mailview: ")
    assert len(done.stderr.strip().splitlines()) == 1


def test_pasted_headers_on_stdin() -> None:
    pasted = (
        b"    Received: from a.example (a.example [192.0.2.1])\n"
        b"        by b.example (Postfix) with ESMTP id 1; Tue, 12 Nov 2024 09:00:00 +0000\n"
        b"    Subject: pasted\n"
    )
    done = mailview("analyze", "--json", "-", stdin=pasted)
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["message"]["subject"] == "pasted"
    assert doc["hops"][0]["from_ip"] == "192.0.2.1"


def test_usage_errors_exit_2() -> None:
    assert mailview("--no-such-option").returncode == 2
    assert mailview("analyze").returncode == 2
    assert mailview("export", str(sample_message())).returncode == 2  # no --png/--svg
    assert mailview("analyze", "--message", "x", "--sample").returncode == 2
    assert mailview("analyze", "--own-network", "nonsense", "--sample").returncode == 2
    assert mailview("--version").stdout.startswith("mailview ")


def test_export_writes_png_and_svg_without_a_display(tmp_path: Path) -> None:
    png, svg = tmp_path / "route.png", tmp_path / "route.svg"
    done = mailview("export", str(sample_message()), "--png", str(png), "--svg", str(svg))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(png), str(svg)]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"mail.paypa1-billing.example" in svg.read_bytes()


def test_export_of_a_non_message_exits_3(tmp_path: Path) -> None:
    image = tmp_path / "x.png"
    image.write_bytes(PNG)
    done = mailview("export", str(image), "--png", str(tmp_path / "out.png"))
    assert done.returncode == 3
    assert "not an email message" in done.stderr
    assert not (tmp_path / "out.png").exists()


def test_export_to_an_unwritable_place_exits_1(tmp_path: Path) -> None:
    target = tmp_path / "no-such-dir" / "out.png"
    done = mailview("export", str(sample_message()), "--png", str(target))
    assert done.returncode == 1
    assert done.stderr.startswith("mailview: ")


def test_the_app_without_a_display_says_so_in_one_sentence() -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DISPLAY", "WAYLAND_DISPLAY"}}
    env.pop("QT_QPA_PLATFORM", None)
    done = subprocess.run(
        [sys.executable, "-m", "mailview", str(sample_message())],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
    )
    if not sys.platform.startswith("linux"):
        pytest.skip("only Linux decides this from DISPLAY")
    assert done.returncode == 1
    assert done.stderr.startswith("mailview: there is no display to open a window on")
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_dkim_keys_folder_verifies_signatures_offline(tmp_path: Path) -> None:
    from tests.auth_signing import DOMAIN, SELECTOR, dkim_sign, key_pair, plain_message

    pair = key_pair()
    message = tmp_path / "signed.eml"
    message.write_bytes(dkim_sign(plain_message(), pair))
    keys = tmp_path / "keys"
    keys.mkdir()
    (keys / f"{SELECTOR}._domainkey.{DOMAIN}.txt").write_bytes(pair.record)

    without = json.loads(mailview("analyze", "--json", str(message)).stdout)
    with_keys = json.loads(
        mailview("analyze", "--json", "--dkim-keys", str(keys), str(message)).stdout
    )
    assert without["auth"]["dkim"][0]["verification"] == "unverifiable"
    assert with_keys["auth"]["dkim"][0]["verification"] == "pass"
    assert with_keys["auth"]["dkim"][0]["body_hash"] == "match"
    assert with_keys["auth"]["dkim"][0]["domain"] == DOMAIN
    assert mailview("analyze", "--dkim-keys", str(tmp_path / "nope"), str(message)).returncode == 2


def test_export_reports_for_a_ticket(tmp_path: Path) -> None:
    md, html, js = tmp_path / "r.md", tmp_path / "r.html", tmp_path / "r.json"
    done = mailview(
        "export", str(sample_message()), "--md", str(md), "--html", str(html), "--json", str(js)
    )
    assert done.returncode == 0, done.stderr
    doc = json.loads(js.read_text())
    urls = [u["url"] for u in doc["indicators"]["urls"]]
    assert "https://paypa1-billing.example/resolution/confirm?id=7731" in urls  # plain in JSON
    text = md.read_text()
    assert "hxxps://paypa1-billing" in text  # defanged for the ticket
    assert (tmp_path / "r.png").read_bytes()[:4] == b"\x89PNG"  # the Markdown's picture
    page = html.read_text()
    assert "Content-Security-Policy" in page and "<script" not in page
    assert 'src="http' not in page and "data:image/png;base64," in page


def test_export_redacted_hides_the_recipients_side(tmp_path: Path) -> None:
    md = tmp_path / "r.md"
    done = mailview("export", str(sample_message()), "--md", str(md), "--redact")
    assert done.returncode == 0, done.stderr
    text = md.read_text()
    assert "Redacted for sharing" in text
    assert "j.doe@contoso.example" not in text and "10.167.243.156" not in text
    assert "198.51.100.23" in text  # the sender's side stays: it is the evidence


def test_the_app_starts_and_leaves_cleanly_in_smoke_test_mode(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "MAILVIEW_SMOKE_TEST": "1",
        "QT_QPA_PLATFORM": "offscreen",
        "MAILVIEW_CONFIG_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-m", "mailview", str(sample_message())],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    unexpected = [
        line for line in done.stderr.splitlines() if "propagateSizeHints" not in line and line
    ]
    assert unexpected == []
