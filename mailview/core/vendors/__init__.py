"""Vendor verdicts: what the receiving systems' anti-spam and security products stamped on
the message, decoded field by field into words; unknown fields are kept raw, never dropped.

`registry.decode_vendors(headers)` runs every decoder; each vendor's module owns its own
header formats.
"""
