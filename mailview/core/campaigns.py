"""Campaigns: messages of one lure sent over shared infrastructure, grouped for triage.

Strategy: forty reports of one phishing run share what an analyst compares by eye — the
subject once names, numbers and dates are stripped, the From domain and display name,
the domains the links lead to, the network and service that sent it, the mailer or kit,
the DKIM signer — not their bytes: recipients, dates, Message-IDs and relays differ.
Each message's `Traits` are those facts reduced to skeletons. Two messages belong to one
campaign when they share a *lure* (subject skeleton, or display-name skeleton) **and**
one piece of *infrastructure* (From domain, network, sending service, a link domain,
mailer, DKIM d=): a lure alone joins every "Invoice" in the world, infrastructure alone
every message from Gmail. Comparing all pairs would be quadratic, so each message emits
its (lure, infrastructure) pairs as blocking keys and a union-find joins the messages
that emit the same key: linear in the messages and their keys. The result depends only
on the set of messages (ids come from key text, members are sorted), never their order.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from mailview.core.auth.model import DkimSignature
from mailview.core.domains import org_domain
from mailview.core.model import GeoInfo, Report
from mailview.core.record import record
from mailview.core.summary import decode_words

MAX_LINK_DOMAINS = 8  # a message's distinct link domains that take part (bounded keys)
MIN_LURE_LETTERS = 8  # a skeleton shorter than this ("re: hi") says nothing about a lure
SENDING_SERVICE = " (sending service)"
MAX_LINKS_SAID = 2  # link domains named in an explanation; the rest are counted

# Subject prefixes of replies and forwards, in the languages reports come in.
_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|wg|sv|vs|tr|rif|enc|antw)\s*(\[\d+\])?\s*:\s*)+", re.I)
_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_URL = re.compile(r"\b(https?://|www\.)\S+", re.I)
# Dates as senders write them: 2024-05-01, 01/05/2024, 1.5.24, "May 1", "1 May 2024".
_MONTHS = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE = re.compile(
    rf"\b(\d{{1,4}}[-/.]\d{{1,2}}[-/.]\d{{1,4}}|\d{{1,2}}\s+{_MONTHS}(\s+\d{{2,4}})?"
    rf"|{_MONTHS}\s+\d{{1,2}}(st|nd|rd|th)?(,?\s+\d{{4}})?)\b",
    re.I,
)
# A token holding a digit is a number, a reference or a tracking code: all the same lure.
_NUMBERISH = re.compile(r"\S*\d\S*")
_WORD = re.compile(r"[^\W\d_]+")
_MAILERS = ("x-mailer", "user-agent", "x-mail-agent")
_DOMAIN = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$")
# "Mozilla/5.0 (Macintosh; …) Thunderbird/102.4" → "mozilla thunderbird": the product, not
# the build or the platform, is what a run of one kit shares.
_COMMENT = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_VERSION = re.compile(r"\bv?\d[\w.-]*")


@record
class Traits:
    """What one message shows that a campaign shares; small, plain and picklable."""

    key: str  # the message's identity: SHA-256 and address inside its input
    subject: str = ""  # skeleton; "" when the subject says too little
    display: str = ""  # skeleton of the From display name
    from_domain: str = ""
    network: str = ""  # "AS8075" when geo knows the network, else the /24 (/48)
    network_text: str = ""  # "AS8075 Microsoft" for people
    service: str = ""  # sending service: "Amazon SES"
    links: tuple[str, ...] = ()  # organisational domains the links lead to, sorted
    mailer: str = ""  # mailer or kit fingerprint, versions stripped
    dkim: tuple[str, ...] = ()  # DKIM d= domains, sorted
    arrived: float | None = None  # seconds since the epoch, when known


@record
class Campaign:
    id: str  # stable: derived from what the members share, not from their order
    size: int
    members: tuple[str, ...]  # Traits.key of each member, sorted
    shared: tuple[tuple[str, str], ...]  # (kind, value) every member has
    first: float | None
    last: float | None
    explanation: str  # "12 messages: same subject skeleton and link domain …"


@record
class Grouping:
    campaigns: tuple[Campaign, ...]  # largest first
    assignment: tuple[str | None, ...]  # per input position: its campaign id, None alone

    def by_id(self) -> dict[str, Campaign]:
        return {c.id: c for c in self.campaigns}


# --- skeletons --------------------------------------------------------------------------


MAX_SKELETON = 1000  # characters of a subject or name a skeleton is made from


def skeleton(text: str | None, names: Iterable[str] = ()) -> str:
    """`text` with reply prefixes, addresses, links, dates, numbers and `names` (the
    recipient's) replaced by placeholders, lower-cased and with spaces collapsed."""
    if not text:
        return ""
    # A lure's subject is a line: past its first thousand characters nothing is read, and
    # the address and number patterns below try every start inside a run of word
    # characters, which is quadratic in a hostile 20,000-character one (11 s).
    value = _PREFIX.sub("", decode_words(text[: MAX_SKELETON * 4])[:MAX_SKELETON]).lower()
    value = _ADDRESS.sub(" @ ", value)
    value = _URL.sub(" / ", value)
    for name in sorted({n.lower() for n in names if len(n) >= 3}, key=len, reverse=True):
        value = value.replace(name, " ~ ")
    value = _DATE.sub(" # ", value)
    value = _NUMBERISH.sub("#", value)
    value = re.sub(r"[^\w#@~/ ]+", " ", value)
    value = re.sub(r"([#~@/]\s*)+", lambda m: m.group(0).strip()[0] + " ", value)
    return " ".join(value.split())


def _informative(skel: str) -> bool:
    return sum(len(w) for w in _WORD.findall(skel)) >= MIN_LURE_LETTERS


def _recipient_names(report: Report) -> list[str]:
    """The recipient's address, local part and display-name words: what a lure personalises."""
    names: list[str] = []
    checks = report.auth.addresses if report.auth is not None else ()
    for check in checks:
        if check.header.lower() not in ("to", "cc"):
            continue
        if check.address:
            names += [check.address, check.address.partition("@")[0]]
        if check.display_name:
            names += [check.display_name, *check.display_name.split()]
    return names


# --- traits of one report ---------------------------------------------------------------


def traits_of(report: Report) -> Traits:
    names = _recipient_names(report)
    subject = skeleton(report.message.subject, names)
    display, from_domain = _from(report)
    network, network_text = _network(report)
    return Traits(
        key=f"{report.input.sha256}{_address(report.input.address)}",
        subject=subject if _informative(subject) else "",
        display=display if _informative(display) else "",
        from_domain=from_domain,
        network=network,
        network_text=network_text,
        service=_service(report),
        links=_links(report),
        mailer=_mailer(report),
        dkim=tuple(sorted({s.domain.lower() for s in _dkim(report) if s.domain})),
        arrived=_arrived(report),
    )


def _address(address: tuple[int, ...]) -> str:
    return "" if not address else "/" + ".".join(str(a) for a in address)


def _from(report: Report) -> tuple[str, str]:
    checks = report.auth.addresses if report.auth is not None else ()
    for check in checks:
        if check.header.lower() == "from":
            domain = (check.address or "").rpartition("@")[2].lower()
            return skeleton(check.display_name), domain if _DOMAIN.match(domain) else ""
    return "", ""


def _dkim(report: Report) -> tuple[DkimSignature, ...]:
    return () if report.auth is None else report.auth.dkim


def origin(report: Report) -> tuple[str | None, GeoInfo | None]:
    """The client that handed the message to the receiver (the trust-boundary hop's
    sender, else a header naming one), and what geo knows of it."""
    for position, hop in enumerate(report.hops):
        if hop.index == report.trust_boundary_hop and hop.fields.from_ip:
            geo = report.hop_geo[position] if position < len(report.hop_geo) else None
            return hop.fields.from_ip, geo
    if report.originators:
        return report.originators[0].ip, None
    return None, None


def _network(report: Report) -> tuple[str, str]:
    ip, geo = origin(report)
    if geo is not None and geo.asn is not None:
        key = f"AS{geo.asn}"
        return key, f"{key} {geo.as_org}" if geo.as_org else key
    if ip is None:
        return "", ""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return "", ""
    if not address.is_global:  # 192.0.2.x, 10.x: shared by unrelated senders, no owner
        return "", ""
    prefix = 24 if address.version == 4 else 48
    net = str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))
    return net, net


