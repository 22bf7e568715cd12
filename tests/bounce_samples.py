"""Synthetic delivery reports for the bounce tests and the bounce benchmark."""

from __future__ import annotations


def dsn(
    recipients: list[tuple[str, str, str, str]],
    *,
    reporting: str = "mx.sender.example",
    original: bytes = b"",
    notice: str = "This is the mail system. Your message could not be delivered.",
    unnamed: tuple[str, ...] = (),
) -> bytes:
    """An RFC 3464 report: recipients are (address, action, status, diagnostic); those in
    `unnamed` come without a Remote-MTA."""
    blocks = [f"Reporting-MTA: dns; {reporting}\nArrival-Date: Mon, 2 Mar 2026 10:00:00 +0000\n"]
    for address, action, status, diagnostic in recipients:
        remote = "" if address in unnamed else f"Remote-MTA: dns; mx.{address.partition('@')[2]}\n"
        blocks.append(
            f"Final-Recipient: rfc822; {address}\nAction: {action}\nStatus: {status}\n"
            f"{remote}Diagnostic-Code: smtp; {diagnostic}\n"
            "Last-Attempt-Date: Mon, 2 Mar 2026 10:00:05 +0000\n"
        )
    head = (
        "Return-Path: <>\n"
        "Received: from mx.sender.example by mx.sender.example; Mon, 2 Mar 2026 10:00:06 +0000\n"
        "From: Mail Delivery System <MAILER-DAEMON@sender.example>\n"
        "To: alice@sender.example\n"
        "Subject: Undelivered Mail Returned to Sender\n"
        "Date: Mon, 2 Mar 2026 10:00:06 +0000\n"
        "Message-ID: <bounce-1@sender.example>\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\n\n'
    )
    body = (
        f"--B\nContent-Type: text/plain\n\n{notice}\n\n"
        "--B\nContent-Type: message/delivery-status\n\n" + "\n".join(blocks) + "\n"
        "--B\nContent-Type: message/rfc822\n\n"
    )
    original = original or (
        b"From: alice@sender.example\nTo: bob@receiver.example\nSubject: Quarterly figures\n"
        b"Message-ID: <orig-1@sender.example>\nDate: Mon, 2 Mar 2026 09:59:00 +0000\n\nHello\n"
    )
    return head.encode() + body.encode() + original + b"\n--B--\n"
