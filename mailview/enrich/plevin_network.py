"""The network owner of an address, read from a plevin network file's few columns that hold it.

`Plevin.lookup` answers everything the file stores about an address: the operator's
street, website and abuse mailbox, the carrier, RPKI state, and more, each column an
LZMA block decoded on first touch. mailview shows three facts of a network file (the
country the block is registered to, the AS number, and its owner's name), and decoding
the rest was two thirds of the time of a cold `mailview analyze`. `NetworkColumns` reads
those three from the columns that hold them, building them exactly as plevin builds its
`Result` (the owner's brand by plevin's own `derive.brand`).

It works on plevin's file layout, so it checks that layout when it opens and declines
(`from_file` gives None) any file whose tables are not the ones it knows, a file with
places in it among them; and it answers None, for the caller to ask `Plevin.lookup`,
whenever the columns it reads hold nothing, so that plevin's own rule of "no network"
decides those. `tests/test_geo.py` compares both ways over many addresses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mailview.core.record import record

if TYPE_CHECKING:
    from plevin import Plevin

# The tables and columns of the network files this reads, as plevin's reader lists them
# (plain numbers, text, links to other tables); any other layout is left to plevin.
_NETWORK_PLAIN, _NETWORK_TEXT, _NETWORK_LINKS = ["asn"], ["handle"], {"carrier", "operator"}
_SPAN_COLUMNS = {"network", "abuse", "prefix", "rpki", "roas", "rir", "country", "since"}


@record
class Owner:
    """What a network file says of an address, as plevin's `Result.network` has it."""

    country: str | None
    asn: int | None
    handle: str | None
    operator_brand: str | None
    operator_company: str | None
    has_operator: bool


class NetworkColumns:
    """The columns of one open plevin file that hold an address's network owner."""

    def __init__(self, file: Any, derive_brand: Any) -> None:
        self._file = file
        self._brand = derive_brand
        network = file.tables["network"]
        self._asn = network[0][0][1]
        self._handle = network[1][0][1]
        self._strings = network[1][0][2]
        self._operator = dict(network[4]).get("operator")
        self._company = next(
            (section for name, section, _ in file.tables["operator"][1] if name == "company"),
            None,
        )

    @classmethod
    def from_file(cls, plevin: Plevin) -> NetworkColumns | None:
        """The columns of `plevin`'s file, or None when its layout is not the one known."""
        from plevin import derive  # noqa: PLC0415 - loaded with plevin itself

        try:
            file = plevin.file
            network = file.tables["network"]
            known = (
                [n for n, _ in network[0]] == _NETWORK_PLAIN
                and [n for n, _, _ in network[1]] == _NETWORK_TEXT
                and {n for n, _ in network[4]} <= _NETWORK_LINKS
                and not network[2]  # no degrees, no coded words
                and not network[3]
            )
            spans = {n for version in (4, 6) for n, _, _ in file.families[version][1]}
            if not known or not spans <= _SPAN_COLUMNS or "place" in file.tables:
                return None
            return cls(file, derive.brand)
        except (AttributeError, KeyError, IndexError, TypeError, ValueError):
            return None

    def owner(self, number: int, wide: bool) -> Owner | None:
        """The owner of the address `number` (IPv6 when `wide`); None when these columns
        hold nothing for it, and plevin's full look-up is to decide."""
        index, carried, _, _ = self._file.families[6 if wide else 4]
        row = None if index is None else index.row(number)
        if row is None:
            return None
        link, country = 0, ""
        for name, column, read in carried:
            if name == "network":
                link = column[row]
            elif name == "country":
                value = column[row]
                country = read(value) if read else value
        asn = handle = company = None
        operator_row = 0
        if link:
            asn = self._asn[link - 1]
            handle = str(self._strings[self._handle[link - 1]])
            operator_row = self._operator[link - 1] if self._operator is not None else 0
            if operator_row and self._company is not None:
                company = str(self._strings[self._company[operator_row - 1]])
        if not (country or asn or handle or company):
            return None  # plevin's own rules say whether there is a network at all
        brand = self._brand(handle or "", company or "") if operator_row else ""
        return Owner(
            country=str(country) if country else None,
            asn=int(asn) if asn else None,
            handle=handle or None,
            operator_brand=brand or None,
            operator_company=company or None,
            has_operator=bool(operator_row),
        )
