"""split_header_block: fields, folds, raw text, line numbers and defects."""

from __future__ import annotations

import time

import pytest

from mailview.core.headers import split_header_block
from mailview.core.model import HeaderField


def test_fields_in_order_with_names_values_lines_and_indexes() -> None:
    text = "Received: from a\r\n\tby b\r\nFrom: Alice <a@example.org>\r\nSubject:  Hi\r\n"
    fields, defects = split_header_block(text)
    assert defects == ()
    assert [f.name for f in fields] == ["Received", "From", "Subject"]
    assert [f.index for f in fields] == [0, 1, 2]
    assert [f.line for f in fields] == [1, 3, 4]
    assert fields[0].value == "from a\tby b"  # CRLF removed, the WSP after it kept
    assert fields[0].raw == "Received: from a\r\n\tby b"  # exactly as written
    assert fields[1].value == "Alice <a@example.org>"
    assert fields[2].value == "Hi"  # all WSP after the colon goes


@pytest.mark.parametrize("eol", ["\n", "\r\n"])
def test_fields_are_header_fields_as_their_constructor_makes_them(eol: str) -> None:
    text = f"Subject: a{eol}\tb{eol}To: c{eol}"
    fields, _ = split_header_block(text)
    assert [type(f) for f in fields] == [HeaderField, HeaderField]
    assert fields[0] == HeaderField(0, "Subject", "a\tb", f"Subject: a{eol}\tb", 1)
    expected = {"index": 1, "name": "To", "value": "c", "raw": "To: c", "line": 3}
    assert fields[1]._asdict() == expected


@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"])
def test_line_ends_are_kept_in_raw_and_removed_from_values(eol: str) -> None:
    text = eol.join(["Received: from a", " by b", "  for c", "To: d", ""])
    fields, defects = split_header_block(text)
    assert defects == ()
    assert fields[0].value == "from a by b  for c"
    assert fields[0].raw == f"Received: from a{eol} by b{eol}  for c"
    assert fields[1].raw == "To: d"


def test_mixed_line_ends_keep_each_terminator_in_raw() -> None:
    text = "Received: from a\r\n by b\n by c\r by d\r\nTo: e\n"
    fields, defects = split_header_block(text)
    assert defects == ()
    assert fields[0].raw == "Received: from a\r\n by b\n by c\r by d"
    assert fields[0].value == "from a by b by c by d"
    assert (fields[1].name, fields[1].line) == ("To", 5)


def test_raw_fields_rebuild_the_block() -> None:
    text = "A: 1\r\n 2\r\nB:3\r\nC :\r\n\t4\r\n"
    fields, _ = split_header_block(text)
    assert "\r\n".join(f.raw for f in fields) + "\r\n" == text


def test_value_forms() -> None:
    fields, defects = split_header_block("Empty:\nNoSpace:x\nObs-Space \t: y\nStart:\n folded\n")
    assert defects == ()
    assert [(f.name, f.value) for f in fields] == [
        ("Empty", ""),
        ("NoSpace", "x"),
        ("Obs-Space", "y"),  # RFC 5322 §4.5.8: WSP before the colon
        ("Start", "folded"),
    ]


def test_field_name_characters_follow_rfc5322() -> None:
    # ftext = %d33-57 / %d59-126: "~", "!" and "_" are fine, non-ASCII and DEL are not.
    fields, defects = split_header_block("X_~!: ok\nSübject: no\nBad\x7fName: no\nTo: z\n")
    assert [f.name for f in fields] == ["X_~!", "To"]
    assert defects == (
        "Line 2 of the header block is not a header field: 'Sübject: no'",
        "Line 3 of the header block is not a header field: 'Bad\\x7fName: no'",
    )


