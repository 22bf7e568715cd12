"""The caption a ticket needs (what, who, when, how long, which file) and the legend."""

from __future__ import annotations

from dataclasses import replace

from mailview.core.model import Report
from mailview.layout.failure import FailurePlan
from mailview.layout.geometry import Metrics, Rect, limit_lines, wrap_words
from mailview.layout.shapes import Legend, LegendEntry, Text
from mailview.present.durations import delay_label

_SHOWN_FINDINGS = 3


def caption_lines(
    report: Report, card_count: int, x: float, y: float, width: float, measure: Metrics
) -> tuple[Text, ...]:
    message = report.message
    subject = (
        f"Route of “{message.subject}”" if message.subject else "Route of a message with no subject"
    )
    who = [
        f"From {message.from_ or '(none)'}",
        f"To {message.to or '(none)'}",
        f"Date {message.date or '(none)'}",
    ]
    blocks = [
        (subject, "caption-title", 2),
        ("   ·   ".join(who), "caption", 3),
        (_route_summary(report, card_count), "caption-muted", 2),
        (_which_message(report), "caption-muted", 2),
    ]
    findings = _findings_line(report)
    if findings:
        blocks.append((findings, "caption", 3))
    texts: list[Text] = []
    for text, style, most in blocks:
        h = measure.line_height(style)
        for line in limit_lines(wrap_words(text, width, style, measure), most):
            texts.append(Text(line, style, Rect(x, y, measure.width(line, style), h)))
            y += h
        y += 4
    return tuple(texts)


def failure_caption(
    bounce: Report,
    plan: FailurePlan,
    caption: tuple[Text, ...],
    x: float,
    width: float,
    measure: Metrics,
) -> tuple[Text, ...]:
    """The caption of a bounce's picture: what is drawn (the returned original's route, or
    the bounce's own up to where it began), led by the delivery report's headline."""
    report = bounce.bounce
    headline = report.headline if report is not None else "Delivery failed."
    if plan.returned:
        what = (
            "Drawn: the route of the returned original, ending where delivery stopped "
            "(the last step comes from the delivery report)."
        )
    else:
        what = (
            "Drawn: the bounce's own route up to the server that reported the failure, then "
            "the failure (the original's headers did not come back)."
        )
    texts: list[Text] = []
    y = caption[0].rect.y if caption else 0.0
    for text, style in ((headline, "caption-title"), (what, "caption-muted")):
        h = measure.line_height(style)
        for line in limit_lines(wrap_words(text, width, style, measure), 2):
            texts.append(Text(line, style, Rect(x, y, measure.width(line, style), h)))
            y += h
        y += 4
    shift = y - (caption[0].rect.y if caption else 0.0)
    moved = [replace(t, rect=Rect(t.rect.x, t.rect.y + shift, t.rect.w, t.rect.h)) for t in caption]
    if plan.returned and moved:
        first = moved[0]
        moved[0] = replace(first, text=first.text.replace("Route of", "Returned original:", 1))
    return (*texts, *moved)


def _which_message(report: Report) -> str:
    """The file, and which message of it when it holds more than one (an mbox, a report
    forwarded as an attachment), so a picture in a ticket names what it shows."""
    info = report.input
    where = ""
    if info.message_count > 1 or info.address:
        where = f"  ·  {info.label}"
        if info.message_count > 1 and info.label == "the message":
            where = (
                f"  ·  message {info.address[0] + 1 if info.address else 1} of {info.message_count}"
            )
    return f"{info.name}{where}  ·  SHA-256 {info.sha256}"


