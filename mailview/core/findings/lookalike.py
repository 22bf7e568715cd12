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
from functools import lru_cache

from mailview.core.domains import org_domain
from mailview.core.lazy_re import LazyPattern
from mailview.core.record import record

# --- brands ----------------------------------------------------------------------------


@record
class Brand:
    name: str  # as people write it
    labels: tuple[str, ...]  # registrable labels that are this brand's name
    domains: tuple[str, ...]  # organisational domains the brand sends from, main one first
    display: LazyPattern[str]  # how a display name names it (compiled when first asked)


def _brand(name: str, labels: str, domains: str, display: str) -> Brand:
    return Brand(name, tuple(labels.split()), tuple(domains.split()), LazyPattern(display, re.I))


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
    # Banks and card schemes phishing names often. Names that are ordinary words
    # (ING, Visa, Citi) get no registrable label, so no domain is judged by them.
    _brand("Barclays", "barclays", "barclays.com barclays.co.uk barclaycard.co.uk",
           r"\bbarclays\b"),
    _brand("Lloyds Bank", "lloydsbank", "lloydsbank.com lloydsbank.co.uk lloydsbankinggroup.com",
           r"\blloyds\s+bank\b"),
    _brand("NatWest", "natwest", "natwest.com", r"\bnat\s?west\b"),
    _brand("Citibank", "citibank", "citi.com citibank.com citigroup.com",
           r"\bcitibank\b|(?-i:\bCiti\b)\s+(?:bank|card|alerts?)"),
    _brand("Capital One", "capitalone", "capitalone.com", r"\bcapital\s?one\b"),
    _brand("American Express", "americanexpress amex", "americanexpress.com aexp.com amex.com",
           r"\bamerican\s+express\b|\bamex\b"),
    _brand("Deutsche Bank", "deutschebank", "db.com deutsche-bank.de deutschebank.com",
           r"\bdeutsche\s+bank\b"),
    _brand("Commerzbank", "commerzbank", "commerzbank.de commerzbank.com", r"\bcommerzbank\b"),
    _brand("Sparkasse", "sparkasse", "sparkasse.de", r"\bsparkasse\b"),
    _brand("ING", "", "ing.com ing.nl ing.de ing.be", r"(?-i:\bING\b)\s+(?:bank|diba|direct)"),
    _brand("BNP Paribas", "bnpparibas", "bnpparibas.com bnpparibas.fr", r"\bbnp\s+paribas\b"),
    _brand("Crédit Agricole", "creditagricole", "credit-agricole.fr credit-agricole.com",
           r"\bcr[ée]dit\s+agricole\b"),
    _brand("Rabobank", "rabobank", "rabobank.nl rabobank.com", r"\brabobank\b"),
    _brand("ABN AMRO", "abnamro", "abnamro.nl abnamro.com", r"\babn\s?amro\b"),
    _brand("Visa", "", "visa.com", r"(?-i:\bVISA\b|\bVisa\b)\s+(?:card|secure|security)"),
    _brand("Mastercard", "mastercard", "mastercard.com", r"\bmaster\s?card\b"),
    # Parcel and postal services: "your parcel could not be delivered".
    _brand("USPS", "usps", "usps.com usps.gov", r"\busps\b|\bus\s+postal\s+service\b"),
    _brand("Royal Mail", "royalmail", "royalmail.com royalmail.co.uk", r"\broyal\s?mail\b"),
    _brand("DPD", "", "dpd.com dpd.de dpd.co.uk dpdgroup.com", r"(?-i:\bDPD\b)"),
    _brand("Evri", "", "evri.com myhermes.co.uk hermesworld.com", r"(?-i:\bEvri\b)"),
    _brand("PostNL", "postnl", "postnl.nl postnl.com", r"\bpostnl\b"),
    _brand("La Poste", "laposte", "laposte.fr laposte.net colissimo.fr",
           r"\bla\s+poste\b|\bcolissimo\b"),
    _brand("Canada Post", "canadapost", "canadapost.ca canadapost-postescanada.ca",
           r"\bcanada\s+post\b"),
    _brand("Australia Post", "auspost", "auspost.com.au", r"\baustralia\s+post\b|\bauspost\b"),
    # Webmail and mailbox providers: "your mailbox is full".
    _brand("Yahoo", "yahoo", "yahoo.com yahoo.co.uk yahoo.co.jp yahoo-inc.com yahoogroups.com",
           r"\byahoo!?\s*(?:mail|account|team|security)?\b"),
    _brand("AOL", "", "aol.com aol.co.uk", r"(?-i:\bAOL\b)"),
    _brand("Zimbra", "zimbra", "zimbra.com", r"\bzimbra\b"),
    _brand("GMX", "", "gmx.net gmx.de gmx.com", r"(?-i:\bGMX\b)"),
    _brand("Proton", "protonmail", "proton.me protonmail.com protonmail.ch", r"\bproton\s?mail\b"),
    # Collaboration and file-sharing brands used as the lure for "a document was shared".
    _brand("Zoom", "", "zoom.us zoom.com", r"(?-i:\bZoom\b)\s+(?:meeting|video|invitation|call)"),
    _brand("Slack", "", "slack.com", r"(?-i:\bSlack\b)\s+(?:workspace|team|message)"),
    _brand("WeTransfer", "wetransfer", "wetransfer.com", r"\bwe\s?transfer\b"),
    _brand("Box", "", "box.com boxcdn.net", r"(?-i:\bBox\b)\s+(?:file|document|folder|shared)"),
    _brand("Webex", "webex", "webex.com cisco.com", r"\bwebex\b"),
    _brand("Atlassian", "atlassian", "atlassian.com atlassian.net",
           r"\batlassian\b|\bconfluence\b"),
    # Developer and sending platforms: their account notices ("API key created", "your
    # domain is suspended") are a favourite lure for stealing sending credentials.
    _brand("Mailgun", "mailgun", "mailgun.com mailgun.net mailgun.org", r"\bmailgun\b"),
    _brand("SendGrid", "sendgrid", "sendgrid.com sendgrid.net twilio.com", r"\bsend\s?grid\b"),
    _brand("Mailchimp", "mailchimp", "mailchimp.com mcsv.net mandrillapp.com intuit.com",
           r"\bmail\s?chimp\b"),
    _brand("GitHub", "github", "github.com githubapp.com", r"\bgit\s?hub\b"),
    _brand("Stripe", "", "stripe.com", r"(?-i:\bStripe\b)\s+(?:support|billing|payments?|team)"),
    _brand("Coinbase", "coinbase", "coinbase.com", r"\bcoinbase\b"),
)  # fmt: skip


