"""The main window driven with real events: drops, Ctrl+V, shortcuts, settings."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from mailview.gui.message_tab import FAILED, READY, MessageTab
from mailview.gui.queue.view import QueueTab
from mailview.gui.settings import CONFIG_DIR_ENV, MAX_RECENT, Settings, config_dir
from mailview.gui.window import MainWindow
from tests.gui_window_helpers import (
    OFFSCREEN_NOISE,
    PASTED_HEADERS,
    SAMPLE,
    SAMPLE_SUBJECT,
    bytes_mime,
    drop,
    file_mime,
    make_window,
)

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)]

PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02"


def wait_ready(qtbot: QtBot, tab: MessageTab) -> None:
    qtbot.waitUntil(lambda: tab.state == READY, timeout=5000)


def test_a_dropped_file_opens_a_tab_with_its_subject(qtbot: QtBot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path)
    assert drop(window, file_mime(SAMPLE))
    qtbot.waitUntil(lambda: window.tab_count() == 1 and window.tab(0).state == READY)
    tab = window.tab(0)
    assert tab.summary.value("Subject") == SAMPLE_SUBJECT
    assert window.tabs.tabText(0) == SAMPLE.name
    assert tab.diagram.hop_item_count() > 0
    assert window.windowTitle().startswith(SAMPLE.name)


def test_several_dropped_files_open_one_queue(qtbot: QtBot, tmp_path: Path) -> None:
    other = tmp_path / "pasted.eml"
    other.write_text(PASTED_HEADERS)
    window = make_window(qtbot, tmp_path)
    window.queue_jobs = 0
    assert drop(window, file_mime(SAMPLE, other))
    queue = window.tabs.widget(0)
    assert isinstance(queue, QueueTab) and window.tab_count() == 1
    qtbot.waitUntil(lambda: queue.done, timeout=10000)
    subjects = {row.subject for row in queue.model.rows}
    assert subjects == {SAMPLE_SUBJECT, "Pasted headers test"}


def test_dropped_message_bytes_open_a_dropped_message_tab(qtbot: QtBot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path)
    assert drop(window, bytes_mime(SAMPLE.read_bytes()))
    qtbot.waitUntil(lambda: window.tab_count() == 1 and window.tab(0).state == READY)
    assert window.tabs.tabText(0) == "dropped message"
    assert window.tab(0).summary.value("Subject") == SAMPLE_SUBJECT


def test_a_drop_onto_a_panel_reaches_the_window(qtbot: QtBot, tmp_path: Path) -> None:
    """Panels refuse drops themselves, so a file dropped on the source view opens a tab."""
    window = make_window(qtbot, tmp_path)
    window.open_paths([str(SAMPLE)])
    wait_ready(qtbot, window.tab(0))
    for widget in (window.tab(0).source_panel.view, window.tab(0).diagram):
        assert not widget.acceptDrops()


def test_ctrl_v_pastes_headers_from_the_clipboard(qtbot: QtBot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path)
    QGuiApplication.clipboard().setText(PASTED_HEADERS)
    QTest.keyClick(window, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.tab_count() == 1 and window.tab(0).state == READY)
    tab = window.tab(0)
    assert window.tabs.tabText(0) == "pasted headers"
    report = tab.report
    assert report is not None
    assert [h.fields.from_host for h in report.hops] == [
        "sender-pc",
        "relay.example.com",
        "mx.example.org",
    ]


def test_ctrl_v_in_the_filter_box_pastes_into_the_box(qtbot: QtBot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path)
    window.open_paths([str(SAMPLE)])
    tab = window.tab(0)
    wait_ready(qtbot, tab)
    QGuiApplication.clipboard().setText("Reply-To")
    box = tab.headers.filter
    box.setFocus()
    QTest.keyClick(box, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert box.text() == "Reply-To"
    assert window.tab_count() == 1


def test_an_empty_paste_says_so_and_opens_nothing(qtbot: QtBot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path)
    QGuiApplication.clipboard().clear()
    window.paste()
    assert window.tab_count() == 0
    assert "clipboard holds no text" in window.message_text()


def test_selecting_a_finding_highlights_its_evidence(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = make_window(qtbot, tmp_path)
    window.open_paths([str(SAMPLE)])
    tab = window.tab(0)
    wait_ready(qtbot, tab)
    highlighted: list[list[int]] = []
    original = tab.diagram.highlight_hops

    def spy(hops: Iterable[int]) -> None:
        highlighted.append(list(hops))
        original(hops)

    monkeypatch.setattr(tab.diagram, "highlight_hops", spy)
    findings = tab.findings.findings()
    skew = next(i for i, f in enumerate(findings) if "Clock skew" in f.title)
    tab.findings.select_row(skew)
    evidence = sorted(e.header_index for e in findings[skew].evidence if e.header_index is not None)
    assert tab.headers.selected_header_indices() == evidence
    report = tab.report
    assert report is not None
    expected = sorted(h.index for h in report.hops if h.header_index in evidence)
    assert expected == [2, 3]
    assert highlighted and sorted(highlighted[-1]) == expected
    assert "Evidence" in tab.findings.detail.toPlainText()


def test_a_hop_click_selects_its_header_and_shows_details(qtbot: QtBot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path)
    window.open_paths([str(SAMPLE)])
    tab = window.tab(0)
    wait_ready(qtbot, tab)
    report = tab.report
    assert report is not None
    tab.diagram.hopActivated.emit(3)
    hop = report.hops[2]
    assert tab.headers.selected_header_indices() == [hop.header_index]
    assert tab.hop_details.values()["From"] == "mail.paypa1-billing.example"
    assert tab.hop_details.raw.toPlainText() == hop.raw.replace("\r\n", "\n")


def test_next_and_previous_hop_shortcuts(qtbot: QtBot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path)
    window.open_paths([str(SAMPLE)])
    tab = window.tab(0)
    wait_ready(qtbot, tab)
    window.next_hop_action.trigger()
    assert tab.current_hop == 1
    window.next_hop_action.trigger()
    window.next_hop_action.trigger()
    assert tab.current_hop == 3
    window.previous_hop_action.trigger()
    assert tab.current_hop == 2
    assert tab.hop_details.title.text() == "Hop 2"


def test_a_non_message_drop_explains_and_leaves_other_tabs(qtbot: QtBot, tmp_path: Path) -> None:
    picture = tmp_path / "photo.png"
    picture.write_bytes(PNG_BYTES)
    window = make_window(qtbot, tmp_path)
    window.open_paths([str(SAMPLE)])
    first = window.tab(0)
    wait_ready(qtbot, first)
    assert drop(window, file_mime(picture))
    qtbot.waitUntil(lambda: window.tab_count() == 2 and window.tab(1).state == FAILED)
    assert "PNG image" in window.tab(1).status_text()
    assert window.tab(1).status.isVisible()
    assert first.state == READY
    assert first.summary.value("Subject") == SAMPLE_SUBJECT


def test_an_unreadable_file_opens_a_tab_saying_so(qtbot: QtBot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path)
    window.open_paths([str(tmp_path / "gone.eml")])
    qtbot.waitUntil(lambda: window.tab(0).state == FAILED)
    assert "does not exist" in window.tab(0).status_text()


def test_opening_an_open_file_again_reuses_its_tab(qtbot: QtBot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path)
    window.open_paths([str(SAMPLE)])
    wait_ready(qtbot, window.tab(0))
    window.open_paths([str(SAMPLE)])
    assert window.tab_count() == 1
    wait_ready(qtbot, window.tab(0))


def test_ctrl_w_closes_and_ctrl_tab_cycles(qtbot: QtBot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path)
    window.open_paths([str(SAMPLE)])
    window.open_sources([])
    QGuiApplication.clipboard().setText(PASTED_HEADERS)
    window.paste()
    assert window.tabs.currentIndex() == 1
    window.next_tab_action.trigger()
    assert window.tabs.currentIndex() == 0
    window.close_tab_action.trigger()
    assert window.tab_count() == 1
    assert window.tabs.tabText(0) == "pasted headers"
    window.close_tab_action.trigger()
    assert window.tab_count() == 0
    assert window.stack.currentIndex() == 0  # back to the welcome page


def test_export_writes_files_and_reports_failures_inline(qtbot: QtBot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path)
    window.open_paths([str(SAMPLE)])
    wait_ready(qtbot, window.tab(0))
    target = tmp_path / "route.png"
    assert window.export_diagram(str(target), "png")
    assert target.read_bytes().startswith(b"\x89PNG")
    assert window.export_diagram(str(tmp_path / "route.svg"), "svg")
    assert not window.export_diagram(str(tmp_path / "no" / "such" / "dir.png"), "png")
    assert "could not be saved" in window.message_text()


def test_exports_never_write_over_the_opened_file(qtbot: QtBot, tmp_path: Path) -> None:
    opened = tmp_path / "reported.eml"
    opened.write_bytes(SAMPLE.read_bytes())
    window = make_window(qtbot, tmp_path)
    (tab,) = window.open_paths([str(opened)])
    wait_ready(qtbot, tab)
    assert not window.export_report(str(opened), "md")
    assert "is an input" in window.message_text()
    assert not window.export_diagram(str(opened), "svg")
    assert opened.read_bytes() == SAMPLE.read_bytes()


def test_copy_diagram_puts_an_image_on_the_clipboard(qtbot: QtBot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path)
    window.open_paths([str(SAMPLE)])
    wait_ready(qtbot, window.tab(0))
    QGuiApplication.clipboard().clear()
    window.copy_diagram_action.trigger()
    assert not QGuiApplication.clipboard().image().isNull()


def test_geometry_layout_and_recent_files_survive_a_restart(qtbot: QtBot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path)
    initial = window.size()
    window.resize(QSize(700, 650))
    window.open_paths([str(SAMPLE)])
    wait_ready(qtbot, window.tab(0))
    size = window.size()  # what the window allowed (its contents set a minimum)
    assert size != initial
    window.close()

    again = make_window(qtbot, tmp_path)
    assert again.size() == size
    assert again.settings.recent_files() == [str(SAMPLE.resolve())]
    again.recent_menu.aboutToShow.emit()
    assert str(SAMPLE.resolve()) in [a.text() for a in again.recent_menu.actions()]


def test_recent_files_are_capped_and_pruned(tmp_path: Path) -> None:
    settings = Settings(tmp_path / "mailview.ini")
    files = []
    for number in range(MAX_RECENT + 3):
        path = tmp_path / f"m{number}.eml"
        path.write_text("Subject: x\n")
        files.append(path)
        settings.add_recent_file(str(path))
    settings.sync()
    files[-1].unlink()
    recent = Settings(tmp_path / "mailview.ini").recent_files()
    assert str(files[-1]) not in recent
    assert recent[0] == str(files[-2])
    assert len(recent) == MAX_RECENT - 1


# Qt itself warns about the damaged @Variant it meets; the point is that nothing breaks.
@pytest.mark.qt_log_ignore(OFFSCREEN_NOISE, "invalid type")
def test_a_corrupt_settings_file_does_not_crash(qtbot: QtBot, tmp_path: Path) -> None:
    ini = tmp_path / "config" / "mailview.ini"
    ini.parent.mkdir()
    ini.write_bytes(
        b"\xff\xfe\x00[window]\ngeometry=@ByteArray(\\x\nstate=@Variant(\\0\\0\\x7f)\n"
        b"[files]\nrecent=@Variant(garbage\nlast_dir=42\n[layout]\nmain=not bytes\n\x00\x01"
    )
    window = make_window(qtbot, tmp_path)
    assert window.settings.recent_files() == []
    window.open_paths([str(SAMPLE)])
    wait_ready(qtbot, window.tab(0))
    window.settings.set_geometry(QByteArray(b"\x00junk"))
    assert window.restoreGeometry(window.settings.geometry() or QByteArray()) is False


def test_the_config_folder_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(CONFIG_DIR_ENV, str(tmp_path))
    assert config_dir() == tmp_path
    assert Settings().path == tmp_path / "mailview.ini"


def test_the_window_starts_on_the_welcome_page(qtbot: QtBot, tmp_path: Path) -> None:
    window: MainWindow = make_window(qtbot, tmp_path)
    assert window.stack.currentIndex() == 0
    needs_a_message = (window.zoom_in_action, window.ticket_action, window.export_report_action)
    assert not any(action.isEnabled() for action in needs_a_message)
    window.open_paths([str(SAMPLE)])
    wait_ready(qtbot, window.tab(0))
    assert all(action.isEnabled() for action in needs_a_message)


def test_a_message_with_500_hops_opens(qtbot: QtBot, tmp_path: Path) -> None:
    lines = [
        f"Received: from h{i}.example.net ([192.0.2.{i % 250 + 1}]) by h{i + 1}.example.net "
        f"with ESMTP; Tue, 12 Nov 2024 09:{i // 60 % 60:02d}:{i % 60:02d} +0000"
        for i in reversed(range(500))
    ]
    window = make_window(qtbot, tmp_path)
    QGuiApplication.clipboard().setText("\n".join(lines) + "\nSubject: many hops\n")
    window.paste()
    tab = window.tab(0)
    wait_ready(qtbot, tab)
    assert tab.report is not None and len(tab.report.hops) == 500
    assert tab.summary.value("Transit").endswith("over 500 hops")


def test_keys_kept_beside_the_settings_verify_signatures(qtbot: QtBot, tmp_path: Path) -> None:
    from tests.auth_signing import DOMAIN, SELECTOR, dkim_sign, key_pair, plain_message

    pair = key_pair()
    signed = tmp_path / "signed.eml"
    signed.write_bytes(dkim_sign(plain_message(), pair))
    folder = tmp_path / "config" / "dkim-keys"
    folder.mkdir(parents=True)
    (folder / f"{SELECTOR}._domainkey.{DOMAIN}.txt").write_bytes(pair.record)
    window = make_window(qtbot, tmp_path)
    (tab,) = window.open_paths([str(signed)])
    wait_ready(qtbot, tab)
    assert tab.report is not None and tab.report.auth is not None
    assert [s.verification for s in tab.report.auth.dkim] == ["pass"]


def test_the_online_toggle_sends_queries_only_when_on(qtbot: QtBot, tmp_path: Path) -> None:
    from tests.dns_server import DnsServer

    zone = [("77.113.0.203.in-addr.arpa", "PTR", "mail.paypa1-billing.example.")]
    with DnsServer(zone) as server:
        config = tmp_path / "config"
        config.mkdir()
        (config / "mailview.ini").write_text(f"[online]\nresolver={server.nameserver}\n")
        window = make_window(qtbot, tmp_path)
        assert not window.online_action.isChecked()  # off by default
        (offline_tab,) = window.open_paths([str(SAMPLE)])
        wait_ready(qtbot, offline_tab)
        assert offline_tab.report is not None and offline_tab.report.online is None
        assert server.count("77.113.0.203.in-addr.arpa", "PTR") == 0
        assert offline_tab.summary.value("Look-ups").startswith("offline — nothing was sent")
        window.online_action.setChecked(True)  # reloads the open tab, online
        wait_ready(qtbot, offline_tab)
        qtbot.waitUntil(
            lambda: offline_tab.report is not None and offline_tab.report.online is not None
        )
        report = offline_tab.report
        assert report is not None, "no report"
        assert len(report.hop_online) == len(report.hops), (len(report.hops), report.online)
        assert report.hop_online[2] is not None
        assert report.hop_online[2].ptr == "mail.paypa1-billing.example"
        assert server.count("77.113.0.203.in-addr.arpa", "PTR") == 1
        assert offline_tab.summary.value("Look-ups").startswith(f"online via {server.nameserver}")


def test_export_report_and_copy_for_ticket(qtbot: QtBot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path)
    (tab,) = window.open_paths([str(SAMPLE)])
    wait_ready(qtbot, tab)
    target = tmp_path / "report.md"
    assert window.export_report(str(target), "md")
    text = target.read_text()
    assert "paypa1-billing" in text and "j.doe@contoso.example" in text
    window.redact_action.setChecked(True)
    assert window.export_report(str(target), "md")
    redacted = target.read_text()
    assert "Redacted for sharing" in redacted and "j.doe@contoso.example" not in redacted
    window.copy_for_ticket()
    ticket = QGuiApplication.clipboard().text()
    assert "hxxps://paypa1-billing[.]example" in ticket
    assert "j.doe@contoso.example" not in ticket  # redaction applies to the copy too


def test_settings_feed_the_analysis_and_a_reset_is_told(qtbot: QtBot, tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "mailview.ini").write_bytes(b"\x00\x01 not an ini file \xff")
    window = make_window(qtbot, tmp_path)
    qtbot.waitUntil(lambda: "could not be read and was reset" in window.message_text())
    window.settings.set_own_domains(["contoso.example"])
    window.settings.set_own_networks(["198.51.100.0/24"])
    options = window._analysis_options()
    assert options.trust.own_domains == ("contoso.example",)
    assert [str(n) for n in options.trust.own_networks] == ["198.51.100.0/24"]


def test_dark_theme_changes_the_palette(qapp) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QPalette

    from mailview.gui.theme import apply_theme

    before, style = qapp.palette(), qapp.style().name()
    try:
        apply_theme(qapp, "dark")
        window = qapp.palette().color(QPalette.ColorRole.Window)
        assert window.lightness() < 60
        text = qapp.palette().color(QPalette.ColorRole.WindowText)
        assert text.lightness() > 200
    finally:
        qapp.setStyle(style)
        qapp.setPalette(before)
