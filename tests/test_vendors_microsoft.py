"""Microsoft 365 header decoders and the "why did it land there" combiner."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailview.core.load import load_bytes
from mailview.core.model import HeaderField
from mailview.core.vendors.microsoft import (
    COMBINERS,
    DECODERS,
    combine,
    latency_seconds,
    split_pairs,
)
from mailview.core.vendors.model import VendorVerdict
from tests.corpus import CORPUS, corpus_files


def field(name: str, value: str, index: int = 0) -> HeaderField:
    return HeaderField(index, name, value, f"{name}: {value}", index + 1)


def decode(name: str, value: str, index: int = 0) -> VendorVerdict:
    verdict = DECODERS[name.lower()](field(name, value, index))
    assert verdict is not None
    return verdict


def meanings(verdict: VendorVerdict) -> dict[str, str | None]:
    return {f.key: f.meaning for f in verdict.fields}


# Real headers from parsedmarc (Apache-2.0, github.com/domainaware/parsedmarc,
# samples/aggregate/mimecast-weird-gzip.eml): a Mimecast DMARC report that Exchange Online
# put in Junk although it passed authentication.
JUNK_HEADERS = (
    (
        "Authentication-Results",
        "spf=pass (sender IP is 103.13.69.22) smtp.mailfrom=au-1.mimecastreport.com; "
        "dkim=pass (signature was verified) header.d=au-1.mimecastreport.com;dmarc=pass "
        "action=none header.from=au-1.mimecastreport.com;compauth=pass reason=100",
    ),
    ("X-MS-Exchange-Organization-AuthAs", "Anonymous"),
    ("X-MS-Exchange-Organization-SCL", "5"),
    (
        "X-Forefront-Antispam-Report",
        "CIP:103.13.69.22;CTRY:AU;LANG:en;SCL:5;SRV:;IPV:NLI;SFV:SPM;"
        "H:au-mta-51.au.mimecast.lan;PTR:au-pop.mimecast.com;CAT:SPM;SFS:(13230031)(286005)"
        "(451199024)(9402899012)(36736006)(6512007)(6916009)(8676002)(9686003)(1096003)"
        "(336012)(2616005)(31696002)(956004)(9316004)(86362001)(621065003)(73894004)"
        "(26005)(4270600006)(22186003)(7636003)(356005)(6506007)(6486002)(58800400005)"
        "(31686004)(43540500003);DIR:INB;",
    ),
    ("X-Microsoft-Antispam", "BCL:5;"),
    ("X-MS-Exchange-Transport-EndToEndLatency", "00:00:04.5164388"),
    (
        "X-Microsoft-Antispam-Mailbox-Delivery",
        "ucf:0;jmr:0;auth:0;dest:J;OFR:SpamFilterAuthJ;ENG:(910001)(944506478)(944626604)"
        "(920097)(930097)(3100021)(140003);RF:JunkEmail;",
    ),
)

# Real headers from parsedmarc (Apache-2.0), samples/aggregate/"Report domain- borschow.com
# Submitter- google.com Report-ID- 949348866075514174.eml": a tenant's mail flow rule let
# a message that failed DMARC skip filtering (SFV:SKN, SCL -1) into the Inbox.
INBOX_HEADERS = (
    (
        "Authentication-Results",
        "spf=softfail (sender IP is 199.230.200.198) smtp.mailfrom=google.com; "
        "cardinalhealth.mail.onmicrosoft.com; dkim=fail (signature did not verify) "
        "header.d=google.com;cardinalhealth.mail.onmicrosoft.com; dmarc=fail action=oreject "
        "header.from=google.com;",
    ),
    (
        "X-Forefront-Antispam-Report",
        "CIP:199.230.200.198;IPV:NLI;CTRY:US;EFV:NLI;SFV:SKN;SFS:;DIR:INB;SFP:;SCL:-1;"
        "SRVR:SN6PR04MB4480;H:SMTP10.cardinalhealth.com;FPR:;SPF:None;LANG:en;",
    ),
    ("X-MS-Exchange-Organization-SCL", "-1"),
    (
        "X-Microsoft-Antispam-Mailbox-Delivery",
        "ucf:0;jmr:0;ex:0;auth:0;dest:I;ENG:(750119)(520011016)(944506303)(944626516);",
    ),
)


def fields_of(pairs: Sequence[tuple[str, str]]) -> list[HeaderField]:
    return [field(name, value, i) for i, (name, value) in enumerate(pairs)]


# --- single decoders ---------------------------------------------------------------------


def test_forefront_report_real_junk() -> None:
    verdict = decode("X-Forefront-Antispam-Report", JUNK_HEADERS[3][1], 3)
    assert verdict.vendor == "Microsoft 365"
    assert verdict.header_index == 3
    m = meanings(verdict)
    assert m["SFV"] == "spam filtering verdict: spam filtering marked the message as spam"
    assert m["SCL"] is not None and "spam (by default delivered to the Junk" in m["SCL"]
    assert m["CAT"] == "protection category applied: spam"
    assert m["IPV"] is not None and "not found on any IP reputation list" in m["IPV"]
    assert m["CIP"] is not None and m["CIP"].endswith("103.13.69.22")
    assert m["PTR"] == "reverse DNS (PTR) name of the connecting IP: au-pop.mimecast.com"
    assert m["SFS"] is not None and "28 internal Microsoft rule ids, not documented" in m["SFS"]
    sfs = next(f for f in verdict.fields if f.key == "SFS")
    assert sfs.raw.startswith("(13230031)(286005)")  # the list is kept as written
    assert verdict.summary.startswith("Microsoft 365 filtering report: spam filtering marked")
    assert "SCL 5 (spam)" in verdict.summary


def test_forefront_unknown_fields_stay_unrecognised() -> None:
    verdict = decode("X-Forefront-Antispam-Report", INBOX_HEADERS[1][1])
    unknown = {f.key for f in verdict.unrecognised}
    assert unknown == {"EFV", "FPR"}
    assert meanings(verdict)["SFV"] is not None and "before spam filtering ran" in str(
        meanings(verdict)["SFV"]
    )
    assert meanings(verdict)["SCL"] == (
        "spam confidence level -1: the message skipped spam filtering "
        "(safe sender, allow list or a rule)"
    )


def test_forefront_untrusted_is_labelled_as_another_organisations() -> None:
    verdict = decode("X-Forefront-Antispam-Report-Untrusted", "CIP:192.0.2.1;SFV:NSPM;SCL:1;")
    assert verdict.summary.startswith("Another Microsoft 365 organisation's filtering report")


@pytest.mark.parametrize(
    ("value", "key", "expected"),
    [
        ("SFV:SKA;", "SFV", "allowed senders or allowed domains list"),
        ("SFV:SFE;", "SFV", "Safe Senders list"),
        ("SFV:BLK;", "SFV", "Blocked Senders list"),
        ("SFV:SKQ;", "SFV", "released from quarantine"),
        ("IPV:CAL;", "IPV", "IP Allow List"),
        ("CAT:HPHISH;", "CAT", "high confidence phishing"),
        ("CAT:UIMP;", "CAT", "user impersonation"),
        ("SFTY:9.19;", "SFTY", "domain impersonation"),
        ("SFTY:9.25;", "SFTY", "first contact safety tip"),
        ("SRV:BULK;", "SRV", "bulk mail"),
        ("SCL:9;", "SCL", "high confidence spam"),
        ("SCL:3;", "SCL", "does not use"),
        ("PTR:InfoNoRecords;", "PTR", "no reverse DNS (PTR) record"),
        ("DIR:OUT;", "DIR", "outbound"),
        ("H:mail.example.com;", "H", "mail.example.com"),
        ("CIP:2001:db8::1;", "CIP", "2001:db8::1"),
    ],
)
def test_forefront_documented_values(value: str, key: str, expected: str) -> None:
    meaning = meanings(decode("X-Forefront-Antispam-Report", value))[key]
    assert meaning is not None and expected in meaning


def test_forefront_unknown_value_of_a_known_key_is_unrecognised() -> None:
    verdict = decode("X-Forefront-Antispam-Report", "SFV:XYZ;CAT:NEWCAT;SCL:12")
    assert {f.key for f in verdict.unrecognised} == {"SFV", "CAT", "SCL"}


def test_forefront_rejects_what_is_not_a_report() -> None:
    assert DECODERS["x-forefront-antispam-report"](field("X", "hello world")) is None


def test_microsoft_antispam_bcl() -> None:
    verdict = decode("X-Microsoft-Antispam", "BCL:5;")
    assert meanings(verdict)["BCL"] == (
        "bulk complaint level 5: from a bulk sender that generates a mixed number of complaints"
    )
    old = decode("X-Microsoft-Antispam", "UriScan:;BCL:0;PCL:0;RULEID:(22001)(23075);SRVR:X;")
    m = meanings(old)
    assert m["BCL"] == "bulk complaint level 0: not from a bulk sender"
    assert m["PCL"] == "phishing confidence level 0: the content is not likely phishing"
    assert m["UriScan"] is None
    assert m["RULEID"] is not None and "2 internal Microsoft rule ids" in m["RULEID"]


def test_organisation_headers() -> None:
    assert decode("X-MS-Exchange-Organization-SCL", "5").fields[0].meaning == (
        "5: spam (by default delivered to the Junk Email folder)"
    )
    assert "high confidence" in str(decode("X-MS-Exchange-Organization-SCL", "9").summary)
    assert decode("X-MS-Exchange-Organization-PCL", "8").fields[0].meaning == (
        "8: the content is likely phishing"
    )
    auth = decode("X-MS-Exchange-Organization-AuthAs", "Anonymous")
    assert auth.fields[0].meaning is not None and "did not authenticate" in auth.fields[0].meaning
    assert "Internal" in decode("X-MS-Exchange-Organization-AuthAs", "Internal").summary
    assert decode("X-MS-Exchange-Organization-AuthAs", "Weird").fields[0].meaning is None
    source = decode("X-MS-Exchange-Organization-AuthSource", "BN7NAM10FT021.eop.outlook.com")
    assert "BN7NAM10FT021.eop.outlook.com" in source.summary


def test_mailbox_delivery_real_junk() -> None:
    verdict = decode("X-Microsoft-Antispam-Mailbox-Delivery", JUNK_HEADERS[6][1])
    m = meanings(verdict)
    assert m["dest"] == "the mailbox delivered the message to the Junk Email folder"
    assert m["OFR"] == "what decided the folder: the spam filter's verdict put the message in Junk"
    assert m["RF"] == "folder the message was put in: JunkEmail"
    assert m["ucf"] is not None and "not documented by Microsoft" in m["ucf"]
    assert verdict.summary == (
        "Delivered to the Junk Email folder; the spam filter's verdict put the message in Junk."
    )


def test_mailbox_delivery_flags_and_unknown_keys() -> None:
    verdict = decode(
        "X-Microsoft-Antispam-Mailbox-Delivery",
        "wl:1;abwl:0;pcwl:0;kl:0;iwl:0;dwl:0;dkl:0;rwl:0;dest:I;OFR:TrustedSenderList;zz:3;",
    )
    m = meanings(verdict)
    assert m["wl"] is not None and m["wl"].endswith("yes (not documented by Microsoft)")
    assert m["OFR"] is not None and "Safe Senders" in m["OFR"]
    assert m["zz"] is None
    assert "allow-list flags set: wl" in verdict.summary


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [("00:00:04.5164388", 4.5164388), ("01:02:03", 3723.0), ("1.00:00:00.5", 86400.5)],
)
def test_latency(raw: str, seconds: float) -> None:
    assert latency_seconds(raw) == pytest.approx(seconds)


def test_latency_decoder() -> None:
    verdict = decode("X-MS-Exchange-Transport-EndToEndLatency", "00:00:04.5164388")
    assert verdict.fields[0].meaning is not None and "4.5 seconds" in verdict.fields[0].meaning
    odd = decode("X-MS-Exchange-Transport-EndToEndLatency", "soon")
    assert odd.fields[0].meaning is None


def test_split_pairs_keeps_items_without_colon() -> None:
    assert split_pairs("A:1;;B;C:x:y; ") == [("A", "1"), ("B", ""), ("C", "x:y")]


# --- combiner ----------------------------------------------------------------------------


def test_combiner_junk_delivery_real() -> None:
    (verdict,) = combine(fields_of(JUNK_HEADERS), [])
    assert verdict.vendor == "Microsoft 365"
    assert verdict.header == "(combined)"
    assert verdict.header_index is None
    assert verdict.summary == (
        "Delivered to Junk: spam filtering verdict SPM with SCL 5 (spam), category SPM (spam); "
        "sender authentication (compauth) passed with reason 100; no safe-sender override."
    )
    compauth = next(f for f in verdict.fields if f.key == "compauth")
    assert compauth.raw == "pass reason=100"
    assert compauth.meaning is not None and compauth.meaning.startswith("Microsoft 365 considers")


def test_combiner_junk_delivery_failed_compauth() -> None:
    headers = fields_of(
        (
            (
                "Authentication-Results",
                "spf=softfail (sender IP is 192.0.2.7) smtp.mailfrom=example.org; dkim=none "
                "(message not signed) header.d=none;dmarc=none action=none "
                "header.from=example.org;compauth=fail reason=001",
            ),
            ("X-Forefront-Antispam-Report", "CIP:192.0.2.7;CTRY:NL;SCL:5;SFV:SPM;CAT:SPOOF;"),
            ("X-Microsoft-Antispam-Mailbox-Delivery", "ucf:0;jmr:0;auth:0;dest:J;"),
        )
    )
    (verdict,) = combine(headers, [])
    assert verdict.summary == (
        "Delivered to Junk: spam filtering verdict SPM with SCL 5 (spam), category SPOOF "
        "(spoofing); sender authentication (compauth) failed with reason 001; "
        "no safe-sender override."
    )


def test_combiner_inbox_delivery_real() -> None:
    (verdict,) = combine(fields_of(INBOX_HEADERS), [])
    assert verdict.summary == (
        "Delivered to the Inbox: spam filtering verdict SKN with SCL -1 (filtering skipped); "
        "no composite authentication (compauth) result found; filtering was bypassed: marked "
        "as not spam before spam filtering ran (for example a mail flow rule set SCL -1 or "
        "'bypass spam filtering')."
    )


def test_combiner_inbox_by_safe_sender() -> None:
    headers = fields_of(
        (
            (
                "Authentication-Results",
                "spf=pass smtp.mailfrom=example.com;compauth=pass reason=109",
            ),
            ("X-Forefront-Antispam-Report", "CIP:192.0.2.9;SCL:1;SFV:SFE;DIR:INB;"),
            ("X-Microsoft-Antispam-Mailbox-Delivery", "dest:I;OFR:TrustedSenderList;"),
        )
    )
    (verdict,) = combine(headers, [])
    assert verdict.summary.startswith("Delivered to the Inbox: spam filtering verdict SFE")
    assert "compauth) passed with reason 109" in verdict.summary
    assert verdict.summary.endswith(
        "overridden by the recipient's settings (the recipient's Safe Senders list decided "
        "the folder)."
    )


def test_combiner_prefers_the_inbound_report_and_skips_untrusted() -> None:
    headers = fields_of(
        (
            ("X-Forefront-Antispam-Report-Untrusted", "SFV:SPM;SCL:9;DIR:INB;"),
            ("X-Forefront-Antispam-Report", "SFV:NSPM;SCL:1;DIR:INB;"),
            ("X-Forefront-Antispam-Report", "SFV:SPM;SCL:5;DIR:OUT;"),
        )
    )
    (verdict,) = combine(headers, [])
    assert "verdict NSPM with SCL 1 (not spam)" in verdict.summary
    assert verdict.summary.startswith("Where Microsoft 365 delivered it is not recorded")


def test_combiner_outbound_only() -> None:
    # mailgun/flanker (Apache-2.0), tests/fixtures/messages/bounce/office365.eml (SFS shortened)
    headers = fields_of(
        (
            (
                "X-Forefront-Antispam-Report",
                "SFV:NSPM;SFS:(10009020)(50650200002);DIR:OUT;SFP:1501;SCL:1;SRVR:DB5PR06MB1800;"
                "H:;FPR:;SPF:None;PTR:InfoNoRecords;A:0;MX:0;LANG:en;",
            ),
        )
    )
    (verdict,) = combine(headers, [])
    assert verdict.summary == (
        "Sent out through Microsoft 365, whose outbound filter recorded spam filtering verdict "
        "NSPM with SCL 1 (not spam)."
    )


def test_combiner_stays_quiet_without_microsoft_headers() -> None:
    assert combine(fields_of((("Subject", "hi"), ("X-Spam-Status", "No"))), []) == ()


def test_combiner_through_the_loader() -> None:
    text = "".join(f"{name}: {value}\r\n" for name, value in JUNK_HEADERS)
    (message,) = load_bytes((text + "Subject: x\r\n\r\nbody\r\n").encode())
    results = [v for c in COMBINERS for v in c(message.headers, [])]
    assert len(results) == 1
    assert results[0].summary.startswith("Delivered to Junk: spam filtering verdict SPM")


# --- robustness --------------------------------------------------------------------------

_NAMES = st.sampled_from(
    [*DECODERS, "authentication-results", "x-forefront-antispam-report", "subject"]
)
_VALUES = st.text(alphabet=st.sampled_from("ABCDEFIJ SPMN:;=()0123456789.-_abc\t é"), max_size=80)


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(sorted(DECODERS)), value=st.text(max_size=120) | _VALUES)
def test_decoders_never_raise(name: str, value: str) -> None:
    verdict = DECODERS[name](field(name, value))
    if verdict is not None:
        assert all(isinstance(f.raw, str) for f in verdict.fields)
        assert verdict.summary


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_NAMES, _VALUES), max_size=8))
def test_combiner_never_raises(pairs: list[tuple[str, str]]) -> None:
    for verdict in combine(fields_of(pairs), []):
        assert verdict.summary.endswith(".")


@pytest.mark.corpus
def test_corpus_sweep() -> None:
    files = corpus_files()
    if not files:
        pytest.skip(f"no corpus at {CORPUS}")
    decoded = combined = 0
    for path in files:
        for message in load_bytes(path.read_bytes()):
            verdicts = [
                v
                for h in message.headers
                if (d := DECODERS.get(h.name.lower())) and (v := d(h)) is not None
            ]
            decoded += len(verdicts)
            combined += len(combine(message.headers, verdicts))
    assert decoded > 10
    assert combined >= 2