def _required_words(pattern: str) -> frozenset[str]:
    """One word per top-level alternative of `pattern` that every match of it contains
    (its longest literal run outside optional and alternative groups), lower case; ""
    when an alternative has none, which makes the pattern always worth trying."""
    alternatives: list[list[str]] = [[]]
    groups: list[bool] = []  # open groups; True for a flag group, which alternates nothing
    i, run = 0, ""
    while i < len(pattern):
        char, depth = pattern[i], groups.count(False)
        if char == "\\":
            i, run = i + 2, _flush(run, alternatives, depth)
            continue
        if pattern.startswith(("(?-i:", "(?i:"), i):
            run = _flush(run, alternatives, depth)
            i = pattern.index(":", i) + 1
            groups.append(True)
            continue
        if char.isalnum():
            run += char
        else:
            run = _flush("" if char in "?*" else run, alternatives, depth)
            if char == "(":
                groups.append(False)
            elif char == ")" and groups:
                groups.pop()
            elif char == "|" and depth == 0:
                alternatives.append([])
        i += 1
    _flush(run, alternatives, groups.count(False))
    return frozenset(max(words, key=len).lower() if words else "" for words in alternatives)


def _flush(run: str, alternatives: list[list[str]], depth: int) -> str:
    if run and depth == 0:
        alternatives[-1].append(run)
    return ""


# A case-insensitive regex with word boundaries is tried at every character of a text;
# sixty of them cost more than the rest of the analysis. A substring test for the words
# each pattern needs (C speed) leaves only the few brands that may be named to the regex.
_TRIGGERS: dict[str, set[int]] = {}
for _position, _named in enumerate(BRANDS):
    for _word in _required_words(_named.display.pattern):
        _TRIGGERS.setdefault(_word, set()).add(_position)


# A text names a trigger word when the word is a substring of it: one C-speed test per
# word, for the short texts (display names, subjects) asked about, and nothing to build.
_WORDS = tuple(word for word in _TRIGGERS if word)
_ALWAYS = _TRIGGERS.get("", set())


def brands_named(text: str) -> list[Brand]:
    """The brands `text` names (as a display name would), in table order."""
    folded = text.casefold()  # as re.IGNORECASE folds: "ſ" is an "s" to both
    maybe = set(_ALWAYS).union(*(_TRIGGERS[word] for word in _WORDS if word in folded))
    return [BRANDS[i] for i in sorted(maybe) if BRANDS[i].display.search(text)]


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
    import idna  # noqa: PLC0415 - its tables load only for a punycoded label

    try:
        return str(idna.decode(label))
    except (idna.IDNAError, UnicodeError, ValueError):
        pass
    try:  # IDNA2008 refuses some code points; the raw Punycode still shows the trick
        return label[4:].encode("ascii").decode("punycode")
    except (UnicodeError, ValueError):
        return label


