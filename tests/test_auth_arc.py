"""ARC chains (RFC 8617): structure in words and real verification with dkimpy.

Chains are sealed here with fresh RSA keys (tests/auth_signing.arc_seal) and loaded
through the real loader. Real chains from the corpus are parsed too.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailview.core.auth.arc import arc_findings, read_arc
from mailview.core.auth.keys import OfflineKeys
from mailview.core.errors import InputError
from mailview.core.load import load_bytes
from mailview.core.model import HeaderField, Severity
from tests.auth_signing import KeyPair, arc_seal, key_pair, load_one, plain_message
from tests.corpus import CORPUS, corpus_files


@pytest.fixture(scope="module")
def pair() -> KeyPair:
    return key_pair(2048)


@pytest.fixture(scope="module")
def keys(pair: KeyPair) -> OfflineKeys:
    return OfflineKeys(
        {
            "arc1._domainkey.forwarder.example.net": pair.record,
            "arc2._domainkey.mx.example.com": pair.record,
        }
    )


def two_sets(pair: KeyPair, second_cv: str = "pass") -> bytes:
    message = arc_seal(
        plain_message(),
        pair,
        results="forwarder.example.net; spf=pass smtp.mailfrom=example.org",
        cv="none",
        domain="forwarder.example.net",
        selector="arc1",
    )
    return arc_seal(
        message,
        pair,
        results=f"mx.example.com; arc={second_cv}",
        cv=second_cv,
        domain="mx.example.com",
        selector="arc2",
    )


@pytest.fixture(scope="module")
def sealed(pair: KeyPair) -> bytes:
    return two_sets(pair)


def test_two_instance_chain_is_valid_and_verifies(sealed: bytes, keys: OfflineKeys) -> None:
    message = load_one(sealed)
    chain = read_arc(message.headers, message.body, keys)
    assert chain.structure == "valid" and chain.problems == ()
    assert chain.crypto == "pass"
    assert [s.instance for s in chain.sets] == [1, 2]
    assert [s.cv for s in chain.sets] == ["none", "pass"]
    assert [s.domain for s in chain.sets] == ["forwarder.example.net", "mx.example.com"]
    # arc_seal prepends ARC-Seal, ARC-Message-Signature, ARC-Authentication-Results
    newest = chain.sets[1]
    assert (newest.seal_index, newest.message_signature_index, newest.results_index) == (0, 1, 2)
    oldest = chain.sets[0]
    assert (oldest.seal_index, oldest.message_signature_index, oldest.results_index) == (3, 4, 5)
    assert arc_findings(chain, message.headers) == []


def test_without_keys_the_chain_is_unverifiable(sealed: bytes, pair: KeyPair) -> None:
    message = load_one(sealed)
    assert read_arc(message.headers, message.body, None).crypto == "unverifiable"
    one_key = OfflineKeys({"arc2._domainkey.mx.example.com": pair.record})
    chain = read_arc(message.headers, message.body, one_key)
    assert (chain.structure, chain.crypto) == ("valid", "unverifiable")
    assert read_arc(message.headers, None, None).crypto == "unverifiable"


def test_deleting_an_ams_breaks_the_chain(sealed: bytes, keys: OfflineKeys) -> None:
    message = load_one(sealed)
    kept = [f for f in message.headers if f.index != 1]  # instance 2's ARC-Message-Signature
    assert message.headers[1].name == "ARC-Message-Signature"
    chain = read_arc(kept, message.body, keys)
    assert chain.structure == "broken"
    assert "Instance 2 has no ARC-Message-Signature." in chain.problems
    assert chain.crypto == "fail"
    findings = arc_findings(chain, kept)
    assert [(f.code, f.severity) for f in findings] == [("auth.arc.broken", Severity.MEDIUM)]
    assert "Instance 2 has no ARC-Message-Signature." in findings[0].detail
    assert findings[0].evidence and findings[0].evidence[0].text.startswith("ARC-Seal:")


def test_body_changed_after_sealing_fails_crypto(sealed: bytes, keys: OfflineKeys) -> None:
    message = load_one(sealed.replace(b"Hello Bob", b"Hello Eve"))
    chain = read_arc(message.headers, message.body, keys)
    assert (chain.structure, chain.crypto) == ("valid", "fail")
    findings = arc_findings(chain, message.headers)
    assert [(f.code, f.severity) for f in findings] == [("auth.arc.crypto_fail", Severity.MEDIUM)]


def test_a_forwarder_stating_cv_fail(pair: KeyPair, keys: OfflineKeys) -> None:
    message = load_one(two_sets(pair, second_cv="fail"))
    chain = read_arc(message.headers, message.body, keys)
    assert chain.structure == "valid"
    assert chain.sets[-1].cv == "fail"
    assert chain.crypto == "fail"  # RFC 8617 §5.1.1 step 2: the chain is failed
    findings = arc_findings(chain, message.headers)
    assert [(f.code, f.severity) for f in findings] == [("auth.arc.cv_fail", Severity.LOW)]
    assert "mx.example.com" in findings[0].detail


def _retagged(
    headers: tuple[HeaderField, ...], index: int, old: str, new: str
) -> list[HeaderField]:
    out = list(headers)
    f = out[index]
    out[index] = f._replace(value=f.value.replace(old, new, 1), raw=f.raw.replace(old, new, 1))
    return out


def test_wrong_cv_and_gaps_are_named(sealed: bytes) -> None:
    message = load_one(sealed)
    wrong_cv = _retagged(message.headers, 0, "cv=pass", "cv=none")
    chain = read_arc(wrong_cv, message.body, None)
    assert chain.structure == "broken"
    assert "Instance 2 says cv=none; every later instance must say cv=pass." in chain.problems
    gap = message.headers
    for index in (0, 1, 2):
        gap = tuple(_retagged(gap, index, "i=2", "i=3"))
    chain = read_arc(gap, message.body, None)
    assert "Instance 2 is missing entirely." in chain.problems
    assert [s.instance for s in chain.sets] == [1, 3]
    first_not_none = _retagged(message.headers, 3, "cv=none", "cv=pass")
    chain = read_arc(first_not_none, message.body, None)
    assert "Instance 1 says cv=pass; the first instance must say cv=none." in chain.problems


def test_no_arc_headers_is_no_chain() -> None:
    message = load_one(plain_message())
    chain = read_arc(message.headers, message.body, None)
    assert (chain.sets, chain.structure, chain.crypto) == ((), "none", None)
    assert arc_findings(chain) == []


ARC_CHARS = st.sampled_from(list("iacvbdshtx=;: \t-+/.0123456789nopasfilre\u00e9"))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["ARC-Seal", "ARC-Message-Signature", "ARC-Authentication-Results"]),
            st.text(ARC_CHARS, max_size=60),
        ),
        max_size=6,
    )
)
def test_arbitrary_arc_headers_never_raise(fields: list[tuple[str, str]]) -> None:
    headers = [
        HeaderField(i, name, value, f"{name}: {value}", i + 1)
        for i, (name, value) in enumerate(fields)
    ]
    headers.append(HeaderField(len(headers), "From", "a@example.org", "From: a@example.org", 9))
    record = key_pair(1024).record
    keys = OfflineKeys({f"{s}._domainkey.{d}": record for s in "as" for d in ("a", "d")})
    chain = read_arc(headers, b"body\r\n", keys)
    assert chain.structure in {"none", "valid", "broken"}
    assert chain.crypto in {None, "pass", "fail", "unverifiable"}
    arc_findings(chain, headers)


# --- the corpus ----------------------------------------------------------------------------

# Instance numbers counted by reading each file's ARC headers (grep "^ARC-"):
# postalsys arc-*: i=2 and i=1, one of each header; arc-fail3's i=2 seal says cv=fail.
# rspamd arcallow: i=2 (mx.google.com) and i=1 (microsoft.com). arcbad: two i=1 sets
# (microsoft.com, then freebsd.org), so every header of instance 1 is doubled.
CORPUS_CHAINS = {
    "postalsys-mailauth/fixtures/arc-pass.eml": ([1, 2], "valid"),
    "postalsys-mailauth/fixtures/arc-fail.eml": ([1, 2], "valid"),
    "postalsys-mailauth/fixtures/arc-fail3.eml": ([1, 2], "valid"),
    "rspamd/arcallow.eml": ([1, 2], "valid"),
    "rspamd/arcbad.eml": ([1], "broken"),
}


@pytest.mark.corpus
@pytest.mark.parametrize("relative", sorted(CORPUS_CHAINS))
def test_corpus_chains(relative: str) -> None:
    path = CORPUS / relative
    if not path.is_file():
        pytest.skip(f"{relative} is not in the corpus")
    data = path.read_bytes()
    message = load_one(data)
    chain = read_arc(message.headers, message.body, None)
    instances, structure = CORPUS_CHAINS[relative]
    assert [s.instance for s in chain.sets] == instances
    assert chain.structure == structure
    seals = re.findall(rb"(?mi)^ARC-Seal:", data)
    assert len(seals) == len(instances) + (1 if structure == "broken" else 0)
    if relative.endswith("arc-fail3.eml"):
        assert chain.sets[-1].cv == "fail"
        assert [f.code for f in arc_findings(chain, message.headers)] == ["auth.arc.cv_fail"]
    if relative.endswith("arcbad.eml"):
        assert "Instance 1 has more than one ARC-Seal." in chain.problems


class AnyName:
    def __init__(self, record: bytes) -> None:
        self.record = record

    def txt(self, name: str) -> bytes | None:
        del name
        return self.record


@pytest.mark.corpus
def test_corpus_chains_never_raise_nor_pass_with_a_wrong_key() -> None:
    files = corpus_files()
    if not files:
        pytest.skip(f"no corpus at {CORPUS}")
    wrong = AnyName(key_pair(1024).record)
    chains = 0
    for path in files:
        try:
            messages = load_bytes(path.read_bytes())
        except InputError:
            continue
        for message in messages:
            chain = read_arc(message.headers, message.body, wrong)
            arc_findings(chain, message.headers)
            if chain.structure != "none":
                chains += 1
                assert chain.crypto != "pass", path
    assert chains >= 10