def _service(report: Report) -> str:
    for vendor in report.vendors:
        if vendor.vendor.endswith(SENDING_SERVICE):
            return vendor.vendor[: -len(SENDING_SERVICE)]
    return ""


def _links(report: Report) -> tuple[str, ...]:
    if report.indicators is None:
        return ()
    found = {org_domain(u.domain) or u.domain for u in report.indicators.urls if u.domain}
    return tuple(sorted(found)[:MAX_LINK_DOMAINS])


def _mailer(report: Report) -> str:
    kits = sorted(f.title for f in report.findings if f.code == "content.phishing_toolkit")
    if kits:
        return "kit: " + kits[0]
    for field in report.headers:
        if field.name.lower() in _MAILERS:
            product = _VERSION.sub(" ", _COMMENT.sub(" ", field.value.lower()))
            return " ".join(product.replace("/", " ").split())[:60]
    return ""


def _arrived(report: Report) -> float | None:
    for hop in report.hops:
        if hop.index == report.trust_boundary_hop and hop.fields.date is not None:
            return hop.fields.date.utc.timestamp()
    parsed = report.message.date_parsed
    return None if parsed is None else parsed.utc.timestamp()


# --- grouping ---------------------------------------------------------------------------


def _infrastructure(t: Traits) -> list[tuple[str, str]]:
    found = [("from", t.from_domain), ("network", t.network), ("service", t.service)]
    found += [("mailer", t.mailer)] + [("link", d) for d in t.links]
    found += [("dkim", d) for d in t.dkim]
    return [(kind, value) for kind, value in found if value]


