"""Settings: every preference round-trips, a damaged file is reset with a backup and a
notice, and the Settings dialog edits them through real key presses and clicks."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QWidget
from pytestqt.qtbot import QtBot

from mailview.enrich.geo import embedded_database
from mailview.enrich.pipeline import DEFAULT_DNSBL_ZONES
from mailview.gui.settings import BAD_SUFFIX, Settings
from mailview.gui.settings_dialog import SettingsDialog
from tests.test_geo import ASN_BUILT, CITY_BUILT, LONDON, _asn_db, _city_db

pytestmark = pytest.mark.gui


def _ini(tmp_path: Path) -> Path:
    return tmp_path / "config" / "mailview.ini"


def _reopen(settings: Settings) -> Settings:
    settings.sync()
    return Settings(settings.path)


# --- Settings --------------------------------------------------------------------------


def test_defaults_of_a_fresh_file(tmp_path: Path) -> None:
    settings = Settings(_ini(tmp_path))
    assert settings.geoip_databases() == []
    assert settings.online_by_default() is False
    assert settings.resolver() is None
    assert settings.dnsbl_zones() == list(DEFAULT_DNSBL_ZONES)
    assert settings.own_domains() == []
    assert settings.own_networks() == []
    assert settings.time_display() == "original"
    assert settings.theme() == "system"
    assert settings.reset_notice() is None


def test_every_new_key_round_trips(tmp_path: Path) -> None:
    settings = Settings(_ini(tmp_path))
    settings.set_geoip_databases([tmp_path / "a, b.mmdb", tmp_path / "c.mmdb"])
    settings.set_online_by_default(True)
    settings.set_resolver(" 192.0.2.53:5353 ")
    settings.set_dnsbl_zones(["Bl.Example.ORG."])
    settings.set_own_domains(["Contoso.com", "fabrikam.example"])
    settings.set_own_networks(["10.1.2.3/8", "2001:db8::/32"])
    settings.set_time_display("utc")
    settings.set_theme("dark")
    again = _reopen(settings)
    assert again.geoip_databases() == [tmp_path / "a, b.mmdb", tmp_path / "c.mmdb"]
    assert again.online_by_default() is True
    assert again.resolver() == "192.0.2.53:5353"
    assert again.dnsbl_zones() == ["bl.example.org"]
    assert again.own_domains() == ["contoso.com", "fabrikam.example"]
    assert again.own_networks() == ["10.0.0.0/8", "2001:db8::/32"]
    assert again.time_display() == "utc"
    assert again.theme() == "dark"
    assert again.reset_notice() is None


def test_an_empty_blocklist_stays_empty_and_a_cleared_resolver_is_the_system(
    tmp_path: Path,
) -> None:
    settings = Settings(_ini(tmp_path))
    settings.set_dnsbl_zones([])
    settings.set_resolver("192.0.2.1")
    settings.set_resolver(None)
    again = _reopen(settings)
    assert again.dnsbl_zones() == []
    assert again.resolver() is None


def test_invalid_networks_in_the_file_are_dropped_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    ini = _ini(tmp_path)
    ini.parent.mkdir()
    ini.write_text("[own]\nnetworks=10.0.0.0/8, not-a-network, 192.0.2.0/33\n")
    with caplog.at_level(logging.WARNING):
        assert Settings(ini).own_networks() == ["10.0.0.0/8"]
    assert "not-a-network" in caplog.text and "192.0.2.0/33" in caplog.text


def test_unknown_choices_fall_back_to_the_defaults(tmp_path: Path) -> None:
    ini = _ini(tmp_path)
    ini.parent.mkdir()
    ini.write_text("[display]\ntime=martian\ntheme=purple\n")
    settings = Settings(ini)
    assert (settings.time_display(), settings.theme()) == ("original", "system")
    assert settings.reset_notice() is None  # a wrong word is not a broken file


def _backups(ini: Path) -> list[Path]:
    return sorted(ini.parent.glob(f"{ini.name}{BAD_SUFFIX}*"))


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"\xff\xfe\x00\x01garbage\x00[online]\x80\x81", id="garbage-bytes"),
        pytest.param(b"[online\nresolver=192.0.2.1\n", id="unparsable"),
        pytest.param(b"[online]\ndefault=1, 2\n", id="list-for-a-bool"),
        pytest.param(b"[display]\ntheme=@ByteArray(dark)\n", id="bytes-for-a-word"),
        pytest.param(b"[own]\nnetworks=@Variant(\\0\\0\\0\\x2\\0\\0\\0\\x5)\n", id="int-list"),
        pytest.param(b"[meta]\nversion=99\n[display]\ntheme=dark\n", id="newer-version"),
        pytest.param(b"[meta]\nversion=one\n", id="bad-version"),
    ],
)
def test_a_broken_settings_file_is_reset_with_a_backup_and_a_notice(
    tmp_path: Path, content: bytes
) -> None:
    ini = _ini(tmp_path)
    ini.parent.mkdir()
    ini.write_bytes(content)
    settings = Settings(ini)
    (backup,) = _backups(ini)
    assert backup.read_bytes() == content  # the user's file is kept byte for byte
    notice = settings.reset_notice()
    assert notice is not None
    assert notice.startswith("Your settings file could not be read and was reset")
    assert str(backup) in notice
    assert settings.theme() == "system" and settings.online_by_default() is False
    settings.set_theme("light")
    again = _reopen(settings)
    assert again.theme() == "light"
    assert again.reset_notice() is None  # the fresh file is healthy
    assert len(_backups(ini)) == 1


def test_two_resets_in_one_second_keep_both_backups(tmp_path: Path) -> None:
    ini = _ini(tmp_path)
    ini.parent.mkdir()
    for text in ("[x\n", "[y\n"):
        ini.write_text(text)
        Settings(ini)
    assert sorted(p.read_text() for p in _backups(ini)) == ["[x\n", "[y\n"]


def test_an_older_file_without_a_version_is_kept(tmp_path: Path) -> None:
    ini = _ini(tmp_path)
    ini.parent.mkdir()
    ini.write_text("[online]\nresolver=192.0.2.53\n")
    settings = Settings(ini)
    assert settings.reset_notice() is None
    assert settings.resolver() == "192.0.2.53"
    assert _backups(ini) == []


# --- the dialog ------------------------------------------------------------------------


def _dialog(qtbot: QtBot, settings: Settings, **kwargs: object) -> SettingsDialog:
    dialog = SettingsDialog(settings, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _type(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Select all and type `text` key by key (Return for a new line)."""
    widget.setFocus()
    QTest.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(widget, Qt.Key.Key_Delete)
    for line_number, line in enumerate(text.split("\n")):
        if line_number:
            QTest.keyClick(widget, Qt.Key.Key_Return)
        QTest.keyClicks(widget, line)


