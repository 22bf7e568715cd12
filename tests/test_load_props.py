"""Properties: nothing but InputError escapes the loader; splitting loses nothing."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailview.core import load as load_module
from mailview.core.errors import InputError
from mailview.core.headers import split_header_block
from mailview.core.load import _split_multipart, load_bytes, load_text
from mailview.core.model import LoadedMessage

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "load"
SAMPLES = tuple(
    (FIXTURES / name).read_bytes()
    for name in (
        "crlf.eml",
        "forward-attachments.eml",
        "nested-forward.eml",
        "three.mbox",
        "dialogue.bsmtp",
        "bounce.eml",
        "gmail-original.txt",
        "outlook-paste.txt",
    )
)
MSG = (FIXTURES / "outer.msg").read_bytes()

SETTINGS = settings(max_examples=250, deadline=None)

# Bytes that steer the loader into its special cases, to be mixed into random input.
TOKENS = st.sampled_from(
    [
        b"\r\n",
        b"\n",
        b"\r",
        b"\r\n\r\n",
        b"\n\n",
        b" ",
        b"\t",
        b":",
        b"From ",
        b"From a@b Mon Jan  1 00:00:00 2024\n",
        b">From ",
        b"HELO x\r\n",
        b"MAIL FROM:<a@b>\r\n",
        b"DATA\r\n",
        b".\r\n",
        b"Received: from a by b\r\n",
        b"Subject: s\n",
        b"X-A: 1\n",
        b"Content-Type: multipart/mixed; boundary=b\n",
        b"Content-Type: message/rfc822\n",
        b"Content-Type: text/rfc822-headers\n",
        b"Content-Type: multipart/report; report-type=delivery-status; boundary=b\n",
        b"Content-Transfer-Encoding: base64\n",
        b'Content-Disposition: attachment; filename="x.eml"\n',
        b"Content-Type: application/octet-stream; name*=utf-8''%E2%82%AC.msg\n",
        b"--b\n",
        b"--b--\n",
        b"\x00",
        b"\xff\xfe",
        b"\xef\xbb\xbf",
        b"\xe9",
        b"Original message\n",
        b"Download Original\n",
        b"Microsoft Mail Internet Headers Version 2.0\r\n",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        b"=?utf-8?q?=E2?=",
    ]
)
STEERED = st.lists(st.one_of(TOKENS, st.binary(max_size=12)), max_size=40).map(b"".join)


def loads_or_refuses(data: bytes) -> tuple[LoadedMessage, ...]:
    try:
        messages = load_bytes(data)
    except InputError as err:
        assert str(err) and str(err) == err.sentence
        return ()
    assert messages
    for message in _walk(messages):
        assert isinstance(message.body, bytes)
        assert all(h.index == i for i, h in enumerate(message.headers))
    return messages


def _walk(messages: tuple[LoadedMessage, ...]) -> list[LoadedMessage]:
    found = list(messages)
    for message in messages:
        found.extend(_walk(message.inner))
    return found


@SETTINGS
@given(st.binary(max_size=2000))
def test_arbitrary_bytes(data: bytes) -> None:
    loads_or_refuses(data)


@SETTINGS
@given(STEERED)
def test_steered_bytes(data: bytes) -> None:
    loads_or_refuses(data)


@SETTINGS
@given(st.text(max_size=500))
def test_arbitrary_text(text: str) -> None:
    try:
        messages = load_text(text)
    except InputError as err:
        assert str(err).startswith("The pasted text ")
        return
    assert messages


@SETTINGS
@given(st.sampled_from(SAMPLES), STEERED, STEERED, st.integers(min_value=0, max_value=3000))
def test_junk_around_and_inside_real_messages(
    sample: bytes, before: bytes, after: bytes, at: int
) -> None:
    loads_or_refuses(before + sample)
    loads_or_refuses(sample + after)
    loads_or_refuses(sample[:at] + before + sample[at:])
    # Junk after a message never stops it loading.
    assert loads_or_refuses(sample + after)


@SETTINGS
@given(st.sampled_from(SAMPLES), st.integers(min_value=0, max_value=3000), st.binary(max_size=3))
def test_real_messages_with_bytes_replaced(sample: bytes, at: int, new: bytes) -> None:
    loads_or_refuses(sample[:at] + new + sample[at + len(new) :])


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=len(MSG) - 1), st.binary(min_size=1, max_size=64))
def test_damaged_msg_files(at: int, new: bytes) -> None:
    loads_or_refuses(MSG[:at] + new + MSG[at + len(new) :])


def _opened_by_open_msg(data: bytes, place: Any) -> LoadedMessage:
    """The .msg reading the shared-file opening replaced: `openMsg` alone."""
    import extract_msg

    from mailview.core import load

    try:
        msg: Any = extract_msg.openMsg(
            data, errorBehavior=extract_msg.enums.ErrorBehavior.SUPPRESS_ALL
        )
    except Exception as err:
        raise InputError(load._msg_failure(err, place), "damaged") from err
    try:
        return load._msg_to_loaded(msg, place)
    finally:
        msg.close()


def _outcome(data: bytes) -> object:
    try:
        return load_bytes(data)
    except InputError as err:
        return str(err)


OTHER_MSG = (FIXTURES / "other.msg").read_bytes()


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from([MSG, OTHER_MSG]),
    st.integers(min_value=0, max_value=len(MSG) - 1),
    st.binary(min_size=1, max_size=64),
)
def test_msg_file_opened_once_reads_what_open_msg_reads(data: bytes, at: int, new: bytes) -> None:
    damaged = data[:at] + new + data[at + len(new) :]
    ours = _outcome(damaged)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(load_module, "_open_and_read_msg", _opened_by_open_msg)
        theirs = _outcome(damaged)
    assert ours == theirs


EOLS = st.sampled_from(["\r\n", "\n"])


@SETTINGS
@given(st.lists(EOLS, min_size=40, max_size=40), st.sampled_from(SAMPLES[:3]))
def test_any_mix_of_line_ends_gives_the_same_fields(eols: list[str], sample: bytes) -> None:
    lines = sample.decode().replace("\r\n", "\n").split("\n")
    mixed = "".join(line + eols[i % len(eols)] for i, line in enumerate(lines[:-1]))
    expected = load_bytes(sample)[0]
    message = load_bytes(mixed.encode())[0]
    assert [(h.name, h.value) for h in message.headers] == [
        (h.name, h.value) for h in expected.headers
    ]
    assert len(message.inner) == len(expected.inner)


# --- split_header_block ------------------------------------------------------------------

NAME = st.text(
    alphabet=st.characters(min_codepoint=33, max_codepoint=126, exclude_characters=":"),
    min_size=1,
    max_size=12,
)
WORD = st.text(
    alphabet=st.characters(min_codepoint=33, max_codepoint=0x2FF, exclude_characters="\x7f"),
    min_size=1,
    max_size=10,
)
FIELD = st.tuples(NAME, st.lists(WORD, min_size=1, max_size=4), st.lists(st.booleans()))


@SETTINGS
@given(st.lists(FIELD, min_size=1, max_size=8), st.sampled_from(["\n", "\r\n", "\r"]))
def test_split_finds_every_field_and_loses_nothing(
    fields: list[tuple[str, list[str], list[bool]]], eol: str
) -> None:
    texts = []
    expected = []
    for name, words, folds in fields:
        raw = name + ": " + words[0]
        unfolded = words[0]
        for i, word in enumerate(words[1:]):
            sep = eol + " " if i < len(folds) and folds[i] else " "
            raw += sep + word
            unfolded += sep.replace(eol, "") + word
        texts.append(raw)
        expected.append((name, unfolded, raw))
    text = eol.join(texts) + eol
    found, defects = split_header_block(text)
    assert defects == ()
    assert [(f.name, f.value, f.raw) for f in found] == expected
    assert eol.join(f.raw for f in found) + eol == text


@SETTINGS
@given(st.text(max_size=400))
def test_split_accepts_any_text(text: str) -> None:
    fields, defects = split_header_block(text)
    for field in fields:
        assert field.raw in text
        assert ":" not in field.name
        assert field.value in field.raw.replace("\r\n", "").replace("\n", "").replace("\r", "")
    assert all(isinstance(d, str) and d for d in defects)


LINES = st.lists(
    st.one_of(
        st.builds(lambda n, v: f"{n}:{v}", NAME, st.text(max_size=8)),
        st.builds(lambda v: " " + v, st.text(max_size=8)),
        st.text(max_size=8),
    ),
    max_size=12,
)


@SETTINGS
@given(LINES, st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_fast_and_careful_paths_agree(lines: list[str], eol: str, final_eol: bool) -> None:
    from mailview.core.headers import _split_lines_one_by_one, _split_well_formed

    lines = [line.replace("\r", "").replace("\n", "") for line in lines]
    text = eol.join(lines) + (eol if final_eol else "")
    fast = _split_well_formed(text)
    careful = _split_lines_one_by_one(text)
    if fast is not None:
        assert careful == (fast, ()) or "\x00" in text


# The delimiter grammar of RFC 2046 §5.1.1 as a regular expression: the reference the
# loader's `bytes.find` scan must agree with, part for part.
def _parts_by_pattern(data: bytes, boundary: str) -> list[tuple[int, int]]:
    marker = re.escape(boundary.encode("utf-8"))
    delimiter = re.compile(rb"--" + marker + rb"(--)?[ \t]*\r?$", re.M)
    spans, start = [], -1
    for match in delimiter.finditer(data):
        if match.start() > 0 and data[match.start() - 1] not in b"\r\n":
            continue
        if start >= 0:
            end = match.start()
            end -= 1 if data[end - 1] == 0x0A else 0
            end -= 1 if end > start and data[end - 1] == 0x0D else 0
            spans.append((start, max(start, end)))
        if match.group(1):
            return spans
        start = match.end() + 1
    if 0 <= start < len(data):
        spans.append((start, len(data)))
    return spans


DELIMITER_PIECES = st.sampled_from(
    [b"--b", b"--b--", b"--bb", b"b", b"-", b"--", b" ", b"\t", b"\r", b"\n", b"\r\n", b"x",
     b"--b\n", b"--b\t\n", b"--b \r\n", b"--b--\t\n", b"--b--x\n", b"\n--b\r", b"x--b\n"]
)  # fmt: skip


@SETTINGS
@given(st.lists(DELIMITER_PIECES, max_size=40), st.sampled_from(["b", "bb", "", "b--"]))
def test_multipart_split_agrees_with_the_delimiter_grammar(
    pieces: list[bytes], boundary: str
) -> None:
    data = b"".join(pieces)
    assert list(_split_multipart(data, (0, len(data)), boundary)) == _parts_by_pattern(
        data, boundary
    )
