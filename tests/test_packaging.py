"""Packaging: the Linux desktop entry and metainfo, install.sh, and (opt-in) the wheel.

The fast checks always run (each skips when its validator is missing). Building the wheel,
installing it with its dependencies into a fresh venv and starting the installed app takes
a minute and needs PyPI (or a warm pip cache), so those run only with
MAILVIEW_PACKAGING_TESTS=1; with MAILVIEW_FROZEN_APP=path/to/mailview they also smoke-test
a PyInstaller build.
"""

from __future__ import annotations

import configparser
import filecmp
import json
import os
import shutil
import subprocess
import sys
import venv
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINUX = ROOT / "packaging" / "linux"
APP_ID = "io.github.mailview.Mailview"
DESKTOP = LINUX / f"{APP_ID}.desktop"
METAINFO = LINUX / f"{APP_ID}.metainfo.xml"
INSTALL_SH = LINUX / "install.sh"
ICONS = ROOT / "icons" / "hicolor"
SMOKE_TEST = ROOT / "packaging" / "pyinstaller" / "smoke_test.py"
SAMPLE_IN_WHEEL = "mailview/resources/samples/sample-phish.eml"
MEDIA_TYPES = {"message/rfc822", "application/vnd.ms-outlook", "application/mbox"}

PACKAGING_TESTS = os.environ.get("MAILVIEW_PACKAGING_TESTS") == "1"
needs_packaging = pytest.mark.skipif(
    not PACKAGING_TESTS, reason="set MAILVIEW_PACKAGING_TESTS=1 to build and install the wheel"
)
# Seconds for a wheel build or install that may download PySide6 (~100 MB).
SLOW_TIMEOUT = 900


def desktop_entry() -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(DESKTOP, encoding="utf-8")
    return dict(parser["Desktop Entry"])


def listed(value: str) -> set[str]:
    """The items of a desktop-entry list value ("a;b;")."""
    return {item for item in value.split(";") if item}


def app_icons() -> list[Path]:
    return sorted(ICONS.glob(f"*/apps/{APP_ID}.*")) if ICONS.is_dir() else []


# -- desktop entry and metainfo ------------------------------------------------------------


def test_desktop_entry_launches_mailview_for_mail_files() -> None:
    entry = desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Name"] == "mailview"
    assert entry["GenericName"] == "Email header analyzer"
    assert entry["Exec"] == "mailview %F"
    assert entry["Icon"] == APP_ID
    assert entry["Terminal"] == "false"
    assert entry["StartupWMClass"] == "mailview"
    assert {"Network", "Email", "Security"} <= listed(entry["Categories"])
    assert listed(entry["MimeType"]) == MEDIA_TYPES


def test_desktop_entry_is_valid() -> None:
    validator = shutil.which("desktop-file-validate")
    if validator is None:
        pytest.skip("desktop-file-validate is not installed (apt-get install desktop-file-utils)")
    done = subprocess.run([validator, str(DESKTOP)], capture_output=True, text=True, check=False)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    # Hints (a suggestion to add another category) are fine; errors and warnings are not.
    assert "error:" not in output and "warning:" not in output, output


def test_metainfo_matches_the_desktop_entry() -> None:
    component = ET.parse(METAINFO).getroot()
    assert component.get("type") == "desktop-application"
    assert component.findtext("id") == APP_ID
    assert component.findtext("metadata_license") == "CC0-1.0"
    assert component.findtext("project_license") == "Apache-2.0"
    assert component.findtext("launchable") == DESKTOP.name
    assert component.findtext("provides/binary") == "mailview"
    assert {m.text for m in component.findall("provides/mediatype")} == MEDIA_TYPES
    assert len(component.findall("description/p")) >= 2
    assert component.find("content_rating") is not None
    from mailview import __version__

    assert __version__ in {r.get("version") for r in component.findall("releases/release")}


