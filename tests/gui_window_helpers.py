"""Shared pieces of the GUI tests: real drag-and-drop events, windows with a temp config."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from mailview.assets import sample_message
from mailview.gui.settings import Settings
from mailview.gui.window import MainWindow
from mailview.gui.worker import Worker

# The offscreen platform warns that it cannot pass a window's size hints on; that is
# the test platform talking, not a problem of the window.
OFFSCREEN_NOISE = "propagateSizeHints"

SAMPLE = sample_message()
SAMPLE_SUBJECT = "Your account has been limited – action required"

# Three hops, newest on top, as a helpdesk user would paste them out of Outlook.
PASTED_HEADERS = """\
Received: from mx.example.org (mx.example.org [192.0.2.10]) by mail.example.net
 with ESMTPS id 4AbC; Tue, 12 Nov 2024 09:14:41 +0000
Received: from relay.example.com (relay.example.com [198.51.100.7]) by mx.example.org
 with ESMTP id 77Zz; Tue, 12 Nov 2024 09:14:30 +0000
Received: from sender-pc (unknown [203.0.113.5]) by relay.example.com
 with ESMTPSA id 11Qq; Tue, 12 Nov 2024 09:14:02 +0000
From: Alice <alice@example.com>
To: bob@example.net
Subject: Pasted headers test
Date: Tue, 12 Nov 2024 09:14:00 +0000
Message-ID: <pasted-1@example.com>
"""


def make_window(qtbot: QtBot, tmp_path: Path, worker: Worker | None = None) -> MainWindow:
    window = MainWindow(Settings(tmp_path / "config" / "mailview.ini"), worker)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def file_mime(*paths: Path) -> QMimeData:
    """What a file manager puts on a drag of these files."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)) for path in paths])
    return mime


def bytes_mime(data: bytes, kind: str = "message/rfc822") -> QMimeData:
    """What a mail client puts on a drag of a message."""
    mime = QMimeData()
    mime.setData(kind, data)
    return mime


def drop(target: QWidget, mime: QMimeData) -> bool:
    """Drag `mime` onto the centre of `target` with real events; True when it was accepted."""
    # As in Qt 6's C++ API: drag enter/move events take a QPoint, the drop a QPointF.
    point = QPoint(target.width() // 2, target.height() // 2)
    centre = QPointF(point)
    actions = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction
    buttons, modifiers = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(point, actions, mime, buttons, modifiers)
    QApplication.sendEvent(target, enter)
    if not enter.isAccepted():
        return False
    move = QDragMoveEvent(point, actions, mime, buttons, modifiers)
    QApplication.sendEvent(target, move)
    dropped = QDropEvent(centre, actions, mime, buttons, modifiers)
    QApplication.sendEvent(target, dropped)
    return dropped.isAccepted()
