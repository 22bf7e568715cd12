"""Delivery reports: bounces (RFC 3464 DSNs and prose notices), auto-replies, feedback reports.

`read_bounce(message)` says who failed, where, with which code, and why in words; it is
None for ordinary mail.
"""

from mailview.core.bounce.gate import read_bounce
from mailview.core.bounce.model import BounceRecipient, BounceReport, OriginalRef

__all__ = ["BounceRecipient", "BounceReport", "OriginalRef", "read_bounce"]
