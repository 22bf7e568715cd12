"""Route rules about what hops claim: fake provider hops, odd HELOs, home connections, …

Strategy: `route.py` checks that the chain holds together (dates, order, continuity);
this module checks whether what the hops *say* is believable. Each rule looks at the
few hops where a lie or a misconfiguration matters:

* hops below the trust boundary were written by the sender's side, so a hop there that
  names Google or Microsoft must look like one of theirs (their address ranges, their
  software);
* the boundary hop is where the recipient's own system recorded who connected: the
  HELO name the client announced and the reverse DNS of its address tell whether it was
  a mail server or a home connection;
* delays, time zones and TLS are compared with the message's other hops, so that an
  old or unusual (but consistent) route stays quiet and only the odd hop out is named.

Every rule is a heuristic or a correlation of several facts; none of them is "direct"
proof, and their wording says so.
"""

from __future__ import annotations

import ipaddress
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import NamedTuple

from mailview.core.domains import is_localhost, normalise_host, org_domain, same_org
from mailview.core.findings.context import RuleContext, describe_delay, finding, hop_evidence
from mailview.core.findings.route import continues_from
from mailview.core.ipscope import EXTERNAL_SCOPES, IPAddress, parse_ip, scope_of
from mailview.core.model import Finding, Hop, Severity
from mailview.core.providers import Provider, provider_of_host

# --- a hop that claims to be Google or Microsoft ------------------------------------------

# `providers.py` lists the ranges that widen trust; a claim is only called false when the
# address is outside a wider set, so that an incomplete list there costs no false alarm
# here. These are further blocks the two providers send mail from or relay through
# internally (Google's published netblocks, Microsoft's older Hotmail/corporate blocks and
# its whole 2a01:111::/32 allocation, used by Exchange Online's internal hops).
_EXTRA_RANGES: Mapping[str, tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]] = (
    MappingProxyType(
        {
            "Google": tuple(
                ipaddress.ip_network(n)
                for n in (
                    "35.190.247.0/24",
                    "35.191.0.0/16",
                    "108.177.96.0/19",
                    "130.211.0.0/22",
                    "142.250.0.0/15",
                    "172.217.0.0/16",
                    "172.253.0.0/16",
                    "216.58.192.0/19",
                    "216.239.32.0/19",
                    "2001:4860::/32",
                )
            ),
            "Microsoft 365": tuple(
                ipaddress.ip_network(n)
                for n in (
                    "40.92.0.0/14",
                    "52.96.0.0/12",
                    "65.52.0.0/14",
                    "104.47.0.0/16",
                    "131.107.0.0/16",
                    "134.170.0.0/16",
                    "157.54.0.0/15",
                    "157.56.0.0/14",
                    "167.220.0.0/16",
                    "207.46.0.0/16",
                    "213.199.128.0/18",
                    "2a01:111::/32",
                )
            ),
        }
    )
)

# Software a provider's own Received lines name. Google's name none at all; Microsoft's
# say "Microsoft SMTP Server". A Postfix or Exim banner, or a local submission ("from
# userid 0", written by Postfix's pickup or sendmail), under their name is not theirs.
_LOCAL_SUBMISSION = re.compile(r"\bfrom\s+userid\s+\d+", re.IGNORECASE)


class _Claim(NamedTuple):
    """One reason not to believe a hop's provider name."""

    provider: str
    text: str  # in words, to follow "names a … server, but"
    shape: bool  # written in a form the provider never uses (not just a foreign address)


def fake_provider_hop(ctx: RuleContext) -> Iterator[Finding]:
    boundary = ctx.route.boundary
    for hop in ctx.route.hops:
        if not hop.trusted:
            claims = _by_claim_problems(hop) + _from_claim_problems(hop)
        elif boundary is not None and hop.index == boundary.index:
            claims = _boundary_helo_problems(hop)
        else:
            continue
        if not claims:
            continue
        provider = claims[0].provider
        yield finding(
            "route.fake_provider_hop",
            Severity.HIGH if any(c.shape for c in claims) else Severity.MEDIUM,
            f"Hop {hop.index} pretends to be {provider}",
            f"Hop {hop.index} names a {provider} server, but "
            + "; and ".join(c.text for c in claims)
            + f". {provider}'s own servers do not look like this: the line was most likely "
            "written by the sender to borrow the provider's reputation.",
            [hop_evidence(hop)],
            strength="correlated",
        )


