"""Rules about who the message says it is from, and whether those claims hang together.

Strategy: every rule reads the originator headers (From, Sender, Reply-To, Return-Path,
Message-ID) with the linear mailbox scanner of `auth.addresses` and compares
*organisations* (`domains.org_domain`, DMARC's organisational domain), never raw host
names: `mail.example.com` and `bounce.example.com` are one sender. Mismatches between
organisations are common in legitimate mail (sending services, mailing lists, "on
behalf of"), so each rule knows the ordinary reasons and stays quiet or low for them:
mailing lists are recognised by their List-Id/List-Post headers, sending services by a
small table of their bounce and infrastructure domains together with a passing DKIM
signature. What is left is worded for a helpdesk reader and graded by how often it is
abuse: a reply diverted to a free-mail account, a brand's name on an unrelated address
and look-alike domains (see `lookalike`) are high; the rest are hints.

What `auth.addresses` already reports is not repeated here: invalid addresses, several
From headers, and display names that carry an address or a domain.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Sequence

from mailview.core.auth.addresses import Mailbox, parse_mailboxes, to_ascii_domain
from mailview.core.auth.alignment import from_domain
from mailview.core.domains import org_domain, public_suffix, same_org
from mailview.core.findings.context import RuleContext, finding
from mailview.core.findings.lookalike import (
    Brand,
    brand_owns,
    brands_named,
    imitation,
    unicode_domain,
)
from mailview.core.lazy_re import LazyPattern
from mailview.core.model import Evidence, Finding, HeaderField, Severity
from mailview.core.record import record
from mailview.core.summary import decode_words


def _names(text: str) -> frozenset[str]:
    """A set written as one space-separated string, so long tables stay compact."""
    return frozenset(text.split())


# Organisational domains of sending services whose bounce (Return-Path) addresses stand
# in for their customers' domains: the envelope-from is theirs so that bounces reach
# them, while the From is the customer's. Paired with a passing DKIM signature for the
# From domain this is the ordinary shape of newsletter and transactional mail.
ESP_BOUNCE_ORGS = _names(
    "amazonses.com sendgrid.net mailgun.org mailgun.net mcsv.net mcdlv.net rsgsv.net "
    "mailchimpapp.net mandrillapp.com sparkpostmail.com mtasv.net postmarkapp.com "
    "mailjet.com sendinblue.com brevo.com exacttarget.com salesforce.com "
    "hubspotemail.net mktomail.com constantcontact.com createsend.com emarsys.net "
    "sailthru.com zendesk.com klaviyomail.com messagegears.net"
)
# Organisational domains whose machines write Message-IDs for mail they carry on others'
# behalf: webmail and mailbox providers (Gmail writes `@mail.gmail.com`, Exchange Online
# `@<server>.prod.outlook.com`, Yahoo `@…yahoo.com`), submission relays, and the sending
# services above. A Message-ID at one of them says which system built the message, not
# who the sender is.
INFRASTRUCTURE_ORGS = ESP_BOUNCE_ORGS | _names(
    "gmail.com googlemail.com google.com outlook.com exchangelabs.com office365.com "
    "microsoft.com hotmail.com yahoo.com yahoo.co.jp aol.com yandex.ru yandex.net "
    "mail.ru icloud.com me.com apple.com zoho.com zohomail.com protonmail.ch "
    "protonmail.com proton.me sendgrid.com mailchimp.com sfdc.net hubspot.com qq.com"
)
# Mailbox providers anybody can sign up with. A reply diverted to one of them from a
# company's address is the signature move of invoice and CEO fraud.
FREE_MAIL = _names(
    "gmail.com googlemail.com outlook.com hotmail.com live.com msn.com aol.com "
    "mail.com icloud.com me.com mac.com protonmail.com protonmail.ch proton.me pm.me "
    "tutanota.com tuta.io zoho.com zohomail.com mail.ru inbox.ru list.ru bk.ru "
    "rambler.ru qq.com 163.com 126.com sina.com naver.com web.de t-online.de "
    "libero.it laposte.net rediffmail.com seznam.cz wp.pl o2.pl interia.pl"
)
# Free-mail families that exist under many country suffixes (yahoo.co.uk, gmx.de, …).
FREE_MAIL_LABELS = frozenset({"yahoo", "ymail", "rocketmail", "hotmail", "gmx", "yandex"})

# RFC 5322 §3.6 fields that may occur at most once (the table in §3.6), From aside:
# `auth.addresses` reports several From headers itself.
_SINGLE = ("date", "sender", "reply-to", "to", "cc", "bcc", "message-id", "in-reply-to")
_SINGLE_ALSO = ("references", "subject")
# Of those, the ones a filter and a mail program may each read differently to show the
# reader something other than what was checked.
_DECEPTIVE_DUPLICATES = frozenset({"subject", "date", "to", "message-id"})
_SHOWN = {
    "date": "Date",
    "sender": "Sender",
    "reply-to": "Reply-To",
    "to": "To",
    "cc": "Cc",
    "bcc": "Bcc",
    "message-id": "Message-ID",
    "in-reply-to": "In-Reply-To",
    "references": "References",
    "subject": "Subject",
}
_LIST_HEADERS = ("list-id", "list-post")
# Words of a list header that may be a host name or an address (`<mailto:a@b>`).
_LIST_WORDS = LazyPattern(r"[^\s<>\"(),;]+")
# Local parts of list robots (`owner-list@`, `list-admin@`, `list-bounces+x@`), which is
# how lists older than List-Id name themselves in Sender.
_LIST_ROBOT = LazyPattern(r"^owner-|-(?:owner|admin|bounces?|request)(?:[+=@]|$)", re.I)
# SRS (Sender Rewriting Scheme) local parts: `SRS0=hash=tt=original.example=user`.
_SRS0 = re.compile(r"srs0[=+-][^=]*=[^=]*=([^=]+)=", re.I)


# --- reading the headers ---------------------------------------------------------------


@record
class _Address:
    """A mailbox together with its domain (lower-case A-labels) and the header it is in."""

    box: Mailbox
    domain: str
    field: HeaderField

    @property
    def org(self) -> str:
        return org_domain(self.domain) or self.domain


def _fields(ctx: RuleContext, name: str) -> list[HeaderField]:
    return list(ctx.named(name))


def _evidence(*fields: HeaderField | None) -> list[Evidence]:
    unique = {f.index: f for f in fields if f is not None}
    return [Evidence(f.index, f.name, f.raw) for f in unique.values()]


def _domain(address: str | None) -> str | None:
    """The domain of an addr-spec, or None for `<>`, domain literals and junk."""
    if not address or "@" not in address:
        return None
    domain = to_ascii_domain(address.rsplit("@", 1)[1].strip().strip(">"))
    if domain is None or "." not in domain or domain.startswith("[") or " " in domain:
        return None
    return domain


def _addresses(fields: Iterable[HeaderField]) -> list[_Address]:
    found: list[_Address] = []
    for field in fields:
        found.extend(_addresses_in(field))
    return found


# A dozen rules ask for the mailboxes of the same From, To, Cc and Reply-To headers of a
# message: each header's are read once.
@functools.lru_cache(maxsize=64)
def _addresses_in(field: HeaderField) -> tuple[_Address, ...]:
    found = []
    for box in parse_mailboxes(field.value):
        domain = _domain(box.address)
        if domain is not None:
            found.append(_Address(box, domain, field))
    return tuple(found)


def _first(ctx: RuleContext, name: str) -> _Address | None:
    """The first mailbox with a domain in the first `name` header."""
    fields = _fields(ctx, name)[:1]
    found = _addresses(fields)
    return found[0] if found else None


def _author(ctx: RuleContext) -> _Address | None:
    """The From mailbox DMARC judges (first mailbox of the first From header)."""
    field = ctx.first("from")
    return None if field is None else _author_in(field)


# Six rules ask for the author of the same message: it is read once, from the first From
# header alone (the one `from_domain` reads). One entry is all they need.
@functools.lru_cache(maxsize=1)
def _author_in(field: HeaderField) -> _Address | None:
    domain, _ = from_domain((field,))
    if domain is None:
        return None
    boxes = [a for a in _addresses([field]) if a.domain == domain]
    return boxes[0] if boxes else None


@record
class _Lists:
    """What the List-* headers say: the list's organisations and posting addresses."""

    orgs: frozenset[str]
    posts: frozenset[str]

    @property
    def present(self) -> bool:
        return bool(self.orgs)


