"""Microsoft's composite authentication verdict (`compauth=… reason=NNN`) in words.

Strategy: Microsoft 365 (Exchange Online Protection) writes `compauth=pass|fail|softpass|
none reason=NNN` into its Authentication-Results header. Compauth is not an RFC method:
it is Microsoft's own verdict combining SPF, DKIM, DMARC and internal signals (sender
reputation, history). Microsoft documents the reason codes by their first digit (and a
handful of exact codes); the remaining digits are internal and unpublished. So the table
below is matched exact code first, then by first digit, and every explanation says so
where Microsoft has not said what a code means, instead of guessing.
"""

from __future__ import annotations

# Exact codes Microsoft documents ("Anti-spam message headers in Microsoft 365").
_EXACT: dict[str, str] = {
    "000": (
        "the message failed explicit authentication: the sender's domain publishes a strict "
        "DMARC policy (quarantine or reject) and the message did not pass it"
    ),
    "001": (
        "the message failed implicit authentication: the sender's domain publishes no "
        "email authentication records, or only weak ones (SPF softfail or neutral, DMARC "
        "p=none), and Microsoft's own signals did not make up for it"
    ),
    "002": (
        "an administrator of the receiving organisation has explicitly forbidden this "
        "sender/domain pair from sending spoofed mail"
    ),
    "010": (
        "the message failed DMARC with a reject or quarantine policy, and the sending "
        "domain is one of the receiving organisation's own accepted domains "
        "(self-to-self or intra-organisation spoofing)"
    ),
    "100": (
        "the message passed; this code is usually seen when SPF or DKIM passed for the "
        "From domain (Microsoft does not publish its exact meaning)"
    ),
    "130": (
        "the message failed DMARC, but the result of a trusted ARC sealer "
        "(an intermediary such as a mailing list or forwarding service) was used to "
        "override that failure"
    ),
}

# By first digit. Wording follows Microsoft's table; "internal code" where they say so.
_BY_FIRST_DIGIT: dict[str, str] = {
    "0": "the message failed composite authentication (code not documented by Microsoft)",
    "1": (
        "the message passed composite authentication; the last two digits are an internal "
        "Microsoft code that is not published"
    ),
    "2": (
        "the message soft-passed implicit authentication: not proven, but Microsoft's "
        "signals did not mark it as spoofed; the last two digits are an internal code"
    ),
    "3": "the message was not checked for composite authentication",
    "4": (
        "the message bypassed composite authentication (for example through an allow "
        "entry, a transport rule, a connector or a trusted ARC sealer — Microsoft does not "
        "say which code means which); the last two digits are an internal code"
    ),
    "5": "this code is not documented by Microsoft",
    "6": (
        "the message failed implicit authentication, and the sending domain is one of the "
        "receiving organisation's own accepted domains (self-to-self or intra-organisation "
        "spoofing)"
    ),
    "7": (
        "the message passed composite authentication; the last two digits are an internal "
        "Microsoft code that is not published"
    ),
    "8": "this code is not documented by Microsoft",
    "9": (
        "the message bypassed composite authentication; the last two digits are an "
        "internal Microsoft code that is not published"
    ),
}

_RESULT_WORDS: dict[str, str] = {
    "pass": "Microsoft 365 considers the sender genuine (composite authentication passed)",
    "fail": "Microsoft 365 considers the sender spoofed (composite authentication failed)",
    "softpass": (
        "Microsoft 365 could not prove the sender but did not judge it spoofed "
        "(composite authentication soft pass)"
    ),
    "none": "Microsoft 365 did not judge the sender (no composite authentication verdict)",
}


def explain_compauth(result: str, reason: str | None) -> str:
    """Microsoft's compauth verdict and reason code as one sentence a helpdesk reads."""
    verdict = result.strip().lower()
    head = _RESULT_WORDS.get(verdict, f"Microsoft 365 gave the unknown verdict '{result}'")
    code = (reason or "").strip()
    if not code:
        return head + "."
    return f"{head}; reason {code}: {_explain_code(code)}."


def _explain_code(code: str) -> str:
    if code in _EXACT:
        return _EXACT[code]
    if len(code) == 3 and code.isascii() and code.isdigit():
        return _BY_FIRST_DIGIT[code[0]]
    return "not a Microsoft reason code (Microsoft writes three digits)"
