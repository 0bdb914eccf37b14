"""Writing dcmtk's dump format: :func:`write_dump` (text) and :func:`dump_bytes` (bytes).

Both lay a data set out as dcmdump does, one element per line,
``(gggg,eeee) VR value   # length, VM Keyword``, with the file meta information first when
there is any; :func:`dump_bytes` keeps text values in the data set's own character set, as
dcmdump prints them and ``dump2dcm`` reads them.
"""

from __future__ import annotations

import re
import struct

import numpy as np
from pydicom.charset import convert_encodings, default_encoding, encode_string
from pydicom.datadict import (
    dictionary_is_retired,
    get_private_entry,
    keyword_for_tag,
)
from pydicom.dataset import Dataset
from pydicom.encaps import generate_fragments
from pydicom.multival import MultiValue
from pydicom.tag import BaseTag, ItemDelimiterTag, ItemTag, SequenceDelimiterTag
from pydicom.valuerep import PersonName

from .common import (
    _BIG_ENDIAN,
    _CHARSET_VRS,
    _FLOAT_VRS,
    _HEX_VRS,
    _NUMBER_FORMAT,
    _TEXT_VRS,
    _escape_text,
    _swap16,
    _unescape_text,
    uid_name,
)

_TS_NAMES = {  # what dcmdump prints after "# Used TransferSyntax:"
    "1.2.840.10008.1.2": "Little Endian Implicit",
    "1.2.840.10008.1.2.1": "Little Endian Explicit",
    "1.2.840.10008.1.2.2": "Big Endian Explicit",
    "1.2.840.10008.1.2.1.99": "Deflated Explicit VR Little Endian",
}
_DICOMDIR_OFFSETS = frozenset({0x00041200, 0x00041202, 0x00041400, 0x00041410, 0x00041420,
                               0x00041504})
_VALUE_WIDTH = 40  # dcmdump pads "(gggg,eeee) VR value" so that comments line up
_SHORT_LINE = 70  # dcmdump -L: a printed value longer than this is cut and ends in "..."
_SHORT_VALUES = 64  # ... and hexadecimal values stop after this many characters


def _keyword(tag: BaseTag, ds: Dataset) -> str:
    if tag.is_private:
        if tag.is_private_creator:
            return "PrivateCreator"
        try:
            creator = ds.get(tag.group << 16 | (tag.element >> 8))

            name = get_private_entry(tag, creator.value)[2] if creator is not None else ""
        except Exception:
            name = ""
        words = re.findall(r"[A-Za-z0-9]+", name)
        return "".join(w[0].upper() + w[1:] for w in words) or "Unknown Tag & Data"
    if tag.element == 0:
        return keyword_for_tag(tag) or "GenericGroupLength"
    keyword = keyword_for_tag(tag)
    if not keyword:
        return "Unknown Tag & Data"
    return f"RETIRED_{keyword}" if dictionary_is_retired(tag) else keyword


def _float_text(value: float, vr: str) -> str:
    """The fewest digits that give exactly ``value`` back (float32 for FL and OF)."""
    if vr in ("FL", "OF"):

        text = str(np.float32(value))
        if struct.pack("<f", float(text)) != struct.pack("<f", value):
            text = repr(float(value))
    else:
        text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def _shorten(text: str) -> str:
    return text if len(text) <= _SHORT_LINE else text[: _SHORT_LINE - 3] + "..."


def _hex_value(data: bytes, width: int, little: bool, shorten: bool) -> str:
    n = len(data) // width
    if shorten:
        count = _SHORT_VALUES // (2 * width + 1) + 1
        if n * (2 * width + 1) - 1 > _SHORT_VALUES:
            return _hex_value(data[: count * width], width, little, False) + "..."
    if width == 2:
        if len(data) % 2:
            return data.hex("\\")
        if little:
            data = _swap16(data)
        return data.hex("\\", 2)
    return data.hex("\\")


def _encodings(ds: Dataset, inherited: list[str]) -> list[str]:
    """The Python codecs of ``ds``'s Specific Character Set, or ``inherited`` without one."""
    element = ds.get(0x00080005)
    if element is None or not element.value:
        return inherited
    terms = element.value if isinstance(element.value, (list, MultiValue)) else [element.value]
    try:
        return list(convert_encodings([str(t).strip() for t in terms]))
    except Exception:  # an unknown term: pydicom warns about it when it reads the values
        return inherited


def _encode_text(values: list, vr: str, encodings: list[str]) -> bytes:
    """The bytes a file holds for these string values (PS3.3 C.12.1.1.2), joined with a backslash."""
    out = []
    for value in values:
        try:
            if vr == "PN":
                name = value if isinstance(value, PersonName) else PersonName(str(value))
                out.append(name.encode(encodings))
            else:
                out.append(encode_string(str(value), encodings))
        except Exception:  # not encodable in that character set: what a file writer would do
            out.append(str(value).encode("utf-8", "replace"))
    return b"\\".join(out)