def _route_summary(report: Report, card_count: int) -> str:
    hops = len(report.hops)
    transit = report.total_delay_seconds
    parts = [
        f"Total transit {delay_label(transit)}" if transit is not None else "Total transit unknown"
    ]
    shown = f"{hops} hop{'s' if hops != 1 else ''}"
    if card_count:
        shown += f", {card_count} card{'s' if card_count != 1 else ''}"
    parts.append(shown)
    if report.trust_boundary_hop is not None:
        parts.append(f"trusted from hop {report.trust_boundary_hop}")
    count = len(report.findings)
    parts.append(f"{count} finding{'s' if count != 1 else ''}")
    if report.online is not None:
        when = report.online.looked_up_at.strftime("%Y-%m-%d %H:%M UTC")
        parts.append(f"online look-ups of {when} (today's DNS, not the delivery day's)")
    else:
        parts.append("analysed offline")
    if report.geo_source:
        parts.append(f"geo: {report.geo_source}")
    return "  ·  ".join(parts)


def _findings_line(report: Report) -> str | None:
    ordered = sorted(report.findings, key=lambda f: f.severity.rank)
    if not ordered:
        return None
    shown = [f"{f.severity.value.upper()} {f.title}" for f in ordered[:_SHOWN_FINDINGS]]
    more = len(ordered) - _SHOWN_FINDINGS
    if more > 0:
        shown.append(f"and {more} more")
    return "Findings: " + "  ·  ".join(shown)


# (kind, text in the swatch or None, words beside it)
_LEGEND = (
    ("fast", "< 1 min", ""),
    ("slow", "≥ 1 min", "delay of a hand-over"),
    ("high", "HIGH", ""),
    ("medium", "MEDIUM", ""),
    ("low", "LOW", ""),
    ("info", "INFO", "the severity of the finding that explains a pill"),
    ("break", None, "the chain breaks: two headers name different servers"),
    ("lane-untrusted", None, "claimed by the sender"),
    ("lane-trusted", None, "written by the receiving organisation"),
    ("finding", None, "outline: a finding names this server, in its severity's colour"),
)
_GROUP_ENTRY = ("group", None, "stacked: one provider's servers, click to expand")
_GROUP_EXPORT = ("group", None, "stacked: one provider's servers drawn as one card")
_SWATCH_W = 26.0
_SWATCH_H = 18.0
_ENTRY_GAP = 18.0


_FAILURE_ENTRY = (
    "refused",
    None,
    "where delivery stopped (from the delivery report): red a hard failure, orange a soft one",
)


def legend_block(
    x: float,
    y: float,
    width: float,
    measure: Metrics,
    *,
    interactive: bool = True,
    failure: bool = False,
) -> Legend:
    title_w = measure.width("Legend", "legend-title")
    lh = measure.line_height("legend-title")
    title = Text("Legend", "legend-title", Rect(x, y + (_SWATCH_H - lh) / 2, title_w, lh))
    start = x + title_w + 14
    cx, cy = start, y
    entries: list[LegendEntry] = []
    kinds = [*_LEGEND, _GROUP_ENTRY if interactive else _GROUP_EXPORT]
    if failure:
        kinds.append(_FAILURE_ENTRY)
    for kind, swatch_text, words in kinds:
        sw = measure.width(swatch_text, "pill") + 16 if swatch_text else _SWATCH_W
        lw = measure.width(words, "legend") if words else 0.0
        total = sw + (6 + lw if words else 0.0)
        if cx > start and cx + total > x + width:
            cx, cy = start, cy + _SWATCH_H + 8
        swatch = Rect(cx, cy, sw, _SWATCH_H)
        inside = None
        if swatch_text:
            tw, th = measure.width(swatch_text, "pill"), measure.line_height("pill")
            inside = Text(swatch_text, "pill", Rect(cx + 8, cy + (_SWATCH_H - th) / 2, tw, th))
        lh2 = measure.line_height("legend")
        label = Text(words, "legend", Rect(swatch.right + 6, cy + (_SWATCH_H - lh2) / 2, lw, lh2))
        entries.append(LegendEntry(kind, swatch, inside, label))
        cx += total + (_ENTRY_GAP if words else 6)
    return Legend(Rect(x, y, width, cy + _SWATCH_H - y), title, tuple(entries))