def _by_claim_problems(hop: Hop) -> list[_Claim]:
    """What is wrong with a hop written by a host that says it belongs to a provider."""
    f = hop.fields
    provider = provider_of_host(f.by_host)
    if provider is None:
        return []
    found: list[_Claim] = []
    written_by = f"it was written by '{f.by_host}'"
    local = _LOCAL_SUBMISSION.search(hop.raw)
    if local is not None:
        text = (
            f"{written_by} as a local submission ('{local.group(0)}'), which only a "
            "self-run server (Postfix, sendmail) writes"
        )
        found.append(_Claim(provider.name, text, shape=True))
    elif f.software and not _provider_software(provider, f.software):
        found.append(_Claim(provider.name, f"{written_by} with '{f.software}'", shape=True))
    address = parse_ip(f.by_ip)
    if address is not None and _outside(provider, address):
        text = f"its server address {f.by_ip} is not one of {provider.name}'s"
        found.append(_Claim(provider.name, text, shape=False))
    return found


def _provider_software(provider: Provider, software: str) -> bool:
    if provider.name == "Microsoft 365":
        return software.lower().startswith("microsoft")
    return False  # Google's Received lines name no software


def _from_claim_problems(hop: Hop) -> list[_Claim]:
    """A sender-side hop saying it received from a provider's server at a foreign address."""
    f = hop.fields
    address = parse_ip(f.from_ip)
    if address is None or not _spoke_smtp(hop):
        return []  # a MAPI or HTTP hop records the user's own device, not a server
    for name in (f.from_rdns, f.from_host, f.from_helo):
        provider = provider_of_host(name)
        if provider is not None and _outside(provider, address):
            text = (
                f"it says the message came from '{name}' at {f.from_ip}, an address "
                f"outside {provider.name}'s networks"
            )
            return [_Claim(provider.name, text, shape=False)]
    return []


def _boundary_helo_problems(hop: Hop) -> list[_Claim]:
    """At the boundary only the HELO is the client's word; the rDNS is the receiver's."""
    f = hop.fields
    provider = provider_of_host(f.from_helo)
    address = parse_ip(f.from_ip)
    if provider is None or address is None or not _outside(provider, address):
        return []
    if provider_of_host(f.from_rdns) is provider:
        return []  # the address's own reverse DNS says provider: our range list is stale
    rdns = "" if f.from_rdns is None else f" whose reverse DNS is '{f.from_rdns}'"
    text = (
        f"the connecting client announced itself as '{f.from_helo}' from {f.from_ip}, an "
        f"address outside {provider.name}'s networks{rdns}"
    )
    return [_Claim(provider.name, text, shape=False)]


def _outside(provider: Provider, address: IPAddress) -> bool:
    """A public address in none of the provider's ranges (internal ones prove nothing)."""
    if scope_of(address) not in EXTERNAL_SCOPES:
        return False
    if provider.owns_address(address):
        return False
    extra = _EXTRA_RANGES.get(provider.name, ())
    return not any(address.version == n.version and address in n for n in extra)


# --- HELO at the boundary --------------------------------------------------------------

# Protocols in which the client announces itself with HELO/EHLO/LHLO (Exchange writes
# "Microsoft SMTP Server"). Fetchmail's POP3/IMAP hops and webmail's HTTP(S) and MAPI hops
# record no greeting worth judging.
_SMTP_LIKE = re.compile(r"SMTP|LMTP", re.IGNORECASE)


def suspicious_helo(ctx: RuleContext) -> Iterator[Finding]:
    hop = ctx.route.boundary
    if hop is None or not _spoke_smtp(hop):
        return
    helo = normalise_host(hop.fields.from_helo)
    if helo is None or helo == "unknown" or "@" in helo:
        return
    problem = _helo_problem(hop, helo)
    if problem is None:
        return
    severity, title, detail = problem
    yield finding(
        "route.suspicious_helo",
        severity,
        title,
        detail,
        [hop_evidence(hop)],
        strength="heuristic",
    )


