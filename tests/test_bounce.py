"""Delivery reports: recognised, read field by field, classified, and kept apart from mail."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailview.core.analyze import analyze_bytes
from mailview.core.bounce import gate, plain, read_bounce
from mailview.core.bounce import read as reader
from mailview.core.bounce.entry import notice_action
from mailview.core.bounce.reasons import REASONS, classify
from mailview.core.bounce.status import explain, find_status
from mailview.core.errors import InputError
from mailview.core.load import load_bytes
from mailview.core.model import LoadedMessage
from mailview.export.json_report import report_to_dict
from mailview.export.text_report import render_text
from mailview.export.ticket import render_ticket
from tests.bounce_samples import dsn
from tests.corpus import CORPUS

BOUNCES = CORPUS / "bounces"


def bounce_of(data: bytes):  # type: ignore[no-untyped-def]
    return read_bounce(load_bytes(data)[0])


# --- synthetic RFC 3464 reports, one per status class ------------------------------------

SYNTHETIC = [
    # (status, action, diagnostic, expected reason, permanent)
    ("5.1.1", "failed", "550 5.1.1 <bob@receiver.example>: User unknown", "userunknown", True),
    ("5.1.2", "failed", "550 5.1.2 Host unknown", "hostunknown", True),
    ("5.2.2", "failed", "552 5.2.2 Mailbox full", "mailboxfull", True),
    ("5.2.1", "failed", "550 5.2.1 Mailbox disabled", "suspend", True),
    ("5.3.4", "failed", "552 5.3.4 Message too big for system", "mesgtoobig", True),
    ("4.4.7", "delayed", "Message expired after 5 days", "expired", False),
    ("4.4.1", "delayed", "connect to mx: Connection timed out", "networkerror", False),
    ("5.7.26", "failed", "550-5.7.26 Unauthenticated email is not accepted", "authfailure", True),
    ("5.7.25", "failed", "550 5.7.25 The IP address has no PTR record", "requireptr", True),
    ("5.7.1", "failed", "554 5.7.1 Client host blocked using zen.spamhaus.org", "blocked", True),
    ("5.7.1", "failed", "550 5.7.1 Message rejected as spam", "spamdetected", True),
    ("5.7.1", "failed", "554 5.7.1 Relay access denied", "norelaying", True),
    ("5.6.0", "failed", "550 5.6.0 Media error", "contenterror", True),
    ("5.0.0", "failed", "550 Virus found in attachment", "virusdetected", True),
    ("2.0.0", "delivered", "250 2.0.0 Ok: queued", "delivered", None),
]


@pytest.mark.parametrize(("status", "action", "diagnostic", "reason", "permanent"), SYNTHETIC)
def test_synthetic_dsn_is_read_per_recipient(
    status: str, action: str, diagnostic: str, reason: str, permanent: bool | None
) -> None:
    report = bounce_of(dsn([("bob@receiver.example", action, status, diagnostic)]))
    assert report is not None and report.kind == "dsn"
    assert report.reporting_mta == "mx.sender.example"
    assert report.arrival_date == "Mon, 2 Mar 2026 10:00:00 +0000"
    (entry,) = report.recipients
    assert entry.address == "bob@receiver.example"
    assert (entry.status, entry.action, entry.reason) == (status, action, reason)
    assert entry.permanent is permanent
    assert entry.remote_mta == "mx.receiver.example"
    assert entry.diagnostic == diagnostic
    assert entry.last_attempt_utc is not None and entry.last_attempt_utc.hour == 10
    assert entry.explanation.startswith(status)
    assert entry.sentence == REASONS[reason].sentence


def test_delayed_and_failed_are_told_apart() -> None:
    report = bounce_of(
        dsn(
            [
                ("a@one.example", "failed", "5.1.1", "550 5.1.1 User unknown"),
                ("b@two.example", "delayed", "4.4.1", "Connection timed out"),
            ]
        )
    )
    assert report is not None and report.outcome == "mixed"
    assert [r.permanent for r in report.recipients] == [True, False]
    only_delayed = bounce_of(dsn([("b@two.example", "delayed", "4.4.1", "Connection timed out")]))
    assert only_delayed is not None and only_delayed.outcome == "delayed"
    assert "is delayed (4.4.1)" in only_delayed.headline


def test_the_remote_code_wins_over_a_vaguer_status_field() -> None:
    report = bounce_of(dsn([("b@x.example", "failed", "5.0.0", "550 5.1.1 No such user")]))
    assert report is not None and report.recipients[0].status == "5.1.1"


def test_dmarc_rejection_hint_names_the_sending_domain() -> None:
    report = bounce_of(
        dsn([("b@x.example", "failed", "5.7.26", "550 5.7.26 Unauthenticated email (DMARC)")])
    )
    assert report is not None
    assert "sender.example" in report.recipients[0].hint  # the original's From domain


def test_status_codes_in_words() -> None:
    assert find_status("550 5.01.1 <a@b>... User unknown") == "5.1.1"
    assert find_status("version 10.5.1.2 of something") is None
    assert "mailbox is full" in explain("5.2.2")
    assert "temporary" in explain("4.4.7")
    assert "unregistered" in explain("5.9.99")
    assert classify(None, "") == "onhold"


# Each rule of the reason tables with a message that triggers it and a near miss that must
# not: (status, action, diagnostic, remote server, expected reason).
CLASSIFY = [
    # Complaints about the sending IP are its reputation, not a plain security refusal.
    (
        "4.7.0",
        "failed",
        "421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to user complaints",
        None,
        "badreputation",
    ),
    ("4.7.0", "failed", "421 4.7.0 Temporarily deferred, try again later", None, "securityerror"),
    # The sending IP address named as what is refused.
    (
        "5.0.0",
        "failed",
        "550 SC-004 Unfortunately, messages from 198.51.100.7 weren't sent.",
        None,
        "blocked",
    ),
    ("5.0.0", "failed", "550 Unfortunately, your messages weren't sent.", None, "undefined"),
    # The sender's From: domain refused; X.2.0 alone says nothing about the mailbox.
    (
        "5.2.0",
        "failed",
        "550 5.2.0 From: Domain is invalid. Please provide a valid From:",
        None,
        "rejected",
    ),
    ("5.2.0", "failed", "550 5.2.0 Mail rejected", None, "undefined"),
    # A blocklisted sender address is about the sender; a blocklisted IP about the server.
    (
        None,
        "failed",
        "Sorry, you are sending to/from an address that has been blacklisted",
        None,
        "rejected",
    ),
    ("5.7.1", "failed", "550 5.7.1 IP address blacklisted by recipient", None, "blocked"),
    # A time limit stated is an expiry, even when the last error was the network's.
    (
        None,
        "failed",
        "Your message was not delivered within 0 days and 1 hours. Remote host is not responding.",
        None,
        "expired",
    ),
    (None, "failed", "Remote host is not responding.", None, "networkerror"),
    # Only an explicit policy is a policy violation; a bare 5.7.x refusal is security.
    (
        "5.7.9",
        "failed",
        "554 5.7.9 Message not accepted for policy reasons",
        None,
        "policyviolation",
    ),
    (
        "5.7.1",
        "failed",
        "551 5.7.1 Recipient address rejected: Delivery not authorized",
        None,
        "securityerror",
    ),
    ("5.7.0", "failed", "554 5.7.0 Header error", None, "policyviolation"),
    # The recipient address itself refused; a bare "Access denied" is a security refusal.
    (
        "5.4.1",
        "failed",
        "550 5.4.1 Recipient address rejected: Access denied",
        "example-com.mail.protection.outlook.com",
        "userunknown",
    ),
    ("5.7.1", "failed", "550 5.7.1 Access denied", "mx.example.net", "securityerror"),
    # Yahoo's wording for a closed account.
    (
        "5.0.0",
        "failed",
        "554 delivery error: dd kijitora@yahoo.com is no longer valid. [-20]",
        "mta7.am0.yahoodns.net",
        "suspend",
    ),
    (
        "5.0.0",
        "failed",
        "554 delivery error: dd kijitora@example.org is no longer valid.",
        "mx.example.org",
        "undefined",
    ),
    # Orange and La Poste name the reason by the number at the end of their code; a number
    # they document as vague leaves it to the words.
    (
        "5.2.0",
        "failed",
        "550 5.2.0 Mail rejete. Mail rejected. ofr_506 [506]",
        "smtp-in.orange.fr",
        "spamdetected",
    ),
    (
        "5.5.0",
        "failed",
        "550 5.5.0 Boite du destinataire archivee. Archived recipient. LPN007_420",
        None,
        "suspend",
    ),
    (
        None,
        "failed",
        "host smtp-in.laposte.net refused to talk to me: 421 Service refused. LPN006_107",
        "smtp-in.laposte.net",
        "blocked",
    ),
    # Cox quotes its acceptable-use code; without the code the words alone decide.
    (
        "5.0.0",
        "failed",
        "554 esmtp.cox.net rejected - AUP#CXDNS https://www.cox.com/aup",
        None,
        "requireptr",
    ),
    (
        "5.0.0",
        "failed",
        "554 esmtp.cox.net rejected - see https://www.cox.com/aup",
        None,
        "undefined",
    ),
    # A suspended account, and Postfix's suspended delivery that is something else.
    ("5.0.0", "failed", "550 This account has been temporarily suspended", None, "suspend"),
    (
        "4.0.0",
        "delayed",
        "delivery temporarily suspended: host mx.example.org refused to talk to me",
        None,
        "blocked",
    ),
    # Too many connections versus too many recipients.
    (
        "4.0.0",
        "delayed",
        "421 Too many simultaneous connections from your host",
        None,
        "toomanyconn",
    ),
    ("5.0.0", "failed", "452 Too many recipients", None, "toomanyconn"),
    (
        "5.1.1",
        "failed",
        "550 5.1.1 192.0.2.1 has sent to too many recipients this hour",
        None,
        "speeding",
    ),
    # The refused command decides when code and words do not: MAIL FROM, then EHLO.
    ("5.0.0", "failed", "550 Rejected (in reply to MAIL FROM command)", None, "rejected"),
    (
        "5.0.0",
        "failed",
        "SMTP error from remote mail server after EHLO mx: 550 Rejected",
        None,
        "blocked",
    ),
    ("5.0.0", "failed", "550 Rejected (in reply to RCPT TO command)", None, "undefined"),
    # A temporary error on a recipient that finally failed: the delivery time expired.
    ("4.0.0", "failed", "450 4.0.0 Temporary failure", None, "expired"),
    ("4.4.1", "failed", "connect to mx.example.org: Connection timed out", None, "expired"),
    ("4.4.1", "delayed", "connect to mx.example.org: Connection timed out", None, "networkerror"),
    # The cause named by a server that gave up beats "delivery time expired".
    ("4.4.7", "failed", "452 4.4.5 Insufficient disk space; try again later", None, "systemfull"),
    ("4.4.7", "failed", "550 4.4.7 QUEUE.Expired; message expired", None, "expired"),
    # A failed DNS lookup says nothing about the domain; NXDOMAIN says it does not exist.
    (
        "5.4.4",
        "failed",
        "Name service error for name=example.org type=MX: Malformed reply",
        None,
        "networkerror",
    ),
    (
        "4.0.0",
        "failed",
        "DNS type 'mx' lookup responded with code NXDOMAIN Domain name not found",
        None,
        "hostunknown",
    ),
    ("4.0.0", "delayed", "450 4.0.0 Temporary failure", None, "networkerror"),
]


@pytest.mark.parametrize(("status", "action", "text", "remote", "reason"), CLASSIFY)
def test_reason_tables_trigger_and_near_miss(
    status: str | None, action: str, text: str, remote: str | None, reason: str
) -> None:
    assert classify(status, text, action, remote) == reason


@pytest.mark.parametrize(
    ("status", "words", "action"),
    [
        (
            None,
            "Network error on destination MXs. This is only a temporary failure report.",
            "delayed",
        ),
        (None, "Network error on destination MXs", "failed"),
        ("4.4.1", "Delivery to the following recipient failed permanently", "failed"),
        ("4.4.1", "connect to mx.example.org: Connection timed out", "delayed"),
        ("5.1.1", "550 5.1.1 User unknown", "failed"),
        ("2.0.0", "250 2.0.0 Ok: queued", "delivered"),
    ],
)
def test_a_prose_notice_says_whether_the_server_still_tries(
    status: str | None, words: str, action: str
) -> None:
    assert notice_action(status, words) == action


def test_the_notice_is_read_when_the_diagnostic_says_nothing() -> None:
    notice = "SMTP error from remote mail server after EHLO mx.sender.example: 550 Rejected"
    assert classify("5.0.0", "550 Rejected", "failed", None, notice) == "blocked"
    assert classify("5.0.0", "550 Rejected", "failed", None, "") == "undefined"
    notice = "host mx said: 550 5.7.1 Access denied (in reply to MAIL FROM command)"
    assert classify("5.7.1", "550 5.7.1 Access denied", "failed", None, notice) == "rejected"
    assert classify("5.7.1", "550 5.7.1 Access denied", "failed", None, "") == "securityerror"


def test_a_temporary_error_given_up_is_not_called_soft() -> None:
    data = dsn([("bob@receiver.example", "failed", "4.4.7", "554 4.4.7 Message expired")])
    report = analyze_bytes(data, "bounce.eml")
    assert report.bounce is not None
    (entry,) = report.bounce.recipients
    assert entry.state == "failed after retrying (temporary error, given up)"
    assert "gave up" in entry.explanation and "keeps retrying" not in entry.explanation
    text = render_text(report)
    assert "failed after retrying (temporary error, given up)" in text
    assert "soft (temporary)" not in text
    delayed = bounce_of(dsn([("bob@receiver.example", "delayed", "4.4.1", "Connection timed out")]))
    assert delayed is not None
    assert delayed.recipients[0].state == "delayed, soft (still being retried)"
    assert "keeps retrying" in delayed.recipients[0].explanation
    hard = bounce_of(dsn([("bob@receiver.example", "failed", "5.1.1", "550 5.1.1 User unknown")]))
    assert hard is not None and hard.recipients[0].state == "failed, hard"


def test_a_notice_in_a_mislabelled_japanese_charset_is_read() -> None:
    japanese = "次のあて先へのメッセージはエラーのため送信できませんでした。"
    body = (
        japanese.encode("euc-jp")
        + b"\n\nYour message was not delivered within 0 days and 1 hours.\n"
        + b"Remote host is not responding.\n\n"
        + b"The following recipients did not receive this message:\n\n"
        + b"<bob@receiver.example>\n"
    )
    data = (
        b"Return-Path: <MAILER-DAEMON>\nFrom: Postmaster@ezweb.ne.jp\n"
        b"To: <alice@sender.example>\nSubject: Mail System Error - Returned Mail\n"
        b"Date: Thu, 29 Apr 2008 23:34:45 +0900\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="X"\n\n'
        b'--X\nContent-Type: text/plain; charset="ISO-2022-JP"\n'
        b"Content-Transfer-Encoding: 7bit\n\n" + body + b"\n--X--\n"
    )
    report = bounce_of(data)
    assert report is not None and report.is_delivery_report
    (entry,) = report.recipients
    assert entry.address == "bob@receiver.example" and entry.reason == "expired"
    assert japanese in (entry.diagnostic or "") and "\ufffd" not in (entry.diagnostic or "")


# --- what the faces show -----------------------------------------------------------------


def test_json_text_and_ticket_lead_with_the_failure() -> None:
    data = dsn([("bob@receiver.example", "failed", "5.1.1", "550 5.1.1 User unknown")])
    report = analyze_bytes(data, "bounce.eml")
    document = json.loads(json.dumps(report_to_dict(report)))
    bounce = document["bounce"]
    assert bounce["kind"] == "dsn" and bounce["outcome"] == "failed"
    (entry,) = bounce["recipients"]
    assert entry["status"] == "5.1.1" and entry["reason"] == "userunknown"
    assert entry["severity"] == "hard" and entry["remote_mta"] == "mx.receiver.example"
    assert bounce["original"]["subject"] == "Quarterly figures"
    assert bounce["original"]["message_selector"] == "1/1"
    # The original stays reachable: its own report is about it, with no bounce.
    picked = tuple(int(step) - 1 for step in bounce["original"]["message_selector"].split("/"))
    inner = analyze_bytes(data, "bounce.eml", address=picked)
    assert inner.message.subject == "Quarterly figures" and inner.bounce is None
    text = render_text(report).splitlines()
    assert text[1].startswith("Delivery report: Delivery to bob@receiver.example failed (5.1.1)")
    assert any("refused by: mx.receiver.example" in line for line in text[:12])
    ticket = render_ticket(report).splitlines()
    assert ticket[0].startswith("Delivery failed: Delivery to bob@receiver.example")
    assert ticket[1].startswith("- bob@receiver.example: 5.1.1 userunknown")


def test_helpers_named_in_a_notice_are_not_recipients() -> None:
    data = (
        b"From: MAILER-DAEMON@relay.example\nTo: alice@sender.example\nReturn-Path: <>\n"
        b"Subject: Undelivered Mail Returned to Sender\n\n"
        b"I'm sorry to have to inform you that your message could not be delivered.\n"
        b"For further assistance, please contact <help@relay.example>\n"
        b"Or write to <help@relay.example> in Japanese.\n\n"
        b"<bob@receiver.example>: host mx.receiver.example[192.0.2.1] said: 550\n"
        b"    <bob@receiver.example>: User unknown (in reply to RCPT TO command)\n"
    )
    report = bounce_of(data)
    assert report is not None and report.kind == "ndr"
    (entry,) = report.recipients
    assert entry.address == "bob@receiver.example"
    assert entry.remote_mta == "mx.receiver.example [192.0.2.1]"
    assert entry.diagnostic is not None and entry.diagnostic.endswith(
        "User unknown (in reply to RCPT TO command)"
    )
    assert (entry.status, entry.reason) == ("5.0.0", "userunknown")


def test_ordinary_mail_has_a_null_bounce() -> None:
    data = (
        b"From: News <news@shop.example>\nTo: bob@example.com\nSubject: Your delivery is on "
        b"its way\nDate: Mon, 2 Mar 2026 10:00:00 +0000\n\nYour parcel could not be delivered "
        b"today; we will try again.\n"
    )
    report = analyze_bytes(data, "news.eml")
    assert report.bounce is None
    assert report_to_dict(report)["bounce"] is None
    assert not render_text(report).splitlines()[1].startswith("Delivery")


def test_autoreply_and_feedback_are_not_bounces() -> None:
    reply = (
        b"From: Bob <bob@receiver.example>\nTo: alice@sender.example\nSubject: Automatic reply: "
        b"hello\nAuto-Submitted: auto-replied\n\nI am out of the office until Monday.\n"
    )
    report = bounce_of(reply)
    assert report is not None and report.kind == "autoreply" and not report.is_delivery_report
    arf = (
        b"From: fbl@isp.example\nTo: abuse@sender.example\nSubject: Abuse report\n"
        b'Content-Type: multipart/report; report-type=feedback-report; boundary="F"\n\n'
        b"--F\nContent-Type: text/plain\n\nA complaint.\n"
        b"--F\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\n"
        b"User-Agent: FBL/1.0\nVersion: 1\nSource-IP: 192.0.2.1\n"
        b"--F\nContent-Type: message/rfc822\n\nFrom: a@sender.example\nSubject: x\n\nhi\n--F--\n"
    )
    feedback = bounce_of(arf)
    assert feedback is not None and feedback.kind == "feedback"
    assert feedback.feedback_type == "abuse" and not feedback.recipients


# --- hostile reports ---------------------------------------------------------------------


def test_ten_thousand_recipients_are_counted_and_capped() -> None:
    many = [(f"user{i}@big.example", "failed", "5.1.1", "550 5.1.1 unknown") for i in range(10_000)]
    started = time.perf_counter()
    report = analyze_bytes(dsn(many), "many.eml")
    assert time.perf_counter() - started < 60  # a bound against a quadratic blow-up only
    assert report.bounce is not None
    assert report.bounce.recipient_count == 10_000
    assert len(report.bounce.recipients) == 500
    assert "10000 recipients failed" in report.bounce.headline
    assert "more recipients" in render_text(report)


def test_a_twenty_megabyte_original_is_not_read_for_the_report() -> None:
    original = b"From: a@sender.example\nSubject: big\n\n" + b"x" * 76 + b"\n"
    original += (b"y" * 76 + b"\n") * (20 * 1024 * 1024 // 77)
    report = bounce_of(
        dsn([("b@x.example", "failed", "5.2.2", "552 5.2.2 full")], original=original)
    )
    assert report is not None and report.recipients[0].reason == "mailboxfull"


def test_a_looping_nested_report_ends() -> None:
    inner = dsn([("b@x.example", "failed", "5.1.1", "550 5.1.1 unknown")])
    for _ in range(60):
        inner = dsn([("b@x.example", "failed", "5.1.1", "550 5.1.1 unknown")], original=inner)
    report = analyze_bytes(inner, "nested.eml")
    assert report.bounce is not None and report.bounce.recipients[0].status == "5.1.1"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    fields=st.lists(
        st.tuples(
            st.sampled_from(["Final-Recipient", "Action", "Status", "Diagnostic-Code", "X"]),
            st.text(max_size=80),
        ),
        max_size=12,
    ),
    notice=st.text(max_size=300),
)
def test_arbitrary_report_fields_never_raise(fields: list[tuple[str, str]], notice: str) -> None:
    block = "\n".join(f"{name}: {value}" for name, value in fields)
    data = (
        "From: MAILER-DAEMON@x.example\nSubject: Undelivered Mail\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\n\n'
        f"--B\nContent-Type: text/plain\n\n{notice}\n--B\n"
        f"Content-Type: message/delivery-status\n\n{block}\n--B--\n"
    ).encode("utf-8", "surrogatepass")
    report = bounce_of(data)
    assert report is None or report.kind in ("dsn", "ndr")


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bodies_of_a_daemon_message_never_raise(body: bytes) -> None:
    data = b"From: MAILER-DAEMON@x.example\nSubject: failure notice\n\n" + body
    bounce_of(data)


# --- real bounces (labelled by reading them) ---------------------------------------------

# (file, recipient, status, reason): one or more per family.
LABELLED = [
    ("lhost-exim-02.eml", "kijitora@example.jp", "5.1.1", "userunknown"),
    ("lhost-exim-02.eml", "sabatora@example.jp", "5.2.1", "userunknown"),
    ("lhost-mailru-01.eml", "kijitora@example.jp", "5.1.1", "userunknown"),
    ("lhost-dragonfly-01.eml", "pseudo-local-part@google.example.com", "5.7.26", "authfailure"),
    ("lhost-exchange2003-01.eml", "kijitora@example.jp", None, "userunknown"),
    ("lhost-yahoo-03.eml", "kijitora@example.jp", "5.1.1", "userunknown"),
    ("lhost-opensmtpd-03.eml", "kijitora@neko.example.jp", None, "hostunknown"),
    ("lhost-domino-01.eml", "kijitora@example.jp", None, "userunknown"),
    ("lhost-imailserver-03.eml", "kijitora@neko.example.co.jp", None, "userunknown"),
    ("lhost-x2-01.eml", "kijitora@example.co.jp", None, "userunknown"),
    ("lhost-mfilter-01.eml", "kijitora@example.com", "5.0.0", "userunknown"),
    ("lhost-mxlogic-02.eml", "kijitora@example.jp", "5.1.1", "userunknown"),
    ("lhost-qmail-01.eml", "kijitora@example.ne.jp", "5.5.0", "userunknown"),
    ("lhost-zoho-02.eml", "sabineko@example.co.jp", "5.2.2", "mailboxfull"),
    ("lhost-kddi-01.eml", "kijitora@x0000000000000.dion.ne.jp", None, "mailboxfull"),
    ("lhost-amazonses-10.eml", "bounce@simulator.amazonses.com", "5.1.1", "userunknown"),
    ("lhost-postfix-13.eml", "noraneko@example.jp", "5.2.2", "mailboxfull"),
    ("lhost-sendmail-33.eml", "mailboxfull@neko.example.org", "5.7.1", "blocked"),
    ("lhost-office365-03.eml", "kijitora@example.com", "5.1.0", "authfailure"),
    ("lhost-amazonses-15.eml", "kijitora@neko.example.com", "5.7.1", "blocked"),
    ("rhost-google-06.eml", "michitsuna@google.example.com", "5.7.25", "requireptr"),
    ("rhost-microsoft-01.eml", "kijitora@example.com", "5.7.606", "blocked"),
    ("rfc3464-09.eml", "kijitora-cat@mx4.gr3.example.jp", "4.3.0", "mailboxfull"),
    ("lhost-x1-02.eml", "kijitora@example.org", None, "userunknown"),  # broken MIME
    ("lhost-verizon-01.eml", "0000000000@vzwpix.com", None, "userunknown"),  # To of the copy
    ("lhost-postfix-07.eml", "kijitora@user.example.or.jp", "5.0.0", "userunknown"),
    (
        "lhost-mailru-08.eml",
        "otsu-sakaba-hunter-neko-nyaaaaaaan@ezweb.ne.jp",
        "5.0.0",
        "userunknown",
    ),
    ("lhost-exim-56.eml", "kijitora@example.com", "5.0.0", "speeding"),  # wrapped reply
    ("lhost-exim-30.eml", "kijitora@exmaple.ch", "5.7.1", "userunknown"),
    # Microsoft's edge servers refuse an address missing from the directory this way.
    ("lhost-postfix-30.eml", "kijitora@example.br", "5.4.1", "userunknown"),
    # The last error quoted by a server that gave up names the cause.
    ("lhost-sendmail-39.eml", "kijitora@nekochan.example.ne.jp", "4.4.7", "systemfull"),
    # Refused "after EHLO": the sending server itself, before any address was given.
    ("lhost-exim-49.eml", "kijitora@example.com", "5.0.0", "blocked"),
    ("rhost-franceptt-07.eml", "xxxx@wanadoo.fr", "4.0.0", "blocked"),  # wrong boundary
    ("rfc3464-35.eml", "mikeneko@neko.example.or.jp", "5.0.0", "userunknown"),  # text/plain DSN
    (
        "lhost-qmail-15.eml",
        "pseudo-local-part-of-microsoft-outlook@outlook.com",
        "5.7.509",
        "authfailure",
    ),
]


def _corpus(name: str) -> Path:
    path = BOUNCES / name
    if not path.is_file():
        pytest.skip(f"no corpus at {BOUNCES}")
    return path


@pytest.mark.corpus
@pytest.mark.parametrize(("name", "address", "status", "reason"), LABELLED)
def test_labelled_bounces(name: str, address: str, status: str | None, reason: str) -> None:
    report = bounce_of(_corpus(name).read_bytes())
    assert report is not None and report.is_delivery_report
    entries = {r.address: r for r in report.recipients}
    assert address in entries, sorted(str(a) for a in entries)
    assert (entries[address].status, entries[address].reason) == (status, reason)


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("name", "kind"),
    [("arf-11.eml", "feedback"), ("arf-19.eml", "feedback"), ("rfc3834-02.eml", "autoreply")],
)
def test_reports_that_are_not_bounces(name: str, kind: str) -> None:
    report = bounce_of(_corpus(name).read_bytes())
    assert report is not None and report.kind == kind and not report.is_delivery_report


def _is_known_report(path: Path) -> bool:
    return path.parent == BOUNCES or "bounce" in path.name or "bounce" in str(path.parent.name)


@pytest.mark.corpus
def test_whole_corpus_every_bounce_recognised_and_no_ordinary_mail() -> None:
    if not BOUNCES.is_dir():
        pytest.skip(f"no corpus at {BOUNCES}")
    missed, wrong = [], []
    for path in sorted(BOUNCES.glob("*.eml")):
        report = bounce_of(path.read_bytes())
        expected = {"arf": "feedback", "rfc3834": "autoreply"}.get(path.name.split("-")[0])
        if expected is not None:
            if report is None or report.kind != expected:
                wrong.append(path.name)
        elif report is None or not report.is_delivery_report:
            missed.append(path.name)
    assert not missed and not wrong
    called = []
    for path in sorted(p for p in CORPUS.rglob("*") if p.is_file() and BOUNCES not in p.parents):
        if path.name in ("SOURCES.md", "MANIFEST.tsv"):
            continue
        try:
            messages = load_bytes(path.read_bytes(), path.name)
        except InputError:
            continue
        report = read_bounce(messages[0]) if messages else None
        if report is not None and report.is_delivery_report:
            called.append(path.relative_to(CORPUS).as_posix())
    # The bounces that the other collections hold, by their own names or subjects.
    assert sorted(called) == sorted(OTHER_BOUNCES)


OTHER_BOUNCES = [
    "govcert-eml_parser/sample_fail_github_issue_38.eml",
    "mailgun-flanker/bounce/broken-mime.eml",
    "mailgun-flanker/bounce/delayed-broken.eml",
    "mailgun-flanker/bounce/delayed.eml",
    "mailgun-flanker/bounce/gmail-invalid-address.eml",
    "mailgun-flanker/bounce/gmail-no-dns.eml",
    "mailgun-flanker/bounce/mailbox-full.eml",
    "mailgun-flanker/bounce/no-mx.eml",
    "mailgun-flanker/bounce/office365.eml",
    "mailgun-flanker/bounce/zed.eml",
    "ninoseki-eml_analyzer/other.msg",
    "nodemailer-mailparser/delivery-status.eml",
    "spamscope-mail-parser/mail_malformed_2",
]


def test_batch_summary_counts_reasons_and_failing_domains() -> None:
    from mailview.cli.batch import Tally, analyse, summary_lines

    tally = Tally()
    for name, data in (
        ("a.eml", dsn([("x@one.example", "failed", "5.1.1", "550 5.1.1 User unknown")])),
        (
            "b.eml",
            dsn(
                [
                    ("y@one.example", "failed", "5.2.2", "552 5.2.2 Mailbox full"),
                    ("z@two.example", "failed", "5.1.1", "550 5.1.1 User unknown"),
                ]
            ),
        ),
        ("c.eml", b"From: a@example.com\nTo: b@example.com\nSubject: hi\n\nhello\n"),
    ):
        tally.add(analyse(name, data))
    lines = summary_lines(tally)
    at = lines.index("  delivery reports   2 (3 failed or delayed recipients)")
    assert lines[at + 1 : at + 4] == [
        "  top bounce reasons",
        "    2  userunknown",
        "    1  mailboxfull",
    ]
    assert lines[at + 4 : at + 7] == [
        "  top failing domains",
        "    2  one.example",
        "    1  two.example",
    ]


def test_the_cheap_gate_passes_every_report_the_full_reader_finds() -> None:
    if not CORPUS.is_dir():
        pytest.skip("the shared corpus is not here")
    ordinary = load_bytes(b"From: a@example.com\nTo: b@example.org\nSubject: hi\n\nhello\n")
    assert not gate.might_be_report({h.name.lower(): h for h in ordinary[0].headers}, b"hello")
    messages = [
        message
        for path in sorted(CORPUS.rglob("*"))
        if path.is_file() and path.suffix not in (".md", ".tsv")
        for message in _loaded(path)
    ]
    gated = [read_bounce(m) for m in messages]
    # The readers' own entry does not ask the gate: here every message is read.
    assert [reader.read_bounce(m) for m in messages] == gated
    assert sum(found is not None for found in gated) >= 228


def _loaded(path: Path) -> tuple[LoadedMessage, ...]:
    try:
        return load_bytes(path.read_bytes(), path.name)
    except InputError:
        return ()


LINE_PIECES = st.sampled_from(
    ["\n", "\r\n", " ", "\t", "--", "===", "***", "x", "Received:", "received: ", "X-Mailer:",
     "original message", "-- Original Message", "this is a copy of the message", "Re",
     "Final-Recipient: rfc822; a@b.c", "Original-Recipient:", "Status: 5.1.1", "status:",
     "\u0130ncluded is a copy", "\u0131ncluded is a copy", "*** ", "=== ", "-- ", " \t",
     "Message-ID:", "DKIM-Signature:", "x-y:", "ARC-Seal:", "The message follows",
     "-----Original Message", "returned mail", "Below this line is a copy"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(LINE_PIECES, max_size=40))
def test_line_start_search_finds_what_the_multiline_pattern_finds(pieces: list[str]) -> None:
    text = "".join(pieces)
    searches = [
        (plain._SEPARATOR, plain._SEPARATOR_FIRST, plain._SEPARATOR_LEAD),
        (plain._COPY_FIELD, plain._COPY_FIELD_FIRST, ""),
        (reader._STATUS_FIELDS, "foFO", ""),
    ]
    for pattern, first, lead in searches:
        expected = pattern.search(text)
        for found in (
            plain.search_line_starts(pattern, text),
            plain.search_line_starts(pattern, text, first, lead),
        ):
            assert (found and found.span()) == (expected and expected.span())


HOST_PIECES = st.sampled_from(
    ["mx", ".", "example", "com", "c", "-", "_", "9", "é", "K", " ", "\n", "[", "]", "1.2.3.4",
     "::1", "said", "SAID", "refused", "did not like", "x.y", "-a.bc", ".DE"]
)  # fmt: skip


SAID_TAILS = st.sampled_from(
    [" [1.2.3.4] said", "[::1]refused", " [10.0.0.1]  did not like", " [1.2.3.4]", "] said", ""]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(st.lists(HOST_PIECES, max_size=8), SAID_TAILS), max_size=4))
def test_host_said_finds_what_the_host_said_pattern_finds(
    pieces: list[tuple[list[str], str]],
) -> None:
    text = "".join("".join(host) + tail for host, tail in pieces)
    expected = plain._HOST_SAID.search(text)
    assert plain.host_said(text) == (expected and (expected.group(1), expected.group(2)))


@pytest.mark.parametrize("run", ["a" * 30_000, "a." * 15_000, "a.b" * 10_000 + " [1.2.3.4]"])
def test_a_hostile_run_of_name_characters_is_read_in_linear_time(run: str) -> None:
    started = time.perf_counter()
    plain.remote_host(run)
    assert time.perf_counter() - started < 0.5  # a bound against a quadratic blow-up only
