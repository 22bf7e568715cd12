"""Rules about where the body's links lead.

Strategy: the links are the report's own indicators (read once by the analysis, see
`indicators`); each rule looks at every link target, after undoing what a receiving
system's link protection wrapped around it (Microsoft Safe Links, Proofpoint URL
Defense): those wrappers are the recipient's own and say nothing about the sender. A
link is judged by its host, compared by organisation (`domains.org_domain`), never by
raw name. One finding per kind of trick, naming up to five links as its evidence, so a
newsletter with a hundred tracked links does not bury the rest. What honest bulk mail
does every day (click tracking at its sending service, a shortened link) is low or not
reported at all; what phishing needs (a link whose text names another site, a
credential page on free hosting or IPFS, a look-alike domain) is medium or high.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from ipaddress import IPv4Address
from urllib.parse import parse_qsl, unquote, urlsplit

from mailview.core.auth.alignment import from_domain
from mailview.core.domains import org_domain, same_org
from mailview.core.findings.context import RuleContext, finding
from mailview.core.findings.identity import ESP_BOUNCE_ORGS
from mailview.core.findings.lookalike import BRANDS, Brand, brand_owns, imitation
from mailview.core.htmlscan import unescape
from mailview.core.indicators import UrlIndicator, url_host
from mailview.core.ipscope import parse_ip, scope_of
from mailview.core.model import Evidence, Finding, Scope, Severity
from mailview.core.record import record

MAX_EVIDENCE = 5
# Distinct link organisations compared with every brand and the recipient's domain: the
# comparison costs about a millisecond each, and a message linking to more distinct
# organisations than this is not hiding one look-alike among them.
MAX_JUDGED_ORGS = 100
MAX_UNWRAP = 4  # redirect inside redirect: followed this deep
_MAX_URL = 4096  # characters of one URL decoded; longer ones are judged by their host only


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Link shorteners: a short name that hides the destination until it is clicked.
SHORTENERS = _names(
    "bit.ly bitly.com tinyurl.com t.co goo.gl ow.ly is.gd buff.ly rebrand.ly cutt.ly "
    "shorturl.at rb.gy t.ly tiny.cc s.id bl.ink v.gd qrco.de shorte.st adf.ly "
    "soo.gd clck.ru u.to x.co lnkd.in tr.im"
)
# Hosting anybody can publish on for free, and cloud function/storage hosts: a page there
# costs an attacker nothing and borrows the provider's good name. Matched as host
# suffixes, because most are private suffixes under which every customer has a name.
FREE_HOSTING = frozenset(
    {
        "000webhostapp.com",
        "weebly.com",
        "weeblysite.com",
        "wixsite.com",
        "wix.com",
        "firebaseapp.com",
        "web.app",
        "netlify.app",
        "vercel.app",
        "pages.dev",
        "workers.dev",
        "herokuapp.com",
        "glitch.me",
        "repl.co",
        "replit.app",
        "azurewebsites.net",
        "blob.core.windows.net",
        "web.core.windows.net",
        "storage.googleapis.com",
        "firebasestorage.googleapis.com",
        "appspot.com",
        "cloudfunctions.net",
        "run.app",
        "s3.amazonaws.com",
        "amplifyapp.com",
        "r2.dev",
        "ngrok.io",
        "ngrok-free.app",
        "trycloudflare.com",
        "blogspot.com",
        "godaddysites.com",
        "square.site",
        "mystrikingly.com",
        "yolasite.com",
        "webflow.io",
        "jimdosite.com",
        "github.io",
        "gitlab.io",
        "sites.google.com",
        "surge.sh",
        "onrender.com",
        "fly.dev",
        "sharepoint-online.net",
        "translate.goog",
    }
)
# IPFS gateways: content-addressed pages nobody can take down, a favourite of phishing.
IPFS_GATEWAYS = frozenset(
    {
        "ipfs.io",
        "dweb.link",
        "cloudflare-ipfs.com",
        "gateway.pinata.cloud",
        "ipfs.fleek.co",
        "w3s.link",
        "nftstorage.link",
        "infura-ipfs.io",
        "ipfs.w3s.link",
        "4everland.io",
    }
)
_IPFS_PATH = re.compile(r"/ip[fn]s/[A-Za-z0-9]{20,}")
# Link protection of receiving systems: the real target is a parameter. The wrapper is the
# recipient's own and is never itself suspicious.
_REWRITERS = frozenset(
    {"safelinks.protection.outlook.com", "urldefense.proofpoint.com", "urldefense.com"}
)
# Query parameters redirectors carry their destination in.
_REDIRECT_PARAMS = frozenset(
    [
        "url",
        "u",
        "q",
        "out",
        "target",
        "dest",
        "destination",
        "redirect",
        "redirect_url",
        "redirect_uri",
        "redir",
        "next",
        "goto",
        "link",
        "to",
        "continue",
        "return",
        "returnurl",
        "return_url",
        "r",
        "rurl",
        "l",
        "href",
    ]
)
# Click tracking of sending services: the text shows the destination, the link goes
# through the service to count the click. Ordinary in newsletters.
_TRACKERS = ESP_BOUNCE_ORGS | _names(
    "list-manage.com mailchimp.com sendgrid.net ct.sendgrid.net mjt.lu rs6.net "
    "hubspotlinks.com hs-sites.com mailgun.org cmail19.com cmail20.com createsend.com "
    "exct.net sailthru.com mandrillapp.com sparkpostmail.com awstrack.me substack.com "
    "mlsend.com klclick.com klclick1.com convertkit-mail.com ck.page"
)
# Words in a link's path; a brand's name among them counts only beside a word of a
# sign-in page (a blog post about YouTube is not a YouTube login page).
_PATH_WORD = re.compile(r"[a-z0-9]+")
_LOGIN_WORDS = frozenset(
    [
        "login",
        "logon",
        "signin",
        "sign",
        "auth",
        "authenticate",
        "verify",
        "verification",
        "account",
        "secure",
        "security",
        "update",
        "webscr",
        "owa",
        "password",
        "validate",
        "confirm",
        "php",
    ]
)


@record
class Target:
    """A link as found, and where it really leads after link protection is undone."""

    link: UrlIndicator
    url: str  # the destination (the link itself when nothing was wrapped around it)
    host: str | None


def _targets(ctx: RuleContext) -> list[Target]:
    if ctx.content is None:
        return []
    found = []
    for link in ctx.content.indicators.urls:
        url = _unwrap(link.url)
        found.append(Target(link, url, _host(url) if url != link.url else link.domain))
    return found


@functools.lru_cache(maxsize=4096)
def _host(url: str) -> str | None:
    return url_host(url)


def _decoded(value: str) -> str:
    """A parameter value with percent-encoding (up to three layers) and entities undone."""
    text = value
    for _ in range(3):
        undone = unquote(text)
        if undone == text:
            break
        text = undone
    return unescape(text)


def _is_url(text: str) -> bool:
    return text.lower().startswith(("http://", "https://", "//", "www."))


def redirect_target(url: str) -> str | None:
    """The destination a redirector link carries in a parameter (`?url=`, `out=`, …).

    Proofpoint's v2 encoding (`-` for `%`, `_` for `/`) is undone too. None when no
    parameter holds a URL.
    """
    if len(url) > _MAX_URL:
        return None
    try:
        parts = urlsplit(url if _is_url(url) and "//" in url else "//" + url)
    except ValueError:
        return None
    for name, value in parse_qsl(parts.query, keep_blank_values=False):
        if name.lower() not in _REDIRECT_PARAMS:
            continue
        text = _decoded(value)
        if name == "u" and (parts.hostname or "").endswith("urldefense.proofpoint.com"):
            text = _decoded(text.replace("-", "%").replace("_", "/"))
        if _is_url(text):
            return text
    return None


# Every link rule asks for every link's destination; the answer is pure, so it is kept.
@functools.lru_cache(maxsize=4096)
def _unwrap(url: str) -> str:
    """The link with the recipient's own link protection removed (several layers)."""
    for _ in range(MAX_UNWRAP):
        if not _host_in(url_host(url), _REWRITERS):
            return url
        inner = redirect_target(url)
        if inner is None:
            return url
        url = inner
    return url


