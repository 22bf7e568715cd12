"""Bytes in, frozen `Report` out: the one entry point every face of mailview calls.

Strategy: load (which recognises the container and splits the header block), pick the
message to analyse (an mbox index, or the original attached to a forwarded report),
parse the route headers, build the chain, run the finding rules, assemble the report.
Only `InputError` escapes; anything a rule or parser could not understand is already a
finding, and a bug in a rule becomes an "internal" finding instead of a lost analysis.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import Counter
from collections.abc import Collection, Iterator
from dataclasses import field
from datetime import UTC, datetime
from pathlib import Path

from mailview.core.auth.analysis import analyze_auth
from mailview.core.auth.keys import KeyStore
from mailview.core.bounce import BounceReport, read_bounce
from mailview.core.chain import (
    ROUTE_HEADERS,
    TrustConfig,
    route_from_headers,
)
from mailview.core.defects import BUDGET, RECORD, Defect, DefectPolicy
from mailview.core.enrichment import GeoSource, OnlineAnswers, OnlineLookup
from mailview.core.errors import NO_SUCH_MESSAGE, NOT_A_MESSAGE, InputError
from mailview.core.findings.registry import RuleContext, run_rules, within_budget
from mailview.core.indicators import read_content
from mailview.core.load import load_bytes, load_text, read_path
from mailview.core.model import (
    GeoInfo,
    HeaderField,
    Hop,
    HopLookup,
    InnerRef,
    InputInfo,
    LoadedMessage,
    Report,
    Scope,
)
from mailview.core.online import online_questions
from mailview.core.record import record
from mailview.core.summary import decode_words, first_values, originators, summarise
from mailview.core.vendors.registry import decode_vendors
from mailview.core.verdict import judge


@record
class AnalysisOptions:
    trust: TrustConfig = field(default_factory=TrustConfig)
    now: datetime | None = None  # "now" for future-date checks; None: the real clock
    follow_attachments: bool = True  # analyse the original attached to a forwarded report
    strict: bool = False  # let a failing rule raise (tests), instead of reporting it
    keys: KeyStore | None = None  # DKIM/ARC public keys at hand (None: none, offline)
    geo: GeoSource | None = None  # MaxMind-format databases (None: no geo facts)
    # (aspf, adkim) from the From domain's published DMARC record, when online mode has it.
    dmarc_modes: tuple[str | None, str | None] | None = None
    online: OnlineLookup | None = None  # today's DNS, asked as a stage (None: offline)
    policy: DefectPolicy = RECORD  # STRICT raises the input's first defect (tests, --strict)


def analyze_path(
    path: str | Path, address: tuple[int, ...] | None = None, options: AnalysisOptions | None = None
) -> Report:
    """Analyse the message in the file at `path` (never written to)."""
    return analyze_bytes(read_path(path), Path(path).name, address, options)


def analyze_text(
    text: str, name: str = "<pasted>", options: AnalysisOptions | None = None
) -> Report:
    """Analyse headers (or a whole message) pasted as text."""
    data = text.encode("utf-8", "surrogateescape")
    messages = load_text(text, name)
    return _analyze_loaded(data, name, messages, None, options or AnalysisOptions())


def analyze_bytes(
    data: bytes,
    name: str = "<input>",
    address: tuple[int, ...] | None = None,
    options: AnalysisOptions | None = None,
) -> Report:
    """Analyse the message in `data`; `address` picks one message of an mbox or attachment."""
    messages = load_bytes(data, name)
    return _analyze_loaded(data, name, messages, address, options or AnalysisOptions())


def _analyze_loaded(
    data: bytes,
    name: str,
    messages: tuple[LoadedMessage, ...],
    address: tuple[int, ...] | None,
    options: AnalysisOptions,
) -> Report:
    if not messages:
        raise InputError("This file holds no email message.", NOT_A_MESSAGE)
    # A bounce is analysed itself, not the original it returns: whether the top message is
    # one is read once, here, and handed on.
    read_already = address is None and bool(messages[0].inner)
    top_bounce = read_bounce(messages[0]) if read_already else None
    chosen, notes = _choose(messages, address, options.follow_attachments, top_bounce)
    info = InputInfo(
        name=name,
        sha256=hashlib.sha256(data).hexdigest(),
        format=chosen.format,
        size=len(data),
        address=chosen.address,
        label=chosen.label,
        message_count=len(messages),
    )
    if chosen is messages[0] and (top_bounce is not None or read_already):
        return analyze_message(
            chosen, info, options, notes, _reachable(messages), top_bounce, bounce_read=True
        )
    return analyze_message(chosen, info, options, notes, _reachable(messages))


def analyze_returned(
    data: bytes, report: Report, options: AnalysisOptions | None = None
) -> Report | None:
    """The analysis of the original a delivery report returns, when it came back attached
    (whole or its headers only) and some recipient failed or was delayed: the route that
    failed. Only the attachment's bytes are read, never opened; None when there is none."""
    bounce = report.bounce
    if bounce is None or not bounce.is_delivery_report or not bounce.failed:
        return None
    original = bounce.original
    if original is None or original.address is None:
        return None
    # A lone message's own address is (); the selection counts it as message 1.
    steps = original.address
    wanted = steps if report.input.message_count > 1 else (0, *steps)
    try:
        return analyze_bytes(data, report.input.name, wanted, options)
    except InputError:
        return None


