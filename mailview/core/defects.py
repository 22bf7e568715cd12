"""One policy for what is malformed in a message, as the stdlib `email` package has one.

Strategy: a defect is typed data — a `code` callers may act on, the index of the header it
concerns (None when it concerns no one header) and a sentence for people — recorded on
the result, never raised, under the default policy. The strict policy (tests, the
`--strict` option) raises the first one instead, so that a developer sees where it came
from. No code decides anything from a defect's wording: it reads `code`.

A `Defect` is also the sentence itself (a `str`): every face that shows defects as text
goes on doing so, and equality with the sentence holds.
"""

from __future__ import annotations

from collections.abc import Iterable

from mailview.core.record import record

# Codes, grouped by the stage that finds them.
HEADER_NAME_FOLDED = "header.name-folded"  # a field name folded away from its colon
HEADER_UNINDENTED = "header.unindented-continuation"  # lines continuing a field unfolded
HEADER_STRAY_LINE = "header.stray-line"  # a line of the header block that is no field
HEADER_STRAY_LINES = "header.stray-lines"  # how many there were in all (beyond those quoted)
HEADER_NUL = "header.nul"  # NUL bytes in the header block
INPUT_ENCODING = "input.encoding"  # not UTF-8 (Latin-1, UTF-16, a BOM)
INPUT_INDENTED = "input.indented"  # pasted with an indent, removed
INPUT_NO_BLANK_LINE = "input.no-blank-line"  # body pasted without the separating blank line
INPUT_SMTP_UNTERMINATED = "input.smtp-unterminated"  # SMTP DATA without its final '.'
INPUT_MSG_NO_HEADERS = "input.msg-without-headers"  # .msg headers made up from properties
INPUT_ATTACHMENT_UNREADABLE = "input.attachment-unreadable"  # an attached message would not load
BUDGET = "budget"  # a stage stopped at its budget; the text says what it skipped


class Defect(str):
    """What was malformed: the sentence (the string itself), `code` and `header_index`."""

    code: str
    header_index: int | None

    def __new__(cls, code: str, text: str, header_index: int | None = None) -> Defect:
        made = super().__new__(cls, text)
        made.code = code
        made.header_index = header_index
        return made

    @property
    def text(self) -> str:
        return str(self)

    def __getnewargs__(self) -> tuple[str, str, int | None]:  # type: ignore[override]
        return (self.code, str(self), self.header_index)

    def with_text(self, text: str) -> Defect:
        """The same defect saying `text` (redaction rewrites the sentence, not the data)."""
        return Defect(self.code, text, self.header_index)


class DefectError(Exception):
    """Raised by the strict policy: the input had this defect."""

    def __init__(self, defect: Defect) -> None:
        super().__init__(f"{defect.code}: {defect}")
        self.defect = defect


@record
class DefectPolicy:
    """Record defects (the default), or raise the first (`strict`)."""

    strict: bool = False

    def handle(self, found: list[Defect], defect: Defect) -> None:
        if self.strict:
            raise DefectError(defect)
        found.append(defect)

    def collect(self, defects: Iterable[Defect]) -> tuple[Defect, ...]:
        found: list[Defect] = []
        for defect in defects:
            self.handle(found, defect)
        return tuple(found)


RECORD = DefectPolicy()
STRICT = DefectPolicy(strict=True)
