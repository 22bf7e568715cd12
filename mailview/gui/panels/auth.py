"""Who vouches for the message: a badge per mechanism, and every statement behind them.

Two widgets share one `set_report`: `AuthStrip`, a line of badges and the alignment
sentence that sits under the summary so the verdict reads without a click, and
`AuthPanel`, the full account in the lower tabs (whose verdicts are believed and why,
every statement, the DKIM signatures, the ARC chain).

Strategy: the words come from small pure functions (`badges`, `trust_sentence`, …)
that the tests call directly; the widgets only lay them out. A badge always writes its
result in words, the colour only draws the eye. Everything shown came out of the
message, so labels and items are plain text and the few tooltips are escaped.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QSplitter,
    QStyle,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mailview.core.auth.alignment import COMPUTED_WORDS
from mailview.core.auth.model import Alignment, ArcChain, AuthReport, AuthResult, DkimSignature
from mailview.core.model import Report
from mailview.gui.panels import plain_label
from mailview.present.wording import BODY_HASH_FORM, SIGNATURE_CHECK_FORM

EMPTY = "No authentication results in this message."
HINT = "Click: select it in the Headers tab. Double-click or Enter: go there."

# Outcome classes. Each fill has its own ink with enough contrast, and none depends on
# the theme, so a badge reads the same on a light and a dark window.
PASS, FAIL, WARN, NONE = "pass", "fail", "warn", "none"
OUTCOME_FILL = {
    PASS: QColor("#2e7d32"),
    FAIL: QColor("#c62828"),
    WARN: QColor("#f9a825"),
    NONE: QColor("#607d8b"),
}
OUTCOME_INK = {
    PASS: QColor("#ffffff"),
    FAIL: QColor("#ffffff"),
    WARN: QColor("#000000"),
    NONE: QColor("#ffffff"),
}
_OUTCOME_OF = {
    "pass": PASS,
    "fail": FAIL,
    "hardfail": FAIL,
    "permerror": FAIL,  # the sender's record is broken: it cannot pass
    "softfail": WARN,
    "neutral": WARN,
    "temperror": WARN,
    "policy": WARN,
}
# Best first: when a mechanism has several results (two DKIM signatures) the badge lists
# every word and takes the colour of the best one, as one passing aligned signature is
# what DMARC needs.
_RANK = {PASS: 0, WARN: 1, FAIL: 2, NONE: 3}
MECHANISMS = ("spf", "dkim", "dmarc", "arc")

# The short columns first, so the verdict and its source show without scrolling; the
# reason (often long: properties, comments) stretches last.
STATEMENT_COLUMNS = ("Method", "Result", "Trusted?", "authserv-id", "Header", "Reason / comment")
COL_REASON = 5
# DKIM signatures as field/value rows under one heading each: seven facts fit a narrow
# pane that way, where a seven-column table would scroll sideways.
DKIM_COLUMNS = ("DKIM signature", "")
_ROLE_HEADER = Qt.ItemDataRole.UserRole  # header index (int) of a row, None for groups
_ROLE_METHOD = Qt.ItemDataRole.UserRole + 1


def outcome(result: str) -> str:
    return _OUTCOME_OF.get(result.lower(), NONE)


@dataclass(frozen=True, slots=True)
class Badge:
    mechanism: str  # spf, dkim, dmarc, arc, compauth
    text: str  # "DMARC pass (computed: fail)": the whole verdict in words
    outcome: str  # PASS | FAIL | WARN | NONE
    tooltip: str  # plain text; escaped when shown


# --- words ---------------------------------------------------------------------------------


def is_empty(auth: AuthReport | None) -> bool:
    """True when the message says nothing about authentication at all."""
    return auth is None or not (auth.results or auth.received_spf or auth.dkim or auth.arc.sets)


def _label(mechanism: str) -> str:
    return mechanism if mechanism == "compauth" else mechanism.upper()


def _words(results: Iterable[str]) -> tuple[str, str]:
    """Distinct result words in order, and the outcome of the best of them."""
    distinct = list(dict.fromkeys(r.lower() for r in results))
    best = min((outcome(r) for r in distinct), key=_RANK.__getitem__, default=NONE)
    return ", ".join(distinct), best


def _results(auth: AuthReport, method: str, *, trusted: bool) -> list[AuthResult]:
    """The results for `method`: the receiver's own verdicts first-hand when it wrote any;
    the copies in ARC-Authentication-Results (what it or a forwarder saw at an earlier
    step) only when there is nothing else, so a badge shows one verdict, not a history."""
    found = [r for r in auth.results if r.method.lower() == method and r.trusted == trusted]
    first_hand = [r for r in found if r.instance is None]
    return first_hand or found


def _mechanism_badge(auth: AuthReport, method: str) -> Badge:
    """SPF, DKIM, ARC or compauth: what the receiver said, else what others claimed."""
    name = _label(method)
    trusted = [r.result for r in _results(auth, method, trusted=True)]
    if method == "spf":
        trusted += [s.result for s in auth.received_spf if s.trusted]
    if trusted:
        words, best = _words(trusted)
        return Badge(method, f"{name} {words}", best, f"{name} as the receiver's systems said.")
    claimed = [r.result for r in _results(auth, method, trusted=False)]
    if method == "spf":
        claimed += [s.result for s in auth.received_spf if not s.trusted]
    if claimed:
        # A claim is grey whatever it says: a forged "pass" must not look green.
        words, _ = _words(claimed)
        return Badge(
            method,
            f"{name} {words} (claimed only)",
            NONE,
            f"Only systems before the receiver's wrote an {name} result; it could be forged.",
        )
    if method == "dkim" and auth.dkim:
        return _dkim_checked_here(auth.dkim)
    if method == "arc" and auth.arc.structure != "none":
        return Badge(method, f"ARC {auth.arc.structure} chain", NONE, arc_summary(auth.arc))
    return Badge(method, f"{name} none", NONE, f"No {name} result in this message.")


def _dkim_checked_here(signatures: tuple[DkimSignature, ...]) -> Badge:
    """No receiver spoke about DKIM: say what mailview could check offline."""
    words, best = _words(s.verification for s in signatures)
    return Badge(
        "dkim",
        f"DKIM {words} (checked here)",
        best,
        "No trusted receiver gave a DKIM result; this is mailview's own offline check.",
    )


def _dmarc_badge(auth: AuthReport) -> Badge:
    """The receiver's word first, with mailview's computation beside it when they differ.

    "Unverified" (an aligned signature without a key at hand) and "cannot tell" are not
    failures: they never paint the badge red, and a receiver's verdict, made with the
    key, is not contradicted by them.
    """
    alignment = auth.alignment
    said = alignment.receiver_says
    if said is None:
        said = next((r.result for r in _results(auth, "dmarc", trusted=True)), None)
    computed = alignment.dmarc_computed
    words = COMPUTED_WORDS.get(computed, computed)
    if said is None:
        return Badge(
            "dmarc",
            f"DMARC {_short(computed)} (computed)",
            _computed_outcome(computed),
            "The receiver's systems gave no DMARC result; computed from the message: "
            f"{words} — {alignment.explanation}.",
        )
    if said.lower() == computed.lower() or computed in _UNDECIDED:
        return Badge(
            "dmarc",
            f"DMARC {said}",
            outcome(said),
            "The receiver and mailview agree."
            if said.lower() == computed.lower()
            else f"The receiver said {said}; computed here: {words}.",
        )
    return Badge(
        "dmarc",
        f"DMARC {said} (computed: {computed})",
        WARN,  # a disagreement is what to look at first, whichever side is right
        f"The receiver said {said}; computed from the message itself: {words}.",
    )


_UNDECIDED = frozenset({"unverified", "unknown"})


def _short(computed: str) -> str:
    return "cannot tell" if computed == "unknown" else computed


def _computed_outcome(computed: str) -> str:
    return WARN if computed == "unverified" else outcome(computed)


def badges(auth: AuthReport) -> list[Badge]:
    """SPF, DKIM, DMARC and ARC always (a missing one is news), compauth when present."""
    found = [
        _dmarc_badge(auth) if method == "dmarc" else _mechanism_badge(auth, method)
        for method in MECHANISMS
    ]
    if any(r.method.lower() == "compauth" for r in auth.results):
        found.append(_mechanism_badge(auth, "compauth"))
    return found


def trust_sentence(auth: AuthReport) -> str:
    """Whose verdicts are believed, and why."""
    ids = auth.trusted_authserv_ids
    if not ids:
        return (
            "No trusted verdicts: no result was written by the receiver's own systems, "
            "so every result below is a claim."
        )
    names = ", ".join(ids)
    whose = "the receiver's own system" if len(ids) == 1 else "the receiver's own systems"
    return f"Trusted verdicts from: {names} ({whose}, above the trust boundary)"


def dmarc_comparison(alignment: Alignment) -> tuple[str, bool] | None:
    """The receiver's DMARC beside the computed one; True when they disagree."""
    said = alignment.receiver_says
    if said is None:
        return None
    computed = alignment.dmarc_computed
    if said.lower() == computed.lower():
        return f"The receiver's DMARC result ({said}) agrees with the computed one.", False
    if computed in _UNDECIDED:
        words = COMPUTED_WORDS[computed]
        return f"The receiver says DMARC {said}; computed here: {words}.", False
    return (
        f"The receiver says DMARC {said}, but computed from the message it is {computed}. "
        "Check which identities each side used.",
        True,
    )


