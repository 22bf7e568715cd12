"""The commands' arguments, registered without importing what the commands run.

Scripts call `mailview analyze --json FILE` once per message, so its start-up counts:
building the parser loads no analysis, exporter or network module, and each command's
`run` is imported only once the command line has chosen it (see `_later`).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path

from mailview.enrich.zones import DEFAULT_DNSBL_ZONES
from mailview.lazy_import import import_for_good

Run = Callable[[argparse.Namespace, argparse.ArgumentParser], int]


def _later(module: str) -> Run:
    """The `run` of `module`, imported when the command runs rather than when it is listed."""

    def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
        status: int = import_for_good(module).run(args, parser)
        return status

    return run


def add_analyze(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    analyze = commands.add_parser(
        "analyze",
        aliases=["analyse"],
        help="analyse messages and print the route and findings",
        description="Analyse each FILE (.eml, .msg, mbox, pasted headers; '-' reads standard "
        "input) offline and print its route, hop by hop, and what looks wrong.",
    )
    analyze.add_argument("files", nargs="*", metavar="FILE")
    analyze.add_argument("--sample", action="store_true", help="analyse the bundled sample")
    analyze.add_argument("--json", action="store_true", help="print the JSON report")
    add_analysis_options(analyze)
    analyze.set_defaults(run=_later("mailview.cli.analyze"), parser=analyze)


def add_export(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = commands.add_parser(
        "export",
        help="write the report (Markdown, HTML, JSON) and the hop diagram (PNG, SVG)",
        description="Write the analysis of FILE for a ticket: a Markdown or self-contained "
        "HTML report (diagram embedded, nothing loaded from the network), JSON, and the hop "
        "diagram as PNG or SVG. Needs no display.",
    )
    export.add_argument("file", metavar="FILE")
    export.add_argument("--md", type=Path, metavar="OUT.md", help="write a Markdown report")
    export.add_argument("--html", type=Path, metavar="OUT.html", help="write an HTML report")
    export.add_argument("--json", type=Path, metavar="OUT.json", help="write the JSON report")
    export.add_argument("--png", type=Path, metavar="OUT.png", help="write a PNG (2x scale)")
    export.add_argument("--svg", type=Path, metavar="OUT.svg", help="write an SVG")
    export.add_argument(
        "--redact",
        action="store_true",
        help="replace recipient addresses, internal host names and private addresses by "
        "placeholders, so the export can leave the organisation",
    )
    export.add_argument(
        "--force",
        action="store_true",
        help="let --md replace an existing picture beside it (OUT.png) that was not named "
        "with --png",
    )
    export.add_argument(
        "--plain-indicators",
        action="store_true",
        help="write URLs, domains and addresses as they are (default: defanged, hxxp and [.])",
    )
    add_analysis_options(export)
    export.set_defaults(run=_later("mailview.cli.export"), parser=export)


def add_batch(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    batch = commands.add_parser(
        "batch",
        help="analyse many messages (folders, mbox files) to JSON Lines",
        description="Analyse every message in the PATHs (files, folders searched recursively, "
        "mbox files message by message) offline, in parallel, and write one JSON document "
        "per message (the schema of 'analyze --json'), in input order, then a summary on "
        "standard error. Exit 0 when every input was a message, 1 when some could not be "
        "read, 130 when interrupted.",
    )
    batch.add_argument("paths", nargs="+", metavar="PATH")
    batch.add_argument("--out", type=Path, metavar="FILE", help="write the JSON Lines here")
    batch.add_argument(
        "--jobs",
        type=_positive_int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="worker processes (default: one per CPU)",
    )
    batch.add_argument(
        "--quiet", action="store_true", help="no progress line and no summary, only errors"
    )
    add_campaign_options(batch)
    add_analysis_options(batch)
    batch.set_defaults(run=_later("mailview.cli.batch"))


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("at least 1")
    return value


def add_analysis_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--message",
        metavar="N[/K...]",
        help="which message: N-th of an mbox, then K-th attached message (1-based); "
        "'all' analyses each message of an mbox",
    )
    parser.add_argument(
        "--wrapper",
        action="store_true",
        help="analyse a forwarded report itself, not the original attached to it",
    )
    parser.add_argument(
        "--own-domain",
        action="append",
        default=[],
        metavar="DOMAIN",
        help="a domain of your own mail systems (repeatable); makes the trust boundary exact",
    )
    parser.add_argument(
        "--own-network",
        action="append",
        default=[],
        metavar="CIDR",
        help="a network of your own mail systems (repeatable)",
    )
    parser.add_argument(
        "--dkim-keys",
        type=Path,
        metavar="DIR",
        help="a folder of DKIM/ARC public keys, one file per record named "
        "SELECTOR._domainkey.DOMAIN.txt holding the TXT record (for mail whose keys were "
        "rotated away); without it signatures are checked offline as far as possible",
    )
    parser.add_argument(
        "--geoip-db",
        action="append",
        default=[],
        type=Path,
        metavar="PATH",
        help="a geo database: MaxMind-format .mmdb (City, Country or ASN) or plevin .plv "
        "(repeatable); for each fact it knows, it wins over the embedded network database",
    )
    parser.add_argument(
        "--online",
        action="store_true",
        help="also ask live DNS (reverse DNS, SPF, DMARC, DKIM keys, blocklists, MX); "
        "off by default: without it nothing is sent",
    )
    parser.add_argument(
        "--resolver",
        metavar="ADDRESS[:PORT]",
        help="the DNS server for --online (default: the system's)",
    )
    parser.add_argument(
        "--dnsbl",
        action="append",
        default=[],
        metavar="ZONE",
        help="a DNS blocklist zone for --online (repeatable; default: "
        + ", ".join(DEFAULT_DNSBL_ZONES)
        + ")",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="stop with the error when a check fails internally or the input has a defect "
        "(for developers)",
    )


def add_campaign_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--csv",
        type=Path,
        metavar="FILE",
        help="also write the queue as CSV (one row per message, with its campaign)",
    )
    parser.add_argument(
        "--plain-indicators",
        action="store_true",
        help="write the CSV's URLs, domains and addresses as they are (default: defanged)",
    )
