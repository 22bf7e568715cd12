"""A cold `mailview analyze` imports what the message needs, and nothing heavy besides.

Each case runs the real command line in a fresh interpreter with `-X importtime`, which
lists every module imported, and checks the list: the cheap path must not load DKIM's
crypto, DNS, the address validator, bounce readers, Outlook reading, Qt, the text and
report exporters or the online look-ups; and each of those must load when the message or
the options do need it, so that the test cannot pass by breaking a feature.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path

import pytest

from mailview.cli.entry import build_parser
from mailview.enrich.geo import find_databases
from mailview.lazy_import import import_for_good
from tests.auth_signing import DOMAIN, SELECTOR, dkim_sign, key_pair, plain_message
from tests.dns_server import DnsServer

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "resources" / "samples" / "sample-phish.eml"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "load"

# Loaded only when a message or an option needs them (package names cover submodules).
HEAVY = (
    "dkim",  # dkimpy: signature crypto, only with a key at hand
    "nacl",
    "dns",  # dnspython: only online
    "email_validator",  # only for an address the plain check cannot vouch for
    "idna",  # only for internationalised names
    "flufl",  # Mailman's bounce detectors: only for a delivery report
    "extract_msg",  # only for an Outlook .msg
    "PySide6",
    "geoip2",  # only with a MaxMind database
    "maxminddb",
    "mailview.gui",
    "mailview.core.bounce.read",  # the report readers: only past the cheap gate
    "mailview.export.text_report",  # --json prints no text report
    "mailview.export.markdown",
    "mailview.export.html_report",
    "mailview.enrich.pipeline",  # online only
    "mailview.enrich.spf",
    "mailview.enrich.dns",
    "mailview.cli.batch",  # other commands
    "mailview.cli.export",
    "html",  # its entity table: only for a text that holds an "&"
    "statistics",  # the slow-hop median is taken without it (it loads fractions, decimal)
    "fractions",
    "decimal",
)

PLAIN = (
    b"From: Alice <alice@example.org>\n"
    b"To: Bob <bob@example.net>\n"
    b"Subject: Lunch\n"
    b"Date: Mon, 03 Jun 2024 10:00:00 +0000\n"
    b"Message-ID: <lunch@example.org>\n"
    b"Received: from mail.example.org (mail.example.org [10.0.0.5])\n"
    b"\tby mx.example.net with ESMTPS; Mon, 03 Jun 2024 10:00:02 +0000\n"
    b"\n"
    b"Noon at the usual place?\n"
)


def imported(*args: str) -> tuple[set[str], subprocess.CompletedProcess[str]]:
    """The modules a fresh `python -m mailview ARGS` imports, and how it ended."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "mailview", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert "Traceback" not in done.stderr, done.stderr
    names = {
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "mailview.core.analyze" in names  # the listing worked
    return names, done


def heavy_in(names: set[str]) -> set[str]:
    return {n for n in names for h in HEAVY if n == h or n.startswith(h + ".")}


@pytest.fixture(scope="module")
def no_user_databases() -> None:
    if any(not p.name.endswith(".plv") for p in find_databases()):
        pytest.skip("a MaxMind database is installed here; geoip2 loads for it, rightly")


def test_the_sample_as_json_loads_nothing_heavy(no_user_databases: None) -> None:
    names, done = imported("analyze", "--json", str(SAMPLE))
    assert done.returncode == 0, done.stderr
    assert heavy_in(names) == set()
    assert "plevin" in names  # its public addresses were placed: the enrichment works
    report = json.loads(done.stdout)
    assert report["hops"]
    # the rule that takes a median still ran and found the sample's slow hop
    assert "route.slow_hop" in {f["code"] for f in report["findings"]}


def test_a_plain_unsigned_message_as_json_loads_nothing_heavy(
    tmp_path: Path, no_user_databases: None
) -> None:
    message = tmp_path / "plain.eml"
    message.write_bytes(PLAIN)
    names, done = imported("analyze", "--json", str(message))
    assert done.returncode == 0, done.stderr
    assert heavy_in(names) == set()
    assert json.loads(done.stdout)["auth"]["addresses"][0]["valid"] is True


def test_a_signed_message_hashes_its_body_without_dkim_crypto_and_verifies_with_a_key(
    tmp_path: Path,
) -> None:
    pair = key_pair()
    message = tmp_path / "signed.eml"
    message.write_bytes(dkim_sign(plain_message(), pair))
    names, done = imported("analyze", "--json", str(message))
    assert done.returncode == 0, done.stderr
    assert not {n for n in names if n == "dkim" or n.startswith(("dkim.", "dns", "nacl"))}
    (signature,) = json.loads(done.stdout)["auth"]["dkim"]
    assert signature["body_hash"] == "match"  # dkimpy's canonicalisation, loaded alone
    assert signature["verification"] == "unverifiable"

    keys = tmp_path / "keys"
    keys.mkdir()
    (keys / f"{SELECTOR}._domainkey.{DOMAIN}.txt").write_bytes(pair.record)
    names, done = imported("analyze", "--json", "--dkim-keys", str(keys), str(message))
    assert done.returncode == 0, done.stderr
    assert "dkim" in names
    (signature,) = json.loads(done.stdout)["auth"]["dkim"]
    assert signature["verification"] == "pass"


def test_an_outlook_msg_loads_its_reader() -> None:
    names, done = imported("analyze", "--json", str(FIXTURES / "other.msg"))
    assert done.returncode == 0, done.stderr
    assert "extract_msg" in names
    assert "dkim" not in names and "dns" not in names


def test_a_delivery_report_loads_the_report_readers() -> None:
    names, done = imported("analyze", "--json", str(FIXTURES / "bounce.eml"))
    assert done.returncode == 0, done.stderr
    assert "mailview.core.bounce.read" in names
    assert json.loads(done.stdout)["bounce"] is not None
    # logging loads with Mailman's detectors, for the few reports that need them
    assert not names & {"logging", "email.policy", "flufl.bounce"}


def test_an_html_part_with_an_entity_loads_the_entity_table(tmp_path: Path) -> None:
    message = tmp_path / "entity.eml"
    message.write_bytes(
        PLAIN.replace(b"Subject: Lunch\n", b"Subject: Lunch\nContent-Type: text/html\n").replace(
            b"Noon at the usual place?",
            b'<a href="http://example.com/menu?day=1&amp;time=noon">Fish &amp; chips</a>',
        )
    )
    names, done = imported("analyze", "--json", str(message))
    assert done.returncode == 0, done.stderr
    assert "html.entities" in names
    (url,) = json.loads(done.stdout)["indicators"]["urls"]
    assert (url["url"], url["shown_text"]) == (
        "http://example.com/menu?day=1&time=noon",
        "Fish & chips",
    )


def test_an_address_the_plain_check_cannot_vouch_for_loads_the_validator(
    tmp_path: Path,
) -> None:
    message = tmp_path / "quoted.eml"
    message.write_bytes(PLAIN.replace(b"Alice <alice@", b'Alice <"alice smith"@'))
    names, done = imported("analyze", "--json", str(message))
    assert done.returncode == 0, done.stderr
    assert "email_validator" in names


def test_text_output_loads_the_text_report_and_nothing_online(tmp_path: Path) -> None:
    message = tmp_path / "plain.eml"
    message.write_bytes(PLAIN)
    names, done = imported("analyze", str(message))
    assert done.returncode == 0, done.stderr
    assert "mailview.export.text_report" in names
    assert not {n for n in names if n.startswith(("dns", "mailview.enrich.pipeline"))}


def test_online_loads_the_resolver_and_the_look_ups(tmp_path: Path) -> None:
    message = tmp_path / "plain.eml"
    message.write_bytes(PLAIN)
    with DnsServer() as server:
        names, done = imported(
            "analyze", "--json", "--online", "--resolver", server.nameserver, str(message)
        )
    assert done.returncode == 0, done.stderr
    assert {"dns.resolver", "mailview.enrich.pipeline", "mailview.enrich.spf"} <= names
    assert "online" in json.loads(done.stdout)


def test_a_command_is_imported_with_the_collector_paused_then_resumed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("probe_on", "probe_off"):
        (tmp_path / f"{name}.py").write_text("import gc\nCOLLECTING = gc.isenabled()\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert gc.isenabled()
    try:
        module = import_for_good("probe_on")
        assert module.COLLECTING is False  # paused while the module loaded
        assert gc.isenabled()  # and running again after
        gc.disable()  # a caller that paused it itself keeps it paused
        assert import_for_good("probe_off").COLLECTING is False
        assert not gc.isenabled()
    finally:
        gc.enable()
        gc.unfreeze()
        for name in ("probe_on", "probe_off"):
            sys.modules.pop(name, None)


# A fresh interpreter, so that no other test has compiled the reason tables yet.
_REASONS_PROBE = """
import json
from mailview.core.bounce import reasons as r
yahoo = r._PROVIDERS[0]
def compiled(patterns):
    return [p._compiled is not None for p in patterns]
plain = r.classify("5.1.1", "550 5.1.1 <a@example.org>: Recipient address rejected: User unknown")
after_plain = (compiled(p for _, p in yahoo.rules), compiled(p for _, p in r._TEXT))
own = r.classify(
    "5.0.0",
    "554 delivery error: dd x@yahoo.com is no longer valid",
    remote="mta7.am0.yahoodns.net",
)
print(json.dumps([plain, after_plain, own, compiled(p for _, p in yahoo.rules)]))
"""


def test_bounce_reason_phrases_compile_only_when_a_report_reaches_them() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _REASONS_PROBE], capture_output=True, text=True, check=True
    )
    plain, (yahoo_before, text_before), own, yahoo_after = json.loads(done.stdout)
    assert plain == "userunknown"  # settled by its decisive code
    assert not any(yahoo_before) and not any(text_before)  # no phrase table compiled
    assert own == "suspend"  # Yahoo's own wording, read on Yahoo's servers
    assert yahoo_after[0]  # compiled then, when needed


