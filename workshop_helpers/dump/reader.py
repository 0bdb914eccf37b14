"""Reading dcmtk's dump format: :func:`read_dump`, text in, a pydicom Dataset out.

A line at a time, as ``dump2dcm`` reads (``man dump2dcm``, section *Dump File Description*):
the tag, the VR, the value, an optional comment; sequences and encapsulated pixel data open
and close with their items. Each line that is not in the format raises
:class:`~workshop_helpers.dump.DumpSyntaxError` with its line number, column and text.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field

from pydicom.charset import convert_encodings, default_encoding, encode_string
from pydicom.datadict import (
    dictionary_VR,
    keyword_for_tag,
)
from pydicom.dataelem import DataElement, RawDataElement
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.tag import BaseTag, ItemDelimiterTag, ItemTag, SequenceDelimiterTag

from .common import (
    _ALL_VRS,
    _BIG_ENDIAN,
    _FLOAT_VRS,
    _HEX_VRS,
    _INTERNAL_VRS,
    _NUMBER_FORMAT,
    _STRING_VRS,
    _TEXT_VRS,
    DumpSyntaxError,
    _swap16,
    _tag_text,
    _unescape_text,
    uid_from_name,
)

_TAG_RE = re.compile(
    r"\(\s*([0-9A-Fa-f](?:[ \t]*[0-9A-Fa-f]){3})[ \t]*,[ \t]*([0-9A-Fa-f](?:[ \t]*[0-9A-Fa-f]){3})[ \t]*\)"
)
_VR_RE = re.compile(r"([A-Za-z?]{2})(?=[ \t]|$)")
_INT_RE = re.compile(r"[+-]?[0-9]+\Z")
_FLOAT_RE = re.compile(
    r"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf|infinity|nan)\Z", re.I
)
_HEX_RE = re.compile(r"[0-9A-Fa-f]+\Z")
_AT_RE = re.compile(r"\(([0-9A-Fa-f]{4}),([0-9A-Fa-f]{4})\)\Z")
_SPECIAL_RE = re.compile(
    r"no value available"
    r"|(?P<seq>Sequence) with (?:explicit|undefined) length #=\d+"
    r"|(?P<item>Item)(?: with (?:explicit|undefined) length #=\d+)?"
    r"|(?P<idel>ItemDelimitationItem)(?: for re-encoding)?"
    r"|(?P<sdel>SequenceDelimitationItem)(?: for re-encod\.)?"
    r"|(?P<pix>PixelSequence)(?: with explicit length)? #=\d+"
    r"\Z"
)

_MULTILINE_RE = re.compile(r"[ \t]*\([^)]*\)[ \t]*(?:LT|ST|UT)[ \t]+\[[^\]]*\Z")
_QUOTED_RE = re.compile(r'"([^"]*)"(?: [A-Z0-9 ]+ #=\d+)?')


@dataclass
class _Line:
    number: int
    text: str

    def error(self, reason: str, column: int = 1) -> DumpSyntaxError:
        return DumpSyntaxError(reason, self.number, max(1, column), self.text)


@dataclass
class _Level:
    """One open container while reading: a data set, a sequence or a pixel sequence."""

    kind: str  # "dataset", "sequence", "pixels"
    line: _Line | None = None
    tag: BaseTag | None = None
    vr: str | None = None
    elements: dict = field(default_factory=dict)
    pending_text: dict = field(default_factory=dict)  # tag -> str still to encode
    items: list = field(default_factory=list)


def _describe(tag: int) -> str:
    kw = keyword_for_tag(tag) if not (tag >> 16) & 1 else ""
    return f"{_tag_text(tag)} {kw}".rstrip()


class _Reader:
    def __init__(self, text: str, raw_strings: bool) -> None:
        self.text = text
        self.raw_strings = raw_strings
        self.meta: dict = {}
        self.meta_lines: dict = {}
        self._ts_seen: object = None
        self._little = True
        self.current = _Line(1, "")
        self.stack: list[_Level] = [_Level("dataset")]

    # -- helpers -----------------------------------------------------------------------------
    @property
    def little_endian(self) -> bool:
        raw = self.meta.get(BaseTag(0x00020010))
        if raw is self._ts_seen:
            return self._little
        self._ts_seen, self._little = raw, self._is_little(raw)
        return self._little

    @staticmethod
    def _is_little(raw) -> bool:
        if raw is None or not raw.value:
            return True
        return raw.value.rstrip(b"\0 ").decode("ascii", "replace") != _BIG_ENDIAN

    def encodings(self, depth: int) -> str | list[str]:
        """Character sets in force for the data set at stack position ``depth``."""
        for level in reversed(self.stack[: depth + 1]):
            if level.kind != "dataset":
                continue
            raw = level.elements.get(BaseTag(0x00080005))
            if raw is not None and raw.value:
                terms = raw.value.decode("ascii", "replace").split("\\")
                terms = [t.strip() for t in terms]
                try:
                    return convert_encodings(terms)
                except Exception:  # unknown terms: pydicom decides later, with a warning
                    return default_encoding
        return default_encoding

    # -- main loop ---------------------------------------------------------------------------
    def run(self) -> Dataset:
        lines = self.text.split("\n")
        index = 0
        while index < len(lines):
            number, text = index + 1, lines[index]
            index += 1
            if _MULTILINE_RE.match(text):
                # dcmdump prints line breaks inside LT, ST and UT values as they are
                end = index
                while end < len(lines) and "]" not in lines[end]:
                    end += 1
                if end < len(lines):
                    text = "\n".join(lines[index - 1:end + 1])
                    index = end + 1
            if text.endswith("\r"):
                text = text[:-1]
            stripped = text.lstrip(" \t")
            if not stripped or stripped[0] == "#":
                continue
            self.current = _Line(number, text)
            self.parse_line(self.current, len(text) - len(stripped))
        if len(self.stack) > 1:
            level = self.stack[-1]
            assert level.line is not None
            what = {
                "dataset": "item opened on line {n} is not closed: expected (fffe,e00d) "
                "ItemDelimitationItem",
                "sequence": "sequence opened on line {n} is not closed: expected (fffe,e0dd) "
                "SequenceDelimitationItem",
                "pixels": "pixel sequence opened on line {n} is not closed: expected (fffe,e0dd) "
                "SequenceDelimitationItem",
            }[level.kind]
            end = _Line(len(lines), lines[-1] if lines else "")
            raise end.error("end of dump: " + what.format(n=level.line.number),
                            len(end.text) + 1)
        root = self.stack[0]
        ds = self.make_dataset(root, 0)
        if self.meta:
            meta = FileMetaDataset()
            for tag, raw in self.meta.items():
                meta[tag] = raw
            for tag in list(meta.keys()):
                try:
                    meta[tag]  # noqa: B018 - convert now, so that errors surface here
                except Exception as exc:
                    line = self.meta_lines.get(tag, _Line(1, ""))
                    raise line.error(f"pydicom cannot read the value of {_describe(tag)}: "
                                     f"{exc}") from None
            ds.file_meta = meta
        return ds

    def make_dataset(self, level: _Level, depth: int) -> Dataset:
        encodings = self.encodings(depth)
        elements = level.elements
        if level.pending_text:
            enc = encodings if isinstance(encodings, list) else [encodings]
            for tag, (text, line) in level.pending_text.items():
                raw = elements[tag]
                try:
                    value = encode_string(text, enc)
                except Exception as exc:
                    raise line.error(f"cannot encode {text!r} with character set {enc}: {exc}") from None
                elements[tag] = raw._replace(value=value, length=len(value))
        parent = self.encodings(depth - 1) if depth > 0 else default_encoding
        ds = Dataset(elements, parent_encoding=parent)
        for tag in list(ds.keys()):
            try:
                ds[tag]  # noqa: B018 - convert the raw element now, with pydicom's own rules
            except Exception as exc:  # pydicom rejects the value
                line = level.pending_text.get(tag, (None, level.line))[1]
                raise (line or _Line(0, "")).error(
                    f"pydicom cannot read the value of {_describe(tag)}: {exc}"
                ) from None
        return ds

    def parse_line(self, line: _Line, start: int) -> None:
        text = line.text
        m = _TAG_RE.match(text, start)
        if not m:
            found = text[start:start + 12]
            raise line.error(
                f"expected a tag like (0010,0010) or a comment starting with '#', found {found!r}",
                start + 1,
            )
        group, element = m.group(1, 2)
        if len(group) > 4 or len(element) > 4:  # spaces inside the tag are allowed
            group, element = re.sub(r"\s", "", group), re.sub(r"\s", "", element)
        tag = BaseTag(int(group, 16) << 16 | int(element, 16))
        pos = m.end()
        while pos < len(text) and text[pos] in " \t":
            pos += 1
        vr = None
        vm = _VR_RE.match(text, pos)
        if vm and (vm.group(1) in _ALL_VRS or vm.group(1).isupper()):
            vr = vm.group(1)
            if vr not in _ALL_VRS:
                hint = ""
                try:
                    hint = f" (the dictionary says {dictionary_VR(tag)} for {_describe(tag)})"
                except KeyError:
                    pass
                raise line.error(f"expected a value representation such as LO or US, "
                                 f"found unknown VR {vr!r}{hint}", pos + 1)
            pos = vm.end()
            while pos < len(text) and text[pos] in " \t":
                pos += 1
        value, kind, after = self.split_value(line, text, pos, tag, vr)
        rest = text[after:].strip(" \t")
        if rest and rest[0] != "#":
            raise line.error(
                f"expected a comment ('# ...') or the end of the line after the value, "
                f"found {rest[:20]!r}",
                len(text) - len(text[after:].lstrip(" \t")) + 1,
            )
        self.handle(line, tag, vr, value, kind, pos + 1)

    def split_value(self, line: _Line, text: str, pos: int, tag: BaseTag, vr: str | None):
        """Return (value text, kind, end position). kind: str|uidname|special|at|bare|empty."""
        if pos >= len(text) or text[pos] == "#":
            return "", "empty", pos
        c = text[pos]
        if c == "[":
            close = text.rfind("]")
            if close < pos:
                raise line.error("expected ']' to close the value that starts with '['",
                                 len(text) + 1)
            return text[pos + 1:close], "str", close + 1
        if c == '"' and tag.group == ItemTag.group:  # DICOMDIR: na "Directory Record" PATIENT #=7
            m = _QUOTED_RE.match(text, pos)
            if m:
                inner = "Item" if m.group(1) == "Directory Record" else m.group(1)
                if _SPECIAL_RE.match(inner):
                    return inner, "special", m.end()
        if c == "(":
            if vr == "AT" or (vr is None and _dict_vr(tag) == "AT"):
                end = _token_end(text, pos)
                return text[pos:end], "at", end
            close = text.find(")", pos)
            if close < 0:
                raise line.error("expected ')' to close the value that starts with '('",
                                 len(text) + 1)
            inner = text[pos + 1:close]
            if not _SPECIAL_RE.match(inner):
                raise line.error(
                    "expected '(no value available)', '(Sequence with ... length #=n)', "
                    "'(Item with ... length #=n)', '(PixelSequence #=n)' or a delimitation "
                    f"item, found ({inner[:40]})", pos + 1)
            return inner, "special", close + 1
        end = _token_end(text, pos)
        return text[pos:end], ("uidname" if c == "=" else "bare"), end

    # -- structure ---------------------------------------------------------------------------
    def handle(self, line: _Line, tag: BaseTag, vr: str | None, value: str, kind: str,
               column: int) -> None:
        """One parsed line: an item or delimiter changes the nesting, an element is added."""
        special = _SPECIAL_RE.match(value) if kind == "special" else None
        if tag.group == ItemTag.group:  # (FFFE,xxxx): items and delimiters, PS3.5 7.5
            self.delimiter(line, tag, vr, value, kind, column, special)
        else:
            self.element(line, tag, vr, value, kind, column, special)

    def delimiter(self, line: _Line, tag: BaseTag, vr: str | None, value: str, kind: str,
                  column: int, special: re.Match | None) -> None:
        """(fffe,e000) opens an item or holds a pixel fragment; (fffe,e00d)/(fffe,e0dd) close."""
        level = self.stack[-1]
        if vr not in (None, "na", "pi"):
            raise line.error(f"expected VR 'na' for {_tag_text(tag)}, found {vr!r}", column)
        if tag == ItemTag:
            if level.kind == "sequence":
                if kind not in ("empty",) and not (special and special.group("item")):
                    raise line.error("expected '(Item with ... length #=n)' after "
                                     f"(fffe,e000), found {value[:40]!r}", column)
                self.stack.append(_Level("dataset", line, tag))
                return
            if level.kind == "pixels":
                level.items.append(self.hex_bytes(line, value, kind, 1, column))
                return
            raise line.error(
                "found an item (fffe,e000) outside a sequence: expected a data element, "
                "or a sequence line (VR SQ) before it", 1)
        if tag == ItemDelimiterTag:
            if level.kind != "dataset" or len(self.stack) == 1:
                raise line.error("found (fffe,e00d) ItemDelimitationItem, but no item is "
                                 "open" + self.expecting(), 1)
            self.stack.pop()
            self.stack[-1].items.append(self.make_dataset(level, len(self.stack)))
            return
        if tag == SequenceDelimiterTag:
            if level.kind == "sequence":
                self.stack.pop()
                seq = Sequence(level.items)
                self.add(level.line, level.tag, "SQ", seq)
                return
            if level.kind == "pixels":
                self.stack.pop()
                data = self.pixel_bytes(level.items)
                raw = RawDataElement(level.tag, level.vr, 0xFFFFFFFF, data, 0, False, True)
                self.add(level.line, level.tag, None, raw)
                return
            raise line.error("found (fffe,e0dd) SequenceDelimitationItem, but no sequence "
                             "is open" + self.expecting(), 1)
        raise line.error(f"unexpected delimitation tag {_tag_text(tag)}: expected "
                         "(fffe,e000), (fffe,e00d) or (fffe,e0dd)", 1)

    def element(self, line: _Line, tag: BaseTag, vr: str | None, value: str, kind: str,
                column: int, special: re.Match | None) -> None:
        """A data element: a value to encode, or a sequence or pixel sequence that opens."""
        level = self.stack[-1]
        if level.kind != "dataset":
            raise line.error(f"found the data element {_describe(tag)} directly inside a "
                             "sequence" + self.expecting(), 1)
        if vr in ("na", "pi"):
            raise line.error(f"VR {vr!r} is only for items and delimiters (fffe,xxxx), "
                             f"found it on {_tag_text(tag)}", column)
        if tag in level.elements or (len(self.stack) == 1 and tag in self.meta):
            raise line.error(f"{_describe(tag)} appears twice in the same data set", 1)
        real_vr = vr if vr not in _INTERNAL_VRS else None
        if real_vr is None and vr is None:
            real_vr = _dict_vr(tag)
            if real_vr is None and kind != "special":
                raise line.error(f"expected a VR after {_tag_text(tag)}: the tag is not in the "
                                 "dictionary, so its VR cannot be guessed", column)
            if real_vr is not None and " or " in real_vr:
                real_vr = None  # let pydicom resolve it as for an implicit VR file
        if special and special.group("seq") or (real_vr == "SQ"):
            if real_vr != "SQ" and vr is not None:
                raise line.error(f"a sequence needs VR SQ, found {vr!r}", column)
            if kind not in ("empty",) and not (special and (special.group("seq")
                                                            or value == "no value available")):
                raise line.error("expected '(Sequence with ... length #=n)' after VR SQ, "
                                 f"found {value[:40]!r}", column)
            if special and value == "no value available":
                self.add(line, tag, "SQ", Sequence())
                return
            self.stack.append(_Level("sequence", line, tag))
            return
        if special and special.group("pix"):
            if vr not in ("OB", "OW", "ox", None):
                raise line.error(f"a pixel sequence needs VR OB, found {vr!r}", column)
            self.stack.append(_Level("pixels", line, tag, vr="OW" if vr == "OW" else "OB"))
            return
        if special and value != "no value available":
            raise line.error(f"expected a value for {_describe(tag)}, found ({value})", column)
        if kind == "special":
            value, kind = "", "empty"
        data = self.encode_value(line, tag, vr, real_vr, value, kind, column)
        raw = RawDataElement(tag, real_vr, len(data), data, 0, real_vr is None,
                             True if tag >> 16 == 2 else self.little_endian)
        self.add(line, tag, None, raw, text=(data if isinstance(data, str) else None))

    def expecting(self) -> str:
        level = self.stack[-1]
        if level.kind == "sequence":
            return ": expected an item (fffe,e000) or (fffe,e0dd) SequenceDelimitationItem"
        if level.kind == "pixels":
            return ": expected a pixel item (fffe,e000) pi or (fffe,e0dd)"
        if len(self.stack) > 1:
            return ": expected a data element or (fffe,e00d) ItemDelimitationItem"
        return ": expected a data element"

    def add(self, line, tag, vr, value, text=None) -> None:
        level = self.stack[-1]
        if isinstance(value, RawDataElement):
            raw = value
        else:  # a finished sequence
            raw = DataElement(tag, vr, value, is_undefined_length=True)
        if len(self.stack) == 1 and tag >> 16 == 2:
            if text is not None:  # the meta information is always in the default repertoire
                raw = raw._replace(value=text.encode("latin-1", "replace"))
            self.meta[tag] = raw
            self.meta_lines[tag] = line
        else:
            level.elements[tag] = raw
            if text is not None:
                level.pending_text[tag] = (text, line)

    # -- values ------------------------------------------------------------------------------
    def encode_value(self, line, tag, vr, real_vr, value, kind, column):
        """The value's bytes as a file would hold them (or a str still to be encoded)."""
        code = real_vr or vr or _dict_vr(tag) or "UN"
        little = True if tag >> 16 == 2 else self.little_endian
        if kind == "empty":
            return b""
        if code in _STRING_VRS or (code and " or " not in code and code not in _NUMBER_FORMAT
                                   and code not in _HEX_VRS and code not in _INTERNAL_VRS
                                   and code != "AT"):
            if kind == "uidname":
                uids = []
                for part in value.split("\\"):
                    uid = uid_from_name(part[1:]) if part.startswith("=") else None
                    if uid is None:
                        raise line.error(f"unknown UID name {part!r}: expected a name that "
                                         "dcmdump prints (e.g. =CTImageStorage) or a UID "
                                         "in brackets such as [1.2.3]", column)
                    uids.append(uid)
                value = "\\".join(uids)
            elif kind == "at":
                raise line.error(f"expected a {code} value, found an attribute tag", column)
            if code in _TEXT_VRS:
                value = _unescape_text(value)
            if self.raw_strings or code in ("UI", "AE", "AS", "CS", "DA", "DS", "DT", "IS",
                                            "TM", "UR") or value.isascii():
                return value.encode("latin-1", "replace")
            return value  # str: encoded with the data set's character set at its end
        if kind in ("uidname", "str") and not code.startswith("OB") and code != "UN":
            if kind == "str":
                raise line.error(f"expected a value without brackets for VR {code}, "
                                 f"found [{value[:30]}]", column)
        if code == "AT":
            if kind != "at":
                raise line.error(f"expected an attribute tag like (0028,0010) for VR AT, "
                                 f"found {value[:30]!r}", column)
            out = bytearray()
            fmt = "<HH" if little else ">HH"
            for part in value.split("\\"):
                m = _AT_RE.match(part.replace(" ", ""))
                if not m:
                    raise line.error(f"expected an attribute tag like (0028,0010), found "
                                     f"{part[:20]!r}", column)
                out += struct.pack(fmt, int(m.group(1), 16), int(m.group(2), 16))
            return bytes(out)
        if vr in ("ox", "lt", "OW") or code == "OW":
            width = 1 if vr in ("ox",) and _hex_width(value) == 1 else 2
            return self.hex_bytes(line, value, kind, width, column, little)
        if code in _HEX_VRS or vr == "??" or code.startswith("OB"):
            return self.hex_bytes(line, value, kind, 1, column, little)
        if vr == "up":
            code = "UL"
        if vr == "xs" or code in ("US or SS", "US or SS or OW", "US or OW"):
            return self.numbers(line, value, kind, "xs", column, little)
        if code in _NUMBER_FORMAT:
            return self.numbers(line, value, kind, code, column, little)
        raise line.error(f"cannot read a value for VR {code}", column)  # pragma: no cover

    def numbers(self, line, value, kind, code, column, little) -> bytes:
        if kind != "bare":
            raise line.error(f"expected numbers for VR {code}, found {value[:30]!r}", column)
        parts = value.split("\\")
        floats = code in _FLOAT_VRS
        out = []
        for part in parts:
            if floats:
                if not _FLOAT_RE.match(part):
                    raise line.error(f"expected a decimal number for VR {code}, "
                                     f"found {part[:30]!r}", column)
                out.append(float(part))
            else:
                if not _INT_RE.match(part):
                    raise line.error(f"expected a whole number for VR {code}, "
                                     f"found {part[:30]!r}", column)
                out.append(int(part))
        if code == "xs":
            fmt = "".join("h" if v < 0 else "H" for v in out)
        else:
            fmt = _NUMBER_FORMAT[code] * len(out)
        try:
            return struct.pack(("<" if little else ">") + fmt, *out)
        except (struct.error, OverflowError):
            raise line.error(f"a value in {value[:40]!r} is out of range for VR {code}",
                             column) from None

    def hex_bytes(self, line, value, kind, width, column, little=True) -> bytes:
        if kind == "empty" or (kind == "special" and value == "no value available"):
            return b""
        if kind != "bare":
            raise line.error(f"expected hexadecimal {'bytes like 00' if width == 1 else 'words like 00ff'}"
                             f"\\01, found {value[:30]!r}", column)
        step = 2 * width + 1
        n = (len(value) + 1) // step
        if n * step - 1 == len(value) and value[2 * width::step] == "\\" * (n - 1):
            try:  # the fast path: every value has all its digits
                data = bytes.fromhex(value.replace("\\", ""))
            except ValueError:
                data = None
            if data is not None:
                if width == 2 and little:
                    data = _swap16(data)
                return data
        out = bytearray()
        fmt = "B" if width == 1 else ("<H" if little else ">H")
        for part in value.split("\\"):
            if not _HEX_RE.match(part) or len(part) > 2 * width:
                raise line.error(
                    f"expected hexadecimal {'bytes (00 to ff)' if width == 1 else 'words (0000 to ffff)'}"
                    f" separated by '\\', found {part[:20]!r}", column)
            out += struct.pack(fmt, int(part, 16))
        return bytes(out)

    @staticmethod
    def pixel_bytes(items: list[bytes]) -> bytes:
        out = bytearray()
        for item in items:
            out += struct.pack("<HHL", ItemTag.group, ItemTag.element, len(item))
            out += item
        return bytes(out)  # pydicom keeps the value without the sequence delimiter


