"""Light, dark or the system's look: the palette the whole app draws with.

Every panel takes its colours from the palette (and the diagram re-reads it), so a theme
is only a palette on the Fusion style; "system" leaves Qt's platform look untouched.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

_DARK = {
    QPalette.ColorRole.Window: "#1f2228",
    QPalette.ColorRole.WindowText: "#e6e8eb",
    QPalette.ColorRole.Base: "#16181d",
    QPalette.ColorRole.AlternateBase: "#23262d",
    QPalette.ColorRole.Text: "#e6e8eb",
    QPalette.ColorRole.Button: "#2a2e36",
    QPalette.ColorRole.ButtonText: "#e6e8eb",
    QPalette.ColorRole.Highlight: "#3b82f6",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.ToolTipBase: "#2a2e36",
    QPalette.ColorRole.ToolTipText: "#e6e8eb",
    QPalette.ColorRole.PlaceholderText: "#9aa0a8",
    QPalette.ColorRole.Link: "#7fb0ff",
}


# The platform's own look, kept the first time a theme replaces it so "system" can return to
# it without a restart.
_system: tuple[str, QPalette] | None = None


def apply_theme(app: QApplication, theme: str) -> None:
    """ "light" or "dark" switch to Fusion with that palette; anything else is the system's."""
    global _system  # noqa: PLW0603 — one look per process, like the QApplication itself
    if theme not in {"light", "dark"}:
        if _system is not None:
            app.setStyle(_system[0])
            app.setPalette(_system[1])
        return
    if _system is None:
        _system = (app.style().name(), QPalette(app.palette()))
    app.setStyle("Fusion")
    palette = app.style().standardPalette()
    if theme == "dark":
        for role, colour in _DARK.items():
            palette.setColor(role, QColor(colour))
        muted = QColor("#7d838c")
        for role in (
            QPalette.ColorRole.WindowText,
            QPalette.ColorRole.Text,
            QPalette.ColorRole.ButtonText,
        ):
            palette.setColor(QPalette.ColorGroup.Disabled, role, muted)
    app.setPalette(palette)