def _lists(ctx: RuleContext) -> _Lists:
    orgs: set[str] = set()
    posts: set[str] = set()
    for field in ctx.headers:
        name = field.name.lower()
        if name not in _LIST_HEADERS:
            continue
        for word in _LIST_WORDS.findall(field.value):
            host = word.removeprefix("mailto:").rsplit("@", 1)[-1].split("?", 1)[0]
            org = org_domain(to_ascii_domain(host))
            if org is not None:
                orgs.add(org)
            if name == "list-post" and "@" in word:
                posts.add(word.removeprefix("mailto:").split("?", 1)[0].lower())
    return _Lists(frozenset(orgs), frozenset(posts))


def _return_path(ctx: RuleContext) -> tuple[str, str, list[Evidence]] | None:
    """(domain, address, evidence) of the envelope sender: Return-Path, else the envelope.

    None for the null sender `<>` (bounces have none) and when neither is known.
    """
    field = next(iter(_fields(ctx, "return-path")), None)
    if field is not None:
        boxes = parse_mailboxes(field.value)
        address = boxes[0].address if boxes else None
        domain = _domain(address)
        return None if domain is None or address is None else (domain, address, _evidence(field))
    envelope = ctx.message.envelope
    address = envelope.mail_from if envelope is not None else None
    domain = _domain(address)
    if domain is None or address is None:
        return None
    return domain, address, [Evidence(None, "envelope", f"MAIL FROM:<{address}>")]


