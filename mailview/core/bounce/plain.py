"""Bounces written in prose: who failed and what the remote server said.

Strategy: the notice is the text before the returned copy of the message (cut at the
first separator line or unindented header block). Recipients are the addresses the
notice names, less the bounce's own sender and recipient and the postmaster's; when
Mailman's detectors (`flufl.bounce`) find recipients, those are trusted instead. Each
recipient owns the text from its first mention to the next recipient's: the status
code, SMTP reply and remote host are looked for there, then in the whole notice.
"""

from __future__ import annotations

import functools
import re

from mailview.core import ascii_re
from mailview.core.bounce.status import find_status, from_reply
from mailview.core.record import record

MAX_NOTICE = 64 * 1024  # characters of prose read; notices are a few hundred
MAX_ADDRESSES = 500
# Characters read after a recipient's line for what is said of it. A DSN asks about each
# recipient in turn, and without a bound each question read to the end of the notice: a
# notice naming a hundred recipients took seconds.
MAX_BLOCK = 2000
_REPLY_LINES = 8  # lines of a wrapped reply kept
_LEAD_LINES = 2  # lines before the reply kept

# The line that starts the returned copy, in the wording of the common MTAs.
_SEPARATOR = re.compile(
    r"^[ \t]*(?:-{2,}|={3,}|\*{3,})?[ \t]*(?:"
    r"this is a copy of the message|below this line is a copy|original message(?! was received)|"
    r"unsent message follows|original mail as follows|message headers follow|"
    r"below is a copy of the original|included is a copy|copy of the message|"
    r"the (?:original )?message (?:headers? )?follows|"
    r"returned mail|-+ ?original message|headers of the original message|"
    r"the header of the original message is"
    r")",
    re.I | re.M,
)
# What a separator line can begin with: its rule characters and spaces, then the first
# letter of one of its phrases ("i" matches "İ" and "ı" too under re.I).
_SEPARATOR_LEAD = " \t-=*"
_SEPARATOR_FIRST = "tbouimcrhTBOUIMCRH\u0130\u0131"
# An unindented header field of the returned copy (RFC 5322 field names of a header block).
_COPY_FIELD = re.compile(
    r"^(?:return-path|received|message-id|dkim-signature|mime-version|x-[\w-]+|"
    r"arc-seal|delivered-to):",
    re.I | re.M,
)
_COPY_FIELD_FIRST = "rmdxaRMDXA"
# RFC 5321 §4.1.2 Mailbox, loosely: dot-atom local part @ a domain with a dot.
_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# RFC 5321 §4.2: Reply-code = %x32-35 %x30-35 %x30-39, at the start of a reply line.
_REPLY = re.compile(r"(?:^|[\s:>(])([245][0-5]\d)(?:[ -](?=[\d\w<#(:])|:(?=\s)|$)", re.M)
_HOST = re.compile(
    r"(?:host|server|MX|remote host|mail exchanger)\s+([A-Za-z0-9][\w.-]*\.[A-Za-z]{2,})"
    r"(?:\s*\[([0-9a-fA-F.:]+)\])?",
    re.I,
)
_HOST_SAID = re.compile(
    r"([A-Za-z0-9][\w.-]*\.[A-Za-z]{2,})\s*\[([0-9a-fA-F.:]+)\]\s*(?:said|did not like|refused)",
    re.I,
)
# host_said's pieces of _HOST_SAID: a run of name characters, its first letter or digit,
# the top-level label after its last dot, and the address and verb after the run.
_NAME_RUN = re.compile(r"[\w.-]+")
_FIRST_CHAR = re.compile(r"[A-Za-z0-9]", re.I)
_TLD = re.compile(r"[A-Za-z]{2,}", re.I)
_SAID_TAIL = re.compile(r"\s*\[([0-9a-fA-F.:]+)\]\s*(?:said|did not like|refused)", re.I)
_SAID = re.compile(r"\]\s*(?:said|did not like|refused)", re.I)  # the tail's own end
_IP_SAID = re.compile(r"remote host ([0-9a-fA-F.:]+) said", re.I)
_RULE = re.compile(r"\s*(?:-{3,}|={3,}|\*{3,}|_{3,})")
_HELPER_WORDS = ("contact", "send mail to", "hello", "hallo", "bonjour", "hola", "write to")
_NOT_RECIPIENTS = re.compile(r"^(?:mailer-daemon|postmaster|noreply|no-reply|root)@", re.I)


@record
class Mention:
    address: str
    status: str | None
    reply_code: str | None
    diagnostic: str | None
    context: str | None  # the diagnostic with the lines that lead up to it
    remote_mta: str | None