def _spoke_smtp(hop: Hop) -> bool:
    protocol = hop.fields.with_protocol
    return protocol is None or _SMTP_LIKE.search(protocol) is not None


def _helo_problem(hop: Hop, helo: str) -> tuple[Severity, str, str] | None:
    f = hop.fields
    who = f"The server that sent the message to hop {hop.index} ({f.from_ip or 'address unknown'})"
    if is_localhost(helo) or helo.startswith("localhost."):
        return (
            Severity.MEDIUM,
            f"Sender at hop {hop.index} greeted as '{f.from_helo}'",
            f"{who} introduced itself as '{f.from_helo}'. A server on the internet calling "
            "itself localhost is misconfigured or a spam-sending machine; real mail servers "
            "give their own name.",
        )
    if parse_ip(helo) is not None:
        return (
            Severity.LOW,
            f"Sender at hop {hop.index} greeted with a bare address",
            f"{who} introduced itself with an IP address ('{f.from_helo}') instead of a "
            "name. Mail programs on home computers and spam-sending software do that; "
            "mail servers normally give their host name.",
        )
    if "." not in helo:
        return (
            Severity.LOW,
            f"Sender at hop {hop.index} greeted with a bare word",
            f"{who} introduced itself as '{f.from_helo}', a single word rather than a full "
            "host name. Mail servers are expected to give their full name (RFC 5321 "
            "§4.1.1.1); desktop computers and spam-sending software often do not.",
        )
    rdns = normalise_host(f.from_rdns)
    if rdns is None or same_org(helo, rdns) or provider_of_host(helo) is not None:
        return None  # a provider name is judged by fake_provider_hop
    if org_domain(helo) is None or org_domain(rdns) is None:
        return None
    return (
        Severity.LOW,
        f"Sender at hop {hop.index} greeted with another organisation's name",
        f"{who} introduced itself as '{f.from_helo}', but the receiving server looked up "
        f"its address and found '{f.from_rdns}', which belongs to a different "
        "organisation. Shared hosting and relays do this harmlessly; spam senders do it to "
        "look like someone else.",
    )


# --- a home or dynamic connection at the boundary ---------------------------------------

# Words ISPs put into the reverse DNS of customer (residential, dial-up, dynamic) lines.
_DYNAMIC_WORDS = frozenset(
    {
        "adsl",
        "broadband",
        "cable",
        "client",
        "clients",
        "cust",
        "customer",
        "dhcp",
        "dial",
        "dialin",
        "dialup",
        "dsl",
        "dyn",
        "dynamic",
        "dynip",
        "pool",
        "ppp",
        "pppoe",
        "residential",
        "static-ip",
        "staticip",
        "vdsl",
        "xdsl",
    }
)
_WORD_SPLIT = re.compile(r"[.\-_\d]+")
_STATIC_IP = re.compile(r"static-?ip")


def dynamic_sender(ctx: RuleContext) -> Iterator[Finding]:
    hop = ctx.route.boundary
    if hop is None or not _spoke_smtp(hop):
        return
    rdns = normalise_host(hop.fields.from_rdns)
    address = parse_ip(hop.fields.from_ip)
    if rdns is None or address is None or provider_of_host(rdns) is not None:
        return
    if not _looks_dynamic(rdns, address):
        return
    yield finding(
        "route.dynamic_sender",
        Severity.MEDIUM,
        f"Sent from a home or dynamic connection (hop {hop.index})",
        f"The first server outside the recipient's organisation was {hop.fields.from_ip}, "
        f"whose reverse DNS name '{hop.fields.from_rdns}' looks like an internet provider's "
        "customer line (home, dial-up or dynamic address), not a mail server. Legitimate "
        "mail is normally handed over by the sender's mail provider; messages sent "
        "straight from such lines often come from infected computers.",
        [hop_evidence(hop)],
        strength="heuristic",
    )


