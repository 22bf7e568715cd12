"""The loader: containers, pasted header blocks, attached messages, non-messages."""

from __future__ import annotations

import gzip
import io
import os
import sqlite3
import zipfile
from pathlib import Path

import pytest

from mailview.core import load as load_module
from mailview.core.errors import InputError
from mailview.core.load import load_bytes, load_text, read_path
from mailview.core.model import LoadedMessage

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "load"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

NO_BLANK = "The message had no blank line between headers and body."
INDENTED = "The headers were indented by the copy; the indent was removed."
LATIN1 = "Some header lines were not UTF-8 and were read as Latin-1."


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def only(messages: tuple[LoadedMessage, ...]) -> LoadedMessage:
    assert len(messages) == 1
    return messages[0]


def value(message: LoadedMessage, name: str) -> str | None:
    return next((h.value for h in message.headers if h.name.lower() == name.lower()), None)


def names(message: LoadedMessage) -> list[str]:
    return [h.name for h in message.headers]


STANDARD_NAMES = ["Received", "From", "To", "Subject", "Date", "Message-ID"]


# --- plain messages and pasted header blocks ---------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt", "subject", "body", "defects"),
    [
        ("lf.eml", "eml", "Quarterly figures", b"Hello Bob,\nthe", ()),
        ("crlf.eml", "eml", "Quarterly figures", b"Hello Bob,\r\nthe", ()),
        ("mixed.eml", "eml", "Quarterly figures", b"Hello Bob,\r\nthe", ()),
        ("bare-cr.eml", "eml", "Quarterly figures", b"Hello Bob,\rthe", ()),
        ("bom.eml", "eml", "Quarterly figures", b"Hello Bob,\nthe", ()),
        ("8bit.eml", "eml", "Café crème figures", b"Hello Bob,\nthe", (LATIN1,)),
        ("headers-only.eml", "headers", "Quarterly figures", b"", ()),
        ("outlook-paste.txt", "headers", "Quarterly figures", b"", (INDENTED,)),
        ("body-pasted.txt", "headers", "Quarterly figures", b"Hello Bob,\nthe", (NO_BLANK,)),
        (
            "utf16.eml",
            "eml",
            "Quarterly figures",
            b"Hello Bob,\nthe",
            ("The file was UTF-16 text; it was decoded before reading.",),
        ),
    ],
)
def test_single_messages(
    name: str, fmt: str, subject: str, body: bytes, defects: tuple[str, ...]
) -> None:
    message = only(load_bytes(fixture(name), name))
    assert message.format == fmt
    assert names(message) == STANDARD_NAMES
    assert value(message, "Subject") == subject
    assert message.body.startswith(body)
    assert message.defects == defects
    assert (message.address, message.label, message.envelope, message.inner) == (
        (),
        "the message",
        None,
        (),
    )
    received = message.headers[0]
    assert received.value == (
        "from mail.example.org (mail.example.org [192.0.2.10])"
        "\tby mx.example.net (Postfix) with ESMTPS id 4AB12"
        "\tfor <bob@example.net>; Tue, 3 Jun 2025 10:00:02 +0000 (UTC)"
    )
    assert [h.line for h in message.headers] == [1, 4, 5, 6, 7, 8]


def test_raw_keeps_crlf_folds_exactly() -> None:
    message = only(load_bytes(fixture("crlf.eml")))
    assert message.headers[0].raw == (
        "Received: from mail.example.org (mail.example.org [192.0.2.10])\r\n"
        "\tby mx.example.net (Postfix) with ESMTPS id 4AB12\r\n"
        "\tfor <bob@example.net>; Tue, 3 Jun 2025 10:00:02 +0000 (UTC)"
    )
    assert message.body == b"Hello Bob,\r\nthe figures are attached.\r\n"


def test_nul_bytes_stay_in_values_and_out_of_names() -> None:
    message = only(load_bytes(fixture("nul.eml")))
    assert value(message, "Subject") == "Quarterly\x00figures"
    assert "The header block contains NUL bytes." in message.defects
    assert "Line 7 of the header block is not a header field: 'X-Bro\\x00ken: yes'" in (
        message.defects
    )
    assert all("\x00" not in name for name in names(message))