def _srs_domain(address: str) -> str | None:
    """The original sender's domain a forwarder encoded in an SRS0 address."""
    match = _SRS0.match(address)
    return to_ascii_domain(match.group(1)) if match else None


def _bulk(ctx: RuleContext) -> bool:
    """`Precedence: bulk` or `list`: the sender says this is list or mass mail (RFC 2076)."""
    return any(f.value.strip().lower() in {"bulk", "list"} for f in _fields(ctx, "precedence"))


def _forwarded(address: str) -> bool:
    """Envelope senders a forwarder rewrote without keeping a readable original: SRS1
    (forwarded twice) and Gmail's auto-forwarding (`user+caf_=dest=gmail.com@domain`)."""
    local = address.rsplit("@", 1)[0].lower()
    return local.startswith("srs1") or "+caf_=" in local


def _distributor(ctx: RuleContext, domain: str) -> bool:
    """Whether `domain` is the organisation that says it sent the message (Sender) or the
    list it was addressed to (To/Cc): mailing lists older than List-Id (RFC 2919) show
    themselves only so, with a bounce address of their own."""
    named = _addresses([*_fields(ctx, "sender"), *_fields(ctx, "to"), *_fields(ctx, "cc")])
    return any(same_org(a.domain, domain) for a in named)


def _dkim_passed(ctx: RuleContext) -> tuple[str, ...]:
    """d= of DKIM signatures that verified here or that the trusted receiver passed."""
    if ctx.auth is None:
        return ()
    return tuple(
        s.domain.lower()
        for s in ctx.auth.dkim
        if s.domain and (s.verification == "pass" or (s.result or "").lower() == "pass")
    )


def _from_dkim_passed(ctx: RuleContext) -> bool:
    return ctx.auth is not None and bool(ctx.auth.alignment.dkim_aligned_domains)


def is_free_mail(domain: str) -> bool:
    org = org_domain(domain) or domain
    return org in FREE_MAIL or org.split(".", 1)[0] in FREE_MAIL_LABELS


def _shown(domain: str) -> str:
    """A domain as a reader sees it (U-labels), with the A-labels when they differ."""
    readable = unicode_domain(domain)
    return domain if readable == domain else f"{readable} ({domain})"


# --- From and the envelope sender ------------------------------------------------------


def return_path_unrelated(ctx: RuleContext) -> Iterator[Finding]:
    author, envelope = _author(ctx), ctx.once(_return_path)
    if author is None or envelope is None:
        return
    domain, address, evidence = envelope
    domain = _srs_domain(address) or domain  # a forwarder's rewrite names the original
    if same_org(domain, author.domain) or _forwarded(address):
        return
    org = org_domain(domain) or domain
    if org in ctx.once(_lists).orgs or _distributor(ctx, domain):
        return
    service = org in ESP_BOUNCE_ORGS
    if service and _from_dkim_passed(ctx):
        return
    why = (
        f"{org} is a known sending service, but no passing DKIM signature of "
        f"{author.org} confirms that the sender really uses it."
        if service
        else "Sending services and forwarders do this legitimately; forged mail does it "
        "because the attacker can receive bounces only at a domain of their own."
    )
    yield finding(
        "identity.return_path_unrelated",
        Severity.LOW,
        "Bounce address belongs to another organisation",
        f"The message claims to be from {author.org}, but its bounce address (Return-Path, "
        f"the envelope sender) {address!r} belongs to {org}. {why}",
        [*_evidence(author.field), *evidence],
        strength="heuristic",
    )