def blocking_keys(t: Traits) -> list[str]:
    """Each (lure, infrastructure) pair the message shows, as one string."""
    lures = [("subject", t.subject)] if t.subject else []
    if t.display and t.from_domain:
        # A display name is a lure only beside its links: "PayPal" from one domain
        # linking to one site.
        lures.append(("display", f"{t.display}|{t.from_domain}"))
    keys = []
    for lure_kind, lure in lures:
        for kind, value in _infrastructure(t):
            if lure_kind == "display" and kind != "link":
                continue
            keys.append(f"{lure_kind}={lure}\x1f{kind}={value}")
    return keys


class _UnionFind:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, item: int) -> int:
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:  # path compression keeps later finds short
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def group(traits: Sequence[Traits]) -> Grouping:
    """The campaigns among `traits` (groups of two or more) and each message's campaign."""
    keys = [blocking_keys(t) for t in traits]
    first_with: dict[str, int] = {}
    sets = _UnionFind(len(traits))
    for position, message_keys in enumerate(keys):
        for key in message_keys:
            sets.union(first_with.setdefault(key, position), position)
    members: dict[int, list[int]] = defaultdict(list)
    for position in range(len(traits)):
        members[sets.find(position)].append(position)
    campaigns: list[Campaign] = []
    assignment: list[str | None] = [None] * len(traits)
    for positions in members.values():
        if len({traits[p].key for p in positions}) < 2:
            continue  # one message (perhaps listed twice) is no campaign
        campaign = _campaign([traits[p] for p in positions], [keys[p] for p in positions])
        campaigns.append(campaign)
        for p in positions:
            assignment[p] = campaign.id
    campaigns.sort(key=lambda c: (-c.size, c.id))
    return Grouping(tuple(campaigns), tuple(assignment))