def _evidence(targets: Iterable[Target], words: str = "") -> list[Evidence]:
    shown = []
    for target in list(targets)[:MAX_EVIDENCE]:
        link = target.link
        text = f"{words}{target.url}"
        if link.shown_text:
            text = f"{link.shown_text!r} → {target.url}"
        shown.append(Evidence(None, link.part or "body", text))
    return shown


def _sender_org(ctx: RuleContext) -> str | None:
    """The From domain's organisation (the one DMARC judges), as the analysis read it."""
    domain = ctx.auth.alignment.from_domain if ctx.auth is not None else from_domain(ctx.headers)[0]
    return None if domain is None else org_domain(domain) or domain


def _host_in(host: str | None, suffixes: frozenset[str]) -> bool:
    """Whether `host` is one of `suffixes` or a name under one (label by label, so the
    cost follows the host's length, not the table's)."""
    if not host:
        return False
    labels = host.split(".")
    return any(".".join(labels[i:]) in suffixes for i in range(len(labels)))


def _count(targets: list[Target], verb: str) -> str:
    """ "A link leads" / "3 links lead": the subject of a sentence, with its verb."""
    if len(targets) == 1:
        return f"A link {verb}s" if not verb.endswith("o") else f"A link {verb}es"
    return f"{len(targets)} links {verb}"