def test_pasted_text_is_a_header_block() -> None:
    message = only(load_text(fixture("lf.eml").decode()))
    assert message.format == "headers"
    assert message.body.startswith(b"Hello Bob")
    pasted = only(load_text(fixture("outlook-paste.txt").decode()))
    assert (pasted.format, pasted.defects) == ("headers", (INDENTED,))
    assert names(pasted) == STANDARD_NAMES
    assert pasted.headers[0].raw.startswith("Received: from mail.example.org")
    assert "\n\tby mx.example.net" in pasted.headers[0].raw  # the fold survived the dedent


def test_indented_paste_keeps_folds_indented_with_spaces() -> None:
    text = "  Received: from a\n      by b\n  Subject: x\n  To: y\n"
    message = only(load_text(text))
    assert [(h.name, h.value) for h in message.headers] == [
        ("Received", "from a    by b"),
        ("Subject", "x"),
        ("To", "y"),
    ]


def test_gmail_show_original_summary_is_skipped() -> None:
    for messages in (
        load_bytes(fixture("gmail-original.txt")),
        load_text(fixture("gmail-original.txt").decode()),
    ):
        message = only(messages)
        assert names(message) == ["Delivered-To", *STANDARD_NAMES]
        assert value(message, "Delivered-To") == "bob@example.net"
        assert message.defects == (
            "The Gmail 'Show original' summary above the headers was skipped.",
        )


def test_outlook_banner_line_is_skipped() -> None:
    text = "Microsoft Mail Internet Headers Version 2.0\r\nReceived: from a\r\nSubject: b\r\n"
    message = only(load_text(text))
    assert names(message) == ["Received", "Subject"]


def test_a_broken_line_inside_the_headers_does_not_end_them() -> None:
    data = b"Received: from a\nby b (fold lost its indent)\nSubject: s\nTo: t\n\nbody\n"
    message = only(load_bytes(data))
    assert names(message) == ["Received", "Subject", "To"]
    assert message.body == b"body\n"
    assert message.headers[0].value == "from a by b (fold lost its indent)"
    assert len(message.defects) == 1
    assert "without the leading white space a fold needs" in message.defects[0]


def test_a_mime_boundary_right_after_the_headers_starts_the_body() -> None:
    data = b'Subject: s\nContent-Type: multipart/mixed; boundary="b"\n--b\nTo: x\n\ntext\n--b--\n'
    message = only(load_bytes(data))
    assert names(message) == ["Subject", "Content-Type"]
    assert message.body == b"--b\nTo: x\n\ntext\n--b--\n"
    assert message.defects == (NO_BLANK,)


def test_leading_blank_lines_are_skipped() -> None:
    message = only(load_bytes(b" " * 200 + b"\r\n\r\nSubject: s\r\nTo: t\r\n\r\nbody"))
    assert names(message) == ["Subject", "To"]
    assert message.body == b"body"


def test_an_xml_or_html_body_does_not_make_a_message_xml() -> None:
    data = b"From: a@example.org\nContent-Type: text/html\n\n<!DOCTYPE html><html></html>\n"
    assert only(load_bytes(data)).body.startswith(b"<!DOCTYPE")
    data = b"Subject: report\nContent-Type: text/xml\n\n<?xml version='1.0'?><a/>\n"
    assert only(load_bytes(data)).format == "eml"


# --- envelopes: mbox and SMTP dialogue ----------------------------------------------------


def test_mbox_with_three_messages() -> None:
    messages = load_bytes(fixture("three.mbox"))
    assert [m.label for m in messages] == ["message 1 of 3", "message 2 of 3", "message 3 of 3"]
    assert [m.address for m in messages] == [(0,), (1,), (2,)]
    assert [m.format for m in messages] == ["mbox"] * 3
    assert [value(m, "Subject") for m in messages] == ["Part 1", "Part 2", "Part 3"]
    first = messages[0]
    assert first.envelope is not None
    assert first.envelope.mail_from == "alice@example.org"
    assert first.envelope.date_text == "Tue Jun  3 10:01:00 2025"
    assert first.body == b"First body.\n"
    # mboxrd: one '>' is removed from every escaped From line.
    assert messages[1].body == (b"Second body.\nFrom the archive, a quoted line.\n>From twice.\n")