def test_metainfo_is_valid() -> None:
    validator = shutil.which("appstreamcli")
    if validator is None:
        pytest.skip("appstreamcli is not installed")
    done = subprocess.run(
        [validator, "validate", "--no-net", str(METAINFO)],
        capture_output=True,
        text=True,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    # Info and pedantic lines are fine (an older appstreamcli does not know <developer>).
    problems = [line for line in output.splitlines() if line.startswith(("E:", "W:"))]
    assert not problems, output


def test_every_icon_size_is_a_hicolor_png() -> None:
    if not app_icons():
        pytest.skip("icons/hicolor has not been generated yet")
    for icon in app_icons():
        size = icon.parent.parent.name
        if icon.suffix == ".png":
            width, height = size.split("x")
            assert width == height and width.isdigit(), icon
            assert icon.read_bytes().startswith(b"\x89PNG"), icon


# -- install.sh ------------------------------------------------------------------------


def run_install(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", str(INSTALL_SH), *args], capture_output=True, text=True, check=False
    )


@pytest.fixture
def icons_present() -> list[Path]:
    if sys.platform == "win32":
        pytest.skip("install.sh is for Linux and other freedesktop systems")
    icons = app_icons()
    if not icons:
        pytest.skip("icons/hicolor has not been generated yet")
    return icons


def test_install_sh_puts_the_files_where_desktops_look(
    tmp_path: Path, icons_present: list[Path]
) -> None:
    prefix = tmp_path / "prefix"
    share = prefix / "share"
    expected = {
        share / "applications" / DESKTOP.name: DESKTOP,
        share / "metainfo" / METAINFO.name: METAINFO,
    }
    for icon in icons_present:
        expected[share / "icons" / "hicolor" / icon.relative_to(ICONS)] = icon

    for _ in range(2):  # a second run changes nothing and does not fail
        done = run_install("--prefix", str(prefix))
        assert done.returncode == 0, done.stderr
        for installed, source in expected.items():
            assert filecmp.cmp(installed, source, shallow=False), installed

    done = run_install(f"--prefix={prefix}", "--uninstall")
    assert done.returncode == 0, done.stderr
    assert not [path for path in expected if path.exists()]


def test_install_sh_refuses_unknown_arguments(tmp_path: Path) -> None:
    if sys.platform == "win32":
        pytest.skip("install.sh is for Linux and other freedesktop systems")
    done = run_install("--prefx", str(tmp_path))
    assert done.returncode == 2
    assert "unknown argument" in done.stderr
    assert not list(tmp_path.iterdir())


# -- the wheel, installed the way a user installs it (opt-in) ---------------------------


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        check=True,
        timeout=SLOW_TIMEOUT,
    )
    (built,) = out.glob("mailview-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `mailview` command of a fresh venv (no system site packages) holding the wheel."""
    home = tmp_path_factory.mktemp("venv")
    venv.create(home, with_pip=True, system_site_packages=False, clear=True)
    scripts = home / ("Scripts" if sys.platform == "win32" else "bin")
    subprocess.run(
        [str(scripts / "python"), "-m", "pip", "install", "-q", str(wheel)],
        check=True,
        timeout=SLOW_TIMEOUT,
    )
    return scripts / "mailview"


def run_installed(program: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # A clean environment apart from PATH/HOME: the checkout must not leak in through
    # PYTHONPATH, and Qt must not look for a display.
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env["QT_QPA_PLATFORM"] = "offscreen"
    return subprocess.run(
        [str(program), *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


@needs_packaging
def test_wheel_carries_the_sample_and_the_icons(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert SAMPLE_IN_WHEEL in names
    assert f"mailview/icons/hicolor/48x48/apps/{APP_ID}.png" in names
    assert "mailview/cli/__init__.py" in names
    # Nothing from the checkout beyond the package: tests and tooling stay out.
    assert not [name for name in names if name.startswith(("tests/", "packaging/"))]


@needs_packaging
def test_installed_wheel_runs_from_elsewhere(installed: Path, tmp_path: Path) -> None:
    done = run_installed(installed, "--version", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    from mailview import __version__

    assert done.stdout.strip() == f"mailview {__version__}"

    done = run_installed(installed, "analyze", "--sample", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["input"]["name"] == "sample-phish.eml"
    # The embedded network database came along as a dependency and answers.
    assert any(hop.get("geo") for hop in report["hops"])


@needs_packaging
def test_installed_wheel_opens_its_window(installed: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(SMOKE_TEST), str(installed)],
        capture_output=True,
        text=True,
        check=False,
        timeout=SLOW_TIMEOUT,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.skipif(
    not os.environ.get("MAILVIEW_FROZEN_APP"),
    reason="set MAILVIEW_FROZEN_APP to a PyInstaller build's mailview executable",
)
def test_frozen_app_passes_the_smoke_test() -> None:
    program = os.environ["MAILVIEW_FROZEN_APP"]
    done = subprocess.run(
        [sys.executable, str(SMOKE_TEST), program],
        capture_output=True,
        text=True,
        check=False,
        timeout=SLOW_TIMEOUT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