# --- Reply-To --------------------------------------------------------------------------


def reply_to_other_org(ctx: RuleContext) -> Iterator[Finding]:
    author = _author(ctx)
    if author is None:
        return
    lists = ctx.once(_lists)
    if author.org in lists.orgs:
        return  # list DMARC rewrite: From is the list, Reply-To the real author
    recipients = _recipient_addresses(ctx)  # once: a thousand Reply-Tos must stay linear
    others = [
        a
        for a in _addresses(_fields(ctx, "reply-to"))
        if not same_org(a.domain, author.domain) and not _is_list_address(a, lists, recipients)
    ]
    if not others:
        return
    free = [a for a in others if is_free_mail(a.domain)]
    diverted = bool(free) and not is_free_mail(author.domain)
    worst = free[0] if diverted else others[0]
    if diverted:
        why = (
            f"a free-mail account anybody can open, while the message claims to come from "
            f"the organisation {author.org}. Invoice and CEO fraud work this way: the "
            "reader answers the impostor, not the company."
        )
    else:
        why = (
            f"which belongs to {worst.org}, another organisation than the sender "
            f"{author.org}. Help desks and sending services do this legitimately; a "
            "fraudster does it to receive the answers."
        )
    detail = f"Replies go to {worst.box.address!r}, {why}"
    yield finding(
        "identity.reply_to_other_org",
        Severity.HIGH if diverted else Severity.MEDIUM,
        "Replies go to a free-mail account" if diverted else "Replies go to another organisation",
        detail,
        _evidence(author.field, worst.field),
        strength="correlated" if diverted else "heuristic",
    )


def _recipient_addresses(ctx: RuleContext) -> frozenset[str]:
    fields = [f for f in ctx.headers if f.name.lower() in ("to", "cc")]
    return frozenset((r.box.address or "").lower() for r in _addresses(fields))


def _is_list_address(address: _Address, lists: _Lists, recipients: frozenset[str]) -> bool:
    """Reply-To set to the list itself, as lists that want replies on the list do."""
    written = (address.box.address or "").lower()
    if lists.present and (written in lists.posts or address.org in lists.orgs):
        return True
    # Lists older than List-Id (RFC 2919) show themselves by replies going back to the
    # address the message was sent to; sending replies to the recipients diverts nothing.
    return written in recipients


# --- Sender ----------------------------------------------------------------------------


def sender_other_org(ctx: RuleContext) -> Iterator[Finding]:
    author, sender = _author(ctx), _first(ctx, "sender")
    if author is None or sender is None or same_org(sender.domain, author.domain):
        return
    envelope = ctx.once(_return_path)
    ordinary = (
        ctx.once(_lists).present
        or _bulk(ctx)
        or _LIST_ROBOT.search(sender.box.address or "") is not None
        or sender.org in ESP_BOUNCE_ORGS
        or (envelope is not None and same_org(envelope[0], sender.domain))
    )
    yield finding(
        "identity.sender_other_org",
        Severity.INFO if ordinary else Severity.LOW,
        "Sent on behalf of another organisation",
        f"The Sender header says {sender.box.address!r} ({sender.org}) sent the message on "
        f"behalf of the author at {author.org}. Mailing lists, assistants and sending "
        "services do this; Outlook shows it as 'on behalf of'. Check that the sending "
        "organisation is one the author really works with.",
        _evidence(author.field, sender.field),
        strength="heuristic",
    )


# --- brands in display names -----------------------------------------------------------


def display_name_brand(ctx: RuleContext) -> Iterator[Finding]:
    author = _author(ctx)
    if author is None or not author.box.display_name:
        return
    name = author.box.display_name
    brand = next(iter(brands_named(name)), None)
    if brand is None or brand_owns(brand, author.domain) or _names_a_domain(name):
        return  # a domain or address in the name is `auth.display_name_*`'s finding
    if " via " in f" {name.lower()} " and author.org in ctx.once(_lists).orgs:
        return  # a list's DMARC rewrite keeps the author's name: "X via List"
    if any(brand_owns(brand, d) for d in _dkim_passed(ctx)):
        return  # the brand itself signed it: a sending domain missing from the table
    yield finding(
        "identity.display_name_brand",
        Severity.HIGH,
        f"Sender name says {brand.name}, address does not",
        f"The sender's name {name!r} names {brand.name}, but the address "
        f"{author.box.address!r} is at {_shown(author.org)}, which is not one of "
        f"{_brand_domains(brand)}. Mail programs often show only the name; this is how "
        "most brand-impersonation phishing looks.",
        _evidence(author.field),
        strength="correlated",
    )