def test_stray_lines_are_defects_and_splitting_goes_on() -> None:
    text = "From: a\nBad\x7fName: x\nTo: b\n continued\n\nSubject: c\n"
    fields, defects = split_header_block(text)
    assert [(f.name, f.value, f.line) for f in fields] == [
        ("From", "a", 1),
        ("To", "b continued", 3),
        ("Subject", "c", 6),
    ]
    assert defects == (
        "Line 2 of the header block is not a header field: 'Bad\\x7fName: x'",
        "Line 5 of the header block is empty; header fields continue after it.",
    )


def test_a_fold_that_lost_its_indent_stays_part_of_its_field() -> None:
    # As in mail archives that strip the white space of folded lines.
    text = (
        "Received: from unknown (HELO lists.php.net) (127.0.0.1)\n"
        "by localhost with SMTP; 19 Nov 2014 08:46:08 -0000\n"
        "Subject: s\n"
    )
    fields, defects = split_header_block(text)
    assert [(f.name, f.value) for f in fields] == [
        (
            "Received",
            "from unknown (HELO lists.php.net) (127.0.0.1) "
            "by localhost with SMTP; 19 Nov 2014 08:46:08 -0000",
        ),
        ("Subject", "s"),
    ]
    assert fields[0].raw == text.split("\nSubject", maxsplit=1)[0]
    assert defects == (
        "1 line(s) of the header block (2) continue the field above them without the "
        "leading white space a fold needs (RFC 5322 §2.2.3); they were read as part of "
        "that field.",
    )


def test_a_fold_with_nothing_to_continue_is_a_defect() -> None:
    fields, defects = split_header_block(" orphan fold\nTo: b\n")
    assert [f.name for f in fields] == ["To"]
    assert defects == ("Line 1 of the header block is not a header field: ' orphan fold'",)


def test_long_stray_lines_are_shortened_and_many_are_counted() -> None:
    text = "From: a\n" + "".join(f"Bad\x7fline{i}: " + "x" * 80 + "\n" for i in range(25))
    fields, defects = split_header_block(text)
    assert len(fields) == 1
    assert len(defects) == 11
    assert defects[0].endswith("…'")
    assert len(defects[0]) < 130
    assert defects[-1] == "In all, 25 lines of the header block were not header fields."


def test_nul_bytes_are_reported_and_kept_out_of_names() -> None:
    fields, defects = split_header_block("Sub\x00ject: a\nTo: b\x00c\n")
    assert [(f.name, f.value) for f in fields] == [("To", "b\x00c")]
    assert defects[-1] == "The header block contains NUL bytes."
    assert all("\x00" not in f.name for f in fields)


def test_name_folded_away_from_its_colon_is_read_and_reported() -> None:
    # rspamd's phish_sender2 trick: "From" CRLF " : <x>" unfolds to "From : <x>".
    fields, defects = split_header_block("Subject: hi\r\nFrom\r\n : <any@attack.com>\r\nTo: b\r\n")
    assert [(f.name, f.value) for f in fields] == [
        ("Subject", "hi"),
        ("From", "<any@attack.com>"),
        ("To", "b"),
    ]
    assert fields[1].raw == "From\r\n : <any@attack.com>"
    assert defects == (
        "Line 2 of the header block folds the field name 'From' away from its colon.",
    )


def test_empty_and_blank_input() -> None:
    assert split_header_block("") == ((), ())
    assert split_header_block("\n") == ((), ())


def test_a_one_megabyte_header_splits_in_linear_time() -> None:
    text = "X-Long: " + "\r\n ".join(["a" * 70] * 14_000) + "\r\n"
    start = time.perf_counter()
    fields, _ = split_header_block(text)
    assert time.perf_counter() - start < 0.5
    assert len(fields) == 1
    assert len(fields[0].raw) > 1_000_000


def test_ten_thousand_received_headers_split_fast() -> None:
    one = "Received: from a.example (a.example [192.0.2.1])\r\n\tby b.example; Tue, 3 Jun 2025"
    text = "\r\n".join([one] * 10_000) + "\r\n"
    start = time.perf_counter()
    fields, _ = split_header_block(text)
    assert time.perf_counter() - start < 0.5
    assert len(fields) == 10_000
    assert fields[-1].line == 19_999
