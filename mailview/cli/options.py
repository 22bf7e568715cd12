"""Command-line options that several commands share, read into analysis settings."""

from __future__ import annotations

import argparse
import ipaddress
from pathlib import Path
from typing import TYPE_CHECKING

from mailview.core.analyze import AnalysisOptions
from mailview.core.auth.keys import OfflineKeys
from mailview.core.chain import TrustConfig
from mailview.core.defects import RECORD, STRICT
from mailview.enrich.geo import open_geo
from mailview.enrich.zones import DEFAULT_DNSBL_ZONES

if TYPE_CHECKING:
    from mailview.enrich.pipeline import OnlineSettings


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
    # The resolver and the look-ups load only here: an offline run never imports them.
    from mailview.enrich.dns import DnsResolver  # noqa: PLC0415
    from mailview.enrich.pipeline import OnlineSettings  # noqa: PLC0415

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