class _Writer:
    def __init__(self, shorten: bool, little: bool, raw: bool = False) -> None:
        self.shorten = shorten
        self.little = little
        self.raw = raw  # values as the file's bytes, one character per byte (latin-1)
        self.lines: list[str] = []
        self.encodings: list[str] = [default_encoding]

    def line(self, depth: int, tag: int, vr: str, value: str, length: int | None, vm: int,
             name: str) -> None:
        head = f"{'  ' * depth}({tag >> 16:04x},{tag & 0xFFFF:04x}) {vr} {value}"
        width = len("  " * depth) + 15 + _VALUE_WIDTH
        size = "u/l" if length is None else f"{length:3d}"
        self.lines.append(f"{head.ljust(width)} # {size},{vm:2d} {name}")

    def dataset(self, ds: Dataset, depth: int) -> None:
        outer = self.encodings
        self.encodings = _encodings(ds, outer)
        try:
            for elem in ds:
                self.element(elem, ds, depth)
        finally:
            self.encodings = outer

    def element(self, elem, ds: Dataset, depth: int) -> None:
        tag, vr, value = elem.tag, elem.VR, elem.value
        name = _keyword(tag, ds)
        if vr == "SQ":
            items = value or []
            self.line(depth, tag, "SQ", f"(Sequence with undefined length #={len(items)})",
                      None, 1, name)
            for item in items:
                self.line(depth + 1, ItemTag, "na", f"(Item with undefined length #={len(item)})",
                          None, 1, "Item")
                self.dataset(item, depth + 2)
                self.line(depth + 1, ItemDelimiterTag, "na", "(ItemDelimitationItem)", 0, 0,
                          "ItemDelimitationItem")
            self.line(depth, SequenceDelimiterTag, "na", "(SequenceDelimitationItem)", 0, 0,
                      "SequenceDelimitationItem")
            return
        little = True if tag >> 16 == 2 else self.little
        if tag == 0x7FE00010 and elem.is_undefined_length and isinstance(value, bytes):

            items = list(generate_fragments(value))
            pixel_vr = "OW" if vr == "OW" else "OB"
            self.line(depth, tag, pixel_vr, f"(PixelSequence #={len(items)})", None, 1, name)
            for item in items:
                text = _hex_value(item, 1, little, self.shorten) if item else \
                    "(no value available)"
                self.line(depth + 1, ItemTag, "pi", text, len(item), 1, "Item")
            self.line(depth, SequenceDelimiterTag, "na", "(SequenceDelimitationItem)", 0, 0,
                      "SequenceDelimitationItem")
            return
        if vr == "OB or OW":
            vr = "OW" if ds.get("BitsAllocated", 8) > 8 else "OB"
        elif vr in ("US or SS", "US or SS or OW"):
            vr = "SS" if ds.get("PixelRepresentation", 0) == 1 else "US"
        elif vr == "US or OW":
            vr = "US"
        text, length, vm = self.value(vr, value, little)
        if tag in _DICOMDIR_OFFSETS and vr == "UL":
            vr = "up"  # dcmdump's name for these UL offsets (PS3.3 F.3.2.1)
        self.line(depth, tag, vr, text, length, vm, name)

    def value(self, vr: str, value, little: bool) -> tuple[str, int, int]:
        """(printed value, length in bytes, VM)."""
        empty = value is None or value == "" or value == b"" or (
            isinstance(value, (list, tuple)) and len(value) == 0)
        if empty:
            return "(no value available)", 0, (1 if vr in _HEX_VRS or vr in _NUMBER_FORMAT
                                                and vr.startswith("O") else 0)
        if vr in _HEX_VRS:
            width = 2 if vr == "OW" else 1
            return _hex_value(bytes(value), width, little, self.shorten), len(value) + \
                len(value) % 2, 1
        if vr in ("OF", "OD", "OL", "OV"):
            size = struct.calcsize("<" + _NUMBER_FORMAT[vr])
            data = bytes(value)
            n = len(data) // size
            if n * size != len(data):
                raise ValueError(f"{vr} value of {len(data)} bytes is not a multiple of {size}")
            nums = struct.unpack(("<" if little else ">") + _NUMBER_FORMAT[vr] * n, data)
            text = "\\".join(_float_text(v, vr) if vr in _FLOAT_VRS else str(v) for v in nums)
            return (_shorten(text) if self.shorten else text), len(data), 1
        values = list(value) if isinstance(value, (list, tuple, MultiValue)) else [value]
        vm = len(values)
        if vr in _NUMBER_FORMAT:
            size = struct.calcsize("<" + _NUMBER_FORMAT[vr])
            text = "\\".join(_float_text(v, vr) if vr in _FLOAT_VRS else str(int(v))
                             for v in values)
            return (_shorten(text) if self.shorten else text), size * vm, vm
        if vr == "AT":
            text = "\\".join(f"({int(v) >> 16:04x},{int(v) & 0xFFFF:04x})" for v in values)
            return text, 4 * vm, vm
        parts = [str(v) for v in values]
        if vr == "UI" and vm == 1 and uid_name(parts[0]):
            text = "=" + uid_name(parts[0])
            size = len(parts[0])
        else:
            if vr in _TEXT_VRS:
                parts = [_escape_text("\\".join(parts))]
                vm = 1
            codecs = self.encodings if vr in _CHARSET_VRS else [default_encoding]
            data = _encode_text(parts if vr != "PN" else values, vr, codecs)
            size = len(data)
            if vr in _TEXT_VRS:  # the length counts the line breaks, not their escapes
                size = len(_encode_text([_unescape_text(parts[0])], vr, codecs))
            joined = data.decode("latin-1") if self.raw else "\\".join(parts)
            text = f"[{joined}]"
        if self.shorten:
            text = _shorten(text)
        return text, size + size % 2, vm


