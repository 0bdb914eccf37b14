"""The rules of de-identification: PS3.15 Table E.1-1's action codes and what they do to a value.

The choices this package makes (:data:`NEEDED`, the codes it records, the file meta it keeps,
the modalities whose pixels may show text), its errors and its record of what it did
(:class:`Action`, :class:`DeidResult`), and the small pieces the walk over a data set uses: a new
UID for an old one (:func:`new_uid`), the table's code for a tag (:func:`action_code`), whether an
image may carry burned-in text (:func:`burned_in_reason`), dummy, empty and shifted values.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydicom.datadict import keyword_for_tag
from pydicom.dataset import Dataset
from pydicom.tag import BaseTag
from pydicom.valuerep import BYTES_VR, FLOAT_VR, INT_VR, STR_VR

from .. import deid_table
from ..uids import mint_uid

__all__ = ["DeidError", "BurnedInAnnotationError", "Action", "DeidResult", "NEEDED",
           "PROFILE_CODES", "METHOD", "FILE_META_KEPT", "BURNED_IN_LIKELY", "new_uid",
           "action_code", "burned_in_reason"]

#: ("X unless Z/D is needed to keep the IOD valid"). All others with a combined code are removed.
NEEDED: dict[str, str] = {
    "PatientID": "Z", "ContentDate": "Z", "ContentTime": "Z", "ContrastBolusAgent": "Z",
    "AcquisitionContextSequence": "Z",
}

#: Codes of PS3.16 CID 7050 "De-identification Method" used here (scheme DCM).
PROFILE_CODES = {
    "113100": "Basic Application Confidentiality Profile",
    "113107": "Retain Longitudinal Temporal Information Modified Dates Option",
    "113111": "Retain Safe Private Option",
}

METHOD = f"workshop_helpers.deid: PS3.15 {deid_table.EDITION} Table E.1-1 Basic Profile"

#: File meta elements a file needs (PS3.10 7.1); every other one goes.
FILE_META_KEPT = ("FileMetaInformationVersion", "MediaStorageSOPClassUID",
                  "MediaStorageSOPInstanceUID", "TransferSyntaxUID")

#: Modalities whose images often carry burned-in text even when Burned In Annotation is absent.
BURNED_IN_LIKELY = {"OT": "other", "US": "ultrasound", "XC": "external camera", "ES": "endoscopy",
                    "SC": "secondary capture", "DOC": "document", "SM": "slide microscopy",
                    "GM": "general microscopy", "ECG": "ECG", "IVUS": "intravascular ultrasound"}
_SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7"
#: The VRs whose values pydicom keeps as Python numbers (IS and DS are text).
_BINARY = (INT_VR | FLOAT_VR) - STR_VR


class DeidError(ValueError):
    """De-identification could not be done: an unreadable file, a bad option."""


class BurnedInAnnotationError(DeidError):
    """An image whose pixels may show identifying text was withheld (not de-identified)."""


@dataclass
class Action:
    """One thing :func:`deidentify` did: where, to which element, which code, before → after.

    Attributes
    ----------
    path : str
        The sequence items it lies in (``""`` at the top level, ``"file_meta"``).
    tag : pydicom.tag.BaseTag
        The element's tag.
    keyword : str
        Its keyword (or the tag as text when it has none).
    action : str
        The code applied: ``X``, ``Z``, ``D``, ``U`` or ``K``.
    summary : str
        Before → after: the kind of value (never any of it, nor its length) and what came in.
    """

    path: str
    tag: BaseTag
    keyword: str
    action: str
    summary: str

    def __str__(self) -> str:
        where = f"{self.path}." if self.path else ""
        return f"{self.action}  {where}{self.keyword or self.tag}  {self.summary}"


@dataclass
class DeidResult:
    """The de-identified copy, what was done, and the UID mapping (old → new).

    Attributes
    ----------
    dataset : pydicom.dataset.Dataset
        The de-identified copy.
    actions : list of Action
        Everything done, in order.
    uid_map : dict of str to str
        Old UID → new UID (shared by the instances of a series).
    path : pathlib.Path or None
        Where it was written, if it was.
    """

    dataset: Dataset
    actions: list[Action] = field(default_factory=list)
    uid_map: dict[str, str] = field(default_factory=dict)
    path: Path | None = None

    def counts(self) -> dict[str, int]:
        """How many actions of each code."""
        out: dict[str, int] = {}
        for a in self.actions:
            out[a.action] = out.get(a.action, 0) + 1
        return out


def new_uid(old: str, salt: str = "") -> str:
    """A new UID for ``old``: ``2.25.`` + a name-based UUID (version 5) of salt and old.

    The same ``(old, salt)`` always gives the same new UID, so a series stays consistent even
    across separate runs that share the salt; without the salt the old UID cannot be recovered.
    2.25 UIDs are defined in PS3.5 B.2; :func:`workshop_helpers.uids.mint_uid` makes them.

    Parameters
    ----------
    old : str
        The UID to replace.
    salt : str
        A secret shared by the runs that must agree.

    Returns
    -------
    str
        ``2.25.`` and the UUID as a decimal number of at most 39 digits (43 characters at most).

    Examples
    --------
    >>> new_uid("1.2.3", salt="x") == new_uid("1.2.3", salt="x") != new_uid("1.2.4", salt="x")
    True
    >>> new_uid("1.2.3", salt="x").startswith("2.25.")
    True
    """
    return mint_uid("workshop_helpers.deid", salt, old)


def action_code(tag: int) -> str | None:
    """The single code applied to a public ``tag`` of the table: the choice among combined codes.

    Parameters
    ----------
    tag : int
        A public tag, e.g. ``0x00100010``.

    Returns
    -------
    str or None
        ``"X"``, ``"Z"``, ``"D"``, ``"U"`` or ``"K"``; None for a tag the table does not list.

    Examples
    --------
    >>> action_code(0x00100010), action_code(0x00080080), action_code(0x00100020)
    ('Z', 'X', 'Z')
    >>> action_code(0x00280010) is None   # Rows: not in the table, kept
    True
    """
    code = deid_table.basic_profile_code(tag)
    if code is None or "/" not in code:
        return code
    needed = NEEDED.get(keyword_for_tag(tag))
    if needed:
        return needed
    return "X" if code.startswith("X") else code[0]


def burned_in_reason(ds: Dataset) -> str | None:
    r"""Why the pixels of ``ds`` may show identifying text, in one line; None if nothing says so.

    Burned In Annotation (0028,0301) YES, or absent on a modality or SOP class where text in
    the pixels is common (ultrasound, secondary capture, ...). A data set without pixels: None.

    Parameters
    ----------
    ds : pydicom.dataset.Dataset
        The image.

    Returns
    -------
    str or None
        The reason in one line, or None.

    Examples
    --------
    >>> ds = Dataset()
    >>> ds.PixelData, ds.Modality = b"\0\0", "US"
    >>> burned_in_reason(ds)
    'Burned In Annotation (0028,0301) is absent on an ultrasound (US) image, where text in the pixels is common'
    >>> ds.BurnedInAnnotation = "NO"
    >>> burned_in_reason(ds) is None
    True
    """
    if not any(k in ds for k in ("PixelData", "FloatPixelData", "DoubleFloatPixelData")):
        return None
    flag = str(ds.get("BurnedInAnnotation", "")).strip().upper()
    if flag == "YES":
        return "Burned In Annotation (0028,0301) is YES: the pixels show text"
    if flag:
        return None
    modality = str(ds.get("Modality", ""))
    if str(ds.get("SOPClassUID", "")).startswith(_SECONDARY_CAPTURE):
        kind, what = "secondary capture", "SOP class"
    elif modality in BURNED_IN_LIKELY:
        kind, what = f"{BURNED_IN_LIKELY[modality]} ({modality})", "image"
    else:
        return None
    article = "an" if kind[0] in "aeiou" else "a"
    return (f"Burned In Annotation (0028,0301) is absent on {article} {kind} {what}, "
            "where text in the pixels is common")


def _hint(value: Any) -> str:
    """What kind of value it was - never any of the value, its start or its length."""
    if value is None or value == "" or value == b"":
        return "''"
    if isinstance(value, bytes | bytearray):
        return "<bytes>"
    if isinstance(value, Sequence) and not isinstance(value, str):
        if value and isinstance(value[0], Dataset):
            return f"<{len(value)} item(s)>"
        return f"<{len(value)} values>"
    return "<a value>"


_DUMMIES = {"PN": "ANONYMOUS", "DA": "19000101", "TM": "000000", "DT": "19000101000000",
            "IS": "0", "DS": "0", "AS": "000Y", "UR": "http://example.invalid/"}


def _dummy(vr: str) -> Any:
    """A dummy value of ``vr``: 0 for a number, zero bytes for a bytes VR, else a string.

    Eight zero bytes are a whole number of values of every VR pydicom keeps as bytes (an OD or
    OV value is 8 bytes long, OF and OL 4, OW 2).
    """
    if vr in _BINARY:
        return 0
    if vr in BYTES_VR:
        return bytes(8)
    return _DUMMIES.get(vr, "ANONYMOUS")


def _empty(vr: str) -> Any:
    """An empty value of ``vr``: None for a number, bytes for the VRs pydicom keeps as bytes."""
    return None if vr in _BINARY else (b"" if vr in BYTES_VR else "")


#: A DA (YYYYMMDD) or a DT from its whole date on (PS3.5 Table 6.2-1): what can be shifted.
_SHIFTABLE = {"DA": re.compile(r"\d{8}"),
              "DT": re.compile(r"\d{8}(\d{2}(\d{2}(\d{2}(\.\d{1,6})?)?)?)?([+-]\d{4})?")}


def _shift(value: str, days: int, vr: str = "DA") -> str:
    """``value`` moved by ``days``; ValueError (which does not repeat the value) if it is no date."""
    value = str(value).rstrip()
    if not _SHIFTABLE[vr].fullmatch(value):
        raise ValueError(f"not a {vr} value with a whole date (PS3.5 Table 6.2-1)")
    try:
        day = _dt.datetime.strptime(value[:8], "%Y%m%d").date() + _dt.timedelta(days=days)
    except (ValueError, OverflowError):
        raise ValueError("not a date of the calendar, or shifted out of it") from None
    return day.strftime("%Y%m%d") + value[8:]


def _values(elem) -> list:
    if elem.value is None or elem.value == "":
        return []
    return list(elem.value) if elem.VM > 1 else [elem.value]


def _parse_keep(keep: Iterable[tuple]) -> set[tuple]:
    out: set[tuple] = set()
    for item in keep:
        if len(item) == 2:
            (creator, offset), group = item, None
        elif len(item) == 3:
            group, creator, offset = item
            group = int(group)
        else:
            raise DeidError(f"keep_private entries are (creator, offset) or (group, creator, "
                            f"offset); got {item!r}")
        out.add((group, str(creator), _offset(creator, offset)))
    return out


def _offset(creator: object, offset: object) -> int:
    """An offset in a private block, 0x00-0xFF; an element number such as 0x1010 is refused."""
    try:
        number = int(offset)
    except (TypeError, ValueError):
        raise DeidError(f"keep_private: the offset in the block of {str(creator)!r} is a number "
                        f"0x00-0xFF, e.g. 0x10; got {type(offset).__name__}") from None
    if not 0 <= number <= 0xFF:
        low = f"; for the element (gggg,{number:04X}) it is 0x{number & 0xFF:02X}" \
            if 0x10 <= number >> 8 <= 0xFF else ""
        raise DeidError(f"keep_private: {number:#x} is not an offset in the block of "
                        f"{str(creator)!r}: an offset is 0x00-0xFF, the last two hex digits of "
                        f"the element number{low}")
    return number


def _kept(keep: set[tuple], group: int, creator: str | None, offset: int) -> bool:
    return creator is not None and ((None, creator, offset) in keep
                                    or (group, creator, offset) in keep)