_FLUFL_PROBE = """
import email, json, logging, sys
from mailview.core.bounce import prose
before = "flufl.bounce" in sys.modules
prose.detected_recipients(email.message_from_string("Subject: failure\\n\\nno detail"))
log = logging.getLogger("flufl.bounce")
print(json.dumps([before, "flufl.bounce" in sys.modules, log.propagate,
                  [type(h).__name__ for h in log.handlers]]))
"""


def test_mailmans_detectors_load_when_asked_and_log_nothing() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _FLUFL_PROBE], capture_output=True, text=True, check=True
    )
    before, after, propagate, handlers = json.loads(done.stdout)
    assert (before, after) == (False, True)
    assert propagate is False and handlers == ["NullHandler"]


# A fresh interpreter analyses the sample, then reads what the sample never needed.
_FIRST_USE_PROBE = """
import inspect, json, sys
from pathlib import Path
from mailview.core import dates
from mailview.core.analyze import analyze_bytes
from mailview.core.model import OnlineFacts
from mailview.core.record import record
report = analyze_bytes(Path(sys.argv[1]).read_bytes())
def compiled(*patterns):
    return [p._compiled is not None for p in patterns]
before = compiled(dates._RFC5322, dates._ISO8601, dates._CTIME)
online_made_before = inspect.isfunction(OnlineFacts.__dict__["__init__"])
zoned = dates.parse_date("Fri, 29 Jun 2012 05:06:37 PDT")
iso = dates.parse_date("2012-06-29T05:06:37Z")
ctime = dates.parse_date("Fri Jun 29 05:06:37 2012")
facts = OnlineFacts("system", zoned.utc, None, None, None, (), None)
print(json.dumps([
    len(report.hops), before, compiled(dates._RFC5322, dates._ISO8601, dates._CTIME),
    [zoned.utc.isoformat(), zoned.offset_minutes, iso.utc.isoformat(), ctime.utc.isoformat()],
    online_made_before, inspect.isfunction(OnlineFacts.__dict__["__init__"]),
    [facts.resolver, facts.problems],
]))
"""