# --- the rules -------------------------------------------------------------------------


def link_text_mismatch(ctx: RuleContext) -> Iterator[Finding]:
    """A link whose visible text names one site while it leads to another."""
    candidates = [
        t for t in ctx.once(_targets) if t.link.mismatch and t.host is not None and not _shown_is(t)
    ]
    if not candidates:
        return  # the common case: nothing to weigh against the sender's own systems
    own = _sender_identities(ctx)
    bulk = bool(ctx.named("list-unsubscribe") or ctx.named("list-id"))
    mismatched = [t for t in candidates if not _tracked(t, own, bulk)]
    if not mismatched:
        return
    brands = [t for t in mismatched if _shown_brand(t) is not None]
    worst = brands[0] if brands else mismatched[0]
    brand = _shown_brand(worst)
    named = f", a {brand.name} address," if brand is not None else ""
    yield finding(
        "content.link_text_mismatch",
        Severity.HIGH if brand is not None else Severity.MEDIUM,
        "Link text names another site than the link leads to",
        f"The body shows {worst.link.shown_text!r}{named} but the link leads to "
        f"{worst.host}, another organisation. A reader trusts the text; the click goes "
        f"where the link says. {_count(mismatched, 'do')} this.",
        _evidence(brands + [t for t in mismatched if t not in brands]),
        strength="direct",
    )


def _tracked(target: Target, own: set[str], bulk: bool) -> bool:
    """Click tracking: the link goes through the sender's own systems or its sending
    service, which is how newsletters count clicks. A brand's address as the text stays
    suspicious unless the message is list or newsletter mail (which links the sender's
    pages on social networks through its tracker)."""
    org = org_domain(target.host or "") or target.host or ""
    if org not in _TRACKERS and org not in own:
        return False
    return bulk or _shown_brand(target) is None


def _sender_identities(ctx: RuleContext) -> set[str]:
    """Organisations that speak for the sender: From, Sender, Return-Path, DKIM signers
    and the List-Unsubscribe hosts."""
    orgs: set[str] = set()
    for field in ctx.headers:
        name = field.name.lower()
        if name in ("from", "sender", "return-path", "list-unsubscribe"):
            for word in re.findall(r"[\w.-]+\.[a-z]{2,}", field.value.lower()[:2000]):
                orgs.add(org_domain(word.rpartition("@")[2]) or "")
    if ctx.auth is not None:
        orgs.update(org_domain(s.domain) or "" for s in ctx.auth.dkim if s.domain)
    orgs.discard("")
    return orgs


