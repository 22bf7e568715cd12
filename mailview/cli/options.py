"""Command-line options that several commands share: which message, whose systems."""

from __future__ import annotations

import argparse
import ipaddress
from pathlib import Path

from mailview.core.analyze import AnalysisOptions
from mailview.core.auth.keys import OfflineKeys
from mailview.core.chain import TrustConfig
from mailview.core.defects import RECORD, STRICT
from mailview.enrich.dns import DnsResolver
from mailview.enrich.geo import open_geo
from mailview.enrich.pipeline import DEFAULT_DNSBL_ZONES, OnlineSettings


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


def analysis_options(args: argparse.Namespace) -> AnalysisOptions:
    """The options the arguments ask for; ValueError with a usage sentence when invalid."""
    return AnalysisOptions(
        trust=_trust(args.own_domain, args.own_network),
        follow_attachments=not args.wrapper,
        strict=args.strict,
        policy=STRICT if args.strict else RECORD,
        keys=_keys(args.dkim_keys),
        geo=open_geo(explicit=tuple(args.geoip_db)),
    )


def online_settings(args: argparse.Namespace) -> OnlineSettings | None:
    """What --online asks for; None when the analysis stays offline."""
    if not args.online:
        if args.resolver or args.dnsbl:
            raise ValueError("--resolver and --dnsbl only apply with --online")
        return None
    servers = [args.resolver] if args.resolver else None
    try:
        resolver = DnsResolver(servers)
    except ValueError as err:
        raise ValueError(f"--resolver: {err}") from None
    zones = tuple(args.dnsbl) or DEFAULT_DNSBL_ZONES
    return OnlineSettings(resolver, args.resolver or "the system's resolver", zones)


def message_address(text: str | None) -> tuple[int, ...] | None:
    """`--message 2/1` as a 0-based address; ValueError when it is not like that."""
    if text is None:
        return None
    try:
        steps = tuple(int(part) - 1 for part in text.split("/"))
    except ValueError:
        raise ValueError(f"--message: '{text}' is not like 2 or 1/1") from None
    if any(step < 0 for step in steps):
        raise ValueError("--message: numbers start at 1")
    return steps


def _trust(domains: list[str], networks: list[str]) -> TrustConfig:
    nets = []
    for text in networks:
        try:
            nets.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            raise ValueError(
                f"--own-network: '{text}' is not a network like 192.0.2.0/24"
            ) from None
    return TrustConfig(tuple(d.lower().strip(".") for d in domains), tuple(nets))


def _keys(folder: Path | None) -> OfflineKeys | None:
    if folder is None:
        return None
    if not folder.is_dir():
        raise ValueError(f"--dkim-keys: '{folder}' is not a folder")
    return OfflineKeys.from_directory(folder)