def write_dump(ds: Dataset, shorten: bool = False) -> str:
    r"""Write ``ds`` in dcmdump's layout: ``(gggg,eeee) VR value   # length, VM Keyword``.

    This is the dump as text (characters), for reading and for :func:`read_dump`. To save a
    dump that dcmtk's ``dump2dcm`` reads, write :func:`dump_bytes` instead: dump2dcm stores
    the bytes of a value as they are, so they must be in the data set's character set.

    The text reads back with :func:`read_dump` (and dcmtk's ``dump2dcm``) into an equal
    data set: every value is written in full, floats with the fewest digits that give the
    same number back (Python's ``repr``), line breaks in LT/ST/UT as octal (``\015\012``).
    Sequences are written with undefined length, so lengths in the comments may differ
    from dcmdump's for a file written with explicit lengths.

    Parameters
    ----------
    ds : pydicom.dataset.Dataset
        The data set; with ``file_meta`` the dump starts with dcmdump's
        ``# Dicom-File-Format`` header and the meta information.
    shorten : bool
        Cut long values to about 64 characters and end them with ``...``, as dcmdump does
        without ``+L``. Such a dump is for reading by people; it does not read back.

    Returns
    -------
    str
        The dump, one element per line, ending with a newline.

    Examples
    --------
    >>> from pydicom import Dataset
    >>> from workshop_helpers.dump import read_dump
    >>> ds = Dataset()
    >>> ds.PatientName = "WORKSHOP^01"
    >>> ds.Rows = 256
    >>> print(write_dump(ds), end="")
    (0010,0010) PN [WORKSHOP^01]                            #  12, 1 PatientName
    (0028,0010) US 256                                      #   2, 1 Rows
    >>> read_dump(write_dump(ds)) == ds
    True
    """
    return _write(ds, shorten, raw=False)


def dump_bytes(ds: Dataset, shorten: bool = False) -> bytes:
    r"""The dump as ``dcmdump`` writes it: values in the data set's own character set.

    dcmdump prints the bytes of each value as the file holds them: a name in a data set with
    Specific Character Set ``ISO_IR 100`` comes out in Latin-1, and ``dump2dcm`` reads those
    bytes back unchanged. So save this, not ``write_dump(ds).encode()``: a UTF-8 dump of an
    ISO_IR 100 data set makes dump2dcm store ``WeiÃ\x9fenkirchen`` for ``Weißenkirchen``. Only
    SH, LO, UC, ST, LT, UT and PN use the character set (PS3.3 C.12.1.1.2); everything else is
    ASCII. :func:`read_dump` reads these bytes back (pass ``bytes``, not ``str``).

    Parameters
    ----------
    ds : pydicom.dataset.Dataset
        The data set, as for :func:`write_dump`.
    shorten : bool
        Cut long values as dcmdump does without ``+L`` (for people; it does not read back).

    Returns
    -------
    bytes
        The dump, one element per line, text values in the data set's character set.

    Examples
    --------
    >>> from pydicom import Dataset
    >>> from workshop_helpers.dump import read_dump
    >>> ds = Dataset()
    >>> ds.SpecificCharacterSet = "ISO_IR 100"
    >>> ds.InstitutionName = "Weißenkirchen"
    >>> dump_bytes(ds).splitlines()[1][:30]
    b'(0008,0080) LO [Wei\xdfenkirchen]'
    >>> read_dump(dump_bytes(ds)).InstitutionName
    'Weißenkirchen'
    """
    return _write(ds, shorten, raw=True).encode("latin-1", "replace")


def _write(ds: Dataset, shorten: bool, raw: bool) -> str:
    meta = getattr(ds, "file_meta", None)
    ts = str(meta.get("TransferSyntaxUID", "")) if meta is not None else ""
    little = ts != _BIG_ENDIAN
    if not ts and ds.original_encoding[1] is False:
        little = False
    writer = _Writer(shorten, little, raw)
    if meta is not None and len(meta):
        ts_name = _TS_NAMES.get("1.2.840.10008.1.2.1")
        writer.lines += ["", "# Dicom-File-Format", "", "# Dicom-Meta-Information-Header",
                         f"# Used TransferSyntax: {ts_name}"]
        writer.dataset(meta, 0)
        data_ts = _TS_NAMES.get(ts) or (str(meta.TransferSyntaxUID.name) if ts else
                                        "Unknown Transfer Syntax")
        writer.lines += ["", "# Dicom-Data-Set", f"# Used TransferSyntax: {data_ts}"]
    writer.dataset(ds, 0)
    return "\n".join(writer.lines) + "\n" if writer.lines else ""