def test_single_message_with_mbox_from_line() -> None:
    data = b"From MAILER-DAEMON  Tue Jul  7 22:47:39 2009\nReturn-Path: <>\nSubject: x\n\nb\n"
    message = only(load_bytes(data))
    assert (message.format, message.address, message.label) == ("mbox", (), "the message")
    assert message.envelope is not None
    assert message.envelope.mail_from == "MAILER-DAEMON"
    assert message.envelope.date_text == "Tue Jul  7 22:47:39 2009"
    assert names(message) == ["Return-Path", "Subject"]


def test_from_lines_in_a_body_without_a_date_do_not_split_an_mbox() -> None:
    data = b"From a@b Mon Jan  1 00:00:00 2024\nSubject: x\n\npara\n\nFrom my point of view\n"
    message = only(load_bytes(data))
    assert message.body == b"para\n\nFrom my point of view\n"


def test_a_from_header_with_obsolete_space_is_not_an_envelope() -> None:
    message = only(load_bytes(b"From : alice@example.org\nSubject: x\n\nbody\n"))
    assert (message.format, message.envelope) == ("eml", None)
    assert value(message, "From") == "alice@example.org"


def test_bsmtp_dialogue() -> None:
    message = only(load_bytes(fixture("dialogue.bsmtp")))
    assert message.format == "bsmtp"
    assert message.envelope is not None
    assert message.envelope.helo == "client.example.org"
    assert message.envelope.mail_from == "alice@example.org"
    assert message.envelope.rcpt_to == ("bob@example.net", "carol@example.net")
    assert names(message) == ["Received", "From", "Subject"]
    assert message.body == b"A line.\r\n.a stuffed line\r\n"  # dot-unstuffed, '.' line gone
    assert message.defects == ()


def test_bsmtp_without_data_is_not_a_message() -> None:
    with pytest.raises(InputError, match="SMTP dialogue without a DATA command"):
        load_bytes(b"HELO a\r\nMAIL FROM:<a@b>\r\nQUIT\r\n")


def test_bsmtp_without_end_of_data_is_reported() -> None:
    message = only(load_bytes(b"HELO a\r\nDATA\r\nSubject: x\r\n\r\nbody\r\n"))
    assert message.defects == ("The SMTP dialogue had no '.' line ending the message data.",)
    assert message.body == b"body\r\n"


# --- attached messages ----------------------------------------------------------------------


def test_forwarded_as_attachments() -> None:
    message = only(load_bytes(fixture("forward-attachments.eml")))
    assert message.format == "eml"
    assert [(m.address, m.label, m.format) for m in message.inner] == [
        ((0,), "attachment 'first.eml'", "eml"),
        ((1,), "attached message 2", "eml"),
        ((2,), "attachment 'third.eml'", "eml"),  # application/octet-stream, base64
    ]
    assert [value(m, "Subject") for m in message.inner] == [
        "Suspicious 1",
        "Suspicious 2",
        "Suspicious 3",
    ]
    third = message.inner[2]
    assert third.headers[0].value.startswith("from relay3.example.com (relay3.example.com")
    assert third.body == b"Click here 3.\n"
    assert message.defects == ()


def test_nested_forward() -> None:
    message = only(load_bytes(fixture("nested-forward.eml")))
    (middle,) = message.inner
    (innermost,) = middle.inner
    assert (middle.address, value(middle, "Subject")) == ((0,), "Fw: look at this")
    assert (innermost.address, value(innermost, "Subject")) == ((0, 0), "Suspicious 4")
    assert innermost.label == "attached message 1"


def test_bounce_returns_the_original_headers() -> None:
    message = only(load_bytes(fixture("bounce.eml")))
    (returned,) = message.inner
    assert (returned.label, returned.format, returned.address) == (
        "returned message (bounce)",
        "headers",
        (0,),
    )
    assert names(returned) == ["Received", "From", "To", "Subject"]


def test_nesting_depth_is_limited() -> None:
    data = b"Subject: leaf\n\nleaf\n"
    for level in range(10):
        data = f"Subject: level {level}\nContent-Type: message/rfc822\n\n".encode() + data
    message = only(load_bytes(data))
    depth = 0
    while message.inner:
        (message,) = message.inner
        depth += 1
    assert depth == load_module.MAX_DEPTH


def test_a_declared_attached_message_that_is_not_one_is_a_defect() -> None:
    data = (
        b'Subject: s\nContent-Type: multipart/mixed; boundary="b"\n\n'
        b"--b\nContent-Type: message/rfc822\n\n\x89PNG\r\n\x1a\n\x00\x00\n--b--\n"
    )
    message = only(load_bytes(data))
    assert message.inner == ()
    assert message.defects == ("The attached message 1 could not be read as an email message.",)