def body_hash_words(value: str | None) -> str:
    return BODY_HASH_FORM.get(value, BODY_HASH_FORM[None])


_SIGNATURE_WORDS = SIGNATURE_CHECK_FORM


def signature_words(signature: DkimSignature) -> str:
    words = _SIGNATURE_WORDS.get(signature.verification, signature.verification)
    if signature.key_bits:
        words += f" ({signature.key_bits}-bit key)"
    return words


_ARC_CRYPTO = {
    "pass": "seals verified",
    "fail": "a seal fails to verify",
    "unverifiable": "seals not verified (no keys at hand)",
}


def arc_summary(arc: ArcChain) -> str:
    if arc.structure == "none" or not arc.sets:
        return "ARC chain: none (no forwarder sealed this message)."
    count = len(arc.sets)
    sets = "1 set" if count == 1 else f"{count} sets"
    parts = [f"ARC chain: {sets}, structure {arc.structure}"]
    if arc.crypto in _ARC_CRYPTO:
        parts.append(_ARC_CRYPTO[arc.crypto])
    sealers = ", ".join(f"i={s.instance} {s.domain or '?'} (cv={s.cv or '?'})" for s in arc.sets)
    text = "; ".join(parts) + f". Sealed by {sealers}."
    if arc.problems:
        text += " Problems: " + "; ".join(arc.problems) + "."
    return text


