"""DKIM-Signature headers: what each one says, and what can be checked of it offline.

Strategy:

1. Parse each DKIM-Signature's tag-list ourselves (RFC 6376 §3.2, §3.5), so that any
   value, however malformed, yields a `DkimSignature` with its problems in words.
2. Recompute the body hash with dkimpy's canonicalisation (honouring c= and l=). That
   needs no key, so it is done for every signature whose a=, c= and bh= are usable; the
   canonical body is computed once per canonicalisation and shared.
3. Verify the header signature (b=) with dkimpy only when the `KeyStore` has the key.
   dkimpy gets the key through `dnsfunc`, built on the KeyStore, so it never queries DNS.
   Its own entry point (`DKIM.verify`) is bypassed on purpose: it judges t= and x=
   against the wall clock, which would make a report depend on the day it was made, and
   it stops at a body-hash mismatch, which would hide whether the headers were altered
   too. We call `verify_sig` with bh= removed, so it checks b= alone.
4. `dkim_findings` turns the signatures into findings a helpdesk colleague can act on.

Nothing raises on message content: dkimpy's exceptions are caught around each call, its
logging goes to a private logger that drops everything, and nothing reaches DNS.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import importlib.util
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import field
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from mailview.core.auth.keys import KeyStore, dnsfunc_for, key_name
from mailview.core.auth.model import AuthResult, DkimSignature
from mailview.core.domains import normalise_host, same_org
from mailview.core.findings.context import finding
from mailview.core.lazy_re import LazyPattern
from mailview.core.model import Evidence, Finding, HeaderField, Severity
from mailview.core.record import mutable_record, record

if TYPE_CHECKING:
    import logging


@functools.cache
def quiet_logger() -> logging.Logger:
    """The logger dkimpy is given: not registered with `logging` (so no global state
    changes), it drops every record, so nothing is ever printed. Made when dkimpy is
    first used, with a key at hand: `logging` is not loaded for other mail."""
    import logging  # noqa: PLC0415

    logger = logging.Logger("mailview.dkimpy", logging.CRITICAL + 1)
    logger.addHandler(logging.NullHandler())
    logger.propagate = False
    return logger


MAX_CHECKED = 20  # signatures whose hashes are computed; more is abuse, not mail
# dkimpy finds each h= name by scanning the header block, so one check costs about
# (names in h=) × (header fields); past this product the check is skipped, not slow.
MAX_HEADER_WORK = 2_000_000
FUTURE_SLACK_SECONDS = 15 * 60  # clocks drift; a quarter of an hour is not suspicious

# RFC 6376 §3.2: tag-spec = [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS];
# tag-name = ALPHA *ALNUMPUNC; ALNUMPUNC = ALPHA / DIGIT / "_".
_TAG_NAME = LazyPattern(r"[A-Za-z][A-Za-z0-9_]*")
# RFC 6376 §3.5: b= and bh= are base64string = ALPHADIGITPS *([FWS] ALPHADIGITPS)
# [ [FWS] "=" [ [FWS] "=" ] ]; folding white space inside is ignored.
_BASE64 = LazyPattern(r"[A-Za-z0-9+/]+={0,2}")
_WHITESPACE = re.compile(r"\s+")
# RFC 6376 §3.5: l= and t=/x= are 1*76DIGIT / 1*12DIGIT; longer numbers are refused
# rather than converted (Python's int() of a huge digit string is costly).
_DIGITS = re.compile(r"[0-9]{1,76}")
_LINE_END = re.compile(r"\r?\n")

KNOWN_ALGORITHMS = ("rsa-sha256", "rsa-sha1", "ed25519-sha256")
_HASHES: Mapping[str, str] = {
    "rsa-sha256": "sha256",
    "ed25519-sha256": "sha256",
    "rsa-sha1": "sha1",
}
_REQUIRED = ("v", "a", "b", "bh", "d", "h", "s")  # RFC 6376 §3.5, "REQUIRED" tags

# Sentences that dkim_findings recognises in `problems` (kept as constants so that the
# reader and the findings cannot drift apart).
FROM_NOT_SIGNED = "h= does not include From, which RFC 6376 §5.4 requires."
HEADERS_ALSO_FAIL = "The header signature (b=) does not verify either."
HEADERS_INTACT = "The header signature (b=) itself verifies: only the body differs."
APPENDED_PREFIX = "Content after the signed length:"


# --- message bytes -----------------------------------------------------------------------


def message_bytes(headers: Sequence[HeaderField], body: bytes, *, latin1: bool = False) -> bytes:
    """The message as bytes for dkimpy: each field's `raw` with CRLF line ends, then body.

    The loader decodes a header block as UTF-8 when it all is, else line by line (UTF-8
    where valid, Latin-1 otherwise). A line whose characters all lie below U+0100 and
    whose Latin-1 bytes are not valid UTF-8 could have come either way; `latin1=True`
    encodes such lines back as Latin-1, otherwise they are encoded as UTF-8.
    """
    parts = [_encode_line(line, latin1) for f in headers for line in _LINE_END.split(f.raw)]
    return b"\r\n".join(parts) + b"\r\n\r\n" + body


def _encode_line(line: str, latin1: bool) -> bytes:
    if line.isascii():
        return line.encode("ascii")
    if latin1 and _ambiguous(line):
        return line.encode("latin-1")
    try:
        # surrogateescape gives back the bytes of text pasted with undecodable bytes
        return line.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return line.encode("utf-8", "replace")


def _ambiguous(line: str) -> bool:
    """Whether the loader could have decoded this non-ASCII line from Latin-1."""
    try:
        data = line.encode("latin-1")
    except UnicodeEncodeError:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _has_ambiguous_lines(headers: Sequence[HeaderField]) -> bool:
    return any(not f.raw.isascii() and _ambiguous(f.raw) for f in headers)


# --- tag lists ---------------------------------------------------------------------------


def parse_tag_list(value: str) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """Every tag of an RFC 6376 §3.2 tag-list as (name, value), and problems in words.

    tag-list = tag-spec *( ";" tag-spec ) [ ";" ]. A duplicate tag makes the whole list
    invalid (§3.2: "if a tag name does occur more than once, the entire tag-list is
    invalid"); it is kept and reported so that the reader still sees it.
    """
    tags: list[tuple[str, str]] = []
    problems: list[str] = []
    seen: set[str] = set()
    specs = value.split(";")
    if specs and not specs[-1].strip():
        specs.pop()  # a trailing ";" is allowed
    for spec in specs:
        name, equals, text = spec.partition("=")
        name = name.strip()
        if not equals or _TAG_NAME.fullmatch(name) is None:
            problems.append(f"{_shorten(spec.strip())!r} is not a tag=value pair.")
            continue
        if name in seen:
            problems.append(f"The tag {name}= occurs more than once.")
        seen.add(name)
        tags.append((name, text.strip()))
    return tuple(tags), tuple(problems)


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def first_tag(tags: Iterable[tuple[str, str]], name: str) -> str | None:
    """The first value of tag `name` (tag names are case-sensitive, RFC 6376 §3.2)."""
    return next((v for k, v in tags if k == name), None)


def compact_base64(text: str | None) -> str | None:
    """b=/bh= without the folding white space RFC 6376 §3.5 lets them contain."""
    return None if text is None else _WHITESPACE.sub("", text)


def _valid_base64(text: str | None) -> bool:
    return bool(text) and _BASE64.fullmatch(text or "") is not None and len(text or "") % 4 == 0


def parse_number(text: str | None) -> int | None:
    if text is None or _DIGITS.fullmatch(text.strip()) is None:
        return None
    return int(text.strip())


# --- one signature, as written -----------------------------------------------------------


@mutable_record
class _Sig:
    """A DKIM-Signature while it is being read; frozen into a DkimSignature at the end."""

    header: HeaderField
    position: int  # 0-based among the DKIM-Signature fields, as dkimpy counts them
    tags: tuple[tuple[str, str], ...]
    problems: list[str]
    invalid: bool = False  # RFC 6376 §6.1.1: the verifier must ignore it (PERMFAIL)
    body_hash: str | None = None
    verification: str = "unverifiable"
    key_bits: int | None = None
    checked: dict[str, bool] = field(default_factory=dict)

    def tag(self, name: str) -> str | None:
        return first_tag(self.tags, name)

    @property
    def algorithm(self) -> str | None:
        a = self.tag("a")
        return a.lower() if a is not None else None

    @property
    def signed_headers(self) -> tuple[str, ...]:
        h = self.tag("h") or ""
        return tuple(n for n in (part.strip().lower() for part in h.split(":")) if n)


def _read_one(header: HeaderField, position: int) -> _Sig:
    tags, problems = parse_tag_list(header.value)
    sig = _Sig(header, position, tags, list(problems), invalid=bool(problems))
    for check in (_check_required, _check_algorithm, _check_hashes, _check_identity):
        check(sig)
    _check_numbers(sig)
    return sig


def _check_required(sig: _Sig) -> None:
    missing = [name for name in _REQUIRED if not sig.tag(name)]
    if missing:
        sig.invalid = True
        names = ", ".join(f"{n}=" for n in missing)
        sig.problems.append(f"Required tag(s) missing or empty: {names}.")
    version = sig.tag("v")
    if version is not None and version != "1":
        sig.invalid = True
        sig.problems.append(f"v={_shorten(version)} is not 1, the only DKIM version.")
    if sig.tag("h") is not None and "from" not in sig.signed_headers:
        sig.invalid = True
        sig.problems.append(FROM_NOT_SIGNED)
    query = sig.tag("q")
    if query is not None and query.lower() != "dns/txt":
        sig.problems.append(f"q={_shorten(query)} is not dns/txt, the only key query method.")


def _check_algorithm(sig: _Sig) -> None:
    algorithm = sig.algorithm
    if algorithm is not None and algorithm not in KNOWN_ALGORITHMS:
        sig.invalid = True
        sig.problems.append(f"a={_shorten(algorithm)} is not a known signing algorithm.")
    canon = sig.tag("c")
    if canon is not None and _policy(canon) is None:
        sig.invalid = True
        sig.problems.append(f"c={_shorten(canon)} is not a known canonicalization.")


def _check_hashes(sig: _Sig) -> None:
    for name in ("b", "bh"):
        text = compact_base64(sig.tag(name))
        if text and not _valid_base64(text):
            sig.invalid = True
            sig.problems.append(f"{name}= is not valid base64.")


def _check_identity(sig: _Sig) -> None:
    """RFC 6376 §3.5: i= must be in d= or one of its subdomains."""
    identity, domain = sig.tag("i"), normalise_host(sig.tag("d"))
    if identity is None or domain is None:
        return
    at_domain = normalise_host(identity.rpartition("@")[2])
    if at_domain is None or not (at_domain == domain or at_domain.endswith("." + domain)):
        sig.invalid = True
        sig.problems.append(f"i={_shorten(identity)} is not within d={domain}.")


def _check_numbers(sig: _Sig) -> None:
    for name in ("l", "t", "x"):
        text = sig.tag(name)
        if text is not None and parse_number(text) is None:
            sig.problems.append(f"{name}={_shorten(text)} is not a decimal number.")
    signed, expires = parse_number(sig.tag("t")), parse_number(sig.tag("x"))
    if signed is not None and expires is not None and expires <= signed:
        sig.problems.append("x= (expiry) is not later than t= (signing time).")


def _policy(canon: str | None) -> Any:
    """dkimpy's canonicalisation policy for a c= value (simple/simple when absent)."""
    canonicalization = _canonicalization()
    try:
        return canonicalization.CanonicalizationPolicy.from_c_value(
            (canon or "simple/simple").encode("ascii")
        )
    except (canonicalization.InvalidCanonicalizationPolicyError, UnicodeEncodeError):
        return None


@functools.cache
def _canonicalization() -> ModuleType:
    """dkimpy's `dkim.canonicalization`, loaded from its file without the package around it.

    Importing the package loads its signature crypto (PyNaCl) and its DNS plug-in
    (dnspython's resolver, ~50 ms), none of which hashing a body needs; and offline no
    key is at hand to check a signature with. The module itself needs only `re`. When
    the package is loaded anyway (keys given, online), or its file cannot be found (a
    frozen build), the ordinary import is used.
    """
    spec = importlib.util.find_spec("dkim")
    locations = list(spec.submodule_search_locations or ()) if spec is not None else []
    source = Path(locations[0]) / "canonicalization.py" if locations else None
    if "dkim" not in sys.modules and source is not None and source.is_file():
        alone = importlib.util.spec_from_file_location("mailview_dkimpy_canonicalization", source)
        if alone is not None and alone.loader is not None:
            module = importlib.util.module_from_spec(alone)
            alone.loader.exec_module(module)
            return module
    import dkim.canonicalization  # noqa: PLC0415

    loaded: ModuleType = dkim.canonicalization
    return loaded


# --- body hash ---------------------------------------------------------------------------


class _Bodies:
    """The canonical body per body canonicalisation, computed once and shared."""

    def __init__(self, body: bytes) -> None:
        self._body = body
        self._crlf: bytes | None = None  # made on the first hash: a signature may need none
        self._canonical: dict[str, bytes] = {}

    def canonical(self, canon: str | None) -> bytes | None:
        policy = _policy(canon)
        if policy is None:
            return None
        key = policy.to_c_value().decode("ascii").rpartition("/")[2]
        if key not in self._canonical:
            if self._crlf is None:
                self._crlf = crlf_lines(self._body)
            self._canonical[key] = canonical_body(policy, self._crlf)
        return self._canonical[key]


def crlf_lines(body: bytes) -> bytes:
    """`body` with every line end (LF or CRLF) made CRLF; a lone CR stays as it is.

    dkimpy's rfc822_parse does this before canonicalising, so LF-only files hash as the
    CRLF mail they were. It is `b"\\r\\n".join(re.split(rb"\\r?\\n", body))`, done with
    two `bytes.replace` at memcpy speed instead: splitting a large body on a pattern
    was a third of the time of a signed message with an attachment.
    """
    return body.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def canonical_body(policy: Any, crlf: bytes) -> bytes:
    """dkimpy's `policy.canonicalize_body(crlf)`, the same bytes, faster when relaxed.

    Relaxed body canonicalisation (RFC 6376 §3.4.4) reduces "all sequences of WSP
    characters to a single SP character" and ignores "all whitespace at the end of
    lines". dkimpy does both with a substitution whose pattern starts with a character
    class, tried at every byte (about ten nanoseconds a byte: 2 ms for a 200 KB
    attachment). The same result comes from steps that each search for a literal at
    memchr speed: tabs made spaces, runs of spaces made one, and then a space before a
    CRLF dropped (once runs are single spaces, one `replace` removes them all). Simple
    canonicalisation is cheap already and stays dkimpy's.
    """
    module = _canonicalization()
    if policy.body_algorithm is not module.Relaxed:
        return bytes(policy.canonicalize_body(crlf))
    text = crlf.replace(b"\t", b" ") if b"\t" in crlf else crlf
    if b"  " in text:
        text = re.sub(rb"  +", b" ", text)
    text = text.replace(b" \r\n", b"\r\n")
    return bytes(module.correct_empty_body(module.strip_trailing_lines(text)))


def _check_body(sig: _Sig, bodies: _Bodies) -> None:
    algorithm, expected = sig.algorithm or "", compact_base64(sig.tag("bh"))
    if algorithm not in _HASHES or not _valid_base64(expected):
        return
    canonical = bodies.canonical(sig.tag("c"))
    if canonical is None:
        return
    length = parse_number(sig.tag("l"))
    signed = canonical if length is None else canonical[:length]
    digest = hashlib.new(_HASHES[algorithm], signed).digest()
    sig.body_hash = "match" if base64.b64encode(digest).decode("ascii") == expected else "mismatch"
    if length is not None and len(canonical) > length:
        extra = len(canonical) - length
        sig.problems.append(
            f"{APPENDED_PREFIX} {extra} byte(s) of the body follow the {length} that the "
            "signature covers."
        )
    elif length is not None and len(canonical) < length:
        sig.problems.append(f"l={length} is longer than the whole body ({len(canonical)} bytes).")


# --- header signature (b=) ---------------------------------------------------------------


class _Verifier:
    """dkimpy's view of the message, built once per encoding of the header block."""

    def __init__(self, headers: Sequence[HeaderField], body: bytes, keys: KeyStore) -> None:
        self.headers, self._body = headers, body
        self._dnsfunc = dnsfunc_for(keys)
        self._variants: dict[bool, Any] = {}  # dkim.DKIM or None
        self._latin1_too = _has_ambiguous_lines(headers)

    def verify(self, position: int) -> bool | str:
        """True/False for b=, or a sentence saying why it could not be checked."""
        outcome: bool | str = "dkimpy could not read the message's header block."
        for latin1 in (False, True) if self._latin1_too else (False,):
            outcome = self._verify_with(latin1, position)
            if outcome is True:
                return True
        return outcome

    def _verify_with(self, latin1: bool, position: int) -> bool | str:
        signer = self._signer(latin1)
        if signer is None:
            return "dkimpy could not read the message's header block."
        sigheaders = [(n, v) for n, v in signer.headers if n.lower() == b"dkim-signature"]
        if position >= len(sigheaders):
            return "dkimpy did not find this signature in the header block."
        from dkim.util import parse_tag_value  # noqa: PLC0415 - signed mail only

        try:
            tags = parse_tag_value(sigheaders[position][1])
            tags.pop(b"bh", None)  # b= alone: the body hash is compared separately
            include = [x.lower() for x in re.split(rb"\s*:\s*", tags[b"h"].strip())]
            verified = signer.verify_sig(tags, include, sigheaders[position], self._dnsfunc)
        except Exception as err:  # dkimpy raises many kinds on odd input
            return f"dkimpy could not check it: {_shorten(str(err), 120)}"
        return bool(verified)

    def _signer(self, latin1: bool) -> Any:
        import dkim  # noqa: PLC0415 - only when a key is at hand to verify with

        if latin1 not in self._variants:
            data = message_bytes(self.headers, self._body, latin1=latin1)
            try:
                # minkey=0: short keys are reported as a finding, not silently failed
                self._variants[latin1] = dkim.DKIM(data, logger=quiet_logger(), minkey=0)
            except Exception:  # rfc822_parse refuses odd header lines
                self._variants[latin1] = None
        return self._variants[latin1]


@record
class _Key:
    bits: int | None
    usable: bool
    problem: str | None
    revoked: bool = False


def _read_key(name: str, record: bytes) -> _Key:
    """What the published key record holds; dkimpy parses it (RFC 6376 §3.6.1)."""
    import dkim  # noqa: PLC0415 - only when a key is at hand
    from dkim.util import parse_tag_value  # noqa: PLC0415

    try:
        tags = parse_tag_value(record)
    except Exception:  # any malformed record
        return _Key(None, False, f"The key record at {name} is not a tag list.")
    if not tags.get(b"p", b"x").strip():
        return _Key(None, False, f"The key at {name} has been revoked (empty p=).", True)
    try:
        _, bits, _, _ = dkim.evaluate_pk(name.encode("ascii", "replace"), record)
    except dkim.NaClNotFoundError:
        return _Key(None, False, "Ed25519 keys cannot be checked here (PyNaCl is missing).")
    except Exception as err:  # KeyFormatError, binascii.Error, …
        return _Key(None, False, f"The key at {name} could not be read: {_shorten(str(err))}")
    return _Key(bits if isinstance(bits, int) else None, True, None)


def _check_signature(sig: _Sig, keys: KeyStore | None, verifier: _Verifier | None) -> None:
    if sig.invalid:
        sig.verification = "invalid"
        return
    selector, domain = sig.tag("s") or "", sig.tag("d") or ""
    name = key_name(selector, domain)
    record = keys.txt(name) if keys is not None else None
    if record is None or verifier is None:
        return  # no key at hand: "unverifiable", never "fail"
    work = len(sig.signed_headers) * len(verifier.headers)
    if work > MAX_HEADER_WORK:
        sig.problems.append(
            f"Not checked: h= names {len(sig.signed_headers)} fields, too many to check."
        )
        return
    key = _read_key(name, record)
    sig.key_bits = key.bits
    if key.revoked:
        sig.verification = "fail"
        sig.problems.append(key.problem or "")
        return
    if not key.usable:
        sig.problems.append(key.problem or "")
        return
    _apply_outcome(sig, verifier.verify(sig.position))


def _apply_outcome(sig: _Sig, outcome: bool | str) -> None:
    if isinstance(outcome, str):
        sig.problems.append(outcome)
        return
    if sig.body_hash is None:  # no body at hand: only a failure means anything
        sig.verification = "unverifiable" if outcome else "fail"
        if outcome:
            sig.problems.append("Only the header fields could be checked; they are intact.")
        return
    if sig.body_hash == "mismatch":
        sig.problems.append(HEADERS_INTACT if outcome else HEADERS_ALSO_FAIL)
        sig.verification = "fail"
        return
    sig.verification = "pass" if outcome else "fail"


# --- the receiver's word -----------------------------------------------------------------


def _receiver_result(sig: _Sig, results: Sequence[AuthResult]) -> str | None:
    """The trusted receiver's dkim= result for this signature (RFC 8601 §2.7.1 header.d)."""
    domain = normalise_host(sig.tag("d"))
    if domain is None:
        return None
    selector = (sig.tag("s") or "").lower()
    signature = compact_base64(sig.tag("b")) or ""
    for result in results:
        if result.method.lower() != "dkim":
            continue
        said = result.prop("header.d") or (result.prop("header.i") or "").rpartition("@")[2]
        if normalise_host(said) != domain:
            continue
        said_selector = result.prop("header.s")
        if said_selector and said_selector.lower() != selector:
            continue
        prefix = result.prop("header.b")  # RFC 6008: the first characters of b=
        if prefix and not signature.startswith(prefix):
            continue
        return result.result.lower()
    return None


# --- public API --------------------------------------------------------------------------


def read_signatures(
    headers: Sequence[HeaderField],
    body: bytes | None,
    keys: KeyStore | None,
    now: datetime,
    trusted_results: Sequence[AuthResult] = (),
) -> tuple[DkimSignature, ...]:
    """Every DKIM-Signature, parsed and checked as far as the body and keys allow.

    `body` is None when the input was a header block without a body (nothing to hash);
    `trusted_results` are AuthResults written by the receiving side; `now` is unused
    here (the findings judge time) but kept so callers pass one clock everywhere.
    """
    del now
    fields = [f for f in headers if f.name.lower() == "dkim-signature"]
    if not fields:
        return ()  # most mail: nothing to hash, and the body may be megabytes
    bodies = _Bodies(body) if body is not None else None
    verifier = _Verifier(headers, body or b"", keys) if keys is not None else None
    signatures = []
    for position, header in enumerate(fields):
        sig = _read_one(header, position)
        if position < MAX_CHECKED:
            if bodies is not None:
                _check_body(sig, bodies)
            _check_signature(sig, keys, verifier)
        else:
            sig.verification = "invalid" if sig.invalid else "unverifiable"
            sig.problems.append(f"Not checked: the message has more than {MAX_CHECKED}.")
        signatures.append(_freeze(sig, _receiver_result(sig, trusted_results)))
    return tuple(signatures)


def _freeze(sig: _Sig, result: str | None) -> DkimSignature:
    domain = sig.tag("d")
    return DkimSignature(
        header_index=sig.header.index,
        domain=normalise_host(domain) if domain else None,
        selector=sig.tag("s") or None,
        algorithm=sig.algorithm,
        canonicalization=sig.tag("c"),
        signed_headers=sig.signed_headers,
        identity=sig.tag("i"),
        body_length=parse_number(sig.tag("l")),
        timestamp=parse_number(sig.tag("t")),
        expiration=parse_number(sig.tag("x")),
        body_hash=sig.body_hash,
        verification=sig.verification,
        key_bits=sig.key_bits,
        result=result,
        problems=tuple(p for p in sig.problems if p),
        tags=sig.tags,
    )


# --- findings ----------------------------------------------------------------------------


def dkim_findings(
    signatures: Sequence[DkimSignature],
    headers: Sequence[HeaderField],
    from_domain: str | None,
    now: datetime,
) -> list[Finding]:
    """What the DKIM signatures tell an analyst, one finding per point per signature."""
    found: list[Finding] = []
    epoch = int(now.timestamp())
    for sig in signatures:
        evidence = (_evidence(sig, headers),)
        for rule in (_body_rule, _crypto_rule, _malformed_rule, _length_rule):
            found.extend(rule(sig, evidence, from_domain))
        found.extend(_time_findings(sig, evidence, epoch))
        found.extend(_strength_findings(sig, evidence))
        found.extend(_coverage_findings(sig, evidence))
    found.extend(_unrelated_domain(signatures, headers, from_domain))
    return found


def _evidence(sig: DkimSignature, headers: Sequence[HeaderField]) -> Evidence:
    i = sig.header_index
    field_ = headers[i] if 0 <= i < len(headers) and headers[i].index == i else None
    if field_ is None:
        field_ = next((f for f in headers if f.index == i), None)
    if field_ is None:
        return Evidence(i, "DKIM-Signature", "")
    return Evidence(field_.index, field_.name, field_.raw)


def _names(names: Sequence[str], limit: int = 10) -> str:
    if not names:
        return "none listed"
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _who(sig: DkimSignature) -> str:
    return f"d={sig.domain or '?'}, s={sig.selector or '?'}"


_Evidences = tuple[Evidence, ...]


def _body_rule(sig: DkimSignature, evidence: _Evidences, from_domain: str | None) -> list[Finding]:
    if sig.body_hash != "mismatch":
        return []
    own = same_org(sig.domain, from_domain)
    detail = (
        f"The body no longer matches the hash that {sig.domain or 'the signer'} signed "
        f"({_who(sig)}): it was changed after signing."
    )
    if sig.result == "pass":
        detail += (
            " The receiving server reported this signature as valid, so the change most likely "
            "happened after delivery (a footer or banner added by a gateway, or the way the "
            "message was saved)."
        )
    else:
        detail += (
            " Mailing lists and security gateways that add footers or rewrite links cause "
            "this too; otherwise the content may have been tampered with."
        )
    severity = Severity.HIGH if own and sig.result != "pass" else Severity.MEDIUM
    return [
        finding(
            "auth.dkim.body_altered", severity, "Body changed after DKIM signing", detail, evidence
        )
    ]


def _crypto_rule(
    sig: DkimSignature, evidence: _Evidences, from_domain: str | None
) -> list[Finding]:
    del from_domain
    if sig.verification != "fail":
        return []
    if sig.body_hash == "mismatch" and HEADERS_ALSO_FAIL not in sig.problems:
        return []  # the body finding says it all
    revoked = next((p for p in sig.problems if "revoked" in p), None)
    if revoked:
        detail = f"{revoked} A signature made with a revoked key counts for nothing."
    else:
        detail = (
            f"The signature by {_who(sig)} does not match the signed header fields: one of "
            f"them ({_names(sig.signed_headers)}) was changed after signing, "
            "or the signature was forged."
        )
    return [
        finding(
            "auth.dkim.signature_fails",
            Severity.HIGH,
            "DKIM signature does not verify",
            detail,
            evidence,
        )
    ]


def _malformed_rule(
    sig: DkimSignature, evidence: _Evidences, from_domain: str | None
) -> list[Finding]:
    del from_domain
    reasons = [p for p in sig.problems if p != FROM_NOT_SIGNED]
    if sig.verification != "invalid" or not reasons:
        return []
    detail = (
        f"The DKIM signature ({_who(sig)}) is malformed, so receivers must ignore it: "
        + " ".join(reasons)
    )
    return [
        finding(
            "auth.dkim.malformed", Severity.MEDIUM, "Malformed DKIM signature", detail, evidence
        )
    ]


def _length_rule(
    sig: DkimSignature, evidence: _Evidences, from_domain: str | None
) -> list[Finding]:
    del from_domain
    if sig.body_length is None:
        return []
    appended = next((p for p in sig.problems if p.startswith(APPENDED_PREFIX)), None)
    detail = (
        f"The signature ({_who(sig)}) covers only the first {sig.body_length} bytes of the "
        "body (l= tag), so anyone can append text after them without breaking it."
    )
    if appended:
        detail += " " + appended.removeprefix(APPENDED_PREFIX).strip() + " That part is unsigned."
    return [
        finding(
            "auth.dkim.length_limit",
            Severity.MEDIUM,
            "DKIM signature covers only part of the body",
            detail,
            evidence,
            strength="heuristic",
        )
    ]


def _time_findings(sig: DkimSignature, evidence: _Evidences, epoch: int) -> list[Finding]:
    found = []
    if sig.expiration is not None and sig.expiration < epoch:
        found.append(
            finding(
                "auth.dkim.expired",
                Severity.LOW,
                "DKIM signature has expired",
                f"The signature ({_who(sig)}) was valid only until {_utc(sig.expiration)} "
                "(x= tag). Receivers may ignore it after that; for a message read later this "
                "is expected.",
                evidence,
            )
        )
    if sig.timestamp is not None and sig.timestamp > epoch + FUTURE_SLACK_SECONDS:
        found.append(
            finding(
                "auth.dkim.signed_in_future",
                Severity.LOW,
                "DKIM signature dated in the future",
                f"The signature ({_who(sig)}) claims it was made at {_utc(sig.timestamp)} "
                "(t= tag), later than now. The signer's clock is wrong, or the header was "
                "made up.",
                evidence,
            )
        )
    return found


def _utc(epoch: int) -> str:
    try:
        return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")
    except (OverflowError, OSError, ValueError):
        return f"{epoch} seconds after 1970"


def _strength_findings(sig: DkimSignature, evidence: _Evidences) -> list[Finding]:
    found = []
    if sig.algorithm == "rsa-sha1":
        found.append(
            finding(
                "auth.dkim.sha1",
                Severity.LOW,
                "DKIM signature uses SHA-1",
                f"The signature ({_who(sig)}) uses rsa-sha1, which RFC 8301 retired: SHA-1 is "
                "no longer safe against forgery, and many receivers ignore such signatures.",
                evidence,
            )
        )
    bits = sig.key_bits
    if bits is not None and (sig.algorithm or "").startswith("rsa") and bits < 2048:
        weak = bits < 1024
        found.append(
            finding(
                "auth.dkim.short_key",
                Severity.HIGH if weak else Severity.LOW,
                "DKIM key too short" if weak else "DKIM key shorter than recommended",
                f"The key for {_who(sig)} has {bits} bits. "
                + (
                    "Keys under 1024 bits can be broken, so the signature proves little."
                    if weak
                    else "2048 bits is the current recommendation (RFC 8301 allows 1024)."
                ),
                evidence,
            )
        )
    return found


def _coverage_findings(sig: DkimSignature, evidence: _Evidences) -> list[Finding]:
    if not sig.signed_headers and FROM_NOT_SIGNED not in sig.problems:
        return []  # no h= at all: the malformed finding covers it
    signed = set(sig.signed_headers)
    if "from" not in signed:
        return [
            finding(
                "auth.dkim.from_unsigned",
                Severity.HIGH,
                "DKIM signature does not cover From",
                f"The signature ({_who(sig)}) does not protect the From header, so the sender "
                "shown could be anything. RFC 6376 requires From to be signed; receivers must "
                "ignore this signature.",
                evidence,
            )
        ]
    missing = [name for name in ("Subject", "Date") if name.lower() not in signed]
    if not missing:
        return []
    return [
        finding(
            "auth.dkim.headers_unsigned",
            Severity.LOW,
            "DKIM signature leaves " + " and ".join(missing) + " unprotected",
            f"The signature ({_who(sig)}) does not cover {' and '.join(missing)}, so "
            f"{'they' if len(missing) > 1 else 'it'} could have been changed without breaking it.",
            evidence,
        )
    ]


def _unrelated_domain(
    signatures: Sequence[DkimSignature], headers: Sequence[HeaderField], from_domain: str | None
) -> list[Finding]:
    """No signature from the From domain's organisation (RFC 7489 §3.2 organisational domain)."""
    if from_domain is None or not signatures:
        return []
    if any(same_org(s.domain, from_domain) for s in signatures):
        return []
    domains = sorted({s.domain for s in signatures if s.domain})
    if not domains:
        return []
    return [
        finding(
            "auth.dkim.unrelated_domain",
            Severity.INFO,
            "DKIM signed by a domain other than the sender's",
            f"The message is signed by {', '.join(domains)}, not by {from_domain} (the From "
            "domain). That is normal when a mailing service sends on a company's behalf, but "
            "the signature then vouches for the service, not for the sender.",
            tuple(_evidence(s, headers) for s in signatures),
            strength="heuristic",
        )
    ]