def _choose(qtbot: QtBot, dialog: SettingsDialog, tab: int) -> None:
    bar = dialog.tabs.tabBar()
    QTest.mouseClick(
        bar, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, bar.tabRect(tab).center()
    )
    assert dialog.tabs.currentIndex() == tab


def _click_ok(qtbot: QtBot, dialog: SettingsDialog) -> None:
    QTest.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)


def test_ok_saves_what_was_typed_and_clicked(qtbot: QtBot, tmp_path: Path) -> None:
    settings = Settings(_ini(tmp_path))
    dialog = _dialog(qtbot, settings)
    _choose(qtbot, dialog, 1)
    QTest.mouseClick(dialog.online_check, Qt.MouseButton.LeftButton)
    _type(qtbot, dialog.resolver_edit, "[::1]:5353")
    _type(qtbot, dialog.dnsbl_edit, "bl.example.org\nZen.Example.NET")
    _choose(qtbot, dialog, 2)
    _type(qtbot, dialog.domains_edit, "contoso.com\n\nfabrikam.example")
    _type(qtbot, dialog.networks_edit, "10.0.0.0/8\n2001:db8::/32")
    _choose(qtbot, dialog, 3)
    dialog.time_combo.setFocus()
    QTest.keyClick(dialog.time_combo, Qt.Key.Key_Down)  # original → utc
    dialog.theme_combo.setFocus()
    QTest.keyClick(dialog.theme_combo, Qt.Key.Key_End)  # → dark
    _click_ok(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    saved = Settings(settings.path)
    assert saved.online_by_default() is True
    assert saved.resolver() == "[::1]:5353"
    assert saved.dnsbl_zones() == ["bl.example.org", "zen.example.net"]
    assert saved.own_domains() == ["contoso.com", "fabrikam.example"]
    assert saved.own_networks() == ["10.0.0.0/8", "2001:db8::/32"]
    assert saved.time_display() == "utc"
    assert saved.theme() == "dark"


def test_the_dialog_shows_the_saved_values(qtbot: QtBot, tmp_path: Path) -> None:
    settings = Settings(_ini(tmp_path))
    settings.set_resolver("192.0.2.53")
    settings.set_own_networks(["10.0.0.0/8"])
    settings.set_theme("light")
    settings.set_online_by_default(True)
    dialog = _dialog(qtbot, _reopen(settings))
    assert dialog.resolver_edit.text() == "192.0.2.53"
    assert dialog.networks_edit.toPlainText() == "10.0.0.0/8"
    assert dialog.theme_combo.currentData() == "light"
    assert dialog.online_check.isChecked()


def test_cancel_discards(qtbot: QtBot, tmp_path: Path) -> None:
    settings = Settings(_ini(tmp_path))
    dialog = _dialog(qtbot, settings)
    _choose(qtbot, dialog, 1)
    _type(qtbot, dialog.resolver_edit, "192.0.2.99")
    QTest.mouseClick(dialog.online_check, Qt.MouseButton.LeftButton)
    cancel = dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel)
    QTest.mouseClick(cancel, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Rejected
    again = Settings(settings.path)
    assert again.resolver() is None
    assert again.online_by_default() is False


def test_an_invalid_resolver_is_flagged_and_blocks_ok(qtbot: QtBot, tmp_path: Path) -> None:
    settings = Settings(_ini(tmp_path))
    dialog = _dialog(qtbot, settings)
    _choose(qtbot, dialog, 1)
    _type(qtbot, dialog.resolver_edit, "dns.example.com:99999")
    assert dialog.resolver_error.isVisible()
    assert "dns.example.com:99999" in dialog.resolver_error.text()
    assert not dialog.ok_button.isEnabled()
    _click_ok(qtbot, dialog)
    assert dialog.isVisible()  # still open: nothing was saved
    assert Settings(settings.path).resolver() is None
    _type(qtbot, dialog.resolver_edit, "192.0.2.53:53")
    assert not dialog.resolver_error.isVisible()
    assert dialog.ok_button.isEnabled()


def test_an_invalid_network_is_flagged_and_blocks_ok(qtbot: QtBot, tmp_path: Path) -> None:
    settings = Settings(_ini(tmp_path))
    dialog = _dialog(qtbot, settings)
    _choose(qtbot, dialog, 2)
    _type(qtbot, dialog.networks_edit, "10.0.0.0/8\n10.0.0.0/40")
    assert dialog.networks_error.isVisible()
    assert "10.0.0.0/40" in dialog.networks_error.text()
    assert "10.0.0.0/8" not in dialog.networks_error.text()
    assert not dialog.ok_button.isEnabled()
    QTest.keyClick(dialog, Qt.Key.Key_Return)  # the default button must not save either
    assert Settings(settings.path).own_networks() == []
    QTest.keyClick(dialog.networks_edit, Qt.Key.Key_Backspace)  # 10.0.0.0/4 is valid
    assert not dialog.networks_error.isVisible()
    _click_ok(qtbot, dialog)
    assert Settings(settings.path).own_networks() == ["10.0.0.0/8", "0.0.0.0/4"]


PLEVIN_LINE = "plevin network (built in), built 2026-10-04 — answers country, network owner (ASN)"


def test_geo_list_says_which_database_is_not_needed(qtbot: QtBot, tmp_path: Path) -> None:
    city = _city_db(tmp_path / "Mine-City.mmdb", CITY_BUILT, {"81.2.69.0/24": LONDON})
    asn = _asn_db(tmp_path / "Mine-ASN.mmdb")
    settings = Settings(_ini(tmp_path))
    dialog = _dialog(qtbot, settings, choose_files=lambda _parent: [str(asn), str(city)])
    embedded = embedded_database()
    texts = [dialog.geo_list.item(i).text() for i in range(dialog.geo_list.count())]
    assert f"{PLEVIN_LINE}\n    {embedded}" in texts
    QTest.mouseClick(dialog.add_geo_button, Qt.MouseButton.LeftButton)
    texts = [dialog.geo_list.item(i).text() for i in range(dialog.geo_list.count())]
    assert texts[:2] == [
        f"GeoLite2-ASN, built {ASN_BUILT} — answers network owner (ASN)\n    {asn}",
        f"GeoLite2-City, built {CITY_BUILT} — answers country, city\n    {city}",
    ]
    # The user's files answer every fact the built-in one knows: it is listed, not needed.
    needless = f"{PLEVIN_LINE} (not needed: the databases above answer all of it)"
    assert f"{needless}\n    {embedded}" in texts


def test_geo_databases_are_listed_added_and_removed(qtbot: QtBot, tmp_path: Path) -> None:
    city = _city_db(tmp_path / "Mine-City.mmdb", CITY_BUILT, {"81.2.69.0/24": LONDON})
    broken = tmp_path / "broken.mmdb"
    broken.write_bytes(b"not a database")
    settings = Settings(_ini(tmp_path))
    dialog = _dialog(qtbot, settings, choose_files=lambda _parent: [str(city), str(broken)])
    before = [dialog.geo_list.item(i).text() for i in range(dialog.geo_list.count())]
    assert not any(str(city) in text for text in before)
    QTest.mouseClick(dialog.add_geo_button, Qt.MouseButton.LeftButton)
    texts = [dialog.geo_list.item(i).text() for i in range(dialog.geo_list.count())]
    assert texts[0] == (f"GeoLite2-City, built {CITY_BUILT} — answers country, city\n    {city}")
    # The built-in network database is listed last, with its date and what it answers.
    embedded = embedded_database()
    assert f"{PLEVIN_LINE}\n    {embedded}" in texts
    assert any(text.startswith("Not usable") and str(broken) in text for text in texts)
    assert dialog.geo_problems.isVisible() and "broken.mmdb" in dialog.geo_problems.text()
    # The added broken file can be removed; a built-in/standard one cannot.
    row = next(i for i, text in enumerate(texts) if str(broken) in text)
    dialog.geo_list.setCurrentRow(row)
    assert dialog.remove_geo_button.isEnabled()
    QTest.mouseClick(dialog.remove_geo_button, Qt.MouseButton.LeftButton)
    assert dialog.geo_paths() == [city]
    for i in range(dialog.geo_list.count()):
        if str(city) not in dialog.geo_list.item(i).text():
            dialog.geo_list.setCurrentRow(i)
            assert not dialog.remove_geo_button.isEnabled()
    _click_ok(qtbot, dialog)
    assert Settings(settings.path).geoip_databases() == [city]