def _shown_host(target: Target) -> str | None:
    shown = target.link.shown_text or ""
    return url_host(shown.split()[0]) if shown.strip() else None


def _shown_is(target: Target) -> bool:
    """Whether link protection's real target is the site the text names after all."""
    shown = _shown_host(target)
    return shown is not None and target.host is not None and same_org(shown, target.host)


def _shown_brand(target: Target) -> Brand | None:
    shown = _shown_host(target)
    if shown is None or target.host is None:
        return None
    for brand in BRANDS:
        if brand_owns(brand, shown) and not brand_owns(brand, target.host):
            return brand
    return None


def raw_ip_links(ctx: RuleContext) -> Iterator[Finding]:
    hits = [t for t in ctx.once(_targets) if _public_ip(t.host)]
    if hits:
        yield finding(
            "content.link_to_ip",
            Severity.MEDIUM,
            "Link to a bare IP address",
            f"{_count(hits, 'lead')} to a numeric address ({hits[0].host}"
            f"{_as_dotted(hits[0].host)}) instead of a name. Legitimate senders link to their "
            "own domains; a bare address hides who runs the site and is typical of phishing "
            "and malware downloads.",
            _evidence(hits),
            strength="heuristic",
        )


def _as_dotted(host: str | None) -> str:
    numeric = _numeric_host(host)
    return f", written as one number for {numeric}" if numeric is not None else ""


def _public_ip(host: str | None) -> bool:
    address = parse_ip((host or "").strip("[]")) or _numeric_host(host)
    return address is not None and scope_of(address) in (Scope.PUBLIC, Scope.DOCUMENTATION)


def _numeric_host(host: str | None) -> IPv4Address | None:
    """An IPv4 address written as one number (`http://2742879943/`, `http://0xA37C1E47/`),
    which browsers accept (WHATWG URL §4.4 IPv4 parser) and readers do not recognise."""
    text = (host or "").lower()
    try:
        value = int(text, 16) if text.startswith("0x") else int(text) if text.isdigit() else -1
    except ValueError:
        return None
    return IPv4Address(value) if 0 < value < 2**32 else None


def shortened_links(ctx: RuleContext) -> Iterator[Finding]:
    hits = [t for t in ctx.once(_targets) if t.host in SHORTENERS]
    if hits:
        yield finding(
            "content.link_shortener",
            Severity.LOW,
            "Link through a URL shortener",
            f"{_count(hits, 'go')} through a link shortener ({hits[0].host}), "
            "which hides the destination until the link is clicked. Common in marketing; "
            "also a way to slip a phishing page past filters.",
            _evidence(hits),
            strength="heuristic",
        )


def open_redirects(ctx: RuleContext) -> Iterator[Finding]:
    hits: list[tuple[Target, str, str]] = []
    for target in ctx.once(_targets):
        inner = redirect_target(target.url)
        inner_host = url_host(inner) if inner else None
        if inner is None or inner_host is None or target.host is None:
            continue
        outer_org = org_domain(target.host) or target.host
        if same_org(inner_host, target.host) or outer_org in _TRACKERS:
            continue
        hits.append((target, inner, inner_host))
    if not hits:
        return
    target, inner, inner_host = hits[0]
    evidence = [
        Evidence(None, t.link.part or "body", f"{t.url} → {dest}")
        for t, dest, _ in hits[:MAX_EVIDENCE]
    ]
    yield finding(
        "content.open_redirect",
        Severity.MEDIUM,
        "Link passes through a redirect to another site",
        f"A link goes to {target.host} but carries its real destination, {inner_host}, in "
        f"a parameter ({inner[:200]}). Redirects on well-known sites are used to make a "
        "link look like it goes somewhere trusted.",
        evidence,
        strength="heuristic",
    )


