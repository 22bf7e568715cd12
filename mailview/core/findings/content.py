"""Rules about what the message's own headers reveal: sending software, tricks in names.

Strategy: the sender's mail program, web script and text are all written by the sender,
so nothing here is proof; what counts is the signature of a tool or trick that honest
mail rarely carries:

* the sending software (X-Mailer, User-Agent) matched against a small table of
  phishing toolkits, desktop mass-mailers and the defaults of kit-favoured libraries;
* PHP's own X-PHP-Originating-Script header, added when a web script sent the mail;
* characters in From and Subject (after RFC 2047 decoding) that make text look like
  something else: letters of two alphabets inside one word, invisible characters,
  right-to-left overrides;
* a List-Unsubscribe pointing at an organisation that nothing else in the message names.

Legitimate email service providers (ESPs) are not suspicious by themselves and stay out
of the tables.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

from mailview.core.auth.addresses import parse_mailboxes
from mailview.core.domains import normalise_host, org_domain
from mailview.core.findings.context import RuleContext, finding
from mailview.core.lazy_re import LazyPattern
from mailview.core.model import Evidence, Finding, HeaderField, Severity
from mailview.core.summary import decode_words

# Headers in which a mail program names itself.
_MAILER_HEADERS = frozenset({"x-mailer", "user-agent", "x-mail-agent", "x-mailer-version"})


def _evidence(field: HeaderField) -> Evidence:
    return Evidence(field.index, field.name, field.raw)


def _first(ctx: RuleContext, name: str) -> HeaderField | None:
    return ctx.first(name)


# --- sending software ----------------------------------------------------------------


class _Tool(NamedTuple):
    """One known sending tool: how it names itself and how bad it is to see it."""

    name: str
    pattern: re.Pattern[str]
    severity: Severity
    kind: str  # "phishing_toolkit" | "mass_mailer"
    why: str


_TOOLS: tuple[_Tool, ...] = (
    # Phishing frameworks: made to send phishing, by criminals or by a company's own
    # awareness team; either way the recipient's security team should know.
    _Tool(
        "Gophish",
        re.compile(r"\bgophish\b", re.I),
        Severity.HIGH,
        "phishing_toolkit",
        "Gophish is a phishing-campaign framework, used by attackers and by companies "
        "running phishing-awareness tests",
    ),
    _Tool(
        "King Phisher",
        re.compile(r"king[\s_-]?phisher", re.I),
        Severity.HIGH,
        "phishing_toolkit",
        "King Phisher is a phishing-campaign framework",
    ),
    _Tool(
        "Evilginx",
        re.compile(r"evilginx", re.I),
        Severity.HIGH,
        "phishing_toolkit",
        "Evilginx is a phishing toolkit that steals logins and session cookies",
    ),
    _Tool(
        "Leaf PHPMailer",
        re.compile(r"\bleaf\s*php\s*mailer", re.I),
        Severity.HIGH,
        "phishing_toolkit",
        "Leaf PHPMailer is a mailer script sold for sending phishing and spam from hacked "
        "web sites",
    ),
    # Desktop mass-mailers: honest bulk mail goes through an email service provider;
    # these programs send it straight from a PC and are a spammer's favourite.
    *(
        _Tool(
            name,
            re.compile(pattern, re.I),
            Severity.MEDIUM,
            "mass_mailer",
            f"{name} is desktop mass-mailing software, much used for spam",
        )
        for name, pattern in (
            ("Atomic Mail Sender", r"atomic\s*mail\s*sender"),
            ("SendBlaster", r"send\s*blaster"),
            ("MailKing", r"\bmail\s*king\b"),
            ("Super-Mailer", r"\bsuper-?mailer\b"),
            ("1st Mailer", r"\b1st\s*mailer\b"),
            ("Advanced Mass Sender", r"advanced\s*mass\s*sender"),
            ("Dark Mailer", r"\bdark\s*mailer\b"),
            ("Send-Safe", r"\bsend-safe\b"),
        )
    ),
    _Tool(
        "Email Marketing Software",
        re.compile(r"^\s*e-?mail\s+marketing\s+software\b", re.I),
        Severity.LOW,
        "mass_mailer",
        "a generic bulk-mailing program names itself this way",
    ),
)

# PHPMailer's default X-Mailer: "PHPMailer 6.1.4 (https://github.com/PHPMailer/PHPMailer)",
# older ones "PHPMailer [version 1.73]" or "PHPMailer 5.2.9 (phpmailer.sourceforge.net)".
_PHPMAILER = re.compile(r"phpmailer\s*(?:\[version\s*)?v?(\d{1,3})?", re.I)
_PHPMAILER_KIT_URL = "github.com/phpmailer/phpmailer"
# The Bat! 1.x/2.x were current around 2000-2004; spam software still forges them.
_THE_BAT = LazyPattern(r"the\s*bat!\s*\(v?(\d{1,2})\.", re.I)


def mailer_signature(ctx: RuleContext) -> Iterator[Finding]:
    for field in ctx.headers:
        name = field.name.lower()
        if name.startswith(("x-gophish", "x-evilginx")):
            tool = "Gophish" if "gophish" in name else "Evilginx"
            yield _toolkit_header(field, tool)
        elif name in _MAILER_HEADERS:
            found = _match_mailer(field)
            if found is not None:
                yield found


def _toolkit_header(field: HeaderField, tool: str) -> Finding:
    return finding(
        "content.phishing_toolkit",
        Severity.HIGH,
        f"Sent with the {tool} phishing framework",
        f"The message carries a {field.name} header, which only {tool} adds. It is a "
        "phishing-campaign tool; unless your own security team runs an awareness test "
        "with it, treat the message as phishing.",
        [_evidence(field)],
        strength="heuristic",
    )


def _match_mailer(field: HeaderField) -> Finding | None:
    value = field.value.strip()
    for tool in _TOOLS:
        if tool.pattern.search(value):
            return finding(
                f"content.{tool.kind}",
                tool.severity,
                f"Sent with {tool.name}",
                f"{field.name} names '{value[:120]}': {tool.why}.",
                [_evidence(field)],
                strength="heuristic",
            )
    return _phpmailer(field, value) or _old_the_bat(field, value)


def _phpmailer(field: HeaderField, value: str) -> Finding | None:
    match = _PHPMAILER.search(value)
    if match is None:
        return None
    major = int(match.group(1)) if match.group(1) else None
    old = major is not None and major < 6
    kit_url = _PHPMAILER_KIT_URL in value.lower()
    if old or kit_url:
        why = (
            f"version {major} is outdated (before 6.0) and had serious security holes"
            if old
            else "this exact default signature, with the project's address, is what the "
            "phishing kits that bundle PHPMailer leave in place"
        )
        severity = Severity.MEDIUM
    else:
        why = "it is a common PHP library, used by web sites and phishing kits alike"
        severity = Severity.LOW
    return finding(
        "content.phpmailer",
        severity,
        "Sent by a PHP script (PHPMailer)",
        f"{field.name} says '{value[:120]}': the message was sent by a script on a web "
        f"server, not by a mail program; {why}. Mail from compromised web sites is "
        "often sent this way.",
        [_evidence(field)],
        strength="heuristic",
    )


def _old_the_bat(field: HeaderField, value: str) -> Finding | None:
    match = _THE_BAT.search(value)
    if match is None or int(match.group(1)) >= 3:
        return None
    return finding(
        "content.forged_client",
        Severity.LOW,
        "Claims a very old version of The Bat!",
        f"{field.name} says '{value[:120]}', a version of The Bat! mail program from "
        "around 2000-2004. Spam-sending software is known to write this name to look "
        "like a person's mail program.",
        [_evidence(field)],
        strength="heuristic",
    )


# --- PHP's own header -------------------------------------------------------------------


def php_script(ctx: RuleContext) -> Iterator[Finding]:
    for field in ctx.headers:
        if field.name.lower() not in {"x-php-originating-script", "x-php-script"}:
            continue
        script = _script_name(field.value)
        yield finding(
            "content.php_script",
            Severity.MEDIUM,
            f"Sent by the web script {script}",
            f"PHP added {field.name}, naming the script that sent this message: {script}. "
            "The mail came from a web site (a contact form, a shop — or a script planted "
            "on a hacked site), not from a person's mail program.",
            [_evidence(field)],
            strength="heuristic",
        )


def _script_name(value: str) -> str:
    """`1000:mailer.php` (uid:script) or `host/path.php for 1.2.3.4` → the script."""
    text = value.strip()
    uid, sep, rest = text.partition(":")
    if sep and uid.isdigit():
        text = rest
    script = text.split(" for ", 1)[0].strip()
    return f"'{script[:120]}'" if script else "(not named)"


# --- deceptive characters in From and Subject -------------------------------------------

# Alphabets whose letters look like Latin ones (а/a, е/e, ο/o, Ꭺ/A, …); mixing two of
# them inside one word is how look-alike brand names are made.
_CONFUSABLE_SCRIPTS = frozenset({"LATIN", "CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE"})
_WORD = re.compile(r"[^\W\d_]+")
# Invisible characters that break up words for filters; ZWNJ/ZWJ are legitimate between
# letters of Persian, Indic scripts and emoji, so they count only between Latin-like ones.
_ALWAYS_INVISIBLE = frozenset({"\u200b", "\u2060", "\ufeff"})
_JOINERS = frozenset({"\u200c", "\u200d"})
# Bidi overrides reverse how text is shown ("gpj.exe" shown as "exe.jpg"); embeddings
# and isolates are legitimate around right-to-left words, so they count only without any.
_OVERRIDES = frozenset({"\u202d", "\u202e"})
_EMBEDDINGS = frozenset({"\u202a", "\u202b", "\u202c", "\u2066", "\u2067", "\u2068", "\u2069"})
_INVISIBLE = re.compile(f"[{''.join(sorted(_ALWAYS_INVISIBLE | _JOINERS))}]")


@lru_cache(maxsize=4096)
def _script(char: str) -> str | None:
    if not char.isalpha():
        return None
    name = unicodedata.name(char, "")
    return name.split(" ", 1)[0] if name else None


def _checked_fields(ctx: RuleContext) -> Iterator[tuple[HeaderField, str]]:
    for name in ("from", "subject"):
        field = _first(ctx, name)
        if field is not None:
            yield field, decode_words(field.value)


def mixed_scripts(ctx: RuleContext) -> Iterator[Finding]:
    for field, text in _checked_fields(ctx):
        if not _may_mix(text):
            continue
        found = _WORD.findall(text)
        mixing = {w for w in dict.fromkeys(found) if _mixes(w)}  # each word judged once
        words = [w for w in found if w in mixing] if mixing else []
        if not words:
            continue
        in_from = field.name.lower() == "from"
        shown = ", ".join(f"'{w}' ({_spell(w)})" for w in words[:3])
        yield finding(
            "content.mixed_script",
            Severity.HIGH if in_from else Severity.MEDIUM,
            f"Look-alike letters in {field.name}",
            f"{field.name} contains words mixing letters of different alphabets: {shown}. "
            "Such words look like ordinary ones (a Cyrillic 'а' is indistinguishable from "
            "a Latin 'a') and are used to imitate brand or people's names while slipping "
            "past filters.",
            [_evidence(field)],
            strength="heuristic",
        )


def _wide_chars(text: str) -> set[str]:
    """The distinct characters of `text` above U+00FF.

    Every character the checks below look for is one (letters of the look-alike
    alphabets but Latin, invisible and direction controls, right-to-left letters), so
    a text without any — nearly every header — is settled without reading it character
    by character. Encoding to Latin-1 is a copy when the text is stored one byte a
    character, and fails at once at the first wider one.
    """
    if text.isascii():
        return set()
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return set(re.findall(r"[^\x00-\xff]", text))
    return set()


def _may_mix(text: str) -> bool:
    """Whether a word of `text` may mix look-alike alphabets: only when the text holds a
    letter of one of them other than Latin (Latin-1 letters are Latin or of none)."""
    scripts = {_script(c) for c in _wide_chars(text)}
    return bool(scripts & _CONFUSABLE_SCRIPTS - {"LATIN"})


def _mixes(word: str) -> bool:
    if word.isascii():
        return False  # one alphabet only: the common case, and the cheap one
    # Words repeat (a subject folded over thousands of lines repeats one phrase); only
    # word-sized keys are remembered, so the memo stays small whatever the input.
    return _mixes_scripts(word) if len(word) <= 64 else _several_scripts(word)


@lru_cache(maxsize=4096)
def _mixes_scripts(word: str) -> bool:
    return _several_scripts(word)


def _several_scripts(word: str) -> bool:
    scripts = {_script(c) for c in word} & _CONFUSABLE_SCRIPTS
    return len(scripts) > 1


def _spell(word: str) -> str:
    """The word with every letter outside its main alphabet named: P[CYRILLIC а]yPal."""
    scripts = [_script(c) for c in word]
    main = max(set(scripts), key=scripts.count)
    return "".join(c if s == main else f"[{s} {c}]" for c, s in zip(word, scripts, strict=True))


def invisible_characters(ctx: RuleContext) -> Iterator[Finding]:
    for field, text in _checked_fields(ctx):
        hidden = _invisible_positions(text)
        if not hidden:
            continue
        codes = sorted({f"U+{ord(text[i]):04X}" for i in hidden})
        yield finding(
            "content.invisible_characters",
            Severity.MEDIUM,
            f"Invisible characters in {field.name}",
            f"{field.name} contains {len(hidden)} invisible character(s) ({', '.join(codes)}): "
            f"{_visible(text)}. They do not show on screen but split words so that spam "
            "and phishing filters no longer recognise them.",
            [_evidence(field)],
            strength="heuristic",
        )


def _invisible_positions(text: str) -> list[int]:
    if not _wide_chars(text) & (_ALWAYS_INVISIBLE | _JOINERS):
        return []
    # The regex finds the few candidates at C speed: a 200 KB subject is walked in
    # microseconds rather than character by character.
    return [
        found.start()
        for found in _INVISIBLE.finditer(text)
        if found.group() in _ALWAYS_INVISIBLE or _between_latin_like(text, found.start())
    ]


def _between_latin_like(text: str, i: int) -> bool:
    if i == 0 or i == len(text) - 1:
        return False
    return all(_script(text[j]) in _CONFUSABLE_SCRIPTS for j in (i - 1, i + 1))


def _visible(text: str) -> str:
    shown = "".join(
        f"[U+{ord(c):04X}]" if c in _ALWAYS_INVISIBLE | _JOINERS | _OVERRIDES | _EMBEDDINGS else c
        for c in text
    )
    return f"'{shown[:160]}'"


def bidi_controls(ctx: RuleContext) -> Iterator[Finding]:
    for field, text in _checked_fields(ctx):
        wide = _wide_chars(text)
        overrides = bool(wide & _OVERRIDES)
        embeddings = bool(wide & _EMBEDDINGS)
        if not overrides and (not embeddings or _has_rtl_letters(wide)):
            continue
        in_from = field.name.lower() == "from"
        severity = Severity.HIGH if overrides and in_from else Severity.MEDIUM
        yield finding(
            "content.bidi_override",
            severity,
            f"Text-direction controls in {field.name}",
            f"{field.name} contains invisible characters that change the direction text "
            f"is displayed in: {_visible(text)}. Without any right-to-left language in the "
            "text they serve to make it display differently from what it is, e.g. to "
            "reverse part of an address or file name.",
            [_evidence(field)],
            strength="heuristic",
        )


def _has_rtl_letters(chars: set[str]) -> bool:
    # Right-to-left letters are all above U+00FF: the text's distinct wide characters
    # answer for it.
    return any(unicodedata.bidirectional(c) in {"R", "AL"} for c in chars)


# --- List-Unsubscribe pointing elsewhere ------------------------------------------------

# Unsubscribe hosts of email service providers: their links serve their customers, whose
# domains they do not share.
_ESP_ORGS = frozenset(
    {
        "acems1.com",
        "activehosted.com",
        "amazonses.com",
        "aweber.com",
        "cmail19.com",
        "cmail20.com",
        "constantcontact.com",
        "createsend.com",
        "exacttarget.com",
        "getresponse.com",
        "hubspotemail.net",
        "infusionsoft.com",
        "klaviyo.com",
        "list-manage.com",
        "mailchimp.com",
        "mailgun.net",
        "mailgun.org",
        "mailjet.com",
        "mandrillapp.com",
        "mcsv.net",
        "mjt.lu",
        "mktomail.com",
        "postmarkapp.com",
        "rs6.net",
        "sendgrid.net",
        "sendinblue.com",
        "brevo.com",
        "sparkpostmail.com",
        "substack.com",
    }
)
_TARGET = LazyPattern(r"<\s*([^<>\s]{1,2000})\s*>")
_URL_HOST = LazyPattern(r"https?://([^/?#:\s]{1,255})", re.I)
_DKIM_DOMAIN = LazyPattern(r"(?:^|;)\s*d\s*=\s*([A-Za-z0-9.-]{1,255})")
# Headers that name who really sends: the author, the envelope, a mailing list.
_SENDER_HEADERS = ("from", "sender", "return-path", "list-id", "list-post")


def unsubscribe_mismatch(ctx: RuleContext) -> Iterator[Finding]:
    field = _first(ctx, "list-unsubscribe")
    if field is None:
        return
    targets = _unsubscribe_orgs(field.value)
    known = _sender_orgs(ctx)
    if not targets or not known or targets & (known | _ESP_ORGS):
        return
    yield finding(
        "content.unsubscribe_mismatch",
        Severity.LOW,
        "Unsubscribe link points to an unrelated organisation",
        f"List-Unsubscribe leads to {', '.join(sorted(targets))}, which none of the "
        f"sender's identities ({', '.join(sorted(known))}) belong to. Honest bulk mail "
        "unsubscribes at the sender or its mailing service; an unrelated address may "
        "collect confirmations that a mailbox is read.",
        [_evidence(field)],
        strength="heuristic",
    )


def _unsubscribe_orgs(value: str) -> set[str]:
    orgs: set[str] = set()
    for target in _TARGET.findall(value):
        host: str | None
        if target.lower().startswith("mailto:"):
            host = target[7:].split("?", 1)[0].rpartition("@")[2]
        else:
            url = _URL_HOST.match(target)
            host = url.group(1) if url else None
        org = org_domain(normalise_host(host))
        if org is not None:
            orgs.add(org)
    return orgs


def _sender_orgs(ctx: RuleContext) -> set[str]:
    orgs: set[str] = set()
    for field in ctx.headers:
        name = field.name.lower()
        if name in _SENDER_HEADERS:
            orgs.update(_domains_in(field.value))
        elif name == "dkim-signature":
            orgs.update(org_domain(d) or "" for d in _DKIM_DOMAIN.findall(field.value))
    if ctx.auth is not None:
        orgs.update(org_domain(s.domain) or "" for s in ctx.auth.dkim)
    orgs.discard("")
    return orgs


def _domains_in(value: str) -> set[str]:
    """Organisational domains of the addresses, list ids or URLs in a header value."""
    found: set[str] = set()
    for box in parse_mailboxes(value):
        if box.address and "@" in box.address:
            found.add(org_domain(box.address.rpartition("@")[2].strip("<> ")) or "")
    for target in _TARGET.findall(value):  # List-Id <list.example.org>, List-Post <mailto:>
        host = target.rpartition("@")[2] if "@" in target else target
        url = _URL_HOST.match(host)
        found.add(org_domain(normalise_host(url.group(1) if url else host)) or "")
    found.discard("")
    return found


RULES = (
    mailer_signature,
    php_script,
    mixed_scripts,
    invisible_characters,
    bidi_controls,
    unsubscribe_mismatch,
)