def unicode_domain(domain: str) -> str:
    if "xn--" not in domain:
        return domain  # no label starts with it: every label is its own Unicode form
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
    if label.isascii():
        return None  # its letters are A-Z and a-z, all Latin: no trick to find
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


@record
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
    return _imitation_alone(domain)


# The same sending and link domains come to many recipients: what a domain imitates
# whoever receives it is judged once for all of them.
@lru_cache(maxsize=2048)
def _imitation_alone(domain: str) -> Imitation | None:
    """A brand `domain` imitates, or the script trick it plays; None if neither."""
    org = org_domain(domain) or domain
    shown = unicode_domain(org)
    return _brand_imitation(domain, org, shown) or _script_imitation(shown)


def _deletions(word: str, limit: int = 2) -> set[str]:
    """`word` with up to `limit` characters deleted (the symmetric-delete neighbourhood:
    two strings within edit distance k share a string with at most k deletions each)."""
    found, frontier = {word}, {word}
    for _ in range(limit):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


def _brand_index() -> tuple[dict[str, set[tuple[int, int]]], dict[str, set[tuple[int, int]]]]:
    """(skeleton → brand labels, deletion string → brand labels), as (brand, label) positions.

    A pair is misspelt within the edit limit of the shorter one (`resemblance`), so a
    label is indexed by the deletions that limit allows at its own length and no more:
    a longer word is allowed no more edits against it. That is half the strings of two
    deletions each, and the same candidates that can match.
    """
    skeletons: dict[str, set[tuple[int, int]]] = {}
    deletions: dict[str, set[tuple[int, int]]] = {}
    for b, brand in enumerate(BRANDS):
        for n, label in enumerate(brand.labels):
            skeletons.setdefault(skeleton(label), set()).add((b, n))
            for gone in _deletions(label, _edit_limit(len(label))):
                deletions.setdefault(gone, set()).add((b, n))
    return skeletons, deletions


# Comparing a name with every brand label costs a hundred distance computations; the
# index narrows it to the labels that could possibly match (same skeleton, or a shared
# deletion string), and only those are compared.
_SKELETONS, _DELETIONS = _brand_index()


def _candidates(word: str) -> set[tuple[int, int]]:
    """The brand labels `word` may resemble: every label of the same skeleton, and every
    label within the edit distance `resemblance` allows (others besides, which it turns
    down)."""
    found = set(_SKELETONS.get(skeleton(word), ()))
    # The distance test allows `_edit_limit` of the shorter name's length, so never more
    # than that of `word`'s: a label that many edits away shares a string with `word`
    # after that many deletions from each, and deeper deletions of `word` (a few hundred
    # strings for a long word) could only find labels the distance test turns down.
    depth = _edit_limit(len(word))
    if depth and len(word) <= 63:  # a DNS label; longer words are not names anybody reads
        for gone in _deletions(word, depth):
            if gone in _DELETIONS:
                found.update(_DELETIONS[gone])
    return found


def _brand_imitation(domain: str, org: str, shown: str) -> Imitation | None:
    label = shown.split(".", 1)[0]
    words = [w for w in label.split("-") if w]
    pairs = sorted(
        (b, n, word) for word in {label, *words} for b, n in _candidates(word)
    )  # table order: the first brand that matches wins, as before the index
    for b, n, word in pairs:
        brand = BRANDS[b]
        if brand_owns(brand, org):
            continue
        how = resemblance(word, brand.labels[n])
        if how is not None:
            return Imitation("brand", brand.name, _HOW[how])
    return _brand_name_used(domain, org, label, words)


_BY_LABEL: dict[str, set[int]] = {}
_BY_DOMAIN: dict[str, set[int]] = {}
for _i, _listed in enumerate(BRANDS):
    for _label in _listed.labels:
        _BY_LABEL.setdefault(_label, set()).add(_i)
    for _domain in _listed.domains:
        _BY_DOMAIN.setdefault(_domain, set()).add(_i)


def _brand_name_used(domain: str, org: str, label: str, words: list[str]) -> Imitation | None:
    """A brand's name as a word of another domain (`paypal-secure-login.com`), or a brand's
    whole domain written in front of another (`paypal.com.secure.example`)."""
    prefix = "." + domain[: -len(org)] if domain.endswith(org) else ""
    candidates = {i for w in words for i in _BY_LABEL.get(w, ())}
    # Every run of labels in the subdomain part, to look up as a brand's whole domain.
    parts = [p for p in prefix.split(".") if p]
    runs = {".".join(parts[i:j]) for i in range(len(parts)) for j in range(i + 2, len(parts) + 1)}
    candidates |= {i for run in runs for i in _BY_DOMAIN.get(run, ())}
    for i in sorted(candidates):  # table order, as the first brand that matches wins
        brand = BRANDS[i]
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