def message_at(data: bytes, report: Report) -> LoadedMessage:
    """The loaded message a report was made from (for exports that need its body)."""
    messages = load_bytes(data, report.input.name)
    wanted = report.input.address
    stack = list(messages)
    while stack:
        message = stack.pop()
        if message.address == wanted:
            return message
        stack.extend(message.inner)
    if not messages:
        raise InputError("This file holds no email message.", NOT_A_MESSAGE)
    return messages[0]


def analyze_message(
    message: LoadedMessage,
    info: InputInfo,
    options: AnalysisOptions | None = None,
    notes: tuple[str, ...] = (),
    inner: tuple[InnerRef, ...] = (),
    bounce: BounceReport | None = None,
    *,
    bounce_read: bool = False,
) -> Report:
    """Analyse one loaded message (`bounce`: its delivery report, when already read;
    `bounce_read`: it was read, and None means the message is none)."""
    options = options or AnalysisOptions()
    headers = message.headers
    route_headers, long_route = _within_budget(headers, ROUTE_HEADERS, MAX_ROUTE_HEADERS)
    route = route_from_headers(route_headers, options.trust)
    now = options.now or datetime.now(UTC)
    hop_geo = _hop_geo(route.hops, options.geo)
    origins = originators(headers, route)
    keys, modes, answers = options.keys, options.dmarc_modes, None
    if options.online is not None:
        answers = options.online.look_up(online_questions(message, route, origins, hop_geo))
        keys, modes = answers.keys, _published_modes(answers) or modes
    auth_headers, many_statements = _within_budget(headers, _AUTH_HEADERS, MAX_AUTH_HEADERS)
    examined = dataclasses.replace(message, headers=auth_headers)
    auth = analyze_auth(examined, route, now, keys, modes)
    hop_online = _hop_online(route.hops, answers)
    content = read_content(message, headers, route.hops, origins)
    context = RuleContext(
        message,
        headers,
        route,
        now,
        auth,
        hop_geo,
        content,
        None if answers is None else answers.facts,
        hop_online,
    )
    defects = options.policy.collect(message.defects)
    findings, skipped = within_budget(run_rules(context, strict=options.strict))
    vendors = decode_vendors(route_headers, strict=options.strict)  # the route within budget
    return Report(
        input=info,
        message=summarise(headers),
        headers=headers,
        hops=route.hops,
        total_delay_seconds=route.total_delay_seconds,
        originators=origins,
        findings=findings,
        notes=notes,
        inner=inner,
        envelope=message.envelope,
        trust_boundary_hop=None if route.boundary is None else route.boundary.index,
        auth=auth,
        hop_geo=hop_geo,
        vendors=vendors,
        geo_source=None if options.geo is None else options.geo.describe(),
        bounce=bounce if bounce is not None or bounce_read else read_bounce(message),
        indicators=content.indicators,
        online=None if answers is None else answers.facts,
        hop_online=hop_online,
        defects=(*defects, *long_route, *many_statements, *skipped),
        verdict=judge(
            findings,
            auth,
            vendors,
            None if route.boundary is None else route.boundary.header_index,
            has_route=bool(route.hops),
            has_body=bool(content.texts or content.indicators.urls),
        ),
    )


def _published_modes(answers: OnlineAnswers) -> tuple[str | None, str | None] | None:
    record = answers.facts.dmarc_record
    return None if record is None else (record.aspf, record.adkim)


def _hop_online(
    hops: tuple[Hop, ...], answers: OnlineAnswers | None
) -> tuple[HopLookup | None, ...]:
    """Today's DNS facts per hop, aligned with the hops; empty offline."""
    if answers is None:
        return ()
    return tuple(answers.hops.get(h.fields.from_ip) if h.fields.from_ip else None for h in hops)


