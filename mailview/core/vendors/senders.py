"""Sending services: which bulk or transactional platform sent the message, and the proof.

Strategy: a sending service leaves fingerprints of two kinds. Its own headers (X-SES-Outgoing,
X-SG-EID, X-Mailgun-Sid, X-SFDC-*, …) prove it alone, so each is a DECODER whose verdict
names the service ("Amazon SES (sending service)") and explains the value where its format
is known (the SES stamp carries date and sending address, X-Mailgun-Sid and X-Mailin-EID
decode to the recipient). The other kind sits in generic headers: the service's hosts in
Received lines, its domain in Message-ID, Return-Path or List-ID. Those need every header,
so a COMBINER lists them per service, header by header, without repeating what a decoder
already said. Google's outbound (Received from mail-*.google.com, X-Gm-Message-State) is
only ever generic evidence and is a combiner too.

A Received line counts as the service sending when the service's host is the *from* side,
or the *by* side of a hop that came from nowhere or from inside (an API submission such as
"Received: by luna.mailgun.net with HTTP"); a service's host on the *by* side of a hop from
the public internet is the service receiving mail (Mailgun's inbound mxa.mailgun.org), not
sending it. Headers are claims: a spammer can forge any of them, so a fingerprint says what
the headers say, not who is to blame.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import field

from mailview.core.auth.alignment import from_domain
from mailview.core.chain import ROUTE_HEADERS
from mailview.core.domains import normalise_host
from mailview.core.ipscope import INTERNAL_SCOPES, parse_ip, scope_of
from mailview.core.lazy_re import LazyPattern
from mailview.core.model import HeaderField, ReceivedFields
from mailview.core.received import parse_received
from mailview.core.record import record
from mailview.core.vendors.model import Combiner, Decoder, VendorField, VendorVerdict

# What one header's value means in words; None when the value's format is unknown.
Explain = Callable[[str], str | None]
SUFFIX = " (sending service)"


@record
class Service:
    name: str
    headers: Mapping[str, Explain]  # its own headers (lower-case names) and their meanings
    prefixes: tuple[str, ...] = ()  # families of its own headers ("x-mailgun-")
    domains: tuple[str, ...] = ()  # its domains, matched as suffixes of host names
    receiving: frozenset[str] = field(default_factory=frozenset)  # headers of its inbound side

    @property
    def vendor(self) -> str:
        return self.name + SUFFIX


# --------------------------------------------------------------------------- value readers


def _squash(value: str) -> str:
    return " ".join(value.split())


def _says(meaning: str) -> Explain:
    """A header whose presence is the proof; its value is an opaque identifier."""
    return lambda raw: f"{meaning}: {raw}" if raw else meaning


_SES_STAMP = LazyPattern(r"^(\d{4})\.(\d{2})\.(\d{2})-([0-9A-Fa-f.:]+)$")


def _ses_outgoing(raw: str) -> str | None:
    match = _SES_STAMP.match(raw)
    if match is None:
        return None
    year, month, day, ip = match.groups()
    return f"Amazon SES sent it on {year}-{month}-{day} from its address {ip}"


def _b64_text(raw: str) -> str | None:
    text = raw.strip()
    try:
        data = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
        return data.decode("utf-8")
    except (binascii.Error, ValueError):
        return None


def _mailgun_sid(raw: str) -> str | None:
    decoded = _b64_text(raw)
    if decoded is None:
        return None
    try:
        parts = json.loads(decoded)
    except (ValueError, RecursionError):  # a forged "[[[[…" must not take the analysis down
        return None
    if not isinstance(parts, list) or not all(isinstance(p, str) for p in parts):
        return None
    recipient = next((p for p in parts if "@" in p), None)
    to = f" for {recipient}" if recipient else ""
    return f"Mailgun's sending ID{to} (decodes to {', '.join(parts)})"


def _mailin_eid(raw: str) -> str | None:
    # Percent-encoded base64 of "<number>~<recipient>~<Message-ID>~<relay>".
    decoded = _b64_text(urllib.parse.unquote(raw))
    if decoded is None or decoded.count("~") < 2:
        return None
    parts = decoded.split("~")
    return f"Brevo's ID for this send: recipient {parts[1]}, message {parts[2]}"


# Salesforce record IDs start with a documented three-character key prefix naming the type.
_SFDC_PREFIX = {
    "00D": "organisation",
    "005": "user",
    "500": "case",
    "001": "account",
    "003": "contact",
    "00Q": "lead",
    "006": "opportunity",
}


def _sfdc_id(what: str) -> Explain:
    def explain(raw: str) -> str | None:
        kind = _SFDC_PREFIX.get(raw[:3])
        return f"{what}: {raw}" + (f" (a Salesforce {kind} ID)" if kind else "")

    return explain


def _sparkpost_fbl(raw: str) -> str | None:
    return "SparkPost's feedback-loop token (SparkPost and Momentum MTAs write it)" if raw else None


# --------------------------------------------------------------------------- the services

AMAZON_SES = Service(
    "Amazon SES",
    {
        "x-ses-outgoing": _ses_outgoing,
        "x-ses-configuration-set": _says("the SES configuration set the sender used"),
    },
    domains=("amazonses.com",),
)
SENDGRID = Service(
    "SendGrid",
    {
        "x-sg-eid": _says("SendGrid's encrypted event ID"),
        "x-sg-id": _says("SendGrid's message ID"),
    },
    prefixes=("x-sg-",),
    domains=("sendgrid.net",),
)
MAILGUN = Service(
    "Mailgun",
    {
        "x-mailgun-sid": _mailgun_sid,
        "x-mailgun-sending-ip": _says("the Mailgun address that sent it"),
        "x-mailgun-sending-ip-pool": _says("the Mailgun address pool used"),
        "x-mailgun-sending-ip-pool-name": _says("the name of the Mailgun address pool used"),
        "x-mailgun-native-send": _says("sent as-is through Mailgun's API"),
        "x-mailgun-tag": _says("the sender's tag for this mail"),
        "x-mailgun-variables": _says("the sender's own variables for this mail"),
    },
    prefixes=("x-mailgun-",),
    domains=("mailgun.net", "mailgun.org"),
    # Mailgun's inbound routing stamps these on mail it *receives* for a customer.
    receiving=frozenset(
        {
            "x-mailgun-incoming",
            "x-mailgun-spam-rules",
            "x-mailgun-dkim-check-result",
            "x-mailgun-spf",
            "x-mailgun-sscore",
            "x-mailgun-sflag",
        }
    ),
)
MAILCHIMP = Service(
    "Mailchimp / Mandrill",
    {
        "x-mc-user": _says("the Mailchimp account ID"),
        "x-mandrill-user": _says("the Mandrill (Mailchimp Transactional) account"),
    },
    domains=("mcsv.net", "rsgsv.net", "mcdlv.net", "mandrillapp.com"),
)
SPARKPOST = Service("SparkPost", {"x-msfbl": _sparkpost_fbl}, domains=("sparkpostmail.com",))
SALESFORCE = Service(
    "Salesforce",
    {
        "x-sfdc-lk": _sfdc_id("the Salesforce organisation that sent it"),
        "x-sfdc-user": _sfdc_id("the Salesforce user it was sent as"),
        "x-sfdc-entityid": _sfdc_id("the Salesforce record the mail is about"),
        "x-sfdc-emailcategory": _says("how Salesforce was told to send it"),
        "x-sfdc-app": _says("the Salesforce application that sent it"),
    },
    prefixes=("x-sfdc-",),
    domains=("salesforce.com",),
)
ZENDESK = Service("Zendesk", {}, prefixes=("x-zendesk-",), domains=("zendesk.com",))
POSTMARK = Service(
    "Postmark",
    {"x-pm-message-id": _says("Postmark's message ID")},
    domains=("mtasv.net", "postmarkapp.com"),
)
BREVO = Service(
    "Brevo (Sendinblue)",
    {
        "x-mailin-eid": _mailin_eid,
        "x-sib-id": _says("Brevo's sender ID"),
    },
    prefixes=("x-mailin-",),
    domains=("sendinblue.com", "brevo.com", "sender-sib.com", "mailin.fr"),
)
HUBSPOT = Service(
    "HubSpot", {}, prefixes=("x-hubspot-",), domains=("hubspotemail.net", "hubspot.com")
)
CONSTANT_CONTACT = Service(
    "Constant Contact",
    {},
    prefixes=("x-roving-",),
    domains=("constantcontact.com", "ccsend.com", "roving.com"),
)
DYNAMICS = Service(
    "Microsoft Dynamics 365 Marketing", {}, domains=("dynmktg.com", "marketing.dynamics.com")
)

SERVICES = (
    AMAZON_SES,
    SENDGRID,
    MAILGUN,
    MAILCHIMP,
    SPARKPOST,
    SALESFORCE,
    ZENDESK,
    POSTMARK,
    BREVO,
    HUBSPOT,
    CONSTANT_CONTACT,
    DYNAMICS,
)

# --------------------------------------------------------------------------- decoders


def _verdict(
    service: Service, header: HeaderField, fields: Sequence[VendorField], summary: str
) -> VendorVerdict:
    return VendorVerdict(service.vendor, header.name, header.index, tuple(fields), summary)


def _own_header(service: Service, explain: Explain) -> Decoder:
    def decode(header: HeaderField) -> VendorVerdict | None:
        raw = _squash(header.value)
        try:
            meaning = explain(raw)
        except (ValueError, IndexError, UnicodeError):  # a decoder must never raise
            meaning = None
        summary = f"Sent through {service.name}: only {service.name} writes {header.name}."
        return _verdict(service, header, (VendorField(header.name, raw, meaning),), summary)

    return decode


def _receiving_header(service: Service) -> Decoder:
    def decode(header: HeaderField) -> VendorVerdict | None:
        raw = _squash(header.value)
        fields = (VendorField(header.name, raw, None),)
        summary = f"{service.name} received this message for its customer and stamped it."
        vendor = f"{service.name} (receiving service)"
        return VendorVerdict(vendor, header.name, header.index, fields, summary)

    return decode


_FEEDBACK_SENDERS = {"amazonses": AMAZON_SES, "mc": MAILCHIMP}


def _feedback_id(header: HeaderField) -> VendorVerdict | None:
    # Feedback-ID is "a:b:c:SenderId" (Google's feedback loop); the last part names the sender.
    raw = _squash(header.value)
    parts = raw.split(":")
    service = _FEEDBACK_SENDERS.get(parts[-1].strip().lower()) if len(parts) >= 2 else None
    if service is None:
        return None
    if service is AMAZON_SES:
        region = parts[0].split(".")[1] if parts[0].count(".") >= 2 else None
        where = f", region {region}" if region else ""
        meaning = f"Amazon SES's feedback-loop ID (sender ID 'AmazonSES'{where})"
    else:
        centre = parts[-2] if len(parts) >= 3 else ""
        where = f", data centre {centre}" if re.fullmatch(r"us\d+", centre) else ""
        meaning = f"Mailchimp's feedback-loop ID (sender ID 'mc'{where})"
    summary = f"Sent through {service.name}: the Feedback-ID names it as the sender."
    return _verdict(service, header, (VendorField(header.name, raw, meaning),), summary)


def _mailchimp_campaign(header: HeaderField) -> VendorVerdict | None:
    # X-Campaign is a common name; Mailchimp's values start with "mailchimp".
    raw = _squash(header.value)
    if not raw.lower().startswith("mailchimp"):
        return None
    meaning = "Mailchimp's campaign ID (account ID, then campaign)"
    summary = f"Sent through {MAILCHIMP.name}: the campaign ID is Mailchimp's."
    return _verdict(MAILCHIMP, header, (VendorField(header.name, raw, meaning),), summary)


def _decoders() -> dict[str, Decoder]:
    table: dict[str, Decoder] = {
        "feedback-id": _feedback_id,
        "x-campaign": _mailchimp_campaign,
        "x-campaignid": _mailchimp_campaign,
    }
    for service in SERVICES:
        for name, explain in service.headers.items():
            table[name] = _own_header(service, explain)
        for name in service.receiving:
            table[name] = _receiving_header(service)
    return table


DECODERS: dict[str, Decoder] = _decoders()

# --------------------------------------------------------------------------- combiners


def _family(name: str) -> Service | None:
    low = name.lower()
    if low in DECODERS or not low.startswith(_all_prefixes()):
        return None  # one C-speed test settles nearly every header
    return next((s for s in SERVICES if s.prefixes and low.startswith(s.prefixes)), None)


@functools.cache
def _all_prefixes() -> tuple[str, ...]:
    """Every service's header prefixes together: a name starting with none of them
    belongs to no family, and is passed over without trying each service in turn."""
    return tuple(prefix for service in SERVICES for prefix in service.prefixes)


def family_headers(
    headers: Sequence[HeaderField], verdicts: Sequence[VendorVerdict]
) -> Sequence[VendorVerdict]:
    """Other headers of a service's own family (X-Zendesk-*, X-Roving-*, …): they prove the
    service, though mailview does not know what their values say."""
    del verdicts
    out = []
    for header in headers:
        service = _family(header.name)
        if service is None:
            continue
        fields = (VendorField(header.name, _squash(header.value), None),)
        summary = f"Sent through {service.name}: only {service.name} writes {header.name}."
        out.append(_verdict(service, header, fields, summary))
    return tuple(out)


def _matches(host: str | None, domains: Sequence[str]) -> bool:
    name = normalise_host(host)
    return name is not None and any(name == d or name.endswith("." + d) for d in domains)


def _came_from_inside(fields: ReceivedFields) -> bool:
    """The hop has no sending side, or one on a private or loopback address."""
    if fields.from_host is None and fields.from_ip is None:
        return True
    address = parse_ip(fields.from_ip)
    return address is not None and scope_of(address) in INTERNAL_SCOPES


def _route_evidence(fields: ReceivedFields, domains: Sequence[str]) -> str | None:
    for label, host in (
        ("sent from", fields.from_host),
        ("sent from", fields.from_rdns),
        ("sent from (HELO)", fields.from_helo),
    ):
        if _matches(host, domains):
            return f"{label} {host}, a host of the service"
    if _matches(fields.by_host, domains) and _came_from_inside(fields):
        return f"handed in at {fields.by_host}, a host of the service"
    return None


_ADDRESS_DOMAIN = re.compile(r"@([A-Za-z0-9.-]+)")


def _address_domain(value: str) -> str | None:
    found = _ADDRESS_DOMAIN.findall(value)
    return found[-1] if found else None


def _list_id_host(value: str) -> str | None:
    match = re.search(r"<([^<>\s]+)>", value)
    return match.group(1) if match else None


# Generic headers where a service's domain is evidence, and how to find the host in each.
_ID_HEADERS: Mapping[str, tuple[Callable[[str], str | None], str]] = {
    "message-id": (_address_domain, "Message-ID made at"),
    "return-path": (_address_domain, "bounces go to"),
    "list-id": (_list_id_host, "list ID under"),
}


@record
class _Claim:
    """A generic header and the host name in it that may belong to a service."""

    header: HeaderField
    route: ReceivedFields | None  # parsed Received fields; None for the ID headers
    host: str | None  # the domain in Message-ID / Return-Path / List-ID


def _claims(headers: Sequence[HeaderField]) -> list[_Claim]:
    out = []
    for header in headers:
        low = header.name.lower()
        if low in ROUTE_HEADERS:
            out.append(_Claim(header, parse_received(header.value), None))
        elif low in _ID_HEADERS:
            find, _label = _ID_HEADERS[low]
            out.append(_Claim(header, None, find(header.value)))
    return out


def _evidence(claim: _Claim, service: Service) -> str | None:
    if claim.route is not None:
        return _route_evidence(claim.route, service.domains)
    if _matches(claim.host, service.domains):
        _find, label = _ID_HEADERS[claim.header.name.lower()]
        return f"{label} {claim.host}, a domain of the service"
    return None


def _route_fingerprint(claims: Sequence[_Claim], service: Service) -> VendorVerdict | None:
    found = [(c.header, said) for c in claims if (said := _evidence(c, service)) is not None]
    if not found:
        return None
    proof = found[0][0]
    fields = tuple(VendorField(h.name, _squash(h.value), said) for h, said in found)
    names = ", ".join(sorted({h.name for h, _ in found}))
    summary = f"Sent through {service.name}, as its hosts or domains in {names} show."
    return _verdict(service, proof, fields, summary)


def _suffixes(claims: Sequence[_Claim]) -> set[str]:
    """Every dot-suffix of every host name the claims mention ("a.b.c" → b.c, c too)."""
    hosts: list[str | None] = []
    for claim in claims:
        if claim.route is not None:
            f = claim.route
            hosts += [f.from_host, f.from_rdns, f.from_helo, f.by_host]
        else:
            hosts.append(claim.host)
    found: set[str] = set()
    for host in hosts:
        name = normalise_host(host)
        while name:
            found.add(name)
            name = name.partition(".")[2]
    return found


def route_fingerprints(
    headers: Sequence[HeaderField], verdicts: Sequence[VendorVerdict]
) -> Sequence[VendorVerdict]:
    """Per service, the evidence in Received, Message-ID, Return-Path and List-ID."""
    del verdicts
    claims = _claims(headers)
    if not claims:
        return ()
    # Most services have no domain anywhere in the message: rule them out with one set
    # look-up per domain instead of matching every host against every service.
    present = _suffixes(claims)
    likely = (s for s in SERVICES if any(d in present for d in s.domains))
    found = (_route_fingerprint(claims, service) for service in likely)
    return tuple(v for v in found if v is not None)


# --------------------------------------------------------------------------- Google

_GOOGLE_OUTBOUND = re.compile(r"^mail-[a-z0-9-]+\.google\.com$")
_GMAIL_DOMAINS = {"gmail.com", "googlemail.com"}


def _google_hop(header: HeaderField) -> str | None:
    fields = parse_received(header.value)
    for host in (fields.from_host, fields.from_rdns):
        name = normalise_host(host)
        if name is not None and _GOOGLE_OUTBOUND.match(name):
            return f"sent from {name}, one of Google's outbound mail servers"
    return None


GOOGLE = "Google Workspace / Gmail"


def _google_account(headers: Sequence[HeaderField]) -> str:
    """Which kind of Google account, as far as List-ID and From tell."""
    lists = [h for h in headers if h.name.lower() == "list-id"]
    if any((_list_id_host(h.value) or "").lower().endswith("googlegroups.com") for h in lists):
        return "a Google Groups list"
    domain, _index = from_domain(headers)
    if domain is not None and domain.lower() in _GMAIL_DOMAINS:
        return "a Gmail account"
    # A custom From domain is usually Workspace, but a Gmail user may send as another address.
    return "a Google Workspace account (or Gmail sending as another address)"


def google_fingerprint(
    headers: Sequence[HeaderField], verdicts: Sequence[VendorVerdict]
) -> Sequence[VendorVerdict]:
    """Gmail / Google Workspace: Google's outbound Received hop and X-Gm-Message-State."""
    del verdicts
    found: list[tuple[HeaderField, str]] = []
    for header in headers:
        low = header.name.lower()
        if low == "x-gm-message-state":
            found.append((header, "Gmail's outbound state stamp, written by Google's servers"))
        elif low == "received":
            said = _google_hop(header)
            if said is not None:
                found.append((header, said))
    if not found:
        return ()
    stamp = next((h for h, _ in found if h.name.lower() == "x-gm-message-state"), found[0][0])
    fields = tuple(VendorField(h.name, _squash(h.value), said) for h, said in found)
    kinds = {h.name.lower() for h, _ in found}
    if len(kinds) == 2:
        how = "Google's outbound hop and X-Gm-Message-State agree"
    elif "received" in kinds:
        how = "one of Google's outbound servers handed it on"
    else:
        how = "X-Gm-Message-State is Google's own stamp"
    summary = f"Sent through Google by {_google_account(headers)}: {how}."
    return (VendorVerdict(GOOGLE + SUFFIX, stamp.name, stamp.index, fields, summary),)


COMBINERS: tuple[Combiner, ...] = (family_headers, route_fingerprints, google_fingerprint)