def _brand_domains(brand: Brand) -> str:
    return f"{brand.name}'s domains (such as {', '.join(brand.domains[:3])})"


def _names_a_domain(name: str) -> bool:
    for word in re.split(r"[\s\"'()<>,;:\[\]]+", name):
        host = to_ascii_domain(word.rsplit("@", 1)[-1].strip(".")) if word else None
        if "@" in word or (host and "." in host and public_suffix(host) not in {None, host}):
            return True
    return False


# --- look-alike domains ----------------------------------------------------------------


def lookalike_domains(ctx: RuleContext) -> Iterator[Finding]:
    candidates: dict[str, list[Evidence]] = {}
    author = _author(ctx)
    sources = [author] if author is not None else []
    sources += _addresses(_fields(ctx, "reply-to"))
    for source in sources:
        candidates.setdefault(source.domain, []).extend(_evidence(source.field))
    envelope = ctx.once(_return_path)
    if envelope is not None:
        candidates.setdefault(envelope[0], []).extend(envelope[2])
    to_fields = _fields(ctx, "to")
    recipients = tuple(dict.fromkeys(a.domain for a in _addresses(to_fields)))[:50]
    reported: set[str] = set()
    for domain, evidence in candidates.items():
        org = org_domain(domain) or domain
        if org in reported or any(same_org(domain, r) for r in recipients):
            continue
        found = _lookalike_finding(domain, org, recipients, evidence, to_fields)
        if found is not None:
            reported.add(org)
            yield found


def _lookalike_finding(
    domain: str,
    org: str,
    recipients: tuple[str, ...],
    evidence: list[Evidence],
    to_fields: Sequence[HeaderField],
) -> Finding | None:
    seen = imitation(domain, recipients)
    if seen is None:
        return None
    shown = _shown(org)
    unique = list({e.header_index: e for e in evidence}.values())
    if seen.kind == "recipient":
        return finding(
            "identity.lookalike_domain",
            Severity.HIGH,
            f"{unicode_domain(org)} imitates the recipient's domain",
            f"The sender's domain {shown} {seen.how} {seen.target}, the recipient's own "
            "domain, without belonging to it. Look-alike domains are registered to pass "
            "as a colleague or the own company at a glance.",
            [*unique, *_evidence(*to_fields[:1])],
            strength="heuristic",
        )
    if seen.kind == "brand":
        return finding(
            "identity.lookalike_domain",
            Severity.HIGH,
            f"{unicode_domain(org)} imitates {seen.target}",
            f"The domain {shown} {seen.how} {seen.target}'s name, but it is not one of "
            f"{seen.target}'s domains. Such names are registered to pass as the brand "
            "at a glance.",
            unique,
            strength="heuristic",
        )
    if seen.kind == "brand-name":
        return finding(
            "identity.brand_in_domain",
            Severity.MEDIUM,
            f"Brand name {seen.target} in an unrelated domain",
            f"The domain {shown} {seen.how} {seen.target} but is not one of "
            f"{seen.target}'s domains. Anybody can register a name like this, and "
            "phishing uses them to look official.",
            unique,
            strength="heuristic",
        )
    return finding(
        "identity.idn_homograph",
        Severity.MEDIUM,
        f"Internationalised domain {unicode_domain(org)} may deceive",
        f"The domain {shown} is written with non-ASCII characters: its part "
        f"{seen.target!r} {seen.how}. Letters of different alphabets can look identical, "
        "so the name may read as a different, familiar one.",
        unique,
        strength="heuristic",
    )


# --- required and single-instance headers ----------------------------------------------