def test_rare_date_shapes_and_unused_records_are_compiled_only_when_reached() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _FIRST_USE_PROBE, str(SAMPLE)],
        capture_output=True,
        text=True,
        check=True,
    )
    hops, before, after, dates, online_before, online_after, facts = json.loads(done.stdout)
    assert hops  # the analysis ran, and read the sample's dates without the general patterns
    assert before == [False, False, False]
    assert after == [True, True, True]  # each compiled when a date of its shape came
    # PDT is seven hours behind; ISO's Z and ctime's zone-less time are UTC
    assert dates == ["2012-06-29T12:06:37+00:00", -420, "2012-06-29T05:06:37+00:00",
                     "2012-06-29T05:06:37+00:00"]  # fmt: skip
    assert (online_before, online_after) == (False, True)  # an offline run made none
    assert facts == ["system", []]


# A fresh interpreter: no branch of a phrase has been compiled by another test yet.
_BRANCH_PROBE = """
import json
from mailview.core.findings import credentials as c
pattern = dict(c._PHRASES)["account verification"]
english = c._branch_search(pattern, "please verify your account today")
compiled = {lead: branch._compiled is not None for lead, branch in c._branches(pattern.pattern)}
german = c._branch_search(pattern, "bitte bestätigen sie ihr konto")
print(json.dumps([english, compiled, german,
                  [b._compiled is not None for lead, b in c._branches(pattern.pattern)
                   if lead == "bestätigen"]]))
"""