def _looks_dynamic(rdns: str, address: IPAddress) -> bool:
    """The address's octets written into the name, or ISP customer-line words."""
    keywords = len(set(_WORD_SPLIT.split(rdns)) & _DYNAMIC_WORDS)
    keywords += 1 if _STATIC_IP.search(rdns) else 0
    if address.version != 4:
        return keywords >= 2
    embedded = _octets_embedded(rdns, str(address).split("."))
    return embedded == 4 or (keywords >= 1 and embedded >= 2) or keywords >= 2


def _octets_embedded(rdns: str, octets: list[str]) -> int:
    """The longest run of the address's octets (either order) that the name spells out.

    `70-36-142-124.dsl…` holds all four, `c-24-3-96-11…` too, `cm-vtr0-104-67…` the
    last two. Digit runs are compared as numbers, so zero-padding (`070-036-…`) counts.
    """
    numbers = [str(int(n)) for n in re.findall(r"\d{1,12}", rdns)]
    for size in (4, 3, 2):
        for sequence in (octets, octets[::-1]):
            windows = (sequence[i : i + size] for i in range(len(sequence) - size + 1))
            if any(_contains_run(numbers, w) for w in windows):
                return size
    return 0


def _contains_run(numbers: list[str], run: list[str]) -> bool:
    return any(numbers[i : i + len(run)] == run for i in range(len(numbers) - len(run) + 1))


# --- one hop far slower than the rest ---------------------------------------------------

SLOW_HOP_S = 10 * 60.0
SLOW_FACTOR = 10.0
VERY_SLOW_S = 24 * 3600.0


