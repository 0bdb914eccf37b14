"""Re-encode an Explicit VR Little Endian data set while it streams: to Implicit VR, or padded.

Two things a sender may have to change on the way, without holding the data set in memory:

- **Implicit VR Little Endian** for a peer that accepts nothing else (every SCP must accept it,
  PS3.5 10.1). Only the element headers differ (PS3.5 7.1.2 and 7.1.3): the values are copied
  as they are, in pieces, and sequences and items are written with undefined length and
  delimiters (PS3.5 7.5.1), so no length has to be known ahead.
- **Even lengths**: a value of odd length (a broken file) gets one byte of padding — a space for
  text, a NUL otherwise (PS3.5 6.2, 7.1.1).

A data set that this cannot handle (encapsulated pixel data, UN of undefined length, a 16-bit
length that padding would overflow) raises :class:`TranscodeError`.

Examples
--------
>>> import io, struct
>>> explicit = struct.pack("<HH2sH", 0x0010, 0x0020, b"LO", 3) + b"ABC"
>>> b"".join(transcode(io.BytesIO(explicit), len(explicit), implicit=True)).hex(" ")
'10 00 20 00 04 00 00 00 41 42 43 20'
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import BinaryIO

from pydicom.tag import ItemDelimiterTag, ItemTag, SequenceDelimiterTag
from pydicom.valuerep import EXPLICIT_VR_LENGTH_32

UNDEFINED = 0xFFFFFFFF
#: VRs with 2 reserved bytes and a 4-byte length (PS3.5 Table 7.1-1): pydicom's set, as bytes.
LONG_VRS = frozenset(vr.encode("ascii") for vr in EXPLICIT_VR_LENGTH_32)
TEXT_VRS = {b"AE", b"AS", b"CS", b"DA", b"DS", b"DT", b"IS", b"LO", b"LT", b"PN", b"SH", b"ST",
            b"TM", b"UC", b"UR", b"UT"}
#: Item, Item Delimitation Item and Sequence Delimitation Item (PS3.5 7.5): pydicom's tags, as
#: plain ints (a comparison with pydicom's BaseTag would convert the other side on every element).
ITEM_TAG, ITEM_END_TAG, SEQUENCE_END_TAG = map(int, (ItemTag, ItemDelimiterTag,
                                                     SequenceDelimiterTag))


def _tag_header(tag: int, length: int) -> bytes:
    return struct.pack("<HHI", tag >> 16, tag & 0xFFFF, length)


#: What we write for them: an item of undefined length and the two delimiters (length 0).
ITEM = _tag_header(ITEM_TAG, UNDEFINED)
ITEM_END = _tag_header(ITEM_END_TAG, 0)
SEQUENCE_END = _tag_header(SEQUENCE_END_TAG, 0)
PIECE = 1024 * 1024


class TranscodeError(ValueError):
    """The data set cannot be re-encoded on the fly; the message says which element and why."""


def transcode(f: BinaryIO, length: int, implicit: bool) -> Iterator[bytes]:
    """Yield the data set of ``length`` bytes at ``f``'s position, re-encoded (see the module)."""
    yield from _elements(f, f.tell() + length, implicit)


def _read(f: BinaryIO, n: int) -> bytes:
    data = f.read(n)
    if len(data) != n:
        raise TranscodeError(f"the data set ends in the middle of an element ({len(data)} of "
                             f"{n} bytes)")
    return data


def _elements(f: BinaryIO, end: int | None, implicit: bool) -> Iterator[bytes]:
    """Elements up to ``end``, or up to an Item Delimitation Item when ``end`` is None."""
    while end is None or f.tell() < end:
        group, elem = struct.unpack("<HH", _read(f, 4))
        if group << 16 | elem == ITEM_END_TAG:
            _read(f, 4)
            return
        vr = _read(f, 2)
        if vr in LONG_VRS:
            length = struct.unpack("<2xI", _read(f, 6))[0]
        else:
            length = struct.unpack("<H", _read(f, 2))[0]
        where = f"({group:04X},{elem:04X})"
        if vr == b"SQ":
            yield _header(group, elem, vr, UNDEFINED, implicit)
            yield from _items(f, length, implicit, where)
            yield SEQUENCE_END
        elif length == UNDEFINED:
            raise TranscodeError(f"{where} {vr.decode(errors='replace')} has an undefined length "
                                 "(encapsulated or UN): it cannot be re-encoded on the fly")
        else:
            padded = length + length % 2
            if not implicit and vr not in LONG_VRS and padded > 0xFFFF:
                raise TranscodeError(f"{where} is too long to be padded")
            yield _header(group, elem, vr, padded, implicit)
            yield from _copy(f, length)
            if length % 2:
                yield b" " if vr in TEXT_VRS else b"\x00"


def _items(f: BinaryIO, length: int, implicit: bool, where: str) -> Iterator[bytes]:
    end = None if length == UNDEFINED else f.tell() + length
    while end is None or f.tell() < end:
        group, elem, item_length = struct.unpack("<HHI", _read(f, 8))
        if group << 16 | elem == SEQUENCE_END_TAG:
            return
        if group << 16 | elem != ITEM_TAG:
            raise TranscodeError(f"the sequence {where} holds ({group:04X},{elem:04X}) where an "
                                 "item should be")
        yield ITEM
        yield from _elements(f, None if item_length == UNDEFINED else f.tell() + item_length,
                             implicit)
        yield ITEM_END


def _header(group: int, elem: int, vr: bytes, length: int, implicit: bool) -> bytes:
    if implicit:
        return struct.pack("<HHI", group, elem, length)
    if vr in LONG_VRS:
        return struct.pack("<HH2s2xI", group, elem, vr, length)
    return struct.pack("<HH2sH", group, elem, vr, length)


def _copy(f: BinaryIO, length: int) -> Iterator[bytes]:
    while length:
        piece = _read(f, min(length, PIECE))
        length -= len(piece)
        yield piece