def test_a_phrase_branch_compiles_only_for_a_text_holding_its_first_word() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _BRANCH_PROBE], capture_output=True, text=True, check=True
    )
    english, compiled, german, german_compiled = json.loads(done.stdout)
    english_text, german_text = "please verify your account today", "bitte bestätigen sie ihr konto"
    assert english == [english_text.index("verify"), english_text.index(" today")]
    assert compiled["verify"] is True
    assert compiled["konto"] is False and compiled["bestätigen"] is False
    # the German branch, compiled when its word came
    assert german == [german_text.index("bestätigen"), len(german_text)]
    assert german_compiled == [True]


def test_a_command_builds_its_own_options_and_the_help_still_lists_every_command() -> None:
    def names(command: str | None) -> set[str]:
        (commands,) = (a for a in build_parser(command)._actions if a.dest == "command")
        return set(commands.choices or ())

    assert names("analyze") == names("analyse") == {"analyze", "analyse"}
    assert names("batch") == {"batch"}
    assert names(None) == names("--help") == {"analyze", "analyse", "export", "batch"}
    done = subprocess.run(
        [sys.executable, "-m", "mailview", "--help"], capture_output=True, text=True, check=True
    )
    assert all(name in done.stdout for name in ("analyze", "export", "batch"))


_SUFFIX_PROBE = """
import json, sys
from pathlib import Path
from mailview.core import domains
from mailview.core.analyze import analyze_bytes
report = analyze_bytes(Path(sys.argv[1]).read_bytes())
searched = domains._label_psl.cache_info().currsize
indexed = domains._lines_by_top_label.cache_info().currsize
print(json.dumps([len(report.hops), searched, indexed, domains.org_domain("a.b.appspot.com"),
                  domains._lines_by_top_label.cache_info().currsize]))
"""


def test_the_suffix_rules_of_a_label_are_searched_for_without_indexing_the_list() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _SUFFIX_PROBE, str(SAMPLE)],
        capture_output=True,
        text=True,
        check=True,
    )
    hops, searched, indexed, private, indexed_after = json.loads(done.stdout)
    assert hops and searched  # the sample's names were looked up, label by label
    assert indexed == 0 and indexed_after == 0  # and not one of them needed the whole index
    assert private == "b.appspot.com"  # a private rule under "com" was found by the search