def test_plain_multipart_is_not_walked_for_nothing() -> None:
    data = (
        b'Subject: s\nContent-Type: multipart/alternative; boundary="b"\n\n'
        b"--b\nContent-Type: text/plain\n\nFrom: not an attachment\n--b--\n"
    )
    assert only(load_bytes(data)).inner == ()


# --- Outlook .msg -----------------------------------------------------------------------------


def test_msg_with_transport_headers_and_an_embedded_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # extract-msg must not write anything, here or elsewhere
    message = only(load_bytes(fixture("other.msg"), "other.msg"))
    assert message.format == "msg"
    assert message.defects == ()
    assert message.headers[0].name == "IronPort-PHdr"
    assert value(message, "Received") == (
        "from no-data (HELO tjdpf.org.cn) ([60.30.204.58])  by esa2.mentor.iphmx.com "
        "with ESMTP; 27 Nov 2017 01:44:33 -0800"
    )
    assert value(message, "Subject") == "=?GBK?B?zba13de0zKzNqNaqIChGYWlsdXJlIE5vdGljZSk=?="
    assert value(message, "Message-ID") == "<99d78a$k8gjl@esa2.mentor.iphmx.com>"
    assert message.body.startswith(b"Hi. This is an automatically generated Delivery Status")
    (inner,) = message.inner
    assert (inner.label, inner.address, inner.format) == (
        "attachment 'default_attachment.eml'",
        (0,),
        "msg",
    )
    assert value(inner, "From") == "Meredith chen <yosipnps@model.com>"
    assert value(inner, "Message-ID") == "<20171127174424864054@model.com>"
    assert list(tmp_path.iterdir()) == []


def test_msg_without_transport_headers_uses_its_properties() -> None:
    message = only(load_bytes(fixture("outer.msg")))
    assert message.format == "msg"
    assert [(h.name, h.value) for h in message.headers] == [
        ("To", "outer@foo.bar <outer@foo.bar>"),
        ("Subject", "outer subject"),
    ]
    assert message.body == b"Outer body\r\n"
    assert message.defects[0].startswith("The .msg file carries no transport headers")
    (inner,) = message.inner
    assert (inner.label, value(inner, "Subject"), inner.body) == (
        "attachment 'test.msg'",
        "test",
        b"body\r\n",
    )


