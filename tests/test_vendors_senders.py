"""Sending-service fingerprints: own headers (decoders) and generic evidence (combiners).

Header values come from Apache-2.0 / MIT sources in the shared corpus (each named) or are
built from the service's documented format (marked so).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailview.core.load import load_bytes
from mailview.core.model import HeaderField
from mailview.core.vendors import senders
from mailview.core.vendors.model import VendorVerdict
from mailview.core.vendors.senders import COMBINERS, DECODERS
from tests.corpus import CORPUS, corpus_params


def header(name: str, value: str, index: int = 0) -> HeaderField:
    return HeaderField(index, name, value, f"{name}: {value}", index + 1)


def decode(name: str, value: str) -> VendorVerdict | None:
    return DECODERS[name.lower()](header(name, value))


def decode_all(headers: Sequence[HeaderField]) -> list[VendorVerdict]:
    single = [v for h in headers if (d := DECODERS.get(h.name.lower())) and (v := d(h))]
    return single + [v for c in COMBINERS for v in c(headers, single)]


def corpus_message(relative: str) -> tuple[HeaderField, ...]:
    path = CORPUS / relative
    if not path.is_file():
        pytest.skip(f"corpus file {relative} absent")
    return load_bytes(path.read_bytes(), path.name)[0].headers


# --------------------------------------------------------------------------- decoders


def test_amazon_ses_outgoing_and_feedback_id() -> None:
    # stalwart-mail-auth resources/dmarc-feedback/104.eml (Apache-2.0 OR MIT).
    ses = decode("X-SES-Outgoing", "2022.09.20-54.240.14.92")
    assert ses is not None
    assert ses.vendor == "Amazon SES (sending service)"
    assert ses.fields[0].meaning == "Amazon SES sent it on 2022-09-20 from its address 54.240.14.92"
    feedback = decode(
        "Feedback-ID", "1.us-east-1.CTa/CO4t1eWkL0VlHBu5/eINCZhxZraAIsQC/FZHIgk=:AmazonSES"
    )
    assert feedback is not None and feedback.vendor == "Amazon SES (sending service)"
    assert "region us-east-1" in (feedback.fields[0].meaning or "")
    odd = decode("X-SES-Outgoing", "garbage")
    assert odd is not None and odd.fields[0].meaning is None  # still SES's, value unknown


def test_feedback_id_of_unknown_sender_is_not_claimed() -> None:
    # spamassassin t/data/txrep/7 (Apache-2.0): GetResponse, not a service mailview knows.
    assert decode("Feedback-ID", "c=89t464:u=ltoq2i:broadcast:getresponse") is None
    assert decode("Feedback-ID", "") is None


def test_mailchimp_headers() -> None:
    # spamscope-mail-parser tests/mails/mail_test_13 (Apache-2.0).
    user = decode("X-MC-User", "3f21937f0f636c8cec1db30bf")
    assert user is not None and user.vendor == "Mailchimp / Mandrill (sending service)"
    feedback = decode("Feedback-ID", "65794145:65794145.395229:us14:mc")
    assert feedback is not None
    assert (
        feedback.fields[0].meaning
        == "Mailchimp's feedback-loop ID (sender ID 'mc', data centre us14)"
    )
    campaign = decode("X-Campaign", "mailchimp3f21937f0f636c8cec1db30bf.199bb58d0b")
    assert campaign is not None
    assert decode("X-Campaign", "spring-sale-2024") is None  # a generic name elsewhere


def test_mailgun_sid_decodes_to_recipient() -> None:
    # postalsys/mailauth test/fixtures/message3.eml (MIT).
    sid = decode(
        "X-Mailgun-Sid", "WyJiMWZiZCIsICJhbmRyaXMucmVpbm1hbkBnbWFpbC5jb20iLCAiODA0ZjIiXQ=="
    )
    assert sid is not None
    assert sid.fields[0].meaning == (
        "Mailgun's sending ID for andris.reinman@gmail.com "
        "(decodes to b1fbd, andris.reinman@gmail.com, 804f2)"
    )
    broken = decode("X-Mailgun-Sid", "not base64 at all!")
    assert broken is not None and broken.fields[0].meaning is None


def test_mailgun_inbound_headers_are_receiving_not_sending() -> None:
    # mailgun/flanker tests/fixtures/messages/bounce/office365.eml (Apache-2.0).
    found = decode("X-Mailgun-Incoming", "Yes")
    assert found is not None
    assert found.vendor == "Mailgun (receiving service)"


def test_salesforce_ids_named_by_key_prefix() -> None:
    # eml_analyzer tests/fixtures/invalid_datetime.eml (MIT).
    org = decode("X-SFDC-LK", "00DG0000000i0kS")
    assert org is not None and org.vendor == "Salesforce (sending service)"
    assert "a Salesforce organisation ID" in (org.fields[0].meaning or "")
    entity = decode("X-SFDC-EntityId", "500Pm00000VKGl9")
    assert entity is not None and "a Salesforce case ID" in (entity.fields[0].meaning or "")


def test_brevo_mailin_eid_decodes() -> None:
    # Built from Brevo's documented layout: percent-encoded base64 of n~rcpt~msgid~relay.
    import base64
    import urllib.parse

    blob = base64.b64encode(b"123~rcpt@example.org~<id@example.net>~a.d.sender-sib.com").decode()
    found = decode("X-Mailin-EID", urllib.parse.quote(blob))
    assert found is not None and found.vendor == "Brevo (Sendinblue) (sending service)"
    assert found.fields[0].meaning == (
        "Brevo's ID for this send: recipient rcpt@example.org, message <id@example.net>"
    )


def test_single_proof_headers() -> None:
    for name, vendor in [
        ("X-SG-EID", "SendGrid"),
        ("X-MSFBL", "SparkPost"),
        ("X-PM-Message-Id", "Postmark"),
        ("X-Mandrill-User", "Mailchimp / Mandrill"),
    ]:
        found = decode(name, "abc123")
        assert found is not None
        assert found.vendor == f"{vendor} (sending service)"
        assert found.summary.startswith(f"Sent through {vendor}")


# --------------------------------------------------------------------------- combiners


def test_family_headers_prove_service_but_stay_unrecognised() -> None:
    headers = [
        header("X-Zendesk-From-Account-Id", "a1b2c3", 0),
        header("X-Roving-Campaignid", "1234", 1),
        header("X-Mailgun-Sid", "known", 2),  # a decoder reads this one
    ]
    found = senders.family_headers(headers, ())
    assert [(v.vendor, v.header) for v in found] == [
        ("Zendesk (sending service)", "X-Zendesk-From-Account-Id"),
        ("Constant Contact (sending service)", "X-Roving-Campaignid"),
    ]
    assert all(v.unrecognised for v in found)


def test_route_fingerprint_from_received_real_message() -> None:
    headers = corpus_message("stalwart-mail-auth/dmarc-feedback/104.eml")
    found = [v for v in senders.route_fingerprints(headers, ()) if "Amazon SES" in v.vendor]
    assert len(found) == 1
    verdict = found[0]
    assert verdict.header == "Received"
    assert any("a14-92.smtp-out.amazonses.com" in (f.meaning or "") for f in verdict.fields)


def test_route_fingerprint_message_id_and_submission_hop() -> None:
    headers = [
        header("Received", "by luna.mailgun.net with HTTP; Sun, 23 Aug 2020 06:10:00 +0000", 0),
        header("Message-ID", "<0100017abc@email.amazonses.com>", 1),
    ]
    vendors = {v.vendor for v in senders.route_fingerprints(headers, ())}
    assert vendors == {"Mailgun (sending service)", "Amazon SES (sending service)"}


def test_service_receiving_from_the_internet_is_not_sending() -> None:
    # mailgun/flanker bounce/office365.eml (Apache-2.0): Mailgun's inbound MX took delivery.
    received = (
        "from EUR01-HE1-obe.outbound.protection.outlook.com "
        "(mail-he1eur01hn0223.outbound.protection.outlook.com [104.47.0.223]) "
        "by mxa.mailgun.org with ESMTP id 59e09f1b.7f31e76958c8-api-01; "
        "Fri, 13 Oct 2017 11:10:19 -0000 (UTC)"
    )
    assert senders.route_fingerprints([header("Received", received)], ()) == ()


def test_lookalike_domain_is_not_the_service() -> None:
    headers = [
        header("Message-ID", "<x@notamazonses.com>"),
        header("Return-Path", "<b@evil-sendgrid.net.example>"),
    ]
    assert senders.route_fingerprints(headers, ()) == ()


def test_google_fingerprint_needs_google_evidence() -> None:
    # php-mime-mail-parser tests/mails/m0001 (MIT): Gmail outbound hop plus the state stamp.
    headers = corpus_message("php-mime-mail-parser/m0001")
    (verdict,) = senders.google_fingerprint(headers, ())
    assert verdict.vendor == "Google Workspace / Gmail (sending service)"
    assert verdict.header == "X-Gm-Message-State"
    assert "agree" in verdict.summary
    assert "Google Workspace account" in verdict.summary  # From is name@company.com
    assert {f.key for f in verdict.fields} == {"Received", "X-Gm-Message-State"}


def test_google_fingerprint_gmail_account_and_near_miss() -> None:
    headers = [
        header(
            "Received",
            "from mail-sor-f41.google.com (mail-sor-f41.google.com. "
            "[209.85.220.41]) by mx.example.org with SMTPS id x; "
            "Mon, 12 Oct 2020 10:00:00 +0000",
            0,
        ),
        header("From", "Someone <someone@gmail.com>", 1),
    ]
    (verdict,) = senders.google_fingerprint(headers, ())
    assert "a Gmail account" in verdict.summary
    assert verdict.header == "Received"
    # A host that merely mentions google is not Google's outbound.
    near = [
        header(
            "Received",
            "from mail-x.google.com.evil.example ([192.0.2.1]) by mx; "
            "Mon, 12 Oct 2020 10:00:00 +0000",
        )
    ]
    assert senders.google_fingerprint(near, ()) == ()


# --------------------------------------------------------------------------- robustness

_NAMES = [
    *sorted(DECODERS),
    "received",
    "message-id",
    "return-path",
    "list-id",
    "from",
    "x-gm-message-state",
    "x-zendesk-x",
]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(DECODERS)), st.text(max_size=200))
def test_decoders_never_raise(name: str, value: str) -> None:
    found = DECODERS[name](header(name, value))
    if found is not None:
        assert found.vendor.endswith("service)")


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_NAMES), st.text(max_size=120)), max_size=6))
def test_combiners_never_raise(pairs: list[tuple[str, str]]) -> None:
    headers = [header(n, v, i) for i, (n, v) in enumerate(pairs)]
    for verdict in decode_all(headers):
        assert verdict.summary


@pytest.mark.corpus
@pytest.mark.parametrize("path", corpus_params())
def test_corpus_fingerprints_without_error(path: object) -> None:
    assert isinstance(path, Path)
    pending = list(load_bytes(path.read_bytes(), path.name))
    while pending:
        message = pending.pop()
        pending.extend(message.inner)
        for found in decode_all(message.headers):
            assert found.summary


def test_forged_deep_json_in_mailgun_sid_does_not_raise() -> None:
    import base64

    deep = base64.b64encode(b"[" * 100_000).decode()
    found = decode("X-Mailgun-Sid", deep)
    assert found is not None and found.fields[0].meaning is None


@pytest.mark.parametrize("value", ["", "=", "%%%", "~~~", "x" * 5000, "\x00", "[1,2]", "1:2:3:"])
def test_awkward_values_never_raise(value: str) -> None:
    for name in DECODERS:
        DECODERS[name](header(name, value))
    decode_all([header(name, value, i) for i, name in enumerate(_NAMES)])