def notice_text(text: str) -> str:
    """The prose of a notice, without the returned copy that follows it."""
    text = text[:MAX_NOTICE]
    cut = len(text)
    separator = search_line_starts(_SEPARATOR, text, _SEPARATOR_FIRST, _SEPARATOR_LEAD)
    if separator is not None and separator.start() > 0:
        cut = separator.start()
    field = search_line_starts(_COPY_FIELD, text, _COPY_FIELD_FIRST)
    if field is not None and 0 < field.start() < cut:
        cut = field.start()
    return text[:cut]


def addresses(notice: str, exclude: set[str]) -> list[str]:
    """The addresses a notice names, in order, without the excluded ones."""
    found: dict[str, None] = {}
    helpers: set[str] = set()  # named as someone to write to: never a recipient
    for match in _ADDRESS.finditer(notice):
        address = match.group().strip(".").lower()
        before = notice[max(0, match.start() - 8) : match.start()].lower()
        context = notice[max(0, match.start() - 40) : match.start()].lower()
        if address in exclude or _NOT_RECIPIENTS.match(address) or "://" in before:
            continue
        if any(word in context for word in _HELPER_WORDS):
            helpers.add(address)
            found.pop(address, None)
        if address in helpers:
            continue
        found[address] = None
        if len(found) >= MAX_ADDRESSES:
            break
    return list(found)


def mentions(notice: str, recipients: list[str]) -> list[Mention]:
    """What the notice says about each recipient."""
    whole = _whole(notice)
    lowered = whole.lowered
    starts = sorted((lowered.find(r), r) for r in recipients if r in lowered)
    found = {r for _, r in starts}
    result: list[Mention] = []
    for position, (start, address) in enumerate(starts):
        end = starts[position + 1][0] if position + 1 < len(starts) else len(notice)
        line_start = notice.rfind("\n", 0, start) + 1
        block = notice[line_start : min(end, line_start + MAX_BLOCK)]
        result.append(_mention(address, block, whole))
    # Recipients the detectors found but the prose does not name (encoded, say).
    result.extend(_mention(r, "", whole) for r in recipients if r not in found)
    return result


def _mention(address: str, block: str, whole: _Notice) -> Mention:
    status = find_status(block) or whole.status
    reply = reply_code(block) or whole.reply
    raw = _nonblank_lines(block)  # `diagnostic(block, …)` twice over, its lines read once
    first = _first_reply(raw)
    return Mention(
        address=address,
        status=status or from_reply(reply),
        reply_code=reply,
        diagnostic=_diagnostic(raw, first, address, lead=False) or whole.diagnostic(address),
        context=_diagnostic(raw, first, address, lead=True),
        remote_mta=remote_host(block) or whole.remote,
    )


class _Notice:
    """What the whole notice says whoever the recipient: read once per notice. Each
    recipient falls back on it, and a notice naming 500 recipients was otherwise read 500
    times over (a 30 KB one took 4 s)."""

    def __init__(self, text: str) -> None:
        self.text = text

    @functools.cached_property
    def lowered(self) -> str:
        return self.text.lower()

    @functools.cached_property
    def status(self) -> str | None:
        return find_status(self.text)

    @functools.cached_property
    def reply(self) -> str | None:
        return reply_code(self.text)

    @functools.cached_property
    def remote(self) -> str | None:
        return remote_host(self.text)

    @functools.cached_property
    def _lines(self) -> tuple[list[str], int | None]:
        raw = _nonblank_lines(self.text)
        return raw, _first_reply(raw)

    @functools.cached_property
    def _keys(self) -> frozenset[str]:
        return frozenset(_line_key(line) for line in self._lines[0])

    @functools.cached_property
    def _diagnostic(self) -> str | None:
        raw, first = self._lines
        return _diagnostic(raw, first, None, lead=False)

    def diagnostic(self, address: str) -> str | None:
        """`diagnostic(self.text, address)`: the same for every address but one that has
        a line of its own, which is left out."""
        raw, first = self._lines
        if first is None and address in self._keys:
            return _diagnostic(raw, first, address, lead=False)
        return self._diagnostic


@functools.lru_cache(maxsize=8)
def _whole(notice: str) -> _Notice:
    # A DSN asks once per recipient with the same notice: it is read once for all of them.
    return _Notice(notice)


