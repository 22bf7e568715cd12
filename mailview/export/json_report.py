"""The JSON report: a stable contract for scripts (schema `mailview/report-1`).

Key names listed in the schema are kept forever; new keys may be added, none renamed or
dropped. Absent values are `null`; timestamps are ISO 8601 in UTC ending in `Z`.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from mailview import __version__
from mailview.core.model import (
    Envelope,
    Evidence,
    Finding,
    HeaderField,
    Hop,
    InnerRef,
    InputInfo,
    MessageSummary,
    Originator,
    Report,
    TlsInfo,
)
from mailview.core.verdict import verdict_of
from mailview.export.json_auth import auth_to_dict
from mailview.export.json_bounce import bounce_to_dict
from mailview.export.json_indicators import indicators_to_dict
from mailview.export.json_lookups import geo_to_dict, hop_lookup_to_dict, online_to_dict
from mailview.export.json_vendors import vendor_to_dict, verdict_to_dict

SCHEMA = "mailview/report-1"

JsonDict = dict[str, Any]


def iso_utc(moment: datetime | None) -> str | None:
    """`2024-03-01T10:00:00Z` (with fractions of a second only when there are some)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=None).isoformat() + "Z"


def report_to_dict(report: Report) -> JsonDict:
    document = {
        "schema": SCHEMA,
        "mailview_version": __version__,
        "input": _input(report.input),
        "message": _message(report.message),
        "hops": [_hop_with_lookups(report, position, h) for position, h in enumerate(report.hops)],
        "total_delay_seconds": report.total_delay_seconds,
        "trust_boundary_hop": report.trust_boundary_hop,
        "originators": [_originator(o) for o in report.originators],
        "findings": [_finding(f) for f in report.findings],
        "notes": list(report.notes),
        "messages": [_inner(r) for r in report.inner],
        "envelope": _envelope(report.envelope),
        "auth": None if report.auth is None else auth_to_dict(report.auth),
        "geo_source": report.geo_source,
        "vendors": [vendor_to_dict(v) for v in report.vendors],
        "verdict": verdict_to_dict(verdict_of(report)),
        "bounce": None
        if report.bounce is None
        else bounce_to_dict(report.bounce, report.input.message_count),
        "headers": [_header(h) for h in report.headers],
        # What was malformed and what a stage skipped at its budget: typed, for scripts.
        "defects": [
            {"code": d.code, "header_index": d.header_index, "text": str(d)} for d in report.defects
        ],
    }
    if report.indicators is not None:
        document["indicators"] = indicators_to_dict(report.indicators)
    if report.online is not None:
        document["online"] = online_to_dict(report.online)
    return document


def _hop_with_lookups(report: Report, position: int, hop: Hop) -> JsonDict:
    """A hop with its geo facts (null for non-public addresses or without databases) and,
    in online mode only, what live DNS said about it."""
    document = _hop(hop)
    geo = report.hop_geo[position] if position < len(report.hop_geo) else None
    document["geo"] = None if geo is None else geo_to_dict(geo)
    if report.online is not None:
        lookup = report.hop_online[position] if position < len(report.hop_online) else None
        document["online"] = None if lookup is None else hop_lookup_to_dict(lookup)
    return document


def error_to_dict(name: str, sha256: str | None, sentence: str) -> JsonDict:
    """The document for an input that could not be read as a message."""
    return {
        "schema": SCHEMA,
        "mailview_version": __version__,
        "input": {"name": name, "sha256": sha256, "format": None},
        "error": sentence,
    }


def dumps(document: JsonDict, *, pretty: bool) -> str:
    if pretty:
        return json.dumps(document, indent=2, ensure_ascii=False)
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


def _input(info: InputInfo) -> JsonDict:
    return {
        "name": info.name,
        "sha256": info.sha256,
        "format": info.format,
        "size": info.size,
        "address": list(info.address),
        "label": info.label,
        "message_count": info.message_count,
    }


def _message(summary: MessageSummary) -> JsonDict:
    parsed = summary.date_parsed
    return {
        "from": summary.from_,
        "to": summary.to,
        "subject": summary.subject,
        "date": summary.date,
        "message_id": summary.message_id,
        "return_path": summary.return_path,
        "reply_to": summary.reply_to,
        "date_utc": None if parsed is None else iso_utc(parsed.utc),
        "header_index": {name.replace("-", "_"): index for name, index in summary.sources},
    }


def _tls(tls: TlsInfo | None) -> JsonDict | None:
    if tls is None:
        return None
    return {"version": tls.version, "cipher": tls.cipher, "bits": tls.bits}


def _hop(hop: Hop) -> JsonDict:
    f = hop.fields
    return {
        "index": hop.index,
        "from_host": f.from_host,
        "from_helo": f.from_helo,
        "from_rdns": f.from_rdns,
        "from_ip": f.from_ip,
        "by_host": f.by_host,
        "by_ip": f.by_ip,
        "with": f.with_protocol,
        "tls": _tls(f.tls),
        "id": f.id,
        "for": f.for_addr,
        "via": f.via,
        "envelope_from": f.envelope_from,
        "authenticated": f.authenticated,
        "authenticated_as": f.authenticated_as,
        "timestamp": None if f.date is None else iso_utc(f.date.utc),
        "date_text": f.date_text,
        "utc_offset_minutes": None if f.date is None else f.date.offset_minutes,
        "delay_seconds": hop.delay_seconds,
        "ip_scope": None if hop.ip_scope is None else hop.ip_scope.value,
        "trusted": hop.trusted,
        "software": f.software,
        "problems": list(f.problems),
        "header_index": hop.header_index,
        "header_name": hop.header_name,
        "raw": hop.raw,
    }


def _originator(origin: Originator) -> JsonDict:
    return {"ip": origin.ip, "source": origin.source, "header_index": origin.header_index}


def _evidence(evidence: Evidence) -> JsonDict:
    return {
        "header_index": evidence.header_index,
        "header_name": evidence.header_name,
        "text": evidence.text,
        "omitted_chars": evidence.omitted_chars,  # the quote is cut; the header is whole
    }


def _finding(item: Finding) -> JsonDict:
    return {
        "code": item.code,
        "severity": item.severity.value,
        "title": item.title,
        "detail": item.detail,
        "evidence": [_evidence(e) for e in item.evidence],
        "evidence_omitted": item.evidence_omitted,
        "strength": item.strength,
    }


def _inner(ref: InnerRef) -> JsonDict:
    return {"address": list(ref.address), "label": ref.label, "subject": ref.subject}


def _envelope(envelope: Envelope | None) -> JsonDict | None:
    if envelope is None:
        return None
    return {
        "mail_from": envelope.mail_from,
        "rcpt_to": list(envelope.rcpt_to),
        "helo": envelope.helo,
        "date_text": envelope.date_text,
    }


def _header(field: HeaderField) -> JsonDict:
    return {"index": field.index, "name": field.name, "value": field.value, "line": field.line}