def header_ref(index: int, name: str) -> str:
    """`#12 Authentication-Results`: 1-based, as in the headers table."""
    return f"#{index + 1} {name}"


def dkim_rows(signature: DkimSignature) -> list[tuple[str, str]]:
    """(field, value) pairs for one signature, each value in words."""
    rows = [
        ("d= (domain)", signature.domain or "—"),
        ("s= (selector)", signature.selector or "—"),
        ("a= (algorithm)", signature.algorithm or "—"),
        ("Body hash", body_hash_words(signature.body_hash)),
        ("Signature", signature_words(signature)),
        ("Receiver said", signature.result or "nothing about this signature"),
    ]
    rows += [("Problem", problem) for problem in signature.problems]
    return rows


def _details(result: AuthResult) -> str:
    """Reason, comment and properties in one line, as the writer gave them."""
    parts = [p for p in (result.reason, result.comment) if p]
    parts += [f"{key}={value}" for key, value in result.properties]
    return "; ".join(parts)


# --- widgets ----------------------------------------------------------------------------------


class BadgeButton(QToolButton):
    """One badge: the verdict in words on its outcome's colour; focusable and clickable."""

    def __init__(self, badge: Badge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.badge = badge
        self.setObjectName("authBadge")
        self.setText(badge.text)  # a tool button never interprets markup
        self.setAccessibleName(f"{badge.text}. {badge.tooltip}")
        self.setToolTip(f"<p>{html.escape(badge.tooltip)}</p>")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        fill, ink = OUTCOME_FILL[badge.outcome], OUTCOME_INK[badge.outcome]
        self.setStyleSheet(
            f"QToolButton#authBadge {{ background: {fill.name()}; color: {ink.name()}; "
            f"border: 1px solid {fill.darker(130).name()}; border-radius: 9px; "
            "padding: 2px 10px; font-weight: bold; }"
            f"QToolButton#authBadge:focus {{ border: 2px solid palette(highlight); }}"
        )


class AuthStrip(QFrame):
    """The badges and the alignment sentence, one line under the summary."""

    badgeClicked = Signal(str)  # mechanism

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("authStrip")
        self.caption = QLabel("Authentication")
        self.caption.setEnabled(False)  # muted, like the summary's captions
        self._badges = QHBoxLayout()
        self._badges.setContentsMargins(0, 0, 0, 0)
        self._badges.setSpacing(4)
        self.sentence = plain_label(wrap=True)
        self.sentence.setObjectName("authSentence")
        self.sentence.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 0, 8, 2)
        layout.setSpacing(8)
        layout.addWidget(self.caption)
        layout.addLayout(self._badges)
        layout.addWidget(self.sentence, 1)

    def set_auth(self, auth: AuthReport | None) -> None:
        while (item := self._badges.takeAt(0)) is not None:
            if (widget := item.widget()) is not None:
                widget.deleteLater()
        if auth is None or is_empty(auth):
            self.sentence.setText(EMPTY)
            return
        for badge in badges(auth):
            button = BadgeButton(badge)
            button.clicked.connect(lambda _=False, m=badge.mechanism: self.badgeClicked.emit(m))
            self._badges.addWidget(button)
        self.sentence.setText(auth.alignment.explanation)

    def badge_texts(self) -> list[str]:
        return [b.text() for b in self.findChildren(BadgeButton) if not b.isHidden()]


