"""Look-alike domains: names built to be mistaken for a brand's or the recipient's own.

Strategy:

1. Everything is compared at the *organisational* domain (Public Suffix List, via
   `domains.org_domain`): `mail.paypa1-billing.example` is judged as
   `paypa1-billing.example`, whose first label `paypa1-billing` is what a reader takes
   for the name. Subdomains are free to choose for whoever owns the name, so they never
   make a domain look alike on their own (except a whole brand domain written in front of
   another one, `paypal.com.secure.example`, a trick of its own).
2. A *skeleton* (in the spirit of Unicode TS #39 §4, with a deliberately small table)
   maps characters that look the same to one representative: NFKD without accents,
   Cyrillic/Greek letters shaped like Latin ones, digits shaped like letters (0→o,
   1→l, 5→s…), `i`/`1`/`l` all to `l`, `rn`→`m`, `vv`→`w`. Both sides are mapped, so an
   ambiguous character (is `1` an `l` or an `i`?) needs no guess. Two different names
   with the same skeleton are confusable.
3. Typing errors are caught with the Damerau–Levenshtein distance (optimal string
   alignment: insert, delete, substitute, swap two neighbours): at most 1 for names of 6+
   characters, 2 for 10+. Shorter names are left out of the distance test because too
   many unrelated short names are one edit apart (`apple`/`apply`, `cloud`/`icloud`).
4. Punycode labels (`xn--`) are decoded and their characters' scripts read from
   `unicodedata.name` (its first word: LATIN, CYRILLIC, GREEK, CJK…). Several scripts in
   one label, or a label written wholly in non-Latin letters that all look Latin, is the
   IDN homograph trick even when no known name is imitated.

Everything here is pure and table-driven; identity.py turns the answers into findings.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import idna

from mailview.core.domains import org_domain

# --- brands ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Brand:
    name: str  # as people write it
    labels: tuple[str, ...]  # registrable labels that are this brand's name
    domains: tuple[str, ...]  # organisational domains the brand sends from, main one first
    display: re.Pattern[str]  # how a display name names it


def _brand(name: str, labels: str, domains: str, display: str) -> Brand:
    return Brand(name, tuple(labels.split()), tuple(domains.split()), re.compile(display, re.I))


# A small table of the brands phishing imitates most (APWG/vendor top-target lists keep
# naming the same few dozen). Display-name patterns are case-insensitive; words that are
# also first names or ordinary words (Chase, Apple, Meta, Outlook, UPS, IRS) need a
# qualifying word or their exact capitalisation, so "Chase Miller" is nobody's bank.
BRANDS: tuple[Brand, ...] = (
    _brand(
        "PayPal",
        "paypal",
        "paypal.com paypal.me paypal-communication.com paypalobjects.com paypal-community.com",
        r"\bpay\s?pal\b",
    ),
    _brand(
        "Microsoft",
        "microsoft office365 outlook onedrive sharepoint microsoftonline hotmail",
        "microsoft.com office.com office365.com outlook.com live.com hotmail.com msn.com "
        "microsoftonline.com sharepoint.com onmicrosoft.com microsoftstore.com "
        "microsoft365.com windows.com azure.com skype.com xbox.com",
        r"\bmicrosoft\b|\b(?:office|microsoft|ms|m365|o365)\s?365\b|\bonedrive\b|\bsharepoint\b"
        r"|\boutlook\s+(?:team|support|web|security|account|mail|service)",
    ),
    _brand(
        "Apple",
        "apple icloud itunes",
        "apple.com icloud.com me.com mac.com itunes.com",
        r"\bapple\s+(?:id|support|store|pay|music|care|inc)\b|\bicloud\b|\bitunes\b|\bapp\s+store\b",
    ),
    _brand(
        "Amazon",
        "amazon",
        "amazon.com amazonses.com amazonaws.com a2z.com aws.com primevideo.com",
        r"\bamazon\b",
    ),
    _brand(
        "Google",
        "google gmail youtube",
        "google.com gmail.com googlemail.com youtube.com googlegroups.com withgoogle.com "
        "google.org",
        r"\bgoogle\b|\bgmail\b",
    ),
    _brand("DHL", "dhl", "dhl.com dhl.de dpdhl.com deutschepost.de", r"\bdhl\b"),
    _brand("FedEx", "fedex", "fedex.com", r"\bfed\s?ex\b"),
    _brand("UPS", "ups", "ups.com", r"(?-i:\bUPS\b)"),
    _brand("Netflix", "netflix", "netflix.com netflix.net", r"\bnetflix\b"),
    _brand("LinkedIn", "linkedin", "linkedin.com", r"\blinked\s?in\b"),
    _brand(
        "Facebook",
        "facebook",
        "facebook.com facebookmail.com fb.com meta.com metamail.com",
        r"\bfacebook\b|\bmeta\s+(?:for\s+business|business|support|platforms|ads)\b",
    ),
    _brand("Instagram", "instagram", "instagram.com mail.instagram.com", r"\binstagram\b"),
    _brand("WhatsApp", "whatsapp", "whatsapp.com whatsapp.net", r"\bwhats\s?app\b"),
    _brand("DocuSign", "docusign", "docusign.com docusign.net", r"\bdocu\s?sign\b"),
    _brand("Dropbox", "dropbox", "dropbox.com dropboxmail.com", r"\bdropbox\b"),
    _brand("Adobe", "adobe", "adobe.com adobesign.com echosign.com", r"\badobe\b"),
    _brand("Wells Fargo", "wellsfargo", "wellsfargo.com wf.com", r"\bwells\s?fargo\b"),
    _brand(
        "Chase",
        "chase jpmorganchase",
        "chase.com jpmorgan.com jpmchase.com jpmorganchase.com",
        r"\bchase\s+(?:bank|online|alerts?|card|fraud|security|services?)\b|\bjp\s?morgan\s+chase\b",
    ),
    _brand(
        "Bank of America",
        "bankofamerica",
        "bankofamerica.com bofa.com",
        r"\bbank\s+of\s+america\b|\bbofa\b",
    ),
    _brand("HSBC", "hsbc", "hsbc.com hsbc.co.uk hsbc.com.hk", r"\bhsbc\b"),
    _brand("Santander", "santander", "santander.com santander.co.uk", r"\bsantander\b"),
    _brand("IRS", "irs", "irs.gov", r"(?-i:\bIRS\b)|\binternal\s+revenue\s+service\b"),
    _brand("HMRC", "hmrc", "hmrc.gov.uk", r"\bhmrc\b|\bhm\s+revenue\b"),
)


def brand_owns(brand: Brand, domain: str) -> bool:
    """Whether `domain` is one of the brand's own.

    Beyond the table, `<brand label>.<country code>` counts as the brand's (amazon.de,
    dhl.co.uk, santander.es): big brands register their name under every country code,
    and no table keeps up with them. Under a generic suffix (`paypal.xyz`) the name is
    anybody's.
    """
    org = org_domain(domain) or domain
    if org in brand.domains:
        return True
    label, _, suffix = org.partition(".")
    return label in brand.labels and len(suffix.rsplit(".", 1)[-1]) == 2


# --- skeletons and distances -----------------------------------------------------------

# Letters of other scripts drawn like Latin ones (a subset of Unicode's confusables.txt
# that covers the homograph attacks seen in practice), and digits drawn like letters.
_CONFUSABLE = str.maketrans(
    {
        # Cyrillic
        "а": "a", "е": "e", "ё": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x",
        "і": "l", "ї": "l", "ј": "j", "ѕ": "s", "һ": "h", "ԁ": "d", "ӏ": "l", "к": "k",
        "ԛ": "q", "ԝ": "w", "п": "n",
        # Greek
        "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "l", "κ": "k", "ν": "v", "ο": "o",
        "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w", "γ": "y",
        # Latin letters and digits that stand in for others
        "0": "o", "1": "l", "i": "l", "|": "l", "3": "e", "4": "a", "5": "s", "7": "t",
        "8": "b", "9": "g", "ı": "l", "ɡ": "g", "ɑ": "a",
    }
)  # fmt: skip
_MULTI = (("rn", "m"), ("vv", "w"))
# Real, unrelated names a typing error away from a brand in the table (PayPay is a
# Japanese payment service, paypay.ne.jp).
_KNOWN_DISTINCT = frozenset({"paypay"})


@lru_cache(maxsize=4096)
def skeleton(text: str) -> str:
    """A form in which look-alike spellings coincide: `paypa1` and `paypal` → `paypal`."""
    folded = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in folded if not unicodedata.combining(c)).translate(_CONFUSABLE)
    for pair, single in _MULTI:
        plain = plain.replace(pair, single)
    return plain


def distance(a: str, b: str, limit: int) -> int:
    """Damerau–Levenshtein distance (optimal string alignment), or `limit + 1` if larger."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous: list[int] = []
    row = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        before, previous, row = previous, row, [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            cost = char_a != char_b
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                row[j] = min(row[j], before[j - 2] + 1)
        if min(row) > limit:
            return limit + 1  # every path is already too long
    return min(row[-1], limit + 1)


def _edit_limit(shortest: int) -> int:
    return 2 if shortest >= 10 else 1 if shortest >= 6 else 0


def resemblance(candidate: str, target: str, basis: int | None = None) -> str | None:
    """How `candidate` imitates `target`: "confusable", "misspelt", or None.

    `basis` is the length the thresholds go by (the shorter name's by default; for whole
    domains, the shorter first label's, so that `.com` does not lengthen a short name).
    Identical strings do not imitate each other: the caller decides what "the same" is.
    """
    if candidate == target or candidate in _KNOWN_DISTINCT:
        return None
    size = min(len(candidate), len(target)) if basis is None else basis
    if size >= 4 and skeleton(candidate) == skeleton(target):
        return "confusable"
    limit = _edit_limit(size)
    if limit and distance(candidate, target, limit) <= limit:
        return "misspelt"
    return None


# --- scripts ---------------------------------------------------------------------------

# East Asian scripts are written together (Japanese mixes kanji and kana), and with
# Latin; Unicode's "highly restrictive" profile (TS #39 §5.2) allows these mixtures.
_CJK = frozenset({"CJK", "HIRAGANA", "KATAKANA", "HANGUL", "BOPOMOFO", "IDEOGRAPHIC"})


def unicode_label(label: str) -> str:
    """`xn--pypal-4ve` → `pаypal`; other labels unchanged. Never raises."""
    if not label.startswith("xn--"):
        return label
    try:
        return str(idna.decode(label))
    except (idna.IDNAError, UnicodeError, ValueError):
        pass
    try:  # IDNA2008 refuses some code points; the raw Punycode still shows the trick
        return label[4:].encode("ascii").decode("punycode")
    except (UnicodeError, ValueError):
        return label


def unicode_domain(domain: str) -> str:
    return ".".join(unicode_label(label) for label in domain.split("."))


def scripts(label: str) -> frozenset[str]:
    """The scripts of the letters in `label` (digits and hyphens belong to none)."""
    found = set()
    for char in label:
        if not unicodedata.category(char).startswith("L"):
            continue
        word = unicodedata.name(char, "UNKNOWN").split(" ", 1)[0]
        found.add("CJK" if word in _CJK else word)
    return frozenset(found)


def script_trick(label: str) -> str | None:
    """Why a decoded label looks like a homograph: mixed scripts, or all Latin look-alikes."""
    found = scripts(label)
    if "CJK" in found and found <= {"CJK", "LATIN"}:
        return None
    if len(found) > 1:
        return f"mixes {' and '.join(sorted(s.title() for s in found))} letters"
    if found and found != {"LATIN"}:
        letters = [c for c in label if unicodedata.category(c).startswith("L")]
        if all(c.translate(_CONFUSABLE).isascii() for c in letters):
            (script,) = found
            return f"is written in {script.title()} letters that all look like Latin ones"
    return None


# --- judging one domain ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Imitation:
    """What a domain seems to imitate, and how."""

    kind: str  # "recipient" | "brand" | "brand-name" | "script"
    target: str  # the imitated domain or brand, as people read it
    how: str  # in words: "looks the same as", "is one typing error away from", …


_MAX_DOMAIN = 253  # RFC 1035 §2.3.4, in the dotted text form
_HOW = {
    "confusable": "is spelt with look-alike characters to read as",
    "misspelt": "differs by a typing error or two from",
}


# Pure, and every message asks about the same few sending domains: comparing one against
# every brand costs a hundred microseconds, a remembered answer nothing.
@lru_cache(maxsize=2048)
def imitation(domain: str, recipients: tuple[str, ...]) -> Imitation | None:
    """The most serious imitation `domain` commits, or None.

    `domain` and `recipients` are lower-case A-label host names. The recipient's own
    domain comes first (a message to contoso.example from contoso.exarnple is aimed at
    that organisation), then brands, then a brand name used as a word in another domain,
    then scripts alone.
    """
    if len(domain) > _MAX_DOMAIN:
        return None  # not a domain name; and the distance test is quadratic in length
    org = org_domain(domain) or domain
    shown = unicode_domain(org)
    for recipient in recipients:
        target = org_domain(recipient) or recipient
        if target == org or not target or len(target) > _MAX_DOMAIN:
            continue
        target_shown = unicode_domain(target)
        basis = min(len(shown.split(".", 1)[0]), len(target_shown.split(".", 1)[0]))
        how = resemblance(shown, target_shown, basis)
        if how is not None:
            return Imitation("recipient", target_shown, _HOW[how])
    return _brand_imitation(domain, org, shown) or _script_imitation(shown)


def _brand_imitation(domain: str, org: str, shown: str) -> Imitation | None:
    label = shown.split(".", 1)[0]
    words = [w for w in label.split("-") if w]
    for brand in BRANDS:
        if brand_owns(brand, org):
            continue
        for brand_label in brand.labels:
            for word in {label, *words}:
                how = resemblance(word, brand_label)
                if how is not None:
                    return Imitation("brand", brand.name, _HOW[how])
    return _brand_name_used(domain, org, label, words)


def _brand_name_used(domain: str, org: str, label: str, words: list[str]) -> Imitation | None:
    """A brand's name as a word of another domain (`paypal-secure-login.com`), or a brand's
    whole domain written in front of another (`paypal.com.secure.example`)."""
    prefix = "." + domain[: -len(org)] if domain.endswith(org) else ""
    for brand in BRANDS:
        if brand_owns(brand, org):
            continue
        named = any(w in brand.labels for w in words) and (len(words) > 1 or label in brand.labels)
        fronted = any(f".{d}." in prefix for d in brand.domains)
        if named or fronted:
            return Imitation("brand-name", brand.name, "carries the name of")
    return None


def _script_imitation(shown: str) -> Imitation | None:
    for label in shown.split("."):
        trick = script_trick(label)
        if trick is not None:
            return Imitation("script", label, trick)
    return None