def _campaign(traits: list[Traits], keys: list[list[str]]) -> Campaign:
    counts = Counter(k for message_keys in keys for k in set(message_keys))
    # The key most members share (text breaks ties) names the campaign: the same group
    # gets the same id however its messages were ordered.
    defining = min(counts, key=lambda k: (-counts[k], k))
    ident = "C-" + hashlib.sha256(defining.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    times = sorted(t.arrived for t in traits if t.arrived is not None)
    shared = _shared(traits)
    if not any(kind in _SAME_WORDS for kind, _ in shared):
        # Linked pair by pair, nothing common to all: name the link most of them share.
        shared = _from_key(defining) + shared
    first, last = (times[0], times[-1]) if times else (None, None)
    return Campaign(
        id=ident,
        size=len(traits),
        members=tuple(sorted(t.key for t in traits)),
        shared=shared,
        first=first,
        last=last,
        explanation=explain(len(traits), shared, first, last),
    )


def _shared(traits: list[Traits]) -> tuple[tuple[str, str], ...]:
    def common(values: Iterable[tuple[str, ...]]) -> list[str]:
        sets = [set(v) for v in values]
        return sorted(set.intersection(*sets)) if sets else []

    found: list[tuple[str, str]] = []
    for kind, name in (("subject", "subject"), ("display", "display"), ("from", "from_domain")):
        values = {getattr(t, name) for t in traits}
        if len(values) == 1 and (value := values.pop()):
            found.append((kind, value))
    found += [("link", d) for d in common(t.links for t in traits)]
    found += [("dkim", d) for d in common(t.dkim for t in traits)]
    for kind, name in (("mailer", "mailer"), ("network", "network_text"), ("service", "service")):
        values = {getattr(t, name) for t in traits}
        if len(values) == 1 and (value := values.pop()):
            found.append((kind, value))
    return tuple(found)


def _from_key(key: str) -> tuple[tuple[str, str], ...]:
    lure, _, infra = key.partition("\x1f")
    lure_kind, _, lure_value = lure.partition("=")
    kind, _, value = infra.partition("=")
    return ((lure_kind, lure_value.partition("|")[0]), (kind, value))


_SAME_WORDS = {
    "subject": "subject skeleton",
    "display": "sender name",
    "from": "From domain",
    "link": "link domain",
    "dkim": "DKIM signer",
    "mailer": "mailer",
}


def explain(
    size: int, shared: Sequence[tuple[str, str]], first: float | None, last: float | None
) -> str:
    """ "12 messages: same subject skeleton and link domain evil.example, sent from
    AS12345 over 3 h" — what the members share, in words."""
    same = []
    links = [v for k, v in shared if k == "link"]
    shared = [(k, v) for k, v in shared if k != "link" or v in links[:MAX_LINKS_SAID]]
    for kind, value in shared:
        if kind in ("subject", "display"):
            same.append(f"{_SAME_WORDS[kind]} \u201c{value}\u201d")
        elif kind in _SAME_WORDS:
            same.append(f"{_SAME_WORDS[kind]} {value}")
    if len(links) > MAX_LINKS_SAID:
        more = len(links) - MAX_LINKS_SAID
        same.append(f"{more} more link domain{'s' if more > 1 else ''}")
    text = f"{size} messages"
    if same:
        text += ": same " + _join(same)
    rest = [f"sent from {v}" for k, v in shared if k == "network"]
    rest += [f"through {v}" for k, v in shared if k == "service"]
    span = _span(first, last)
    if span:
        rest.append(span)
    if rest:
        text += (", " if same else ": ") + " ".join(rest)
    return text


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _span(first: float | None, last: float | None) -> str:
    if first is None or last is None:
        return ""
    seconds = last - first
    if seconds < 60:
        return "within a minute"
    if seconds < 3600:
        return f"over {round(seconds / 60)} min"
    if seconds < 2 * 86400:
        return f"over {round(seconds / 3600)} h"
    return f"over {round(seconds / 86400)} days"
