"""Vendor verdicts and the triage verdict in the JSON report (schema mailview/report-1)."""

from __future__ import annotations

from typing import Any

from mailview.core.vendors.model import VendorVerdict
from mailview.core.verdict import Verdict

JsonDict = dict[str, Any]


def vendor_to_dict(vendor: VendorVerdict) -> JsonDict:
    return {
        "vendor": vendor.vendor,
        "header": vendor.header,
        "header_index": vendor.header_index,
        "fields": [{"key": f.key, "raw": f.raw, "meaning": f.meaning} for f in vendor.fields],
        "unrecognised": [f.key for f in vendor.unrecognised],
        "summary": vendor.summary,
    }


def verdict_to_dict(found: Verdict) -> JsonDict:
    return {
        "level": found.level,
        "summary": found.summary,
        "assessment": found.assessment.value,
        "reasons": list(found.reasons),
        "sentence": found.sentence,
    }