@pytest.mark.parametrize("name", ["other.msg", "outer.msg"])
def test_msg_file_directory_is_read_once(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The OLE file is opened once, its attached message included: extract-msg's own
    `openMsg` alone would open it twice (once to learn the item's class)."""
    import olefile  # type: ignore[import-untyped] # the library extract-msg reads with

    load_bytes(fixture(name))  # extract-msg imported before counting
    opened: list[object] = []
    real = olefile.OleFileIO

    class Counting(real):  # type: ignore[misc, valid-type]
        def __init__(self, *args: object, **kwargs: object) -> None:
            opened.append(args[0])
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(olefile, "OleFileIO", Counting)
    message = only(load_bytes(fixture(name)))
    assert len(opened) == 1
    assert len(message.inner) == 1  # the attached message was read, from the same file


@pytest.mark.corpus
def test_msg_without_extension_from_the_corpus() -> None:
    path = CORPUS / "spamscope-mail-parser" / "mail_outlook_1"
    if not path.exists():
        pytest.skip("shared corpus not present")
    message = only(load_bytes(read_path(path)))
    assert message.format == "msg"
    assert message.headers[0].value.startswith(
        "from EX-01.auenland.lkt (10.191.70.10) by EX-01.auenland.lkt (10.191.70.10) with "
        "Microsoft SMTP Server (TLS) id 15.0.1210.3; Mon, 18 Sep 2017 12:00:28 +0200"
    )
    assert value(message, "From") == "<NueblingV@w-vwa.de>"
    assert value(message, "Message-ID") == "<20170918100018.6AE0948009C@www.w-vwa.de>"
    assert sum(h.name == "Received" for h in message.headers) == 10
    assert message.inner == ()  # its attachments are images


@pytest.mark.parametrize(
    ("data", "sentence"),
    [
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
            "This file looks like an Outlook .msg file but is damaged or incomplete.",
        ),
        (
            fixture("other.msg")[:5000],
            "This file looks like an Outlook .msg file but is damaged or incomplete.",
        ),
    ],
)
def test_damaged_msg(data: bytes, sentence: str) -> None:
    with pytest.raises(InputError) as caught:
        load_bytes(data)
    assert str(caught.value) == sentence


# --- not messages -------------------------------------------------------------------------


def _zip(member: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(member, "x")
    return buffer.getvalue()


def _sqlite(tmp: Path) -> bytes:
    path = tmp / "db.sqlite"
    connection = sqlite3.connect(path)
    connection.execute("create table t (x)")
    connection.commit()
    connection.close()
    return path.read_bytes()


def _png() -> bytes:
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00"


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (_png(), "is a PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "is a JPEG image"),
        (b"GIF89a\x01\x00\x01\x00\x80\x00\x00", "is a GIF image"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "is a PDF document"),
        (_zip("notes.txt"), "is a ZIP archive"),
        (_zip("word/document.xml"), "is a Word document (.docx)"),
        (gzip.compress(b"From: a\n\nb"), "is a gzip-compressed file"),
        (b"7z\xbc\xaf\x27\x1c\x00\x04", "is a 7-Zip archive"),
        (b"Rar!\x1a\x07\x01\x00", "is a RAR archive"),
        (b"\x7fELF\x02\x01\x01\x00" + bytes(8), "is a Linux/Unix program (ELF executable)"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", "is a Windows program (EXE/DLL)"),
        (fixture("page.html"), "is an HTML document"),
        (fixture("data.xml"), "is XML data"),
        (fixture("data.json"), "is JSON data"),
        (fixture("empty.eml"), "is empty"),
        (b"  \r\n\t\n", "is empty"),
    ],
)
def test_non_messages_are_named(data: bytes, what: str) -> None:
    with pytest.raises(InputError) as caught:
        load_bytes(data)
    assert str(caught.value) == f"This file {what}, not an email message."


def test_sqlite_database_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^This file is an SQLite database, not an email"):
        load_bytes(_sqlite(tmp_path))


@pytest.mark.parametrize(
    ("data", "sentence"),
    [
        (
            bytes(range(256)) * 4,
            "This file does not look like an email message: it has no header fields.",
        ),
        (
            fixture("notes.txt"),
            "This file does not look like an email message: it does not start with header "
            "fields such as Received, From or Subject.",
        ),
        (
            fixture("key-value.txt"),
            "This file does not look like an email message: it does not start with header "
            "fields such as Received, From or Subject.",
        ),
    ],
)
def test_text_and_binary_without_headers(data: bytes, sentence: str) -> None:
    with pytest.raises(InputError) as caught:
        load_bytes(data)
    assert str(caught.value) == sentence


def test_pasted_text_errors_name_the_paste() -> None:
    with pytest.raises(InputError) as caught:
        load_text("   \n")
    assert str(caught.value) == "The pasted text is empty, not an email message."
    with pytest.raises(InputError, match=r"^The pasted text does not look like an email"):
        load_text("Hello Bob,\nhow are you?\n")


# --- reading files --------------------------------------------------------------------------


def test_read_path_reads_without_changing_the_file(tmp_path: Path) -> None:
    path = tmp_path / "m.eml"
    path.write_bytes(fixture("crlf.eml"))
    before = path.stat()
    assert read_path(path) == fixture("crlf.eml")
    assert read_path(str(path)) == fixture("crlf.eml")
    after = path.stat()
    assert (before.st_mtime_ns, before.st_size) == (after.st_mtime_ns, after.st_size)


def test_read_path_failures_are_sentences(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = tmp_path / "nope.eml"
    with pytest.raises(InputError) as caught:
        read_path(missing)
    assert str(caught.value) == f"The file {str(missing)!r} could not be read: it does not exist."
    with pytest.raises(InputError, match="it is a folder, not a file"):
        read_path(tmp_path)
    big = tmp_path / "big.eml"
    big.write_bytes(b"Subject: x\n\n" + b"x" * 100)
    monkeypatch.setattr(load_module, "MAX_FILE_BYTES", 50)
    with pytest.raises(InputError, match="it is larger than 200 MB"):
        read_path(big)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root may read anything")
def test_read_path_permission_denied(tmp_path: Path) -> None:
    path = tmp_path / "locked.eml"
    path.write_bytes(b"Subject: x\n")
    path.chmod(0)
    try:
        with pytest.raises(InputError, match="permission to read it was denied"):
            read_path(path)
    finally:
        path.chmod(0o600)


# --- robustness -----------------------------------------------------------------------------


def _loads_or_input_error(data: bytes) -> None:
    try:
        messages = load_bytes(data)
    except InputError as err:
        assert str(err).endswith(".")
        return
    assert messages


@pytest.mark.parametrize("name", ["crlf.eml", "forward-attachments.eml", "three.mbox"])
def test_every_prefix_loads_or_is_an_input_error(name: str) -> None:
    data = fixture(name)
    for end in range(len(data) + 1):
        _loads_or_input_error(data[:end])


def test_msg_prefixes_load_or_are_input_errors() -> None:
    data = fixture("outer.msg")
    for end in range(0, len(data) + 1, 997):
        _loads_or_input_error(data[:end])


@pytest.mark.parametrize("junk", [b"\x00" * 50, bytes(range(256)), b"\xff\xfe", b"--\n" * 9])
def test_junk_around_a_message(junk: bytes) -> None:
    data = fixture("forward-attachments.eml")
    _loads_or_input_error(junk + data)
    _loads_or_input_error(data + junk)
    _loads_or_input_error(data[:300] + junk + data[300:])
    assert only(load_bytes(data + junk)).headers[0].name == "Received"


def test_large_inputs_load_fast() -> None:
    import time

    one = b"Received: from a.example (a.example [192.0.2.1])\r\n\tby b.example; Tue, 3 Jun 2025\r\n"
    cases = [
        one * 10_000 + b"\r\nbody",
        b"X-Long: " + b"\r\n ".join([b"a" * 70] * 14_000) + b"\r\n\r\nbody",
        b"Subject: big\r\n\r\n" + b"x" * 5_000_000,
    ]
    for data in cases:
        start = time.perf_counter()
        only(load_bytes(data))
        assert time.perf_counter() - start < 0.5


# --- the shared corpus ------------------------------------------------------------------------

# Files of the corpus that are not messages (none so far).
NOT_MESSAGES: frozenset[str] = frozenset()


def _corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    skip = {"SOURCES.md", "MANIFEST.tsv"}
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name not in skip)


@pytest.mark.corpus
def test_corpus_sweep() -> None:
    files = _corpus_files()
    if not files:
        pytest.skip("shared corpus not present")
    assert len(files) >= 245
    failures = []
    for path in files:
        relative = str(path.relative_to(CORPUS))
        try:
            messages = load_bytes(read_path(path), path.name)
        except InputError as err:
            if relative not in NOT_MESSAGES:
                failures.append(f"{relative}: {err}")
            continue
        assert relative not in NOT_MESSAGES, relative
        for message in messages:
            assert message.headers, relative
    assert failures == []


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("relative", "check"),
    [
        ("spamassassin/spam/bsmtp", "bsmtp"),
        ("mailgun-flanker/long-header.eml", "long"),
        ("rspamd/phish_sender2.eml", "split-name"),
        ("mailgun-flanker/enclosed.eml", "enclosed"),
        ("patchwork/series/bugs-spamming.mbox", "mbox"),
    ],
)
def test_corpus_samples(relative: str, check: str) -> None:
    path = CORPUS / relative
    if not path.exists():
        pytest.skip("shared corpus not present")
    messages = load_bytes(read_path(path))
    first = messages[0]
    if check == "bsmtp":
        assert first.format == "bsmtp"
        assert first.envelope is not None
        assert (first.envelope.helo, first.envelope.mail_from, first.envelope.rcpt_to) == (
            "example.com",
            "pertand@email.mondolink.com",
            ("somebody@example.com",),
        )
        assert first.envelope.date_text == "Fri Aug 31 13:39:16 2001"
        assert value(first, "Message-Id") == "<78w08.t365th3y6x7h@yahoo.com>"
        assert first.body.rstrip().endswith(b"</body></html>")
    elif check == "long":
        assert max(len(h.raw) for h in first.headers) > 200_000
    elif check == "split-name":
        assert value(first, "From") == "<any@attack.com>"
    elif check == "enclosed":
        (inner,) = first.inner
        assert inner.label == "attachment 'thanks.eml'"
        assert value(inner, "Subject") is not None
    else:
        assert [m.label for m in messages] == ["message 1 of 3", "message 2 of 3", "message 3 of 3"]
