"""Indicators in the JSON report (`mailview export --json`): plain, never defanged —
JSON is for machines, which want the real values."""

from __future__ import annotations

from typing import Any

from mailview.core.indicators import Indicators

JsonDict = dict[str, Any]


def indicators_to_dict(found: Indicators) -> JsonDict:
    return {
        "ips": [
            {
                "ip": i.ip,
                "role": i.role,
                "hop_index": i.hop_index,
                "scope": None if i.scope is None else i.scope.value,
            }
            for i in found.ips
        ],
        "addresses": [
            {"address": a.address, "role": a.role, "domain": a.domain} for a in found.addresses
        ],
        "domains": list(found.domains),
        "urls": [
            {
                "url": u.url,
                "domain": u.domain,
                "source": u.source,
                "shown_text": u.shown_text,
                "mismatch": u.mismatch,
                "part": u.part,
            }
            for u in found.urls
        ],
        "attachments": [
            {
                "name": a.name,
                "size": a.size,
                "declared_type": a.declared_type,
                "detected_type": a.detected_type,
                "sha256": a.sha256,
            }
            for a in found.attachments
        ],
        "forms": [
            {"action": f.action, "domain": f.domain, "password": f.password, "part": f.part}
            for f in found.forms
        ],
        "password_fields": list(found.password_fields),
        "problems": list(found.problems),
    }
