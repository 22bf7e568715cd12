"""What an HTML body says without rendering it: links with their visible text, forms,
password fields, and the text a reader would see.

Strategy: one left-to-right pass over the markup with a tag regex whose attribute run
stops at the next `<` or `>` (`[^<>]*`), so every attempt ends where the next one may
begin and the whole pass is linear; comments, `<script>` and `<style>` contents are
skipped with `str.find` on a lower-cased copy, also linear. Nothing is fetched, no
script runs, no entity beyond HTML's own named and numeric ones is expanded (`html.unescape`).
This is a scanner, not a browser: broken markup yields what could be read before and
after the break, never an exception.
"""

from __future__ import annotations

import re
from dataclasses import field

from mailview.core.lazy_re import LazyPattern
from mailview.core.record import mutable_record, record

MAX_TEXT = 200_000  # characters of visible text kept for wording checks
MAX_LINK_TEXT = 200  # characters of one link's visible text kept

# A start or end tag (HTML §13.1.2): "<", optional "/", a name, attributes, ">"; or the
# start of a comment. The attribute run excludes "<" so a stray "<" starts a new attempt.
_TAG = LazyPattern(r"<(/?)([A-Za-z][A-Za-z0-9:-]{0,30})([^<>]*)>|<!--")
# One attribute (HTML §13.1.2.3): a name, optionally "=" and a double-quoted,
# single-quoted or unquoted value.
_ATTR = LazyPattern(r"""([^\s"'=<>/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
_RAW_TEXT = ("script", "style", "title", "textarea")
_SRC_TAGS = frozenset({"img", "iframe", "frame", "embed", "script"})
_ATTRIBUTE_TAGS = frozenset({"a", "area", "form", "input"}) | _SRC_TAGS
# A start or end tag whose name is one of the tags the scan reads, or the start of a
# comment: where `_TAG` matches at the same "<" with such a name (the lookahead keeps the
# name whole, as `_TAG`'s longest name would be). Every `_TAG` match holds one "<", its
# first character, so whether it matches at a "<" does not depend on what came before: the
# stretch between two of these matches holds only tags the scan does not read.
_HANDLED_TAG = LazyPattern(
    r"<(/?)((?i:a|area|form|input|img|iframe|frame|embed|script|style|title|textarea))"
    r"(?![A-Za-z0-9:-])([^<>]*)>|<!--"
)


@record
class Form:
    """A `<form>`: where it posts, and whether it asks for a password."""

    action: str | None  # as written (entities undone); None when absent
    password: bool


@mutable_record
class HtmlScan:
    links: list[tuple[str, str]] = field(default_factory=list)  # (href, visible text)
    targets: list[str] = field(default_factory=list)  # src= and action= values
    forms: list[Form] = field(default_factory=list)
    password_fields: int = 0  # <input type=password> anywhere, in a form or not
    text_parts: list[str] = field(default_factory=list)
    outside_links: list[str] = field(default_factory=list)  # text not inside any <a>
    _text_size: int = 0

    @property
    def text(self) -> str:
        return " ".join(self.text_parts)

    def add_text(self, text: str) -> None:
        if self._text_size < MAX_TEXT and text.strip():
            piece = text[: MAX_TEXT - self._text_size]
            self.text_parts.append(piece)
            self._text_size += len(piece)


def attributes(run: str) -> dict[str, str]:
    """The attributes of a tag, names lower-cased, values unescaped; the first one wins."""
    found: dict[str, str] = {}
    for match in _ATTR.finditer(run):
        name = match.group(1).lower()
        value = next((g for g in match.groups()[1:] if g is not None), "")
        if name not in found:
            found[name] = unescape(value)
    return found


def scan_html(markup: str) -> HtmlScan:
    """Links, forms and visible text of `markup`; never raises."""
    scanner = _Scanner(markup)
    scanner.run()
    return scanner.scan


class _Scanner:
    """One pass over one document; the open link and form are the only state."""

    def __init__(self, markup: str) -> None:
        self.markup = markup
        self.lowered = markup.lower()
        self.scan = HtmlScan()
        self.href: str | None = None
        self.link_text: list[str] = []
        self.form: tuple[str | None, bool] | None = None

    def run(self) -> None:
        markup, position = self.markup, 0
        while True:
            match = _HANDLED_TAG.search(markup, position)
            end = len(markup) if match is None else match.start()
            if end > position:  # tags often follow each other with nothing between
                self._texts(markup[position:end])
            if match is None:
                break
            position = self._tag(match)
        self._end_link()
        self._end_form()

    def _texts(self, chunk: str) -> None:
        """The text pieces of a stretch holding no tag the scan reads: the other tags
        (<td>, <span>, </div>...) only separate one piece from the next, so the stretch
        is cut at them in one call rather than searched tag by tag."""
        pieces = _TAG.split(chunk)[::4] if "<" in chunk else (chunk,)
        href, scan = self.href, self.scan
        for piece in pieces:
            if not piece:
                continue
            text = unescape(piece)
            if href is not None:
                self.link_text.append(text)
            if text.strip():  # white space between tags: neither outside a link nor visible
                if href is None:
                    scan.outside_links.append(text)
                scan.add_text(text)

    def _tag(self, match: re.Match[str]) -> int:
        """Handle one tag the scan reads; return where scanning goes on."""
        position = match.end()
        slash, raw_name, run = match.groups()
        if raw_name is None:  # a comment: skip to its end
            close = self.markup.find("-->", position)
            return len(self.markup) if close < 0 else close + 3
        name = raw_name.lower()
        if slash:
            if name == "a":
                self._end_link()
            elif name == "form":
                self._end_form()
            return position
        # Only these tags' attributes are read: reading a <td>'s or <span>'s was half the
        # scan of a newsletter.
        if name in _ATTRIBUTE_TAGS:
            self._start(name, attributes(run) if run.strip() else {})
        if name in _RAW_TEXT:
            close = self.lowered.find(f"</{name}", position)
            end = len(self.markup) if close < 0 else close
            if name in ("title", "textarea"):
                self.scan.add_text(unescape(self.markup[position:end]))
            return end
        return position

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        scan = self.scan
        if name == "a":
            self._end_link()
            self.href = attrs.get("href")
        elif name == "area" and "href" in attrs:
            scan.targets.append(attrs["href"])
        elif name in _SRC_TAGS and "src" in attrs:
            scan.targets.append(attrs["src"])
        elif name == "form":
            self._end_form()
            self.form = (attrs.get("action"), False)
            if self.form[0]:
                scan.targets.append(self.form[0])
        elif name == "input" and attrs.get("type", "").strip().lower() == "password":
            scan.password_fields += 1
            if self.form is not None:
                self.form = (self.form[0], True)

    def _end_link(self) -> None:
        if self.href is not None:
            shown = " ".join(" ".join(self.link_text).split())[:MAX_LINK_TEXT]
            self.scan.links.append((self.href, shown))
        self.href, self.link_text = None, []

    def _end_form(self) -> None:
        if self.form is not None:
            self.scan.forms.append(Form(*self.form))
        self.form = None


def unescape(text: str) -> str:
    """`html.unescape(text)`. The `html` module is loaded on the first text that holds an
    `&`: loading it builds its table of two thousand entities, and most mail has none."""
    if "&" not in text:
        return text
    import html  # noqa: PLC0415 - see above

    return html.unescape(text)


def looks_like_html(text: str) -> bool:
    """Whether a part declared as plain text is really HTML (mailers that forget to say)."""
    start = text[:1024].lstrip("\ufeff \t\r\n").lower()
    return start.startswith(("<html", "<!doctype html", "<body", "<head", "<div", "<table"))
