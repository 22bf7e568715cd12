"""The message source exactly as it came in: plain text, monospace, read-only.

A QPlainTextEdit never interprets markup, so a header holding `<b>` or a script shows
as the characters it is. The bytes were decoded (UTF-8, with replacement marks) in the
worker; this panel only displays them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent, QTextOption
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QPlainTextEdit, QVBoxLayout, QWidget

from mailview.gui.panels import monospace_font, plain_label


class SourcePanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = QPlainTextEdit()
        self.view.setObjectName("sourceView")
        self.view.setAccessibleName("Message source")
        self.view.setReadOnly(True)
        self.view.setAcceptDrops(False)  # a drop here opens a tab, like anywhere else
        self.view.setUndoRedoEnabled(False)
        self.view.setFont(monospace_font())
        self.view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.view.setWordWrapMode(QTextOption.WrapMode.WrapAnywhere)
        self.view.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.note = plain_label(wrap=True)
        self.note.hide()
        self.wrap = QCheckBox("Wrap long lines")
        self.wrap.toggled.connect(self._on_wrap)
        self._pending: str | None = None

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.note, 1)
        top.addStretch(0)
        top.addWidget(self.wrap)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)

    def set_source(self, text: str, note: str | None = None) -> None:
        # Laying out megabytes of text takes the GUI thread a noticeable moment: it is
        # done when the panel is first shown, not for every message opened.
        self._pending = text
        self.view.clear()
        self.note.setText(note or "")
        self.note.setVisible(bool(note))
        if self.isVisible():
            self._fill()

    def text(self) -> str:
        self._fill()
        return self.view.toPlainText()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fill()

    def _fill(self) -> None:
        pending = self._pending
        if pending is not None:
            self._pending = None
            self.view.setPlainText(pending)

    def _on_wrap(self, on: bool) -> None:
        mode = QPlainTextEdit.LineWrapMode.WidgetWidth if on else QPlainTextEdit.LineWrapMode.NoWrap
        self.view.setLineWrapMode(mode)
