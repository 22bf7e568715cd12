"""Decoders for SpamAssassin, Rspamd, Google and OVHcloud/Vade headers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailview.core.load import load_bytes
from mailview.core.model import HeaderField
from mailview.core.vendors import google, rspamd, spamassassin, vade
from mailview.core.vendors.model import Decoder, VendorVerdict
from tests.corpus import CORPUS, corpus_files

ALL: dict[str, Decoder] = {
    **spamassassin.DECODERS,
    **rspamd.DECODERS,
    **google.DECODERS,
    **vade.DECODERS,
}


def field(name: str, value: str, index: int = 0) -> HeaderField:
    return HeaderField(index, name, value, f"{name}: {value}", index + 1)


def decode(name: str, value: str) -> VendorVerdict:
    verdict = ALL[name.lower()](field(name, value))
    assert verdict is not None
    return verdict


def meanings(verdict: VendorVerdict) -> dict[str, str | None]:
    return {f.key: f.meaning for f in verdict.fields}


def raws(verdict: VendorVerdict) -> dict[str, str]:
    return {f.key: f.raw for f in verdict.fields}


# --- SpamAssassin ------------------------------------------------------------------------

# parsedmarc (Apache-2.0, github.com/domainaware/parsedmarc), samples/aggregate/twilight.eml,
# as the loader unfolds it (fold = CRLF removed, the tab kept).
TWILIGHT_STATUS = (
    "No, score=-14.7 required=3.5 tests=DATE_IN_PAST_06_12,\tDKIMWL_WL_MED,DKIM_SIGNED,"
    "DKIM_VALID,DKIM_VALID_AU,DKIM_VALID_EF,\tDKIM_VERIFIED,ENV_AND_HDR_SPF_MATCH,"
    "RCVD_IN_DNSWL_NONE,SPF_PASS,\tTVD_SPACE_RATIO,USER_IN_DEF_DKIM_WL,USER_IN_DEF_SPF_WL "
    "autolearn=no\tautolearn_force=no version=3.4.2"
)

# apache/spamassassin (Apache-2.0), t/data/nice/005: SpamAssassin 2.31's "hits=" wording.
SA2_STATUS = (
    "Yes, hits=5.4 required=5.0 tests=FROM_NAME_NO_SPACES,DOUBLE_CAPSWORD,NO_MX_FOR_FROM,"
    "       MSG_ID_ADDED_BY_MTA_2,RCVD_IN_MULTIHOP_DSBL,       X_RCVD_IN_UNCONFIRMED_DSBL,"
    "FUDGE_MULTIHOP_RELAY version=2.31"
)


def test_spam_status_real_ham() -> None:
    verdict = decode("X-Spam-Status", TWILIGHT_STATUS)
    assert verdict.vendor == "SpamAssassin"
    r, m = raws(verdict), meanings(verdict)
    assert r["verdict"] == "No" and r["score"] == "-14.7" and r["required"] == "3.5"
    assert r["version"] == "3.4.2" and r["autolearn"] == "no"
    rules = [f.key for f in verdict.fields if f.key.startswith("rule ")]
    assert len(rules) == 13
    assert rules[0] == "rule DATE_IN_PAST_06_12" and rules[-1] == "rule USER_IN_DEF_SPF_WL"
    assert m["rule SPF_PASS"] == "SPF: the sending IP is allowed by the envelope sender's domain"
    assert m["rule DKIM_VALID_AU"] == (
        "the message has a valid DKIM signature from the author's domain"
    )
    assert verdict.summary.startswith(
        "SpamAssassin judged this not spam (score -14.7, threshold 3.5); 13 rules matched: "
    )


def test_spam_status_old_hits_wording_and_unknown_rules() -> None:
    verdict = decode("X-Spam-Status", SA2_STATUS)
    r = raws(verdict)
    assert r["verdict"] == "Yes" and r["hits"] == "5.4"
    assert "rule X_RCVD_IN_UNCONFIRMED_DSBL" in r
    assert "rule FUDGE_MULTIHOP_RELAY" in {f.key for f in verdict.unrecognised}
    assert verdict.summary.startswith("SpamAssassin judged this spam (score 5.4, threshold 5.0)")


def test_spam_status_with_scores_and_bayes() -> None:
    verdict = decode(
        "X-Spam-Status",
        "Yes, score=7.3 required=5.0 tests=BAYES_99=3.5,HTML_MESSAGE=0.001,RDNS_NONE=1.3, "
        "URIBL_BLOCKED=0.001 shortcircuit=no autolearn=spam version=3.4.6",
    )
    r, m = raws(verdict), meanings(verdict)
    assert r["rule BAYES_99"] == "3.5" and r["rule RDNS_NONE"] == "1.3"
    assert m["rule BAYES_99"] is not None and "99%" in m["rule BAYES_99"]
    assert m["rule HTML_MESSAGE"] == "the message contains HTML"
    assert m["rule URIBL_BLOCKED"] is not None and "not checked" in m["rule URIBL_BLOCKED"]


def test_spam_status_tests_none() -> None:
    verdict = decode("X-Spam-Status", "No, score=0.0 required=3.0 tests=none autolearn=disabled")
    assert not [f for f in verdict.fields if f.key.startswith("rule ")]
    assert verdict.summary == "SpamAssassin judged this not spam (score 0.0, threshold 3.0)."


def test_spam_status_not_spamassassin() -> None:
    assert ALL["x-spam-status"](field("X-Spam-Status", "score=1")) is None


def test_spam_report_rules_with_descriptions() -> None:
    # SpamAssassin's default header report template (_REPORT_), unfolded.
    report = (
        "\t*  3.5 BAYES_99 BODY: Bayes spam probability is 99 to 100%\t*      [score: 1.0000]"
        "\t*  0.0 HTML_MESSAGE BODY: HTML included in message"
        "\t* -0.1 KAM_SOMETHING Made-up rule nobody here knows"
    )
    verdict = decode("X-Spam-Report", report)
    r, m = raws(verdict), meanings(verdict)
    assert r == {"rule BAYES_99": "3.5", "rule HTML_MESSAGE": "0.0", "rule KAM_SOMETHING": "-0.1"}
    assert m["rule HTML_MESSAGE"] == "the message contains HTML"
    # An unknown rule takes SpamAssassin's own description from the report.
    assert m["rule KAM_SOMETHING"] == "Made-up rule nobody here knows"
    assert verdict.summary == "SpamAssassin's report lists 3 rules adding up to 3.4 points."


def test_spam_level_flag_score_checker() -> None:
    assert decode("X-Spam-Level", "*****").fields[0].meaning == "5 stars: the score is at least 5"
    assert decode("X-Spam-Level", "").fields[0].meaning == "no stars: the score is below 1"
    assert decode("X-Spam-Flag", "YES").summary == "SpamAssassin: flagged as spam."
    assert decode("X-Spam-Score", "-2.3").fields[0].raw == "-2.3"
    assert ALL["x-spam-score"](field("X-Spam-Score", "high")) is None
    checker = decode(
        "X-Spam-Checker-Version",
        "SpamAssassin 3.4.2 (2018-09-13) on\trelay-twl-01.twlnet.com",  # twilight.eml
    )
    assert raws(checker) == {
        "version": "3.4.2",
        "released": "2018-09-13",
        "host": "relay-twl-01.twlnet.com",
    }


# --- Rspamd ------------------------------------------------------------------------------

# rspamd/rspamd (Apache-2.0), test/functional/messages/bad_message.eml: the older form,
# symbols separated by folding only.
RSPAMD_OLD = (
    "default: False [-0.70 / 15.00] HFILTER_MID_NOT_FQDN(0.50) R_SPF_ALLOW(-1.10) "
    "R_DKIM_ALLOW(-1.10) FORGED_RECIPIENTS(1.00)"
)
# rspamd/rspamd (Apache-2.0), test/functional/messages/arcbad.eml (first symbols).
RSPAMD_NEW = (
    "default: False [-1.31 / 15.00];\t FORGED_RECIPIENTS_FORWARDING(0.00)[];"
    "\t FORWARDED(0.00)[freebsd-test@mailman.nyi.freebsd.org];"
    "\t R_SPF_ALLOW(-0.50)[+ip4:96.47.72.81:c];\t ARC_INVALID(1.00)[invalid count of seals "
    "and signatures];\t DMARC_POLICY_SOFTFAIL(0.10)[outlook.com : SPF not aligned (relaxed), "
    "DKIM not aligned (relaxed),none];\t XX_LOCAL_RULE(2.00)[]"
)


def test_spamd_result_old_form() -> None:
    verdict = decode("X-Spamd-Result", RSPAMD_OLD)
    r, m = raws(verdict), meanings(verdict)
    assert r["spam"] == "False" and r["score"] == "-0.70" and r["threshold"] == "15.00"
    assert r["symbol R_SPF_ALLOW"] == "-1.10"
    assert m["symbol R_DKIM_ALLOW"] == "DKIM: a signature verified"
    assert verdict.summary.startswith("Rspamd judged this not spam (score -0.70 of 15.00)")


def test_spamd_result_with_options() -> None:
    verdict = decode("X-Spamd-Result", RSPAMD_NEW)
    r, m = raws(verdict), meanings(verdict)
    assert r["symbol R_SPF_ALLOW"] == "-0.50 [+ip4:96.47.72.81:c]"
    assert r["symbol DMARC_POLICY_SOFTFAIL"].startswith("0.10 [outlook.com : SPF not aligned")
    assert m["symbol ARC_INVALID"] == "ARC: the forwarding chain is malformed"
    assert m["symbol XX_LOCAL_RULE"] is None
    assert "weightiest XX_LOCAL_RULE, ARC_INVALID" in verdict.summary


def test_rspamd_small_headers() -> None:
    assert decode("X-Rspamd-Action", "add header").fields[0].meaning == (
        "deliver, marked as spam (usually to the junk folder)"
    )
    assert decode("X-Rspamd-Action", "something new").fields[0].meaning is None
    assert decode("X-Spamd-Bar", "-").fields[0].meaning == "score about -1 (towards not spam)"
    assert decode("X-Rspamd-Bar", "+++").fields[0].meaning == "score about +3 (towards spam)"
    assert decode("X-Rspamd-Score", "-1").fields[0].raw == "-1"
    assert "7B5193003B9" in decode("X-Rspamd-Queue-Id", "7B5193003B9").summary
    assert decode("X-Spam", "Yes").fields[0].meaning == "marked as spam"
    assert ALL["x-spam"](field("X-Spam", "probably")) is None
    report = decode("X-Rspamd-Report", "R_DKIM_ALLOW(-0.2) MIME_GOOD(-0.1) ZZ(1)")
    assert [f.key for f in report.unrecognised] == ["symbol ZZ"]


# --- Google ------------------------------------------------------------------------------


def test_google_opaque_ids() -> None:
    # parsedmarc (Apache-2.0), samples/aggregate/twilight.eml
    source = decode(
        "X-Google-Smtp-Source",
        "AHgI3IbnGk4l6Au3/SoJ7ydpCJIZuJIsjo8K+dIi0LepThUGzwtExGj8yY6w9C85rVpZerhSO45zOFIgq7BAsA==",
    )
    assert source.fields[0].meaning == (
        "an internal Google id (opaque, not decodable); says the message passed Google's "
        "outbound servers"
    )
    state = decode(
        "X-Gm-Message-State",
        "AHQUAuYMteZYtsvb1pPQWqTQXQH0dJpzc4utPCZ1xpCc+U7Kwhtkkhbs\ttDGW/14HWdV7sCJ0ItVihA==",
    )
    assert "\t" not in state.fields[0].raw
    assert decode("X-Gm-Features", "AQt7F2q").fields[0].meaning is not None
    assert decode("X-Gm-Gg", "ASbGnct").fields[0].meaning is not None


def test_google_dkim_signature() -> None:
    # parsedmarc (Apache-2.0), samples/aggregate/twilight.eml (b= and bh= shortened)
    verdict = decode(
        "X-Google-DKIM-Signature",
        "v=1; a=rsa-sha256; c=relaxed/relaxed;        d=1e100.net; s=20161025;"
        "        h=x-gm-message-state:mime-version:date:message-id:subject:from:to"
        "         :content-disposition:content-transfer-encoding;"
        "        bh=Y722jQXFp+v3E+J91/wVzAMn5Tm5ikRl6MINXaKKpB4=;        b=knb52YcLt3kU",
    )
    m, r = meanings(verdict), raws(verdict)
    assert m["d"] == "signing domain: 1e100.net, Google's own infrastructure domain"
    assert r["h"].startswith("x-gm-message-state:mime-version")
    assert "not the sender's signature" in verdict.summary
    timed = decode("X-Google-DKIM-Signature", "d=1e100.net; t=1678661343; zz=1; b=x")
    assert meanings(timed)["t"] == "signing time: 2023-03-12 22:49:03 UTC"
    assert meanings(timed)["zz"] is None
    assert ALL["x-google-dkim-signature"](field("X-Google-DKIM-Signature", "garbage")) is None


# --- OVHcloud / Vade ---------------------------------------------------------------------

# The widely published example value (e.g. the Stack Overflow question "Is it possible to
# decode a SPAMCAUSE field in a mail header?") and what it decodes to.
SPAMCAUSE = (
    "gggruggvucftvghtrhhoucdtuddrfeelgedrvdduucetufdoteggodetrfdotffvucfrrhhofhhilhgvmecuqfgg"
    "jfenuceurghilhhouhhtmecufedttdenucgohfhorhgsihguuggvnhfjughrucdlhedttddm"
)
SPAMCAUSE_TEXT = "Vade Retro 01.394.21 AS+AV+AP+RT Profile: OVH; Bailout: 300; ^ForbiddenHdr (500)"


def test_spamcause_decodes_the_published_example() -> None:
    assert vade.deobfuscate(SPAMCAUSE) == SPAMCAUSE_TEXT
    # Folding whitespace inside the value is ignored.
    assert vade.deobfuscate(SPAMCAUSE[:40] + "\t " + SPAMCAUSE[40:]) == SPAMCAUSE_TEXT


def test_spamcause_fields() -> None:
    verdict = decode("X-VR-SPAMCAUSE", SPAMCAUSE)
    r, m = raws(verdict), meanings(verdict)
    assert r["decoded"] == SPAMCAUSE_TEXT
    assert r["engine"] == "Vade Retro 01.394.21"
    assert m["modules"] == (
        "modules that ran: anti-spam, anti-virus, anti-phishing, real-time analysis "
        "(reading uncertain)"
    )
    assert r["Profile"] == "OVH"
    assert r["Bailout"] == "300" and m["Bailout"] is None  # Vade documents nothing about it
    assert r["rule ^ForbiddenHdr"] == "500"
    assert verdict.summary == (
        "OVHcloud's anti-spam report (decoded), by Vade Retro 01.394.21; "
        "rules: ^ForbiddenHdr (500)."
    )


def test_spamcause_key_value_parts() -> None:
    text = (
        "Vade Retro 01.426.29 AS+AV+AP+RT Profile: OVH,CHECKCE; Bailout: 500; "
        "BadReput-Ip (107); From=a <a@example.net>; Ip=192.0.2.1; ClusterSize=0; "
        "Param=mode=smtpout,helo=mx.example.net"
    )
    verdict = decode("X-VR-SPAMCAUSE", vade.obfuscate(text))
    r, m = raws(verdict), meanings(verdict)
    assert m["rule BadReput-Ip"] == "the sending IP has a bad reputation at Vade"
    assert r["From"] == "a <a@example.net>" and r["Param"] == "mode=smtpout,helo=mx.example.net"
    assert m["ClusterSize"] is None


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=1))
def test_spamcause_round_trip(text: str) -> None:
    assert vade.deobfuscate(vade.obfuscate(text)) == text


def test_spamcause_not_obfuscated() -> None:
    assert vade.deobfuscate("ABC123") is None
    verdict = decode("X-Vade-Spamcause", "vade1{SGVsbG8gd29ybGQ=}")
    assert verdict.fields[0].meaning is not None and "encrypted" in verdict.fields[0].meaning
    odd = decode("X-VR-SPAMCAUSE", "not+an+obfuscated+report")
    assert odd.unrecognised and "cannot decode" in odd.summary


def test_vade_small_headers() -> None:
    assert decode("X-VR-SPAMSTATE", "OK").summary == "Vade's verdict: not spam."
    assert decode("X-VR-SPAMSTATE", "ODD").fields[0].meaning is None
    assert decode("X-VR-SPAMSCORE", "-100").fields[0].raw == "-100"
    assert ALL["x-vr-spamscore"](field("X-VR-SPAMSCORE", "lots")) is None
    tracer = decode("X-Ovh-Tracer-Id", "12345678901234567890")
    assert tracer.fields[0].meaning is not None and "OVHcloud" in tracer.fields[0].meaning


# --- robustness --------------------------------------------------------------------------

_VALUES = st.text(alphabet=st.sampled_from("abcgruv YesNo,=;:*()[]/.-+0123456789_ABT\té"))


@settings(max_examples=400, deadline=None)
@given(name=st.sampled_from(sorted(ALL)), value=st.text(max_size=120) | _VALUES)
def test_decoders_never_raise(name: str, value: str) -> None:
    verdict = ALL[name](field(name, value))
    if verdict is not None:
        assert verdict.summary
        assert all(isinstance(f.key, str) and isinstance(f.raw, str) for f in verdict.fields)


@pytest.mark.corpus
def test_corpus_sweep() -> None:
    files = corpus_files()
    if not files:
        pytest.skip(f"no corpus at {CORPUS}")
    vendors: dict[str, int] = {}
    for path in files:
        for message in load_bytes(path.read_bytes()):
            for h in message.headers:
                decoder = ALL.get(h.name.lower())
                verdict = decoder(h) if decoder else None
                if verdict is not None:
                    vendors[verdict.vendor] = vendors.get(verdict.vendor, 0) + 1
    assert vendors.get("SpamAssassin", 0) > 5
    assert vendors.get("Rspamd", 0) >= 2
    assert vendors.get("Google (Gmail / Workspace)", 0) > 10
