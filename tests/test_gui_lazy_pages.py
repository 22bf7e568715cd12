"""The Authentication and Verdicts tabs of a message tab are filled when first shown, not
when the result arrives: real drops, then what the user sees on opening each tab."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QTreeWidgetItem
from pytestqt.qtbot import QtBot

from mailview.gui.message_tab import READY, MessageTab
from mailview.gui.window import MainWindow
from tests.gui_window_helpers import drop, file_mime, make_window


def message(name: str, spf: str, rule: str) -> bytes:
    """A delivered message whose receiver wrote an SPF verdict and SpamAssassin a rule."""
    return f"""\
Received: from mx.{name}.example (mx.{name}.example [192.0.2.10]) by in.example.net
 with ESMTPS id 4AbC; Tue, 12 Nov 2024 09:14:41 +0000
Authentication-Results: in.example.net; spf={spf} smtp.mailfrom={name}.example
X-Spam-Status: Yes, score=7.1 required=5.0 tests={rule}
From: Sender <sender@{name}.example>
To: bob@example.net
Subject: Message {name}
Date: Tue, 12 Nov 2024 09:14:00 +0000
Message-ID: <{name}-1@{name}.example>

Hello.
""".replace("\n", "\r\n").encode()


ALPHA = message("alpha", "pass", "ALPHA_RULE")
BRAVO = message("bravo", "softfail", "BRAVO_RULE")


def dropped(qtbot: QtBot, window: MainWindow, path: Path, subject: str) -> MessageTab:
    """Drop `path` on the window and wait until the tab shows the message `subject`."""
    assert drop(window, file_mime(path))
    tab = window.tab(window.tabs.currentIndex())

    def shown() -> bool:
        report = tab.report
        return tab.state == READY and report is not None and report.message.subject == subject

    qtbot.waitUntil(shown, timeout=10000)
    return tab


def statements(tab: MessageTab) -> list[tuple[str, str]]:
    return [(item.text(0), item.text(1)) for item in tab.auth.statement_items()]


def verdict_texts(tab: MessageTab) -> str:
    """Every word the Verdicts tab shows in its groups' tables."""
    rows: list[QTreeWidgetItem] = [row for g in tab.verdicts.groups() for row in g.table.rows()]
    return " ".join(row.text(c) for row in rows for c in range(row.columnCount()))


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_each_tab_shows_its_own_message_when_its_pages_are_opened(
    qtbot: QtBot, tmp_path: Path
) -> None:
    window = make_window(qtbot, tmp_path)
    first = dropped(qtbot, window, write(tmp_path, "a.eml", ALPHA), "Message alpha")
    second = dropped(qtbot, window, write(tmp_path, "b.eml", BRAVO), "Message bravo")
    # The strips under the summary are there at once, pages opened or not.
    assert "spf" in first.auth.strip.badge_texts()[0].lower()
    assert first.verdicts.strip.isVisibleTo(first)
    window.tabs.setCurrentWidget(first)
    first.show_auth()
    assert statements(first) == [("spf", "pass")]
    first.show_verdicts()
    assert "ALPHA_RULE" in verdict_texts(first) and "BRAVO_RULE" not in verdict_texts(first)
    window.tabs.setCurrentWidget(second)
    second.show_verdicts()
    assert "BRAVO_RULE" in verdict_texts(second) and "ALPHA_RULE" not in verdict_texts(second)
    second.show_auth()
    assert statements(second) == [("spf", "softfail")]


def test_a_reloaded_tab_shows_no_page_of_the_message_before(qtbot: QtBot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path)
    path = write(tmp_path, "m.eml", ALPHA)
    tab = dropped(qtbot, window, path, "Message alpha")
    tab.show_verdicts()
    tab.show_auth()  # both pages were filled with the first message, then left
    tab.lower_tabs.setCurrentWidget(tab.headers)
    path.write_bytes(BRAVO)
    assert dropped(qtbot, window, path, "Message bravo") is tab  # the same file reloads its tab
    tab.show_auth()
    assert statements(tab) == [("spf", "softfail")]
    tab.show_verdicts()
    assert "BRAVO_RULE" in verdict_texts(tab) and "ALPHA_RULE" not in verdict_texts(tab)


def test_the_page_in_view_is_filled_when_the_result_arrives(qtbot: QtBot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path)
    path = write(tmp_path, "m.eml", ALPHA)
    tab = dropped(qtbot, window, path, "Message alpha")
    tab.show_verdicts()
    path.write_bytes(BRAVO)
    dropped(qtbot, window, path, "Message bravo")
    assert tab.lower_tabs.currentWidget() is tab.verdicts
    assert "BRAVO_RULE" in verdict_texts(tab) and "ALPHA_RULE" not in verdict_texts(tab)