def missing_identity_headers(ctx: RuleContext) -> Iterator[Finding]:
    present = {f.name.lower() for f in ctx.headers}
    if "from" not in present:
        yield finding(
            "identity.from_missing",
            Severity.MEDIUM,
            "No From header",
            "The message does not say who wrote it: the From header, which every message "
            "must have (RFC 5322 §3.6), is missing. Mail programs show an empty or made-up "
            "sender, and sender authentication (DMARC) cannot apply.",
        )
    if "date" not in present:
        yield finding(
            "identity.date_missing",
            Severity.LOW,
            "No Date header",
            "The message does not say when it was written: the Date header, which every "
            "message must have (RFC 5322 §3.6), is missing. Spam tools often leave it out; "
            "mail programs then show the time of arrival instead.",
        )
    if "message-id" not in present:
        yield finding(
            "identity.message_id_missing",
            Severity.LOW,
            "No Message-ID header",
            "The message carries no Message-ID, the unique name mail programs give each "
            "message (RFC 5322 §3.6.4). Almost every program and server adds one, so its "
            "absence points to a hand-made or bulk-tool message.",
        )


def duplicate_headers(ctx: RuleContext) -> Iterator[Finding]:
    for name in (*_SINGLE, *_SINGLE_ALSO):
        fields = _fields(ctx, name)
        if len(fields) < 2:
            continue
        values = {" ".join(decode_words(f.value).split()).lower() for f in fields}
        deceptive = name in _DECEPTIVE_DUPLICATES and len(values) > 1
        shown = _SHOWN[name]
        detail = (
            f"The message has {len(fields)} {shown} headers with different values; the "
            "standard allows one (RFC 5322 §3.6). A spam filter and a mail program may "
            "each read a different one, so the reader can be shown something other "
            "than what was checked."
            if deceptive
            else f"The message has {len(fields)} {shown} headers; the standard allows one "
            "(RFC 5322 §3.6). Programs may pick either, which confuses threading and "
            "replies; a faulty relay or a copy-and-paste error is the usual cause."
        )
        yield finding(
            "identity.duplicate_header",
            Severity.MEDIUM if deceptive else Severity.LOW,
            f"Several {shown} headers",
            detail,
            _evidence(*fields),
        )


# --- Message-ID ------------------------------------------------------------------------


def message_id_unrelated(ctx: RuleContext) -> Iterator[Finding]:
    author = _author(ctx)
    field = next(iter(_fields(ctx, "message-id")), None)
    if author is None or field is None:
        return
    host = _message_id_host(field.value)
    if host is None:
        return
    org = org_domain(host) or host
    if org in INFRASTRUCTURE_ORGS or any(same_org(host, d) for d in _related_domains(ctx)):
        return
    yield finding(
        "identity.message_id_unrelated",
        Severity.LOW,
        "Message-ID names another organisation",
        f"The message's ID was made at {host} ({org}), which is neither the sender's "
        f"organisation {author.org} nor any system the message passed through or was "
        "signed by. Mail programs name their own domain there; a foreign name suggests "
        "the message was built elsewhere, for example by a bulk-mail tool, or copied.",
        _evidence(field, author.field),
        strength="heuristic",
    )


def _message_id_host(value: str) -> str | None:
    """The right-hand side of a Message-ID when it is a real domain name, else None.

    Machine names (`DESKTOP-4F2K`, `host.local`, `localhost`) and address literals say
    nothing about an organisation.
    """
    text = value.strip()
    if "<" in text:  # `<left@right>`; sloppy writers leave the brackets out
        text = text.split("<", 1)[1].split(">", 1)[0]
    left, at, right = text.rpartition("@")
    if not at or not left or not right or any(c.isspace() for c in right):
        return None
    host = to_ascii_domain(right)
    if host is None or "." not in host or host.startswith("["):
        return None
    return host if public_suffix(host) not in {None, host} else None


def _related_domains(ctx: RuleContext) -> list[str]:
    """Domains entitled to name the message: its author, envelope sender, Sender, DKIM
    signers, and every host on the route (a relay adds a Message-ID to mail that lacks
    one, RFC 5321 §6.4)."""
    related = [a.domain for a in _addresses(_fields(ctx, "from"))]
    envelope = ctx.once(_return_path)
    if envelope is not None:
        related.append(envelope[0])
    sender = _first(ctx, "sender")
    if sender is not None:
        related.append(sender.domain)
    if ctx.auth is not None:
        related.extend(s.domain.lower() for s in ctx.auth.dkim if s.domain)
    for hop in ctx.route.hops:
        fields = hop.fields
        hosts = (fields.by_host, fields.from_host, fields.from_helo, fields.from_rdns)
        related.extend(h.lower() for h in hosts if h)
    return related


RULES = (
    missing_identity_headers,
    duplicate_headers,
    return_path_unrelated,
    reply_to_other_org,
    sender_other_org,
    display_name_brand,
    lookalike_domains,
    message_id_unrelated,
)
