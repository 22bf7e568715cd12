"""Rules about a message that asks for credentials, or speaks for a brand it is not from.

Strategy: credential phishing needs two things from its body — a reason to act now
("your password expires", "verify your account", "your mailbox is full") and a place to
type the password (a link, or a form in the message or an attached page). The place is
strong evidence on its own when it is a password field: no legitimate sender asks for a
password inside a message. The wording alone is weak (sign-up confirmations say "verify
your account" too) and stays low, but it becomes medium when the text also names a brand
the sending organisation does not belong to. Phrases are matched case-insensitively in
the visible text of the message's own parts, in the languages of the mail it is used on
(English, German, French, Spanish, Italian, Dutch, Portuguese, Russian, Chinese,
Japanese); each finding quotes the phrase and names the part.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator
from typing import NamedTuple

from mailview.core.auth.alignment import from_domain
from mailview.core.domains import org_domain, same_org
from mailview.core.findings.context import RuleContext, finding
from mailview.core.findings.lookalike import Brand, brand_owns, brands_named
from mailview.core.lazy_re import LazyPattern
from mailview.core.model import Evidence, Finding, HeaderField, Severity
from mailview.core.summary import decode_words

# Compiled on first need: the anchors below keep most messages from needing any.
_PHRASES: tuple[tuple[str, LazyPattern[str]], ...] = tuple(
    (kind, LazyPattern(pattern, re.I))
    for kind, pattern in (
        (
            "password expiry",
            r"password\s+(?:will\s+|is\s+about\s+to\s+|has\s+|is\s+)?expir|"
            r"(?:passwort|kennwort)\s+(?:läuft|ist)\s+\w*\s*ab|(?:passwort|kennwort)\s+abgelaufen|"
            r"mot\s+de\s+passe\s+(?:expire|a\s+expiré)|contraseña\s+(?:caduca|expira|ha\s+caducado)|"
            r"password\s+(?:scade|è\s+scaduta)|wachtwoord\s+verloopt|senha\s+(?:expira|expirou)|"
            r"срок\s+действия\s+(?:вашего\s+)?пароля|пароль\s+истек|密码(?:即将)?过期|"
            r"パスワードの有効期限",
        ),
        (
            "account verification",
            r"(?:verify|confirm|validate|re-?activate)\s+your\s+(?:e-?mail\s+)?"
            r"(?:account|identity|mailbox|password|login|credentials)|"
            r"(?:konto|identität)\s+(?:zu\s+)?(?:bestätigen|verifizieren)|"
            r"bestätigen\s+sie\s+ihr(?:e)?\s+(?:konto|identität)|"
            r"v[ée]rifi(?:er|ez)\s+votre\s+(?:compte|identit[ée])|"
            r"(?:verifica|confirma)r?\s+(?:tu|su)\s+cuenta|verifica\s+il\s+tuo\s+account|"
            r"verifieer\s+uw\s+account|verifique\s+sua\s+conta|"
            r"подтвердите\s+(?:ваш\w*\s+)?(?:аккаунт|учетн\w+\s+запис\w+)|"
            r"验证(?:您|你)的(?:帐户|账户|帳戶)|アカウント(?:を|の)(?:確認|認証)",
        ),
        (
            "mailbox full",
            r"mailbox\s+(?:is\s+)?(?:almost\s+|nearly\s+)?(?:full|over\s?quota)|"
            r"(?:storage|mailbox)\s+quota\s+(?:exceeded|reached)|postfach\s+(?:ist\s+)?(?:fast\s+)?voll|"
            r"bo[îi]te\s+(?:aux\s+lettres|mail|de\s+r[ée]ception)\s+(?:est\s+)?pleine|"
            r"buz[óo]n\s+(?:est[áa]\s+)?lleno|casella\s+(?:di\s+posta\s+)?piena|mailbox\s+(?:is\s+)?vol|"
            r"caixa\s+de\s+(?:correio|entrada)\s+cheia|почтовый\s+ящик\s+переполнен|"
            r"邮箱(?:已满|空间不足)|メールボックスがいっぱい",
        ),
        (
            "account suspension",
            r"account\s+(?:has\s+been\s+|will\s+be\s+|is\s+)?(?:suspended|locked|disabled|"
            r"deactivated|terminated)|unusual\s+(?:sign-?in|login)\s+activity|"
            r"konto\s+(?:wurde\s+|wird\s+)?(?:gesperrt|deaktiviert)|"
            r"compte\s+(?:a\s+été\s+|sera\s+)?(?:suspendu|bloqu[ée]|désactivé)|"
            r"cuenta\s+(?:ha\s+sido\s+|será\s+)?(?:suspendida|bloqueada)|"
            r"account\s+(?:è\s+stato\s+)?(?:sospeso|bloccato)|"
            r"(?:аккаунт|учетная\s+запись)\s+(?:будет\s+)?(?:заблокирован|приостановлен)",
        ),
    )
)
# Words one of which every phrase of a kind contains (lower case): a substring test at C
# speed decides whether the phrase regexes need to run over a text at all.
_ANCHORS = {
    "password expiry": ("password", "passwort", "kennwort", "mot de passe", "contraseña",
                        "wachtwoord", "senha", "пароля", "пароль", "密码", "パスワード"),
    "account verification": ("verify", "confirm", "validate", "activate", "bestätigen",
                             "verifizieren", "vérifi", "verifi", "verifica", "confirma",
                             "verifieer", "verifique", "подтвердите", "验证", "アカウント"),
    "mailbox full": ("mailbox", "quota", "postfach", "boîte", "boite", "buzón", "buzon",
                     "casella", "caixa", "почтовый", "邮箱", "メールボックス"),
    "account suspension": ("suspend", "locked", "disabled", "deactivated", "terminated",
                           "unusual", "gesperrt", "deaktiviert", "suspendu", "bloqu",
                           "désactivé", "suspendida", "bloqueada", "sospeso", "bloccato",
                           "заблокирован", "приостановлен"),
}  # fmt: skip
_QUOTE = 60  # characters of context quoted around a phrase
_MAX_SUBJECT = 1000  # characters of a subject searched: longer ones are not read by people


class _Hit(NamedTuple):
    kind: str
    phrase: str
    part: str


def _wording(ctx: RuleContext) -> list[_Hit]:
    hits: list[_Hit] = []
    texts = ctx.content.texts if ctx.content is not None else ()
    subject = _subject(ctx)
    sources = [("Subject", subject)] if subject else []
    sources += [(t.part, t.text) for t in texts]
    kinds: set[str] = set()
    for part, text in sources:
        lowered = text.lower()
        faithful = _folds_alike(text, lowered)
        plain = lowered.isascii()
        for kind, pattern in _PHRASES:
            if kind in kinds or not any(map(lowered.__contains__, _needles(kind, plain))):
                continue  # substring tests, looped in C: far cheaper than the phrase patterns
            span = _branch_search(pattern, lowered) if faithful else _span(pattern.search(text))
            if span is not None:
                kinds.add(kind)
                hits.append(_Hit(kind, _around(text, *span), part))
    return hits


@functools.cache
def _needles(kind: str, plain: bool) -> tuple[str, ...]:
    """The anchors of `kind` worth looking for in a lower-cased text (`plain`: an ASCII
    one), each a long scan of a long body. One holding a shorter anchor is found only
    where that one is (`confirma` only where `confirm` is); a non-ASCII one never in
    ASCII text."""
    anchors = [a for a in _ANCHORS[kind] if a.isascii() or not plain]
    return tuple(a for a in anchors if not any(b != a and b in a for b in anchors))


# Characters that a case-insensitive phrase letter matches although lower-casing does not
# turn them into it (dotless ı for i, long ſ for s, the old Cyrillic letter forms
# U+1C80-U+1C85 for в д о с т ъ); tests derive the set from the patterns over all of
# Unicode.
_FOLD_TRAPS = "\u0131\u017f\u1c80\u1c81\u1c82\u1c83\u1c84\u1c85"


def _folds_alike(text: str, lowered: str) -> bool:
    """Whether searching `lowered` case-sensitively finds what a case-insensitive search
    of `text` finds, at the same places: each character lowers to one, and none of them
    matches a phrase letter it does not lower to (the phrases are written in lower case)."""
    return len(lowered) == len(text) and not any(c in text for c in _FOLD_TRAPS)


def _span(match: re.Match[str] | None) -> tuple[int, int] | None:
    return None if match is None else match.span()


def _branch_search(pattern: LazyPattern[str], lowered: str) -> tuple[int, int] | None:
    """The span of `pattern.search` over the original text, found in its lower-cased copy.

    A case-insensitive alternation of a dozen phrases is tried at every character
    (about 0.2 µs each: 3 ms over a newsletter); each phrase alone, case-sensitive and
    starting with a word, is found at C speed. The leftmost match of an alternation is
    the leftmost of its branches' matches, the earliest branch winning a tie, as the
    engine tries them in order at each position.
    """
    best: tuple[int, int] | None = None
    for lead, branch in _branches(pattern.pattern):
        if lead not in lowered:
            continue  # a match would hold it: neither compiled nor tried
        match = branch.search(lowered)
        if match is not None and (best is None or match.start() < best[0]):
            best = match.span()
    return best


@functools.cache
def _branches(pattern: str) -> tuple[tuple[str, LazyPattern[str]], ...]:
    """The top-level alternatives of `pattern`, in order, each with the word it starts
    with (see `_lead`) and compiled case-sensitively on first need; one starting with a
    group of alternatives `(?:a|b)rest` becomes `arest`, `brest`, which matches the same
    in the same order and lets each start with a word."""
    return tuple(
        (_lead(flat), LazyPattern(flat))
        for branch in split_alternatives(pattern)
        for flat in _distribute(branch)
    )


def _lead(branch: str) -> str:
    """The literal text every match of `branch` starts with: its leading letters and
    digits, less the last when a quantifier may leave that one out (`colou?r` → `colo`).
    A phrase's branch starts with a word, so a text without that word needs neither the
    branch compiled nor tried: a substring test at C speed says so."""
    end = 0
    while end < len(branch) and branch[end].isalnum():
        end += 1
    if branch[end : end + 1] in ("?", "*", "{"):
        end -= 1
    return branch[: max(end, 0)]


def split_alternatives(pattern: str) -> list[str]:
    """`pattern` cut at its top-level `|` (not inside a group, a class or an escape)."""
    cuts = [i for i, char, depth in _structure(pattern) if char == "|" and depth == 0]
    ends = [-1, *cuts, len(pattern)]
    return [pattern[a + 1 : b] for a, b in itertools.pairwise(ends)]


def _distribute(branch: str) -> list[str]:
    """`(?:a|b)rest` as [`arest`, `brest`] when the group is not repeated; else [branch]."""
    if not branch.startswith("(?:"):
        return [branch]
    close = next((i for i, char, depth in _structure(branch) if depth == 0), None)
    rest = branch[close + 1 :] if close is not None else ""
    if close is None or rest.startswith(("?", "*", "+", "{")):
        return [branch]
    return [alternative + rest for alternative in split_alternatives(branch[3:close])]


def _structure(pattern: str) -> Iterator[tuple[int, str, int]]:
    """(position, character, nesting depth after it) of each `(`, `)` and `|` of `pattern`
    that is not inside a character class nor escaped."""
    depth, i, in_class = 0, 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 1  # the escaped character is skipped with it
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if pattern.startswith("[^]", i):  # a "]" first in a class is one of its members
                i += 2
            elif pattern.startswith(("[]", "[^"), i):
                i += 1
        elif char in "()|":
            depth += 1 if char == "(" else -1 if char == ")" else 0
            yield i, char, depth
        i += 1


def _around(text: str, start: int, end: int) -> str:
    left = max(0, start - _QUOTE)
    snippet = " ".join(text[left : end + _QUOTE].split())
    return ("…" if left else "") + snippet + ("…" if end + _QUOTE < len(text) else "")


def _subject(ctx: RuleContext) -> str | None:
    field = _field(ctx, "subject")
    if field is None or not field.value.strip():
        return None
    return decode_words(field.value[: _MAX_SUBJECT * 4])[:_MAX_SUBJECT]


def _field(ctx: RuleContext, name: str) -> HeaderField | None:
    return ctx.first(name)


def _sender_org(ctx: RuleContext) -> str | None:
    """The From domain's organisation (the one DMARC judges), as the analysis read it."""
    domain = ctx.auth.alignment.from_domain if ctx.auth is not None else from_domain(ctx.headers)[0]
    return None if domain is None else org_domain(domain) or domain


