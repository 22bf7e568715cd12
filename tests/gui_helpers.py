"""Shared builders for the hop-diagram tests. Qt-free, so the layout tests can use them too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mailview.core.analyze import analyze_bytes
from mailview.core.model import Report

# Seconds between consecutive hops, cycled: fast, slow, very slow and one clock skew.
_DELAYS = (4, 0, 75, 1, 3700, 12, -40, 2, 300, 1, 0, 9)


def _host(k: int, hops: int) -> tuple[str, str]:
    """Name and address of the machine that writes hop `k` (hop 1 is the oldest)."""
    tail = hops - k
    if tail < 4:  # the last four hops: the recipient's Microsoft 365 mailbox servers
        return f"DB9PR01MB{1230 + k}.eurprd01.prod.outlook.com", f"2603:10a6:10:2{k:02x}::1{k:x}"
    if tail < 6:
        return f"AM6EUR05FT0{k:02d}.mail.protection.outlook.com", f"40.107.{k}.{50 + k}"
    if k < 3:
        return f"WIN-8F3K{k}.corp.sender-example.com", f"192.168.1.{20 + k}"
    return f"mta{k}.relay-{k % 4}.longer-hostname-example-network.net", f"198.51.100.{k}"


def synthetic_message(hops: int = 30) -> bytes:
    """A header block with `hops` real-looking Received lines (newest on top)."""
    start = datetime(2025, 6, 2, 10, 0, 3, tzinfo=UTC)
    moments = [start]
    for k in range(1, hops):
        moments.append(moments[-1] + timedelta(seconds=_DELAYS[k % len(_DELAYS)]))
    lines = []
    for k in range(hops, 0, -1):
        by, _ = _host(k, hops)
        date = moments[k - 1].strftime("%a, %d %b %Y %H:%M:%S +0000")
        if k == 1:
            lines.append(
                f"Received: from [192.168.1.23] (helo=WIN-8F3K2)\r\n\tby {by} with ESMTPSA"
                f" (TLS1_2) id 1a2b3c; {date}\r\n"
            )
            continue
        sender, address = _host(k - 1, hops)
        tls = "with ESMTPS (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384)" if k % 3 else "with SMTP"
        lines.append(
            f"Received: from {sender} ({sender} [{address}])\r\n\tby {by} {tls}; {date}\r\n"
        )
    body = (
        "".join(lines)
        + "From: IT Service Desk <it-support@micros0ft-help.example>\r\n"
        + "To: j.doe@example.net\r\n"
        + "Subject: Your mailbox is almost full\r\n"
        + "Date: Mon, 2 Jun 2025 10:00:00 +0000\r\n"
        + "Message-ID: <synthetic@example>\r\n\r\nbody\r\n"
    )
    return body.encode()


def synthetic_report(hops: int = 30) -> Report:
    return analyze_bytes(synthetic_message(hops), f"synthetic-{hops}.eml")