_TOKEN_END_RE = re.compile(r"[ \t#]")


def _token_end(text: str, pos: int) -> int:
    """Where a value without brackets ends: at a space, a tab or '#' (or the line's end)."""
    m = _TOKEN_END_RE.search(text, pos)
    return m.start() if m else len(text)


def _hex_width(value: str) -> int:
    first = value.split("\\", 1)[0]
    return 2 if len(first) > 2 else 1


def _dict_vr(tag: int) -> str | None:
    try:
        return dictionary_VR(tag)
    except KeyError:
        return None


def read_dump(text: str | bytes) -> Dataset:
    """Read dcmtk's dump format (as ``dcmdump`` prints, ``dump2dcm`` reads) into a Dataset.

    Parameters
    ----------
    text : str or bytes
        The dump. ``bytes`` are read as ``dcmdump`` writes them: text values are raw bytes in
        the data set's character set, decoded like a file's. A ``str`` holds text values as
        characters (what a person types); they are encoded with the data set's character set.

    Returns
    -------
    pydicom.dataset.Dataset
        The data set; with ``.file_meta`` (a FileMetaDataset) when the dump has group 0002.

    Raises
    ------
    DumpSyntaxError
        For any line that is not in the dump format, with its line number, column and text.

    Examples
    --------
    >>> ds = read_dump("(0008,0016) UI =SecondaryCaptureImageStorage")
    >>> ds.SOPClassUID
    '1.2.840.10008.5.1.4.1.1.7'
    >>> read_dump("(0010,0020) LN [WORKSHOP01]")
    Traceback (most recent call last):
    ...
    workshop_helpers.dump.DumpSyntaxError: line 1, column 13: expected a value representation such as LO or US, found unknown VR 'LN' (the dictionary says LO for (0010,0020) PatientID)
        (0010,0020) LN [WORKSHOP01]
    """
    if isinstance(text, (bytes, bytearray, memoryview)):
        return _read(_Reader(bytes(text).decode("latin-1"), raw_strings=True))
    if not isinstance(text, str):
        raise TypeError(f"read_dump expects str or bytes, got {type(text).__name__}")
    return _read(_Reader(text, raw_strings=False))


def _read(reader: _Reader) -> Dataset:
    try:
        return reader.run()
    except DumpSyntaxError:
        raise
    except Exception as exc:  # a last guard: whatever else goes wrong is still located
        raise reader.current.error(f"cannot read this line ({type(exc).__name__}: {exc})") \
            from exc
