"""Geo and online facts in the JSON report: per hop "geo" and "online", and the report's
"online" block (present only when the analysis went online)."""

from __future__ import annotations

from typing import Any

from mailview.core.model import (
    DmarcRecord,
    GeoInfo,
    HopLookup,
    OnlineFacts,
    SpfEvaluation,
)

JsonDict = dict[str, Any]


def _when(lookup: HopLookup | OnlineFacts) -> str:
    return lookup.looked_up_at.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def geo_to_dict(geo: GeoInfo) -> JsonDict:
    return {
        "country": geo.country,
        "country_name": geo.country_name,
        "city": geo.city,
        "latitude": geo.latitude,
        "longitude": geo.longitude,
        "asn": geo.asn,
        "as_org": geo.as_org,
        "source": geo.source,
        "sources": [
            {
                "facts": list(s.facts),
                "name": s.name,
                "date": s.built.isoformat() if s.built else None,
                "embedded": s.embedded,
            }
            for s in geo.sources
        ],
    }


def hop_lookup_to_dict(lookup: HopLookup) -> JsonDict:
    return {
        "ptr": lookup.ptr,
        "fcrdns": lookup.fcrdns,
        "asn": lookup.asn,
        "as_org": lookup.as_org,
        "dnsbl": list(lookup.dnsbl),
        "looked_up_at": _when(lookup),
        "problems": list(lookup.problems),
    }


def online_to_dict(online: OnlineFacts) -> JsonDict:
    return {
        "resolver": online.resolver,
        "looked_up_at": _when(online),
        "spf": None if online.spf is None else _spf(online.spf),
        "dmarc_record": None if online.dmarc_record is None else _dmarc(online.dmarc_record),
        "mx": {
            "domain": online.mx_domain,
            "hosts": list(online.mx),
            "first_trusted_hop_is_mx": online.first_trusted_hop_is_mx,
        },
        "problems": list(online.problems),
    }


def _spf(spf: SpfEvaluation) -> JsonDict:
    return {
        "result": spf.result,
        "domain": spf.domain,
        "ip": spf.ip,
        "record": spf.record,
        "matched": spf.matched,
        "path": list(spf.path),
        "dns_lookups": spf.dns_lookups,
        "explanation": spf.explanation,
    }


def _dmarc(record: DmarcRecord) -> JsonDict:
    return {
        "domain": record.found_at,  # where the record was found
        "record": record.record,
        "p": record.p,
        "sp": record.sp,
        "pct": record.pct,
        "adkim": record.adkim,
        "aspf": record.aspf,
        "rua": list(record.rua),
    }