def search_line_starts(
    pattern: re.Pattern[str], text: str, first: str | None = None, lead: str = ""
) -> re.Match[str] | None:
    """`pattern.search(text)` for a multi-line pattern that starts with `^`, tried only at
    line starts: the regex engine would try every character of a 64 KB notice.

    `first`, when given, holds every character a match can begin with once the characters
    of `lead` are skipped (case variants included: under re.I "i" also matches "İ" and
    "ı"); a line that begins otherwise is passed over without running the pattern. Those
    lines are found by a search for a line end followed by such a start, which the regex
    engine runs as a scan for the line-end character.
    """
    if first is not None:
        if _may_start(text, 0, first, lead):
            found = pattern.match(text)
            if found is not None:
                return found
        for line in _line_start(first, lead).finditer(text):
            found = pattern.match(text, line.end())
            if found is not None:
                return found
        return None
    start = 0
    while True:
        found = pattern.match(text, start)
        if found is not None:
            return found
        newline = text.find("\n", start)
        if newline < 0:
            return None
        start = newline + 1


@functools.lru_cache(maxsize=16)
def _line_start(first: str, lead: str) -> re.Pattern[str]:
    """A line end followed by a line that may start a match (see `search_line_starts`)."""
    skipped = f"[{re.escape(lead)}]*" if lead else ""
    return re.compile(f"\n(?={skipped}[{re.escape(first)}])")


_PEEK = 200  # characters looked at for a line's first one; past that the pattern decides


def _may_start(text: str, start: int, first: str, lead: str) -> bool:
    head = text[start : start + _PEEK].lstrip(lead) if lead else text[start : start + 1]
    return not head or head[0] in first


def reply_code(text: str) -> str | None:
    """The first SMTP reply code in `text`."""
    match = _REPLY.search(text)
    return None if match is None else match.group(1)


def diagnostic(block: str, address: str, *, lead: bool = False) -> str | None:
    """The server's words: from its first reply line on (servers wrap a reply over several
    lines), else the block itself. With `lead`, the lines just before the reply too."""
    raw = _nonblank_lines(block)
    return _diagnostic(raw, _first_reply(raw), address, lead=lead)


def _nonblank_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def _first_reply(raw: list[str]) -> int | None:
    return next((n for n, line in enumerate(raw) if _REPLY.search(line) or find_status(line)), None)


def _line_key(line: str) -> str:
    return line.lower().strip("<>: \t")


def _diagnostic(
    raw: list[str], first: int | None, address: str | None, *, lead: bool
) -> str | None:
    """The diagnostic from the lines of a text; `address` (None: none) is left out."""
    if first is not None:
        # The lines just before the reply say who refused at which step ("host … refused
        # to talk to me:", "SMTP error … after RCPT TO:"); the reply may wrap after it.
        before = [
            line.strip()
            for line in raw[max(0, first - _LEAD_LINES) : first]
            if lead and _line_key(line) != address and not _RULE.match(line)
        ]
        chosen = [
            *before,
            raw[first].strip(),
            *_continuation(raw[first + 1 : first + _REPLY_LINES]),
        ]
    else:
        chosen = [
            line.strip() for line in raw if _line_key(line) != address and not _RULE.match(line)
        ]
    text = " ".join(" ".join(chosen).split())
    return text[:1000] or None


def _continuation(lines: list[str]) -> list[str]:
    """The lines that go on a wrapped reply: indented ones, or ones that repeat a code."""
    kept: list[str] = []
    for line in lines:
        if _RULE.match(line) or not (line[:1] in " \t" or _REPLY.match(line)):
            break
        kept.append(line.strip())
    return kept


def remote_host(text: str) -> str | None:
    """The server that answered, as the notice names it."""
    said = host_said(text)
    if said is not None:
        return f"{said[0]} [{said[1]}]"
    match = ascii_re.search(_HOST, text)
    if match is not None:
        host = match.group(1)
        return f"{host} [{match.group(2)}]" if match.group(2) else host
    match = ascii_re.search(_IP_SAID, text)
    return None if match is None else match.group(1)


def host_said(text: str) -> tuple[str, str] | None:
    r"""(host, address) of `_HOST_SAID.search(text)`, found in linear time.

    The pattern, tried at every start inside a run of name characters, is quadratic in a
    hostile run (30 KB: 0.6 s a call, once per recipient). A host ends where its run of
    name characters ends (the run cannot start `\s*[`), so each run is judged once: its
    last dot must be followed by two or more letters up to the run's end, the address
    and verb must follow the run, and the host starts at the run's first letter or digit
    before that dot — the leftmost start the pattern itself would find.
    """
    if _SAID.search(text) is None:  # no run can be followed by "[address] said"
        return None
    for run in _NAME_RUN.finditer(text):
        start, end = run.span()
        tail = _SAID_TAIL.match(text, end)
        if tail is None:
            continue
        dot = text.rfind(".", start, end)
        if dot < 0 or not _TLD.fullmatch(text, dot + 1, end):
            continue
        first = _FIRST_CHAR.search(text, start, dot)
        if first is not None:
            return text[first.start() : end], tail.group(1)
    return None