def _brand_signed(ctx: RuleContext, brand: Brand) -> bool:
    """A passing DKIM signature of the brand's own: a sending domain missing from the table."""
    if ctx.auth is None:
        return False
    return any(
        brand_owns(brand, s.domain)
        for s in ctx.auth.dkim
        if s.domain and (s.verification == "pass" or (s.result or "").lower() == "pass")
    )


def _foreign_brand(ctx: RuleContext, text: str) -> Brand | None:
    """A brand `text` names while the sender is none of its domains."""
    sender = _sender_org(ctx)
    if sender is None:
        return None
    for brand in brands_named(text):
        if not brand_owns(brand, sender):
            return None if _brand_signed(ctx, brand) else brand
    return None


# --- the rules -------------------------------------------------------------------------


def credential_forms(ctx: RuleContext) -> Iterator[Finding]:
    if ctx.content is None:
        return
    found = ctx.content.indicators
    asking = [f for f in found.forms if f.password]
    loose = found.password_fields
    if asking or loose:
        where = asking[0].part if asking else loose[0]
        posts = (
            f" and sends what is typed to {asking[0].domain}" if asking and asking[0].domain else ""
        )
        evidence = [Evidence(None, f.part, f"<form action={f.action!r}> with a password field")
                    for f in asking[:3]]  # fmt: skip
        evidence += [Evidence(None, part, "<input type=password>") for part in loose[:3]]
        yield finding(
            "content.password_form",
            Severity.HIGH,
            "The message asks for a password in a form",
            f"The {where} holds a password field{posts}. No legitimate sender asks for a "
            "password inside an email or an attached page; this is how credential "
            "phishing collects logins.",
            evidence,
            strength="direct",
        )
        return
    sender = _sender_org(ctx)
    elsewhere = [f for f in found.forms if f.domain and not (sender and same_org(sender, f.domain))]
    if elsewhere:
        form = elsewhere[0]
        attached = form.part.startswith("attachment")
        yield finding(
            "content.form_posts_elsewhere",
            # An attached page with a form is a phishing pattern; a form in a newsletter's
            # own HTML (a search box, a survey) is merely unusual.
            Severity.MEDIUM if attached else Severity.LOW,
            "A form in the message sends its input to another site",
            f"The {form.part} holds a form that sends what is typed to {form.domain}, not "
            "to the sender's organisation. Forms inside mail are rare; phishing uses them "
            "(often in an attached .html page) to collect details without a link to click.",
            [Evidence(None, f.part, f"<form action={f.action!r}>") for f in elsewhere[:3]],
            strength="heuristic",
        )


