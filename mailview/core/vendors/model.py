"""Decoded vendor headers: every field keeps its raw value beside its meaning in words."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from mailview.core.model import HeaderField
from mailview.core.record import record


@record
class VendorField:
    key: str  # as written: "SCL", "BCL", "SFV", "rule TVD_SPACE_RATIO", …
    raw: str  # the value exactly as written
    meaning: str | None  # in words; None when mailview does not know the field (unrecognised)


@record
class VendorVerdict:
    vendor: str  # "Microsoft 365", "SpamAssassin", "Proofpoint", "Amazon SES (sending service)", …
    header: str  # the header's name as written ("(combined)" for a summary over several)
    header_index: int | None  # None for a combined summary
    fields: tuple[VendorField, ...]
    summary: str  # one sentence: what this product concluded and did

    @property
    def unrecognised(self) -> tuple[VendorField, ...]:
        return tuple(f for f in self.fields if f.meaning is None)


# A decoder reads one header field; None when the field is not what it claims to be.
Decoder = Callable[[HeaderField], VendorVerdict | None]
# A combiner looks at all headers (and the single decodings) to say more, e.g. Microsoft's
# "why did it land where it landed" from several headers together.
Combiner = Callable[[Sequence[HeaderField], Sequence[VendorVerdict]], Sequence[VendorVerdict]]
