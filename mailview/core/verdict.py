"""The triage judgement: what an analyst should make of the message, and why.

Two things live here. `level` and `summary` are the original one-line verdict (the worst
severity among the findings, and the top findings ranked), kept as they were because
the JSON report promises them. `assessment`, `reasons` and `sentence` are the judgement:
exactly one of

    likely-malicious   act on it: block, hunt for other recipients
    suspicious         a person should look before anybody clicks or answers
    unwanted           spam or unsolicited bulk: annoying, not an attack
    no-concerns        nothing found that looks wrong (which is not proof of innocence)
    insufficient-data  too little to judge: a header fragment, no route, no body

How the evidence combines (the rules below are tried in this order; the first that
matches decides, and its findings are the reasons):

1. Findings are grouped by what they show, not by severity alone. A route oddity or a
   clock skew is a HIGH finding of its own kind, yet says nothing about intent: honest
   mail passes through badly configured relays every day. Only four groups decide:
   *deception* (the message pretends to be someone: look-alike domains, a brand in the
   sender's name, link text naming another site, two From headers), *harvest* (it asks
   for credentials: a password form, a lure's wording, a phishing toolkit), *delivery*
   (its links hide where they go: bare IPs, IPFS, redirects, free hosting, shorteners)
   and *bulk* (mass-mailing software, a dynamic sender address, a blocklisted hop).
   Info findings never decide anything.
2. Authentication does not decide on its own. Forwarding and mailing lists break DMARC
   on honest mail daily, and most mail in an analyst's queue predates the keys that
   could verify it. What authentication does: an authenticated sender (DMARC pass,
   computed or stated by the trusted receiver) means the domain shown is really the
   sender, so impersonation *of another brand* stays "suspicious" instead of escalating;
   an unauthenticated sender (DMARC fail) makes deception evidence "likely malicious",
   because nothing vouches for the name the reader trusts.
3. A receiving filter's verdict (SpamAssassin, Microsoft 365, Rspamd stamps) counts as
   one strong opinion: "phish" makes the message at least suspicious and, with any
   deception, harvest or delivery evidence of our own, likely malicious; "spam" makes it
   at least unwanted. Only verdicts *against* the message are read, and those are
   believed wherever they stand in the header: a sender may forge "not spam" for its
   own benefit, but no sender stamps its own mail as spam or phishing.
4. Strongest first: direct evidence of harvesting (a password field) or a phishing
   toolkit's signature is likely malicious on its own; two independent sources of
   evidence are likely malicious when the sender is not authenticated and one of them is
   high (or the sender's domain fails DMARC outright). Sources are independent when
   different parts of the message show them: the sender's identity headers, the route,
   the body's links and wording (deception), credential harvesting, risky links. One
   medium-or-worse deception or harvest finding is suspicious; a risky link (medium: a
   bare IP, IPFS, a redirect) is suspicious when a lure's wording or an unauthenticated
   sender goes with it, otherwise unwanted; bulk signs are unwanted; a low hint alone
   (a shortener, free hosting, a lure's wording without a brand) decides nothing.
5. Nothing to go on (no From domain, no route, no authentication and no body) is
   insufficient data, unless a deciding finding says more.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING

from mailview.core.model import Finding, Severity
from mailview.core.record import record

if TYPE_CHECKING:
    from mailview.core.auth.model import AuthReport
    from mailview.core.model import Report
    from mailview.core.vendors.model import VendorVerdict

_STRENGTH_RANK = {"direct": 0, "correlated": 1, "heuristic": 2}
TOP = 3


class Assessment(StrEnum):
    LIKELY_MALICIOUS = "likely-malicious"
    SUSPICIOUS = "suspicious"
    UNWANTED = "unwanted"
    NO_CONCERNS = "no-concerns"
    INSUFFICIENT_DATA = "insufficient-data"


# How each assessment reads in a sentence, for every face.
WORDS = {
    Assessment.LIKELY_MALICIOUS: "Likely malicious",
    Assessment.SUSPICIOUS: "Suspicious",
    Assessment.UNWANTED: "Unwanted bulk",
    Assessment.NO_CONCERNS: "No concerns found",
    Assessment.INSUFFICIENT_DATA: "Cannot tell",
}


@record
class Verdict:
    level: str  # "high" | "medium" | "low" | "info" | "none"
    summary: str
    assessment: Assessment = Assessment.INSUFFICIENT_DATA
    reasons: tuple[str, ...] = ()  # codes of the findings that decided, strongest first
    sentence: str = ""  # the judgement in one line of words


# --- which findings decide ---------------------------------------------------------------

DECEPTION = frozenset(
    {
        "identity.display_name_brand",
        "identity.lookalike_domain",
        "identity.brand_in_domain",
        "identity.idn_homograph",
        "auth.display_name_address",
        "auth.display_name_domain",
        "auth.from_multiple",
        "auth.results.forged_receiver",
        "route.fake_provider_hop",
        "content.mixed_script",
        "content.bidi_override",
        "content.brand_mismatch",
        "content.link_text_mismatch",
        "content.lookalike_link",
        "content.brand_in_link",
    }
)
HARVEST = frozenset(
    {
        "content.password_form",
        "content.form_posts_elsewhere",
        "content.credential_lure",
        "content.phishing_toolkit",
    }
)
DELIVERY = frozenset(
    {
        "content.link_to_ip",
        "content.ipfs_link",
        "content.open_redirect",
        "content.free_hosting_link",
        "content.link_shortener",
    }
)
BULK = frozenset(
    {
        "content.mass_mailer",
        "content.phpmailer",
        "content.php_script",
        "content.forged_client",
        "content.invisible_characters",
        "content.unsubscribe_mismatch",
        "route.dynamic_sender",
        "online.dnsbl_listed",
    }
)
# Harvest evidence strong enough alone: nobody honest asks for a password in a message.
_DECISIVE = frozenset({"content.password_form", "content.phishing_toolkit"})
# Microsoft 365 protection categories (X-Forefront-Antispam-Report CAT:) that mean a
# phishing or malware verdict, and Rspamd actions that mean spam.
_MS_PHISH = frozenset({"PHSH", "HPHSH", "HPHISH", "SPOOF", "MALW", "UIMP", "DIMP", "GIMP", "BIMP"})
_RSPAMD_SPAM = frozenset({"reject", "add header", "rewrite subject", "soft reject"})


def _family(finding: Finding) -> str | None:
    if finding.severity is Severity.INFO:
        return None  # information never decides (see rule 1)
    code = finding.code
    if code == "identity.reply_to_other_org":
        # A reply diverted to a free-mail account (HIGH) is the fraudster's move; a reply
        # to another company (MEDIUM) is what help desks do.
        return "deception" if finding.severity is Severity.HIGH else None
    for name, codes in (
        ("harvest", HARVEST),
        ("deception", DECEPTION),
        ("delivery", DELIVERY),
        ("bulk", BULK),
    ):
        if code in codes:
            return name
    return None


def _source(finding: Finding) -> str:
    """Which part of the message a deciding finding reads: identity headers (identity.*,
    auth.*), the route (route.*) or the body (content.*); harvest and delivery evidence
    are each a source of their own."""
    family = _family(finding)
    if family == "deception":
        return "deception:" + finding.code.split(".", 1)[0].replace("auth", "identity")
    return family or "other"


def _ranked(findings: Sequence[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.severity.rank, _STRENGTH_RANK.get(f.strength, 3)))


# --- the receiver's own filters ------------------------------------------------------------


def receiver_opinion(
    vendors: Sequence[VendorVerdict], boundary_header: int | None
) -> tuple[str | None, VendorVerdict | None]:
    """("phish" | "spam" | None, the stamp that said so) from filter stamps.

    Only verdicts against the message are read (see rule 3), so a stamp counts wherever
    it stands; `boundary_header` (the Received header of the trust-boundary hop) is kept
    for callers that want to tell the receiver's own stamps apart.
    """
    del boundary_header
    found: tuple[str | None, VendorVerdict | None] = (None, None)
    for vendor in vendors:
        said = _stamp(vendor)
        if said == "phish":
            return said, vendor
        if said == "spam" and found[0] is None:
            found = (said, vendor)
    return found


_STAMP_KEYS = frozenset({"CAT", "VERDICT", "FLAG", "SFV", "SCL", "ACTION"})


def _stamp(vendor: VendorVerdict) -> str | None:
    values = {key: f.raw.strip() for f in vendor.fields if (key := f.key.upper()) in _STAMP_KEYS}
    if values.get("CAT", "").upper() in _MS_PHISH:
        return "phish"
    flagged = values.get("VERDICT") == "Yes" or values.get("FLAG", "").upper() == "YES"
    if vendor.vendor.startswith("SpamAssassin") and flagged:
        return "spam"
    if values.get("SFV", "").upper() == "SPM" or _number(values.get("SCL")) >= 5:
        return "spam"
    if vendor.vendor.startswith("Rspamd") and values.get("ACTION", "").lower() in _RSPAMD_SPAM:
        return "spam"
    return None


def _number(text: str | None) -> int:
    try:
        return int((text or "").strip())
    except ValueError:
        return -1


# --- the judgement -------------------------------------------------------------------------


@record
class _Evidence:
    """The findings sorted into the deciding groups, and what authentication says."""

    groups: dict[str, list[Finding]]
    authenticated: bool  # DMARC pass, computed or stated by the trusted receiver
    unauthenticated: bool  # DMARC fail, computed or stated (not merely "cannot tell")
    receiver: str | None  # "phish" | "spam" | None
    anything: bool  # is there anything at all to judge by
    # Medium-or-worse findings that decide nothing (route breaks, altered bodies, failed
    # signatures): not a judgement, but "no concerns" must not read as "nothing found".
    anomalies: int = 0

    def of(self, *names: str) -> list[Finding]:
        return [f for name in names for f in self.groups.get(name, [])]


def _gather(
    findings: Sequence[Finding],
    auth: AuthReport | None,
    receiver: str | None,
    has_route: bool,
    has_body: bool,
) -> _Evidence:
    groups: dict[str, list[Finding]] = {}
    for item in findings:  # already ranked
        family = _family(item)
        if family is not None:
            groups.setdefault(family, []).append(item)
    computed = auth.alignment.dmarc_computed if auth is not None else "none"
    said = (auth.alignment.receiver_says or "") if auth is not None else ""
    from_domain = auth.alignment.from_domain if auth is not None else None
    checked = auth is not None and bool(auth.results or auth.dkim or auth.received_spf)
    return _Evidence(
        groups=groups,
        authenticated=computed == "pass" or said in ("pass", "bestguesspass"),
        unauthenticated=computed == "fail" or said == "fail",
        receiver=receiver,
        anything=from_domain is not None and (has_route or checked or has_body),
        anomalies=sum(
            1 for f in findings if _family(f) is None and f.severity.rank <= Severity.MEDIUM.rank
        ),
    )


def _decide(ev: _Evidence) -> tuple[Assessment, list[Finding]]:
    deception, harvest = ev.of("deception"), ev.of("harvest")
    delivery, bulk = ev.of("delivery"), ev.of("bulk")
    serious = [f for f in deception + harvest if f.severity.rank <= Severity.MEDIUM.rank]
    # Rule 4, strongest first: direct evidence of credential harvesting or a toolkit.
    decisive = [f for f in harvest if f.code in _DECISIVE]
    if decisive:
        return Assessment.LIKELY_MALICIOUS, decisive + deception + delivery
    # Rule 3: the trusted receiver's filter called it phishing, and we see why.
    if ev.receiver == "phish" and (deception or harvest or delivery):
        return Assessment.LIKELY_MALICIOUS, deception + harvest + delivery
    # Rule 4: independent sources of evidence, and nothing vouches for the sender.
    kinds = len({_source(f) for f in deception + harvest + delivery})
    strong = any(f.severity is Severity.HIGH for f in deception + harvest)
    if not ev.authenticated and ((strong and kinds >= 2) or (kinds >= 2 and ev.unauthenticated)):
        return Assessment.LIKELY_MALICIOUS, deception + harvest + delivery
    if serious:
        return Assessment.SUSPICIOUS, serious + delivery
    if ev.receiver == "phish":
        return Assessment.SUSPICIOUS, []
    # A risky link or a lure's wording: suspicious with each other or with a sender
    # nothing vouches for; on their own, what bulk senders do.
    risky = [f for f in delivery if f.severity.rank <= Severity.MEDIUM.rank]
    if (delivery and harvest) or (risky and ev.unauthenticated):
        return Assessment.SUSPICIOUS, harvest + delivery
    # A shortened link or a page on free hosting alone is everyday marketing, and a
    # lure's wording alone is what real services write too: neither decides by itself.
    if bulk or risky:
        return Assessment.UNWANTED, bulk + risky
    if ev.receiver == "spam":
        return Assessment.UNWANTED, []
    if not ev.anything:
        return Assessment.INSUFFICIENT_DATA, []
    return Assessment.NO_CONCERNS, []


def judge(
    findings: Sequence[Finding],
    auth: AuthReport | None = None,
    vendors: Sequence[VendorVerdict] = (),
    boundary_header: int | None = None,
    *,
    has_route: bool = True,
    has_body: bool = True,
) -> Verdict:
    """The verdict on a message from its findings, authentication and filter stamps."""
    ranked = _ranked(findings)  # sorted once: the summary and the groups keep this order
    base = verdict(ranked)
    receiver, stamp = receiver_opinion(vendors, boundary_header)
    evidence = _gather(ranked, auth, receiver, has_route, has_body)
    assessment, deciding = _decide(evidence)
    deciding = _ranked(deciding)
    reasons = tuple(dict.fromkeys(f.code for f in deciding))
    return Verdict(
        base.level,
        base.summary,
        assessment,
        reasons,
        _sentence(assessment, deciding, stamp, evidence),
    )


def _sentence(
    assessment: Assessment,
    deciding: list[Finding],
    stamp: VendorVerdict | None,
    ev: _Evidence,
) -> str:
    words = WORDS[assessment]
    said = [f.title for f in dict.fromkeys(deciding)][:TOP]
    if (
        stamp is not None
        and assessment in (Assessment.SUSPICIOUS, Assessment.UNWANTED)
        and not said
    ):
        said = [f"{stamp.vendor} at the receiving side judged it {ev.receiver}"]
    if said:
        return f"{words} — {'; '.join(said)}."
    if assessment is Assessment.INSUFFICIENT_DATA:
        return f"{words} — too little to judge (no sender domain, route, authentication or body)."
    if ev.unauthenticated:
        return (
            f"{words} in the content, identity or links; note that the sender's domain "
            "is not authenticated (DMARC fails)."
        )
    if ev.anomalies:
        plural = "y" if ev.anomalies == 1 else "ies"
        return (
            f"{words} — nothing deceptive, harmful or bulk in identity, links or content; "
            f"{ev.anomalies} route or authentication anomal{plural} to review."
        )
    return f"{words} — nothing deceptive, harmful or bulk in identity, links or content."


def verdict(findings: Sequence[Finding]) -> Verdict:
    """`level` is the highest severity among the findings ("none" without any); `summary`
    names the top findings, worst and best-proven first, in one line for triage."""
    if not findings:
        return Verdict("none", "nothing found that looks wrong")
    ranked = _ranked(findings)
    level = ranked[0].severity.value
    shown = "; ".join(f"{f.title} ({f.severity.value})" for f in ranked[:TOP])
    more = len(ranked) - TOP
    tail = f"; and {more} more" if more > 0 else ""
    return Verdict(level, f"{shown}{tail}")


def verdict_of(report: Report) -> Verdict:
    """The report's judgement; judged here for a report made without one (older callers)."""
    if report.verdict is not None:
        return report.verdict
    boundary = report.trust_boundary_hop
    header = None if boundary is None else report.hops[boundary - 1].header_index
    indicators = report.indicators
    return judge(
        report.findings,
        report.auth,
        report.vendors,
        header,
        has_route=bool(report.hops),
        has_body=indicators is None or bool(indicators.urls or indicators.attachments),
    )
