"""The JSON report is a contract: these key names are kept exactly."""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mailview.assets import sample_message
from mailview.core.analyze import AnalysisOptions, analyze_bytes, analyze_path
from mailview.export.json_report import SCHEMA, dumps, error_to_dict, iso_utc, report_to_dict

NOW = AnalysisOptions(now=datetime(2025, 1, 1, tzinfo=UTC))
TOP_KEYS = {"schema", "input", "message", "hops", "total_delay_seconds", "findings"}
INPUT_KEYS = {"name", "sha256", "format"}
MESSAGE_KEYS = {"from", "to", "subject", "date", "message_id", "return_path", "reply_to"}
HOP_KEYS = {
    "index", "from_host", "from_helo", "from_rdns", "from_ip", "by_host", "by_ip", "with",
    "tls", "id", "for", "via", "envelope_from", "authenticated", "timestamp",
    "delay_seconds", "ip_scope", "trusted", "header_index", "raw",
}  # fmt: skip
FINDING_KEYS = {"code", "severity", "title", "detail", "evidence"}


def sample_document() -> dict[str, Any]:
    text = dumps(report_to_dict(analyze_path(sample_message(), options=NOW)), pretty=True)
    document: dict[str, Any] = json.loads(text)
    return document


def test_every_contract_key_is_present() -> None:
    doc = sample_document()
    assert doc["schema"] == SCHEMA == "mailview/report-1"
    assert doc.keys() >= TOP_KEYS
    assert doc["input"].keys() >= INPUT_KEYS
    assert doc["message"].keys() >= MESSAGE_KEYS
    hops = doc["hops"]
    assert isinstance(hops, list) and len(hops) == 6
    for hop in hops:
        assert hop.keys() >= HOP_KEYS
    findings = doc["findings"]
    assert isinstance(findings, list) and findings
    for item in findings:
        assert item.keys() >= FINDING_KEYS


def test_sample_values_read_by_hand() -> None:
    doc = sample_document()
    hops = doc["hops"]
    assert isinstance(hops, list)
    first, boundary, last = hops[0], hops[2], hops[5]
    assert first["index"] == 1 and first["by_host"] == "smtp.gmail.com"
    assert first["timestamp"] == "2024-11-12T09:05:11Z"  # 10:05:11 +0100
    assert first["delay_seconds"] is None
    assert hops[1]["from_ip"] == "198.51.100.23" and hops[1]["from_rdns"] is None
    assert hops[1]["delay_seconds"] == 651.0  # 09:05:11 → 09:16:02
    assert boundary["from_ip"] == "203.0.113.77"
    assert boundary["delay_seconds"] == -83.0  # 09:16:02 → 09:14:39, clock skew
    assert boundary["trusted"] is True and hops[1]["trusted"] is False
    assert boundary["tls"]["version"] == "TLSv1.2"
    assert last["with"] == "HTTPS" and last["header_index"] == 0
    assert doc["total_delay_seconds"] == 570.0  # 09:05:11 → 09:14:41
    assert doc["trust_boundary_hop"] == 3
    message = doc["message"]
    assert isinstance(message, dict)
    assert message["subject"] == "Your account has been limited – action required"
    assert message["from"] == '"PayPal Billing" <service@paypa1-billing.example>'
    assert message["header_index"]["subject"] == 12  # 6 Received, then 6 more
    assert message["header_index"]["message_id"] == 14
    codes = [f["code"] for f in doc["findings"]]
    assert "route.negative_delay" in codes
    assert doc["originators"][0] == {
        "ip": "203.0.113.77",
        "source": "first external hop",
        "header_index": 3,
    }


def test_absent_values_are_null_and_timestamps_end_in_z() -> None:
    report = analyze_bytes(b"Received: by host.example; Tue, 12 Nov 2024 09:14:40 +0200\r\n\r\n")
    doc = report_to_dict(report)
    hop = doc["hops"][0]
    assert hop["from_host"] is None and hop["from_ip"] is None and hop["tls"] is None
    assert hop["timestamp"] == "2024-11-12T07:14:40Z"
    assert doc["message"]["from"] is None
    assert doc["total_delay_seconds"] is None