def credential_wording(ctx: RuleContext) -> Iterator[Finding]:
    if _is_bounce(ctx):
        return  # "mailbox full" is what a delivery report is for
    hits = _wording(ctx)
    if not hits:
        return
    texts = [t.text for t in ctx.content.texts] if ctx.content is not None else []
    brand = _foreign_brand(ctx, " ".join([_subject(ctx) or "", *texts])[:50_000])
    kinds = ", ".join(dict.fromkeys(h.kind for h in hits))
    named = (
        f" It speaks for {brand.name}, but the sender ({_sender_org(ctx)}) is not one of "
        f"{brand.name}'s domains."
        if brand is not None
        else ""
    )
    yield finding(
        "content.credential_lure",
        Severity.MEDIUM if brand is not None else Severity.LOW,
        "Wording that pushes the reader to log in",
        f"The message uses the words of a credential lure ({kinds}): "
        f"{hits[0].phrase!r}.{named} Real services say such things too; together with a "
        "link to an unrelated site it is the classic login-phishing pattern.",
        [Evidence(None, h.part, h.phrase) for h in hits[:3]],
        strength="heuristic",
    )


def subject_brand(ctx: RuleContext) -> Iterator[Finding]:
    subject_field = _field(ctx, "subject")
    subject = _subject(ctx)
    if subject_field is None or not subject:
        return
    brand = _foreign_brand(ctx, subject)
    if brand is None or _lists(ctx):
        return
    from_field = _field(ctx, "from")
    evidence = [Evidence(subject_field.index, subject_field.name, subject_field.raw)]
    if from_field is not None:
        evidence.append(Evidence(from_field.index, from_field.name, from_field.raw))
    yield finding(
        "content.brand_mismatch",
        Severity.MEDIUM,
        f"Subject speaks for {brand.name}, sender is not {brand.name}",
        f"The subject names {brand.name} ({subject[:120]!r}), but the sender's domain "
        f"({_sender_org(ctx)}) is not one of {brand.name}'s and no signature of "
        f"{brand.name}'s vouches for it. Brand-impersonation phishing puts the brand where "
        "the reader looks first.",
        evidence,
        strength="heuristic",
    )


def _is_bounce(ctx: RuleContext) -> bool:
    """A delivery status notification (RFC 3464) or a mail system's own message."""
    ctype = _field(ctx, "content-type")
    if ctype is not None and "delivery-status" in ctype.value.lower():
        return True
    sender = _field(ctx, "from")
    local = (sender.value if sender is not None else "").lower()
    return "mailer-daemon" in local or "postmaster@" in local


def _lists(ctx: RuleContext) -> bool:
    """List and newsletter mail: its subject quotes brands in news, not as its sender."""
    return bool(ctx.named("list-id") or ctx.named("list-unsubscribe"))


RULES = (credential_forms, credential_wording, subject_brand)