def hosted_pages(ctx: RuleContext) -> Iterator[Finding]:
    sender = _sender_org(ctx)
    targets = ctx.once(_targets)
    ipfs = [t for t in targets if _host_in(t.host, IPFS_GATEWAYS) or _IPFS_PATH.search(t.url)]
    free = [
        t
        for t in targets
        if t not in ipfs
        and _host_in(t.host, FREE_HOSTING)
        and not (sender and t.host and same_org(sender, t.host))
    ]
    if ipfs:
        yield finding(
            "content.ipfs_link",
            Severity.MEDIUM,
            "Link to a page on IPFS",
            f"{_count(ipfs, 'lead')} to IPFS (here through {ipfs[0].host}), "
            "a peer-to-peer store whose pages cannot be taken down. Ordinary senders "
            "almost never link there; phishing pages increasingly live there.",
            _evidence(ipfs),
            strength="heuristic",
        )
    if free:
        yield finding(
            "content.free_hosting_link",
            Severity.LOW,
            "Link to free web hosting or cloud storage",
            f"{_count(free, 'lead')} to {free[0].host}, on a free hosting or "
            "cloud function/storage service where anybody can publish a page in minutes "
            "under the provider's name. Phishing pages are often hosted so.",
            _evidence(free),
            strength="heuristic",
        )


def lookalike_links(ctx: RuleContext) -> Iterator[Finding]:
    recipients = _recipient_domains(ctx)
    # The sender's own domain is judged by the identity rules already (one finding for
    # one look-alike domain, wherever it shows).
    seen: set[str] = {_sender_org(ctx) or ""}
    imitating: list[tuple[Target, str, str]] = []
    branded: list[tuple[Target, Brand]] = []
    for target in ctx.once(_targets):
        host = target.host
        if host is None or parse_ip(host) is not None:
            continue
        org = org_domain(host) or host
        if org in seen or org in _TRACKERS or len(seen) > MAX_JUDGED_ORGS:
            continue
        seen.add(org)
        found = imitation(host, recipients)
        if found is not None and found.kind in ("recipient", "brand", "brand-name"):
            imitating.append((target, found.target, found.how))
        elif (brand := _brand_in_path(target)) is not None:
            branded.append((target, brand))
    if imitating:
        target, name, how = imitating[0]
        yield finding(
            "content.lookalike_link",
            Severity.HIGH,
            f"Link to a look-alike of {name}",
            f"A link leads to {target.host}, which {how} {name} without belonging to it. "
            "Such names are registered to pass as the real site at a glance.",
            _evidence(t for t, _, _ in imitating),
            strength="heuristic",
        )
    if branded:
        target, brand = branded[0]
        yield finding(
            "content.brand_in_link",
            Severity.MEDIUM,
            f"Link to a {brand.name} page on an unrelated site",
            f"A link's path names {brand.name} ({target.url[:200]}), but it is on "
            f"{target.host}, which is not one of {brand.name}'s sites. Phishing kits are "
            "uploaded to hacked or rented sites under folder names like this.",
            _evidence(t for t, _ in branded),
            strength="heuristic",
        )


def _brand_in_path(target: Target) -> Brand | None:
    if target.host is None:
        return None
    try:
        path = urlsplit(target.url if "//" in target.url else "//" + target.url).path
    except ValueError:
        return None
    words = set(_PATH_WORD.findall(path.lower()[:500]))
    if not words & _LOGIN_WORDS:
        return None
    for brand in BRANDS:
        if words & set(brand.labels) and not brand_owns(brand, target.host):
            return brand
    return None


def _recipient_domains(ctx: RuleContext) -> tuple[str, ...]:
    domains = []
    for check in ctx.auth.addresses if ctx.auth is not None else ():
        if check.header == "To" and check.address and "@" in check.address:
            domains.append(check.address.rpartition("@")[2].lower())
    return tuple(dict.fromkeys(domains))[:20]


RULES = (
    link_text_mismatch,
    lookalike_links,
    raw_ip_links,
    open_redirects,
    hosted_pages,
    shortened_links,
)