def test_iso_utc_keeps_fractions_only_when_present() -> None:
    assert iso_utc(datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2024-01-02T03:04:05Z"
    assert (
        iso_utc(datetime(2024, 1, 2, 3, 4, 5, 250000, tzinfo=UTC)) == "2024-01-02T03:04:05.250000Z"
    )


def test_error_document_shape(tmp_path: Path) -> None:
    doc = error_to_dict("x.png", "ab" * 32, "This file is a PNG image, not an email message.")
    assert doc["schema"] == SCHEMA
    assert doc["input"] == {"name": "x.png", "sha256": "ab" * 32, "format": None}
    assert doc["error"] == "This file is a PNG image, not an email message."
    assert json.loads(dumps(doc, pretty=False)) == doc


AUTH_KEYS = {"results", "spf", "dkim", "dmarc", "arc", "alignment"}
AUTH_RESULT_KEYS = {
    "method", "result", "reason", "authserv_id", "trusted", "properties", "header_index",
}  # fmt: skip
AUTH_SUB_KEYS = {
    "spf": {"result", "domain", "ip", "source"},
    "dmarc": {"result", "policy", "from_domain", "source"},
    "arc": {"instances", "chain", "result"},
    "alignment": {
        "from_domain", "spf_domain", "spf_aligned", "dkim_aligned_domains", "dmarc_computed",
    },
}  # fmt: skip
DKIM_KEYS = {"domain", "selector", "algorithm", "result", "body_hash", "header_index"}


def test_auth_block_keys_and_values_read_by_hand() -> None:
    data = (
        b"Authentication-Results: mx.corp.example; spf=pass smtp.mailfrom=news.example;\r\n"
        b" dkim=pass header.d=news.example; dmarc=pass header.from=news.example\r\n"
        b"Received: from out.news.example (out.news.example [198.51.100.7])\r\n"
        b" by mx.corp.example (Postfix) with ESMTPS id 1; Tue, 12 Nov 2024 09:00:00 +0000\r\n"
        b"From: News <letters@news.example>\r\nReturn-Path: <bounce@news.example>\r\n"
        b"Subject: s\r\n\r\nbody\r\n"
    )
    doc = json.loads(dumps(report_to_dict(analyze_bytes(data, options=NOW)), pretty=False))
    auth = doc["auth"]
    assert auth.keys() >= AUTH_KEYS
    for name, keys in AUTH_SUB_KEYS.items():
        assert auth[name].keys() >= keys, name
    assert [r["method"] for r in auth["results"]] == ["spf", "dkim", "dmarc"]
    for result in auth["results"]:
        assert result.keys() >= AUTH_RESULT_KEYS
        assert result["trusted"] is True and result["authserv_id"] == "mx.corp.example"
        assert result["header_index"] == 0
    assert auth["results"][0]["properties"] == {"smtp.mailfrom": "news.example"}
    assert auth["spf"]["result"] == "pass" and auth["spf"]["domain"] == "news.example"
    assert auth["dmarc"]["result"] == "pass" and auth["dmarc"]["from_domain"] == "news.example"
    assert auth["alignment"]["spf_aligned"] == "strict"
    assert auth["alignment"]["dmarc_computed"] == "pass"
    assert auth["arc"] == {**auth["arc"], "instances": 0, "chain": "none"}
    assert auth["dkim"] == []


def test_dkim_entries_carry_the_contract_keys() -> None:
    from tests.auth_signing import dkim_sign, key_pair, plain_message

    signed = dkim_sign(plain_message(), key_pair())
    doc = report_to_dict(analyze_bytes(signed, options=NOW))
    (entry,) = doc["auth"]["dkim"]
    assert entry.keys() >= DKIM_KEYS
    assert entry["body_hash"] == "match" and entry["header_index"] == 0


def test_vendors_and_verdict_blocks() -> None:
    data = (
        b"X-Forefront-Antispam-Report: CIP:203.0.113.77;CTRY:NL;LANG:en;SCL:5;SRV:;IPV:NLI;"
        b"SFV:SPM;H:mail.paypa1-billing.example;PTR:;CAT:SPM;SFS:(13230040);DIR:INB;\r\n"
        b"X-Microsoft-Antispam-Mailbox-Delivery: ucf:0;jmr:0;auth:0;dest:J;OFR:SpamFilterAuthJ;\r\n"
        b"From: PayPal <service@paypa1-billing.example>\r\nSubject: s\r\n\r\nbody\r\n"
    )
    doc = report_to_dict(analyze_bytes(data, options=NOW))
    assert doc["verdict"]["level"] == "high"  # the PayPal lookalike
    assert "imitates PayPal" in doc["verdict"]["summary"]
    vendors = doc["vendors"]
    assert vendors[0]["vendor"] == "Microsoft 365" and vendors[0]["header"] == "(combined)"
    assert vendors[0]["header_index"] is None
    assert vendors[0]["summary"].startswith("Delivered to Junk")
    report_block = next(v for v in vendors if v["header"] == "X-Forefront-Antispam-Report")
    assert report_block.keys() >= {"vendor", "header", "header_index", "fields", "summary"}
    assert report_block["header_index"] == 0
    scl = next(f for f in report_block["fields"] if f["key"] == "SCL")
    assert scl["raw"] == "5" and scl["meaning"]
    assert set(report_block["unrecognised"]) <= {f["key"] for f in report_block["fields"]}