def _tree(name: str, columns: tuple[str, ...]) -> QTreeWidget:
    tree = QTreeWidget()
    tree.setObjectName(name)
    tree.setColumnCount(len(columns))
    tree.setHeaderLabels(list(columns))
    tree.setUniformRowHeights(True)
    tree.setAlternatingRowColors(True)
    tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    tree.setAllColumnsShowFocus(True)
    tree.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    tree.header().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    tree.header().setStretchLastSection(True)
    return tree


def _row(values: list[str], header_index: int, method: str, where: str) -> QTreeWidgetItem:
    item = QTreeWidgetItem(values)
    item.setData(0, _ROLE_HEADER, header_index)
    item.setData(0, _ROLE_METHOD, method)
    # Tooltips guess at rich text: escaped, the message's text shows as written.
    tip = f"<p>{html.escape(where)}<br>{html.escape(HINT)}</p>"
    for column, value in enumerate(values):
        # The whole value first: a narrow column elides it.
        full = f"<p>{html.escape(value)}</p>" if value else ""
        item.setToolTip(column, full + tip)
    return item


def _heading(text: str, font: QFont, header_index: int | None = None) -> QTreeWidgetItem:
    """A bold group row; only rows with a header can be selected. Qt spans the first
    column only once the item is in a tree, so the caller spans it (`_add_heading`)."""
    item = QTreeWidgetItem([text])
    item.setToolTip(0, f"<p>{html.escape(text)}</p>")
    bold = QFont(font)
    bold.setBold(True)
    item.setFont(0, bold)
    if header_index is None:
        item.setFlags(Qt.ItemFlag.ItemIsEnabled)
    else:
        item.setData(0, _ROLE_HEADER, header_index)
        item.setData(0, _ROLE_METHOD, "dkim")
    return item


