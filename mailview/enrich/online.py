"""Online facts about a message's hops and domains, looked up in today's DNS.

Strategy: every function here takes a `Resolver` (mailview.enrich.dns) and asks only
through it, so "online" happens exactly when a caller passes one. Per hop address we ask,
in one parallel round, the PTR name, Team Cymru's IP-to-ASN TXT record and each DNS
blocklist; a second round confirms the PTR name forward (FCrDNS) and fetches the AS
name. Failures never raise: they become `None` facts plus words in `problems`, because a
blocklist that timed out is not a blocklist that said "not listed".

All answers describe the DNS as it is now, not as it was when the message travelled;
each value carries `looked_up_at` (UTC) so a report can say so.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from mailview.core.domains import normalise_host, org_domain, same_org
from mailview.core.ipscope import EXTERNAL_SCOPES, IPAddress, parse_ip, scope_of
from mailview.core.model import DmarcRecord, HopLookup
from mailview.enrich.dns import NODATA, OK, TIMEOUT, DnsAnswer, Resolver, mx_host, query_all

# Team Cymru's IP-to-ASN service over DNS (https://www.team-cymru.com/ip-asn-mapping):
# TXT at <reversed octets>.origin.asn.cymru.com, <nibbles>.origin6.asn.cymru.com for IPv6,
# and AS<n>.asn.cymru.com for the AS name.
CYMRU_ORIGIN = "origin.asn.cymru.com"
CYMRU_ORIGIN6 = "origin6.asn.cymru.com"
CYMRU_AS = "asn.cymru.com"

# DNSBL answers are addresses in 127.0.0.0/8 (RFC 5782 §2.1); Spamhaus and others answer
# 127.255.255.0/24 to say "query refused / not allowed from your resolver", which is no
# listing at all (https://www.spamhaus.org/faqs/domain-blocklist/#291).
_DNSBL_LISTED = ipaddress.IPv4Network("127.0.0.0/8")
_DNSBL_ERROR = ipaddress.IPv4Network("127.255.255.0/24")


# -- hops -----------------------------------------------------------------------------------


def reverse_labels(address: IPAddress) -> str:
    """Reversed octets (IPv4) or nibbles (IPv6), without the .arpa suffix."""
    return address.reverse_pointer.rsplit(".", 2)[0]  # drop "in-addr.arpa" / "ip6.arpa"


def lookup_hops(
    ips: Sequence[str],
    resolver: Resolver,
    dnsbl_zones: Sequence[str] = (),
    need_asn: bool = True,
) -> dict[str, HopLookup]:
    """Today's PTR, FCrDNS, ASN and DNSBL listings of the public addresses in `ips`.

    Keys are the strings as given (so a caller maps them back to hops); addresses that
    are not public (private, loopback, …, or not addresses at all) are left out.
    Documentation and benchmark blocks count as public, as in `EXTERNAL_SCOPES`.
    """
    addresses = _public_addresses(ips)
    zones = tuple(dict.fromkeys(z for z in (normalise_host(z) for z in dnsbl_zones) if z))
    first: list[tuple[str, str]] = []
    for address in addresses.values():
        first.append((address.reverse_pointer, "PTR"))
        if need_asn:
            first.append((_cymru_origin_name(address), "TXT"))
        first.extend((f"{reverse_labels(address)}.{zone}", "A") for zone in zones)
    round_one = query_all(resolver, first)

    second: list[tuple[str, str]] = []
    for address in addresses.values():
        forward = "A" if address.version == 4 else "AAAA"
        ptr = round_one[(address.reverse_pointer, "PTR")]
        second.extend((name, forward) for name in ptr.records if ptr.ok)
        if need_asn:
            asn = _cymru_asn(round_one[(_cymru_origin_name(address), "TXT")])
            if asn is not None:
                second.append((f"AS{asn}.{CYMRU_AS}", "TXT"))
    round_two = query_all(resolver, second)
    answers = {**round_one, **round_two}
    return {
        text: _hop_online(address, answers, zones, need_asn) for text, address in addresses.items()
    }


def _public_addresses(ips: Iterable[str]) -> dict[str, IPAddress]:
    found: dict[str, IPAddress] = {}
    for text in ips:
        address = parse_ip(text)
        if address is not None and scope_of(address) in EXTERNAL_SCOPES:
            found.setdefault(text, address)
    return found


def _cymru_origin_name(address: IPAddress) -> str:
    zone = CYMRU_ORIGIN if address.version == 4 else CYMRU_ORIGIN6
    return f"{reverse_labels(address)}.{zone}"


def _hop_online(
    address: IPAddress,
    answers: dict[tuple[str, str], DnsAnswer],
    zones: tuple[str, ...],
    need_asn: bool,
) -> HopLookup:
    problems: list[str] = []
    used: list[DnsAnswer] = []
    ptr, fcrdns = _ptr_and_fcrdns(address, answers, used, problems)
    asn: int | None = None
    as_org: str | None = None
    if need_asn:
        origin = answers[(_cymru_origin_name(address), "TXT")]
        used.append(origin)
        _note_failure(origin, "ASN look-up", problems)
        asn = _cymru_asn(origin)
        if asn is not None:
            as_name = answers[(f"AS{asn}.{CYMRU_AS}", "TXT")]
            used.append(as_name)
            _note_failure(as_name, "AS name look-up", problems)
            as_org = _cymru_as_org(as_name)
    listed: list[str] = []
    for zone in zones:
        answer = answers[(f"{reverse_labels(address)}.{zone}", "A")]
        used.append(answer)
        _note_failure(answer, f"blocklist {zone}", problems)
        if _dnsbl_listed(answer, zone, problems):
            listed.append(zone)
    looked_up_at = min((a.looked_up_at for a in used), default=datetime.now(UTC))
    return HopLookup(ptr, fcrdns, asn, as_org, tuple(listed), looked_up_at, tuple(problems))


def _ptr_and_fcrdns(
    address: IPAddress,
    answers: dict[tuple[str, str], DnsAnswer],
    used: list[DnsAnswer],
    problems: list[str],
) -> tuple[str | None, bool | None]:
    """The PTR name and whether it is forward-confirmed.

    Forward-confirmed reverse DNS (the "iprev" check of RFC 8601 §3): some PTR name of
    the address has an A/AAAA record equal to the address. No PTR at all is
    a definite "not confirmed"; a failed look-up leaves it undecided (None).
    """
    ptr_answer = answers[(address.reverse_pointer, "PTR")]
    used.append(ptr_answer)
    _note_failure(ptr_answer, "PTR look-up", problems)
    if not ptr_answer.conclusive:
        return None, None
    if not ptr_answer.ok or not ptr_answer.records:
        return None, False
    forward = "A" if address.version == 4 else "AAAA"
    undecided = False
    for name in ptr_answer.records:
        answer = answers[(name, forward)]
        used.append(answer)
        if address in {parse_ip(record) for record in answer.records}:
            return name.lower(), True
        if not answer.conclusive:
            undecided = True
            _note_failure(answer, f"forward look-up of {name}", problems)
    return ptr_answer.records[0].lower(), None if undecided else False


def _note_failure(answer: DnsAnswer, what: str, problems: list[str]) -> None:
    if answer.status == TIMEOUT:
        problems.append(f"{what} timed out")
    elif not answer.conclusive:
        problems.append(f"{what} failed: {answer.detail or answer.status}")


def _cymru_fields(record: str) -> list[str]:
    # Cymru's TXT format: fields separated by "|", padded with spaces.
    return [field.strip() for field in record.split("|")]


def _cymru_asn(answer: DnsAnswer) -> int | None:
    """The origin AS of the most specific announced prefix.

    Records read "15169 | 8.8.8.0/24 | US | arin | 2000-03-30"; an address announced by
    several origins lists them space-separated in the first field ("3356 1299 | …"), and
    overlapping prefixes give several records. The longest prefix wins, as in routing.
    """
    best: tuple[int, int] | None = None  # (prefix length, asn)
    for record in answer.records if answer.ok else ():
        fields = _cymru_fields(record)
        if len(fields) < 2 or not fields[0]:
            continue
        first = fields[0].split()[0]
        try:
            prefix = ipaddress.ip_network(fields[1], strict=False).prefixlen
        except ValueError:
            prefix = -1  # an unreadable prefix still names its AS, with lowest priority
        if first.isdecimal() and (best is None or prefix > best[0]):
            best = (prefix, int(first))
    return None if best is None else best[1]


def _cymru_as_org(answer: DnsAnswer) -> str | None:
    """The AS name from "15169 | US | arin | 2000-03-30 | GOOGLE, US" (the fifth field)."""
    for record in answer.records if answer.ok else ():
        fields = _cymru_fields(record)
        if len(fields) >= 5 and fields[4]:
            return "|".join(fields[4:]).strip()  # a name containing "|" stays whole
    return None


def _dnsbl_listed(answer: DnsAnswer, zone: str, problems: list[str]) -> bool:
    """Whether an A answer from a blocklist means "listed" (RFC 5782 §2.1)."""
    if not answer.ok:
        return False
    listed = False
    for record in answer.records:
        code = parse_ip(record)
        if code is None or code.version != 4 or code not in _DNSBL_LISTED:
            # Outside 127/8 the "answer" is a resolver rewriting NXDOMAIN (ISP ad servers),
            # not the blocklist.
            problems.append(f"blocklist {zone} gave a non-DNSBL answer {record}")
        elif code in _DNSBL_ERROR:
            problems.append(f"blocklist {zone} refused the query (answered {record})")
        else:
            listed = True
    return listed


# -- domains --------------------------------------------------------------------------------

# RFC 7489 §6.4: dmarc-version = "v" *WSP "=" *WSP %x44 %x4d %x41 %x52 %x43 %x31 — the
# value "DMARC1" is case-sensitive (%x…), the tag name is not; §6.6.3 step 4 discards
# records that do not start with it.
_DMARC_VERSION = re.compile(r"[vV][ \t]*=[ \t]*DMARC1[ \t]*(?:;|$)")
# RFC 7489 §6.4: dmarc-request = "p" *WSP "=" *WSP ( "none" / "quarantine" / "reject" )
# (ABNF quoted strings are case-insensitive, RFC 5234 §2.3).
_POLICIES = frozenset({"none", "quarantine", "reject"})
# RFC 7489 §6.4: dmarc-percent = "pct" *WSP "=" *WSP 1*3DIGIT (0..100, §6.3)
_PERCENT = re.compile(r"[0-9]{1,3}")


def dmarc_record(domain: str, resolver: Resolver) -> DmarcRecord | None:
    """The DMARC record that governs `domain`, or None.

    RFC 7489 §6.6.3: ask `_dmarc.<domain>`; only when that gives no DMARC record ("as
    opposed to a transient DNS error") ask `_dmarc.<organisational domain>`. None also
    when the DNS failed, or published several DMARC records (§6.6.3 step 5: "policy
    discovery terminates").
    """
    name = normalise_host(domain)
    if name is None:
        return None
    found, conclusive = _dmarc_at(name, name, resolver)
    if found is not None or not conclusive:
        return found
    org = org_domain(name)
    if org is None or org == name:
        return None
    return _dmarc_at(name, org, resolver)[0]


def _dmarc_at(domain: str, where: str, resolver: Resolver) -> tuple[DmarcRecord | None, bool]:
    """(record, whether discovery may go on to the organisational domain)."""
    answer = resolver.query(f"_dmarc.{where}", "TXT")
    if not answer.conclusive:
        return None, False
    records = [r for r in answer.records if _DMARC_VERSION.match(r)] if answer.ok else []
    if len(records) > 1:
        return None, False
    if not records:
        return None, True
    return _parse_dmarc(domain, where, records[0], answer.looked_up_at), True


def _dmarc_tags(record: str) -> dict[str, str]:
    # RFC 7489 §6.4: dmarc-sep = *WSP %x3b *WSP; tags are "name = value" (RFC 6376 §3.2
    # tag-list style). The first of a repeated tag wins.
    tags: dict[str, str] = {}
    for part in record.split(";"):
        name, equals, value = part.partition("=")
        if equals:
            tags.setdefault(name.strip(" \t").lower(), value.strip(" \t"))
    return tags


def _parse_dmarc(domain: str, where: str, record: str, looked_up_at: datetime) -> DmarcRecord:
    tags = _dmarc_tags(record)
    problems: list[str] = []
    p = tags.get("p", "").lower() or None
    rua = tuple(uri.strip() for uri in tags.get("rua", "").split(",") if uri.strip())
    if p not in _POLICIES:
        problems.append("no valid p= tag" if p is None else f"invalid p={p}")
        # RFC 7489 §6.6.3 step 6: with a valid rua, act as if p=none had been published.
        p = "none" if rua else None
    sp = tags.get("sp", "").lower() or None
    if sp is not None and sp not in _POLICIES:
        problems.append(f"invalid sp={sp}")
        sp = None
    pct_text = tags.get("pct", "100")
    pct = 100
    if _PERCENT.fullmatch(pct_text) and int(pct_text) <= 100:
        pct = int(pct_text)
    else:
        problems.append(f"invalid pct={pct_text}")
    alignment = {}
    for tag in ("adkim", "aspf"):
        value = tags.get(tag, "r").lower()
        if value not in ("r", "s"):
            problems.append(f"invalid {tag}={value}")
            value = "r"
        alignment[tag] = value
    return DmarcRecord(
        domain=domain,
        found_at=where,
        record=record,
        p=p,
        sp=sp,
        pct=pct,
        adkim=alignment["adkim"],
        aspf=alignment["aspf"],
        rua=rua,
        looked_up_at=looked_up_at,
        problems=tuple(problems),
    )


def mx_hosts(domain: str, resolver: Resolver) -> tuple[str, ...]:
    """The mail exchangers of `domain`, most preferred first (lower case, no root dot).

    RFC 5321 §5.1: a domain with no MX but with an address record is its own implicit MX;
    a null MX ("0 .", RFC 7505) means "accepts no mail" and gives no host. Empty when
    the DNS has no answer or failed.
    """
    name = normalise_host(domain)
    if name is None:
        return ()
    answer = resolver.query(name, "MX")
    if answer.ok:
        ranked = sorted(
            (int(pref), host)
            for pref, host in ((r.partition(" ")[0], mx_host(r)) for r in answer.records)
            if pref.isdecimal() and host
        )
        return tuple(dict.fromkeys(host for _, host in ranked))
    if answer.status != NODATA:
        return ()
    addresses = query_all(resolver, [(name, "A"), (name, "AAAA")])
    return (name,) if any(a.ok and a.records for a in addresses.values()) else ()


def first_trusted_hop_is_mx(mx: Sequence[str], by_host: str | None) -> bool | None:
    """Whether the host that received the message from outside is one of the domain's MX.

    Exact name or the same organisational domain: large providers name the receiving
    machine differently from the MX they publish (mx.google.com behind
    aspmx.l.google.com). None when either side is unknown.
    """
    host = normalise_host(by_host)
    hosts = [h for h in (normalise_host(m) for m in mx) if h]
    if host is None or not hosts:
        return None
    return host in hosts or any(same_org(host, h) for h in hosts)


# -- DKIM keys ------------------------------------------------------------------------------


class DnsKeys:
    """A `KeyStore` (mailview.core.auth.keys) that reads DKIM/ARC keys from live DNS.

    The keys are today's: a key rotated since the message was sent no longer verifies
    it. `answers` keeps each look-up (with `looked_up_at`) for the report.
    """

    def __init__(self, resolver: Resolver) -> None:
        self._resolver = resolver
        self.answers: dict[str, DnsAnswer] = {}

    def txt(self, name: str) -> bytes | None:
        answer = self._resolver.query(name, "TXT")
        self.answers[answer.name] = answer
        if answer.status != OK or not answer.records:
            return None
        # RFC 6376 §3.6.2.2: several TXT records at one key name give undefined results;
        # like dkimpy's own look-up we take the first.
        return answer.records[0].encode("utf-8")
