r"""What the reader and the writer of dcmtk's dump format share.

- :class:`DumpSyntaxError`, the one error for a line that is not in the dump format;
- :func:`uid_name` and :func:`uid_from_name`: UIDs by the names dcmdump prints after ``=``;
- the value representations (VRs) by how their values are written: text, numbers, hexadecimal;
- the octal escapes of control characters in LT, ST and UT values (``\015\012``).
"""

from __future__ import annotations

import re

import numpy as np
from pydicom.uid import UID_dictionary

from .._dcmtk_uid_names import DCMTK_NAMES, DCMTK_UNNAMED
from ..errors import ShortError


class DumpSyntaxError(ShortError, ValueError):
    """A dump line that is not in dcmtk's dump format.

    Attributes
    ----------
    line : int
        Line number, counted from 1.
    column : int
        Column of the problem in that line, counted from 1.
    text : str
        The offending line.
    reason : str
        What was expected and what was found.
    """

    def __init__(self, reason: str, line: int, column: int, text: str) -> None:
        self.reason = reason
        self.line = line
        self.column = column
        self.text = text
        super().__init__(f"line {line}, column {column}: {reason}\n    {text[:200]}")


# ---------------------------------------------------------------------------------------------
# UID names as dcmtk prints them

def _build_uid_names() -> tuple[dict[str, str], dict[str, str]]:
    to_name: dict[str, str] = {}
    to_uid: dict[str, str] = {}
    for uid, entry in UID_dictionary.items():
        keyword = entry[4]
        if keyword:
            to_uid.setdefault(keyword, uid)
        if uid in DCMTK_UNNAMED:
            continue
        name = DCMTK_NAMES.get(uid, keyword)
        if name:
            to_name[uid] = name
    for uid, name in to_name.items():  # dcmtk's names win over pydicom keywords
        to_uid[name] = uid
    return to_name, to_uid


_UID_TO_NAME, _NAME_TO_UID = _build_uid_names()


def uid_name(uid: str) -> str | None:
    """The name dcmdump prints for ``uid`` (after ``=``), or None when dcmtk has none.

    Parameters
    ----------
    uid : str
        A UID, e.g. a transfer syntax or SOP Class.

    Returns
    -------
    str or None
        dcmtk's name for it, e.g. ``'LittleEndianExplicit'``.

    Examples
    --------
    >>> uid_name("1.2.840.10008.1.2.1"), uid_name("1.2.840.10008.5.1.4.1.1.7")
    ('LittleEndianExplicit', 'SecondaryCaptureImageStorage')
    """
    return _UID_TO_NAME.get(uid)


def uid_from_name(name: str) -> str | None:
    """The UID for dcmtk's name (or pydicom's keyword) ``name``; None when unknown.

    Parameters
    ----------
    name : str
        A name as dcmdump prints it after ``=``, or pydicom's keyword of the UID.

    Returns
    -------
    str or None
        The UID.

    Examples
    --------
    >>> uid_from_name("CTImageStorage")
    '1.2.840.10008.5.1.4.1.1.2'
    """
    return _NAME_TO_UID.get(name)


# ---------------------------------------------------------------------------------------------
# Value representations

_STRING_VRS = frozenset(
    "AE AS CS DA DS DT IS LO LT PN SH ST TM UC UI UR UT".split()
)
_TEXT_VRS = frozenset({"LT", "ST", "UT"})  # one value; a backslash is a character
# the VRs whose values use the Specific Character Set (PS3.3 C.12.1.1.2); the others are ASCII
_CHARSET_VRS = frozenset({"SH", "LO", "UC", "ST", "LT", "UT", "PN"})
_NUMBER_FORMAT = {
    "US": "H", "SS": "h", "UL": "L", "SL": "l", "UV": "Q", "SV": "q", "FL": "f", "FD": "d",
    "OF": "f", "OD": "d", "OL": "L", "OV": "Q",
}
_FLOAT_VRS = frozenset({"FL", "FD", "OF", "OD"})
_HEX_VRS = frozenset({"OB", "OW", "UN"})
# dcmtk's internal VR codes, printed when the real VR is not known (implicit VR files)
_INTERNAL_VRS = frozenset({"up", "xs", "ox", "lt", "??"})
_ALL_VRS = (
    _STRING_VRS | set(_NUMBER_FORMAT) | _HEX_VRS | _INTERNAL_VRS | {"AT", "SQ", "na", "pi"}
)


_BIG_ENDIAN = "1.2.840.10008.1.2.2"


def _tag_text(tag: int) -> str:
    """The tag as dcmdump writes it, in lower-case hex: not ``str(Tag)``, which is upper case."""
    return f"({tag >> 16:04x},{tag & 0xFFFF:04x})"


def _swap16(data: bytes) -> bytes:

    if len(data) % 2:
        return data
    return np.frombuffer(data, dtype=">u2").astype("<u2").tobytes()


_OCTAL_RE = re.compile(r"\\([0-3][0-7][0-7])")


def _unescape_text(value: str) -> str:
    r"""Undo the octal escapes write_dump uses for control characters in LT, ST, UT (\015)."""
    if "\\" not in value:
        return value
    return _OCTAL_RE.sub(lambda m: chr(int(m.group(1), 8)), value)


def _escape_text(value: str) -> str:
    r"""Control characters (and a backslash before three digits) as octal: \015\012."""
    value = _OCTAL_RE.sub(lambda m: "\\134" + m.group(1), value)
    return re.sub(r"[\x00-\x08\x0a-\x1f\x7f]", lambda m: f"\\{ord(m.group(0)):03o}", value)