def _add_heading(tree: QTreeWidget, heading: QTreeWidgetItem) -> None:
    tree.addTopLevelItem(heading)
    heading.setFirstColumnSpanned(True)
    heading.setExpanded(True)


def _fit_columns(tree: QTreeWidget, skip: int | None = None) -> None:
    """Columns as wide as their rows' text; spanned headings do not count, the last
    (stretching) column and `skip` are left alone."""
    metrics = tree.fontMetrics()
    rows: list[QTreeWidgetItem] = []
    for g in range(tree.topLevelItemCount()):
        top = tree.topLevelItem(g)
        if top is None:
            continue
        children = [top.child(i) for i in range(top.childCount())]
        rows += [c for c in children if c is not None] or [top]
    for column in range(tree.columnCount() - 1):
        if column == skip:
            continue
        texts = [tree.headerItem().text(column)] + [row.text(column) for row in rows]
        width = max(metrics.horizontalAdvance(t) for t in texts) + 16
        if column == 0:  # rows sit one level down, after the root's branch indicator
            width += 2 * tree.indentation()
        tree.setColumnWidth(column, width)


class AuthPanel(QWidget):
    """The full account: whose verdicts count, every statement, DKIM signatures, ARC."""

    headerActivated = Signal(int, bool)  # header index, and whether to go to the Headers tab

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.strip = AuthStrip()
        self.empty = plain_label(EMPTY, wrap=True)
        self.empty.setObjectName("authEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.trust = plain_label(wrap=True)
        self.trust.setObjectName("authTrust")
        bold = self.trust.font()
        bold.setBold(True)
        self.trust.setFont(bold)
        self.flag_icon = QLabel()
        self.comparison = plain_label(wrap=True)
        self.comparison.setObjectName("authComparison")

        self.statements = _tree("authStatements", STATEMENT_COLUMNS)
        self.statements.setAccessibleName("Authentication statements")
        self.signatures = _tree("authSignatures", DKIM_COLUMNS)
        self.signatures.setAccessibleName("DKIM signatures")
        self.arc = plain_label(wrap=True)
        self.arc.setObjectName("authArc")
        for tree in (self.statements, self.signatures):
            tree.itemClicked.connect(self._on_clicked)
            tree.itemActivated.connect(self._on_activated)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("auth")
        self.splitter.addWidget(self.statements)
        self.splitter.addWidget(self._signatures_box())
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)

        # The alignment sentence is not repeated here: the strip above always shows it.
        self.details = QWidget()
        details = QVBoxLayout(self.details)
        details.setContentsMargins(0, 0, 0, 0)
        details.setSpacing(2)
        details.addWidget(self.trust)
        details.addLayout(self._comparison_row())
        details.addWidget(self.splitter, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 0)
        layout.addWidget(self.empty)
        layout.addWidget(self.details, 1)
        self.set_report(None)

    def _signatures_box(self) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.signatures, 1)
        layout.addWidget(self.arc)
        return box

    def _comparison_row(self) -> QHBoxLayout:
        """The receiver-vs-computed DMARC sentence, with a warning icon on disagreement."""
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        self.flag_icon.setPixmap(icon.pixmap(size, size))
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.flag_icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.comparison, 1)
        return row

    # --- filling -------------------------------------------------------------------------

    def set_report(self, report: Report | None) -> None:
        self.strip.set_auth(None if report is None else report.auth)
        self.set_details(report)

    def set_details(self, report: Report | None) -> None:
        """The panel's own content without the strip (a message tab fills it when shown)."""
        auth = None if report is None else report.auth
        self.statements.clear()
        self.signatures.clear()
        empty = auth is None or is_empty(auth)
        self.empty.setVisible(empty)
        self.details.setVisible(not empty)
        if auth is None or empty:
            return
        self.trust.setText(trust_sentence(auth))
        self._set_comparison(auth.alignment)
        self._fill_statements(auth)
        self._fill_signatures(auth.dkim)
        self.arc.setText(arc_summary(auth.arc))

    def _set_comparison(self, alignment: Alignment) -> None:
        comparison = dmarc_comparison(alignment)
        self.comparison.setText("" if comparison is None else comparison[0])
        self.comparison.setVisible(comparison is not None)
        self.flag_icon.setVisible(comparison is not None and comparison[1])

    def _fill_statements(self, auth: AuthReport) -> None:
        """Two groups, trusted first: the split between verdict and claim is the point."""
        groups = (
            (True, "Trusted — written by the receiver's own systems"),
            (False, "Claimed — written before the receiver's systems, could be forged"),
        )
        for trusted, title in groups:
            rows = self._statement_rows(auth, trusted=trusted)
            if not rows:
                continue
            group = _heading(f"{title} ({len(rows)})", self.font())
            group.addChildren(rows)
            _add_heading(self.statements, group)
        _fit_columns(self.statements, skip=COL_REASON)

    def _statement_rows(self, auth: AuthReport, *, trusted: bool) -> list[QTreeWidgetItem]:
        word = "yes" if trusted else "no — claimed"
        rows = []
        for r in auth.results:
            if r.trusted != trusted:
                continue
            method = r.method if r.instance is None else f"{r.method} (ARC i={r.instance})"
            where = f"#{r.header_index + 1}"
            values = [method, r.result, word, r.authserv_id or "—", where, _details(r)]
            rows.append(
                _row(
                    values,
                    r.header_index,
                    r.method.lower(),
                    header_ref(r.header_index, r.header_name),
                )
            )
        for s in auth.received_spf:
            if s.trusted != trusted:
                continue
            mechanism = f"mechanism {s.mechanism}" if s.mechanism else None
            reason = "; ".join(p for p in (s.comment, mechanism) if p)
            values = ["spf", s.result, word, s.receiver or "—", f"#{s.header_index + 1}", reason]
            rows.append(
                _row(values, s.header_index, "spf", header_ref(s.header_index, "Received-SPF"))
            )
        return rows

    def _fill_signatures(self, signatures: tuple[DkimSignature, ...]) -> None:
        for s in signatures:
            where = header_ref(s.header_index, "DKIM-Signature")
            heading = _heading(f"{where} · d={s.domain or '?'}", self.font(), s.header_index)
            heading.addChildren(
                [
                    _row([field, value], s.header_index, "dkim", where)
                    for field, value in dkim_rows(s)
                ]
            )
            _add_heading(self.signatures, heading)
        if not signatures:
            self.signatures.addTopLevelItem(QTreeWidgetItem(["No DKIM-Signature header."]))
        _fit_columns(self.signatures)

    # --- rows and headers -------------------------------------------------------------------

    def statement_items(self) -> list[QTreeWidgetItem]:
        """The statement rows (not the group headings), in display order."""
        items = []
        for g in range(self.statements.topLevelItemCount()):
            group = self.statements.topLevelItem(g)
            if group is not None:
                children = (group.child(i) for i in range(group.childCount()))
                items += [child for child in children if child is not None]
        return items

    def group_titles(self) -> list[str]:
        tops = (self.statements.topLevelItem(g) for g in range(self.statements.topLevelItemCount()))
        return [item.text(0) for item in tops if item is not None]

    def select_method(self, method: str) -> None:
        """Select the first statement about `method` (a badge was clicked)."""
        for item in self.statement_items():
            if item.data(0, _ROLE_METHOD) == method:
                self.statements.setCurrentItem(item)
                self.statements.scrollToItem(item)
                self._emit(item, reveal=False)
                return

    def _on_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        self._emit(item, reveal=False)

    def _on_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        self._emit(item, reveal=True)

    def _emit(self, item: QTreeWidgetItem, *, reveal: bool) -> None:
        index = item.data(0, _ROLE_HEADER)
        if isinstance(index, int):
            self.headerActivated.emit(index, reveal)
