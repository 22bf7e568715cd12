#!/bin/sh
# Install mailview's desktop integration (menu entry, AppStream metainfo, hicolor icons)
# into a prefix, ~/.local by default, so desktops list it and offer it for .eml/.msg/.mbox.
# The `mailview` command itself comes from the wheel (pipx/pip) or the PyInstaller folder
# and must be on PATH: the desktop entry runs `mailview %F`.
#
#   packaging/linux/install.sh [--prefix DIR] [--uninstall]
#
# Running it again overwrites the same files with the same content (idempotent).
set -eu

APP_ID=io.github.mailview.Mailview
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PREFIX="${HOME}/.local"
UNINSTALL=0

usage() {
    echo "usage: $0 [--prefix DIR] [--uninstall]" >&2
    exit 2
}

while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) [ $# -ge 2 ] || usage; PREFIX=$2; shift 2 ;;
        --prefix=*) PREFIX=${1#--prefix=}; shift ;;
        --uninstall) UNINSTALL=1; shift ;;
        -h|--help) usage ;;
        *) echo "$0: unknown argument: $1" >&2; usage ;;
    esac
done

SHARE="$PREFIX/share"
ICON_SOURCE="$ROOT/icons/hicolor"

# Every icon file of the app in the source tree, relative to hicolor/ (e.g.
# 48x48/apps/io.github.mailview.Mailview.png, scalable/apps/io.github.mailview.Mailview.svg).
icon_files() {
    [ -d "$ICON_SOURCE" ] || return 0
    (cd "$ICON_SOURCE" && find . -path "./*/apps/$APP_ID.*" -type f | sed 's|^\./||' | sort)
}

# Caches are optional: without them desktops rescan the folders, only more slowly. The
# icon cache is only refreshed where one already exists or the theme index is present,
# because a stray cache without index.theme can hide the system hicolor icons.
refresh_caches() {
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database -q "$SHARE/applications" || true
    fi
    if command -v gtk-update-icon-cache >/dev/null 2>&1 &&
        { [ -f "$SHARE/icons/hicolor/index.theme" ] || [ -f "$SHARE/icons/hicolor/icon-theme.cache" ]; }; then
        gtk-update-icon-cache -q -f -t "$SHARE/icons/hicolor" || true
    fi
}

if [ "$UNINSTALL" -eq 1 ]; then
    rm -f "$SHARE/applications/$APP_ID.desktop" "$SHARE/metainfo/$APP_ID.metainfo.xml"
    for icon in $(icon_files); do
        rm -f "$SHARE/icons/hicolor/$icon"
    done
    refresh_caches
    echo "mailview desktop integration removed from $PREFIX"
    exit 0
fi

icons=$(icon_files)
if [ -z "$icons" ]; then
    echo "$0: no icons under $ICON_SOURCE/<N>x<N>/apps/$APP_ID.png" >&2
    exit 1
fi

install -D -m 644 "$HERE/$APP_ID.desktop" "$SHARE/applications/$APP_ID.desktop"
install -D -m 644 "$HERE/$APP_ID.metainfo.xml" "$SHARE/metainfo/$APP_ID.metainfo.xml"
for icon in $icons; do
    install -D -m 644 "$ICON_SOURCE/$icon" "$SHARE/icons/hicolor/$icon"
done
refresh_caches

echo "mailview desktop integration installed into $PREFIX"
if ! command -v mailview >/dev/null 2>&1; then
    echo "note: 'mailview' is not on PATH; the menu entry runs 'mailview %F'" >&2
fi