def _median(values: list[float]) -> float:
    """`statistics.median` of floats, as it computes it: the middle value, or the mean of
    the two middle ones (importing `statistics` loads fractions and decimal, ~5 ms)."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def slow_hop(ctx: RuleContext) -> Iterator[Finding]:
    # A POP3/IMAP hop (fetchmail) is stamped when the user's machine polled the mailbox,
    # hours after delivery if it was switched off: that wait says nothing about the route.
    delays: list[tuple[Hop, float]] = [
        (h, h.delay_seconds)
        for h in ctx.route.hops
        if h.delay_seconds is not None and not _fetched(h)
    ]
    if len(delays) < 3:
        return  # with two delays there is no "the others" to compare with
    hop, slowest = max(delays, key=lambda pair: pair[1])
    others = [max(d, 0.0) for h, d in delays if h is not hop]
    if slowest <= SLOW_HOP_S or any(d > SLOW_HOP_S for d in others):
        return  # several slow hops: a slow route, not one odd hop
    median = _median(others)
    if slowest <= SLOW_FACTOR * median:
        return
    previous = next((h for h in ctx.route.hops if h.index == hop.index - 1), None)
    severity = Severity.MEDIUM if slowest > VERY_SLOW_S else Severity.LOW
    evidence = [hop_evidence(h) for h in ctx.route.hops if h.index in {hop.index - 1, hop.index}]
    if previous is not None and not continues_from(previous, hop):
        # No server held it: the chain breaks there, so the later hops carry a new sending.
        yield finding(
            "route.slow_hop",
            severity,
            f"Re-sent {describe_delay(slowest)} later (hop {hop.index})",
            f"Hop {hop.index} is stamped {describe_delay(slowest)} after hop {previous.index}, "
            f"and it does not come from the server hop {previous.index} reached: the message "
            "was submitted again, as a new sending, rather than held in a queue. A message "
            "replayed by someone other than its first sender looks like this.",
            evidence,
            strength="heuristic",
        )
        return
    yield finding(
        "route.slow_hop",
        severity,
        f"Hop {hop.index} took {describe_delay(slowest)}",
        f"The message waited {describe_delay(slowest)} before hop {hop.index}, while the "
        f"other hops typically took {describe_delay(median)}. A server held it: a "
        "queue after an outage, greylisting, a quarantine — or the line before it was "
        "written at another time than it claims (a replayed or forged line).",
        evidence,
        strength="heuristic",
    )


def _fetched(hop: Hop) -> bool:
    return (hop.fields.with_protocol or "").upper() in {"POP3", "IMAP", "POP", "IMAP4"}


# --- a time zone that does not fit the organisation's other hops -------------------------

ODD_OFFSET_MIN = 3 * 60  # summer time and neighbouring zones differ by an hour or two


def odd_time_zone(ctx: RuleContext) -> Iterator[Finding]:
    groups: dict[str, list[Hop]] = {}
    for hop in ctx.route.hops:
        date = hop.fields.date
        org = org_domain(hop.fields.by_host)
        if date is not None and date.offset_minutes is not None and org is not None:
            groups.setdefault(org, []).append(hop)
    for org, hops in groups.items():
        odd = _odd_one_out(hops)
        if odd is not None:
            yield _odd_zone_finding(org, odd, [h for h in hops if h is not odd])


def _odd_one_out(hops: list[Hop]) -> Hop | None:
    """The one hop whose offset is far from the offset all the others agree on.

    UTC itself never counts as odd: many filters and daemons stamp UTC on servers whose
    MTA writes local time.
    """
    if len(hops) < 3:
        return None
    offsets = [_offset(h) for h in hops]
    # Counted, not compared pairwise: 100k hops stay linear. An odd one out exists only
    # when two offsets occur, one of them exactly once.
    counts = Counter(offsets)
    if len(counts) != 2:
        return None
    (common, _), (mine, once) = counts.most_common()
    if once != 1 or mine == 0 or abs(mine - common) < ODD_OFFSET_MIN:
        return None
    return hops[offsets.index(mine)]


def _offset(hop: Hop) -> int:
    date = hop.fields.date
    return 0 if date is None or date.offset_minutes is None else date.offset_minutes


def _odd_zone_finding(org: str, odd: Hop, others: list[Hop]) -> Finding:
    return finding(
        "route.odd_time_zone",
        Severity.INFO if odd.trusted else Severity.LOW,
        f"Hop {odd.index} uses another time zone than {org}'s other hops",
        f"Hop {odd.index} was stamped with UTC offset {_zone(_offset(odd))}, while the "
        f"other hops written by {org} use {_zone(_offset(others[0]))}. Servers of one "
        "organisation usually share a zone; a line whose zone does not fit may have been "
        "written elsewhere and inserted.",
        [hop_evidence(h) for h in (*others, odd)],
        strength="heuristic",
    )


def _zone(minutes: int) -> str:
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}{mins:02d}"


# --- an unencrypted hop on an otherwise encrypted route ---------------------------------


def tls_missing(ctx: RuleContext) -> Iterator[Finding]:
    boundary = ctx.route.boundary
    external = [h for h in ctx.route.hops if _crosses_internet(h, boundary) and _spoke_smtp(h)]
    plain = [h for h in external if h.fields.tls is None]
    if len(plain) != 1 or len(external) < 2:
        return  # all encrypted, or an old route that used no TLS anywhere
    hop = plain[0]
    yield finding(
        "route.tls_missing",
        Severity.LOW,
        f"Hop {hop.index} was not encrypted",
        f"Hop {hop.index} received the message from {hop.fields.from_ip} without recording "
        "TLS encryption, while every other hop across the internet used it. The message "
        "could be read or altered in transit there, or the line was not written by the "
        "server it names.",
        [hop_evidence(hop)],
        strength="heuristic",
    )


def _crosses_internet(hop: Hop, boundary: Hop | None) -> bool:
    """The boundary, or a hand-over from a public address between two organisations.

    Between machines of one organisation (a filter handing back to its spool) TLS is a
    local choice and its absence says nothing about the route.
    """
    if boundary is not None and hop.index == boundary.index:
        return True
    if hop.ip_scope not in EXTERNAL_SCOPES:
        return False
    f = hop.fields
    senders = (f.from_rdns, f.from_host, f.from_helo)
    return not any(same_org(name, f.by_host) for name in senders)


RULES = (
    fake_provider_hop,
    suspicious_helo,
    dynamic_sender,
    slow_hop,
    odd_time_zone,
    tls_missing,
)