# Headers examined per kind, at most: each costs a parse (a signature also a hash), and ten
# thousand of them say nothing the first ones do not. The newest are on top — the
# receiver's own statements and hops — so those are kept; the oldest hops a sender may
# have forged are what a budget cuts.
MAX_AUTH_HEADERS = 100
MAX_ROUTE_HEADERS = 1000
_AUTH_HEADERS = frozenset(
    {
        "authentication-results", "arc-authentication-results", "arc-seal",
        "arc-message-signature", "dkim-signature", "received-spf",
    }
)  # fmt: skip


def _within_budget(
    headers: tuple[HeaderField, ...], names: Collection[str], limit: int
) -> tuple[tuple[HeaderField, ...], tuple[Defect, ...]]:
    """`headers` with at most `limit` of each of `names`, and a budget defect for each
    kind cut."""
    if len(headers) <= limit:
        return headers, ()  # no kind can be over the limit: nothing to count
    counts: Counter[str] = Counter()
    kept = []
    for header in headers:
        name = header.name.lower()
        if name in names:
            counts[name] += 1
            if counts[name] > limit:
                continue
        kept.append(header)
    if len(kept) == len(headers):
        return headers, ()
    skipped = tuple(
        Defect(
            BUDGET,
            f"{n - limit:,} {name} headers beyond the first {limit:,} were not examined.",
        )
        for name, n in counts.items()
        if n > limit
    )
    return tuple(kept), skipped


def _hop_geo(hops: tuple[Hop, ...], geo: GeoSource | None) -> tuple[GeoInfo | None, ...]:
    """Geo facts for each hop's sending address; non-public addresses are never looked up."""
    if geo is None:
        return ()
    return tuple(
        geo.lookup(h.fields.from_ip) if h.ip_scope is Scope.PUBLIC and h.fields.from_ip else None
        for h in hops
    )


def _choose(
    messages: tuple[LoadedMessage, ...],
    address: tuple[int, ...] | None,
    follow: bool,
    top_bounce: BounceReport | None = None,
) -> tuple[LoadedMessage, tuple[str, ...]]:
    """The message to analyse, with a note when it is not the top-level one."""
    if address:
        if not 0 <= address[0] < len(messages):
            raise InputError(
                f"This file holds {len(messages)} message(s); "
                f"there is no message {address[0] + 1}.",
                NO_SUCH_MESSAGE,
            )
        top = messages[address[0]]
        return _descend(top, address[1:]), ()
    top = messages[0]
    if follow and top_bounce is not None and top_bounce.is_delivery_report:
        return top, ()  # a bounce is analysed itself; its returned original stays reachable
    chosen, originals = _innermost_original(top) if follow else (top, [])
    if chosen is top:
        return top, ()
    wrapper = first_values(top.headers)
    subject = decode_words(wrapper["subject"].value) if "subject" in wrapper else "(no subject)"
    sender = decode_words(wrapper["from"].value) if "from" in wrapper else "an unknown sender"
    note = (
        f"This is the original attached to the report '{subject}' from {sender}; "
        f"the analysis is about {chosen.label}, not the wrapper."
    )
    if len(originals) > 1:
        note += f" The report carries {len(originals)} attached messages; the others are listed."
    return chosen, (note,)


def _innermost_original(top: LoadedMessage) -> tuple[LoadedMessage, list[LoadedMessage]]:
    """Follow forwarded-as-attachment reports down to the message that was reported.

    A report of a report (a colleague forwarding a user's forward) nests the original
    several levels deep; each level's first attached message is followed. Returns the
    original and the attached messages of the outermost report.
    """
    outer = [m for m in top.inner if not _is_returned(m)]
    chosen = top
    while True:
        originals = [m for m in chosen.inner if not _is_returned(m)]
        if not originals:
            return chosen, outer
        chosen = originals[0]


def _is_returned(message: LoadedMessage) -> bool:
    """A bounce's copy of the returned message: the bounce itself is what to analyse."""
    return message.report_type == "delivery-status"


def _descend(message: LoadedMessage, rest: tuple[int, ...]) -> LoadedMessage:
    for step in rest:
        if not 0 <= step < len(message.inner):
            raise InputError(
                f"{message.label.capitalize()} has no attached message {step + 1}.", NO_SUCH_MESSAGE
            )
        message = message.inner[step]
    return message


def _reachable(messages: tuple[LoadedMessage, ...]) -> tuple[InnerRef, ...]:
    """Every message reachable in the input: each top-level one, then what it carries.

    Empty for a lone message with nothing attached: there is nothing else to reach.
    """
    if len(messages) == 1 and not messages[0].inner:
        return ()
    return tuple(ref for message in messages for ref in _walk(message))


def _walk(message: LoadedMessage) -> Iterator[InnerRef]:
    subject = first_values(message.headers).get("subject")
    yield InnerRef(
        message.address, message.label, None if subject is None else decode_words(subject.value)
    )
    for child in message.inner:
        yield from _walk(child)
