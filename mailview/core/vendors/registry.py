"""Every vendor decoder, run over a message's headers.

Strategy: each header is offered to the decoder registered for its name; then combiners,
which read all headers, add what no single header says (Microsoft's "why did it land
where it landed", Mimecast's id matched to its hop, the sending service). A combined
verdict about the same header as a single one replaces it; combined ones come first.
A decoder that fails through a bug costs its own verdict only (strict mode re-raises).
"""

from __future__ import annotations

from collections.abc import Sequence

from mailview.core.model import HeaderField
from mailview.core.vendors import gateways, google, microsoft, rspamd, senders, spamassassin, vade
from mailview.core.vendors.model import Combiner, Decoder, VendorVerdict

_MODULES = (microsoft, spamassassin, rspamd, google, vade, gateways, senders)
DECODERS: dict[str, Decoder] = {
    name: decoder for module in _MODULES for name, decoder in module.DECODERS.items()
}
COMBINERS: tuple[Combiner, ...] = tuple(
    combiner for module in _MODULES for combiner in getattr(module, "COMBINERS", ())
)


def decode_vendors(
    headers: Sequence[HeaderField], *, strict: bool = False
) -> tuple[VendorVerdict, ...]:
    singles = [v for field in headers if (v := _decode(field, strict)) is not None]
    combined: list[VendorVerdict] = []
    for combiner in COMBINERS:
        try:
            combined.extend(combiner(headers, singles))
        except Exception:
            if strict:
                raise
            _log_failure("vendor combiner %r failed", combiner)
    replaced = {(v.vendor, v.header_index) for v in combined if v.header_index is not None}
    kept = [v for v in singles if (v.vendor, v.header_index) not in replaced]
    return (*combined, *kept)


def _decode(field: HeaderField, strict: bool) -> VendorVerdict | None:
    decoder = DECODERS.get(field.name.lower())
    if decoder is None:
        return None
    try:
        return decoder(field)
    except Exception:
        if strict:
            raise
        _log_failure("vendor decoder for %s failed", field.name)
        return None


def _log_failure(message: str, *args: object) -> None:
    """Log the exception being handled; `logging` loads only when a decoder has failed."""
    import logging  # noqa: PLC0415

    logging.getLogger(__name__).exception(message, *args)
