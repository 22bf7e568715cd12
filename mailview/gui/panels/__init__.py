"""The panels of a message tab, one module each, and the few small widgets they share.

Every panel shows text that came out of an untrusted message, so every label here is
forced to plain text: a QLabel left on Qt.AutoText would render a Subject like
`<img src=…>` as HTML.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontDatabase, QFontInfo, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QStyle,
    QToolButton,
    QWidget,
)


def monospace_font() -> QFont:
    return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)


def scale_font(font: QFont, factor: float) -> None:
    """Enlarge `font` by `factor`, whether it was set in points or in pixels (a font set in
    pixels has no point size, and scaling -1 would make Qt warn and keep it)."""
    if font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * factor)
    else:
        font.setPixelSize(max(1, round(QFontInfo(font).pixelSize() * factor)))


def plain_label(text: str = "", *, wrap: bool = False, selectable: bool = True) -> QLabel:
    """A QLabel that never interprets its text as HTML."""
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    label.setWordWrap(wrap)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


_BANNER_ICONS = {
    "error": QStyle.StandardPixmap.SP_MessageBoxCritical,
    "warning": QStyle.StandardPixmap.SP_MessageBoxWarning,
    "info": QStyle.StandardPixmap.SP_MessageBoxInformation,
}
_BANNER_TINTS = {
    "error": QColor("#d32f2f"),
    "warning": QColor("#f9a825"),
    "info": QColor("#1e88e5"),
}


def tinted(base: QColor, tint: QColor, amount: float = 0.2) -> QColor:
    """`base` moved `amount` of the way towards `tint`."""
    return QColor.fromRgbF(
        base.redF() + (tint.redF() - base.redF()) * amount,
        base.greenF() + (tint.greenF() - base.greenF()) * amount,
        base.blueF() + (tint.blueF() - base.blueF()) * amount,
    )


class Banner(QFrame):
    """An inline message (error, warning, information) with a close button.

    This is the app's one way of telling the user something went wrong: no modal
    dialogs, so a drop of twenty bad files gives twenty lines of text, not twenty clicks.
    """

    closed = Signal()

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    def __init__(self, parent: QWidget | None = None, *, closable: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.kind = self.INFO
        self._icon = QLabel()
        self._icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.label = plain_label(wrap=True)
        self.label.setObjectName("bannerText")
        close = QToolButton()
        close.setAutoRaise(True)
        close.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_TitleBarCloseButton))
        close.setToolTip("Dismiss")
        close.setAccessibleName("Dismiss message")
        close.clicked.connect(self.dismiss)
        close.setVisible(closable)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 6, 4, 6)
        layout.addWidget(self._icon)
        layout.addWidget(self.label, 1)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_message(self, text: str, kind: str = ERROR) -> None:
        self.kind = kind
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        icon = self.style().standardIcon(_BANNER_ICONS.get(kind, _BANNER_ICONS["info"]))
        self._icon.setPixmap(icon.pixmap(size, size))
        # A light tint of the theme's own window colour keeps the palette's text colour
        # readable in light and dark themes; the icon and the words carry the meaning.
        base = QApplication.palette(self).color(QPalette.ColorRole.Window)
        palette = self.palette()
        palette.setColor(
            QPalette.ColorRole.Window, tinted(base, _BANNER_TINTS.get(kind, _BANNER_TINTS["info"]))
        )
        self.setPalette(palette)
        self.label.setText(text)
        self.show()

    def text(self) -> str:
        """The message shown, or "" when the banner is hidden."""
        return "" if self.isHidden() else self.label.text()

    def dismiss(self) -> None:
        self.hide()
        self.label.clear()
        self.closed.emit()
