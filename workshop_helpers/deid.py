"""De-identification by PS3.15 Table E.1-1: the Basic Application Level Confidentiality Profile.

DICOM's **Basic Application Level Confidentiality Profile** (PS3.15 E.2) says, attribute by
attribute (PS3.15 Table E.1-1), what to do with values that could identify a patient. The action
codes (PS3.15 E.1.1):

==== ==================================================================================
D    replace with a non-zero length dummy value of the same VR
Z    replace with a zero length value (or a dummy) — for Type 2 attributes that must stay
X    remove
K    keep (here: private elements you named on the keep list)
C    clean: keep the meaning, remove identifying text (options only; not done here)
U    replace the UID with another one, the same new UID for the same old UID everywhere
==== ==================================================================================

:func:`deidentify` applies **every row** of the table of the **2026c edition**, taken from the
package ``dicom-anonymizer`` (see :mod:`workshop_helpers.deid_table` for the source and how it
is generated), everywhere: at the top level, in sequence items at any depth, in the items of
private sequences you keep, in repeating groups (curves 50xx, overlays 60xx) and in the file
meta information. Choices it makes, each recorded in :attr:`DeidResult.actions`:

- a combined code (X/Z, X/D, X/Z/D, X/Z/U*) is X — the attribute is Type 3 in the image IODs of
  this course — except where :data:`NEEDED` says the IOD needs it (then Z, or D); Z/D is Z;
- D on a sequence leaves one empty item, Z an empty sequence; D on a UI is a new UID;
- an overlay (60xx) loses its whole group with its Overlay Data, a curve (50xx) too;
- file meta keeps only what a file needs (version, SOP class and instance, transfer syntax)
  and names pydicom as the writer; AE titles, addresses and private information go;
- beyond the table: every remaining PN is emptied, every remaining DA or DT emptied (or shifted,
  with ``date_shift_days``), every remaining UI that is not a well-known DICOM UID replaced,
  every public element pydicom does not know (or read as UN) and every group length removed,
  every private element removed unless you keep it by (creator, offset);
- an image whose pixels may carry burned-in text is withheld (:class:`BurnedInAnnotationError`)
  unless you say you checked the pixels (``pixels_checked=True``). The Clean Pixel Data Option
  (PS3.15 E.3.1) is *not* claimed: nothing here looks at pixels.

The standard itself warns that the profiles do not guarantee that nothing identifying is left
(PS3.15 Annex E): free text in attributes the table keeps, text in the pixels, the shape of the
face in a head scan. Look at the results.

Examples
--------
>>> from pydicom import Dataset
>>> ds = Dataset()
>>> ds.PatientName = "DOE^JANE"
>>> ds.PatientID = "123456"
>>> ds.AdmissionID = "ADM-1"
>>> result = deidentify(ds, salt="doc")
>>> result.dataset.PatientName, result.dataset.PatientIdentityRemoved, "AdmissionID" in result.dataset
('', 'YES', False)
>>> [(a.keyword, a.action) for a in result.actions][:3]
[('PatientName', 'Z'), ('PatientID', 'Z'), ('AdmissionID', 'X')]
"""

from __future__ import annotations

import argparse
import copy
import datetime as _dt
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pydicom
from pydicom.datadict import dictionary_has_tag, keyword_for_tag, tag_for_keyword
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.tag import BaseTag, Tag
from pydicom.uid import PYDICOM_IMPLEMENTATION_UID, UID_dictionary
from pydicom.valuerep import BYTES_VR

from . import deid_table
from .files import dicom_files
from .private import add_private
from .tools import CommandError, fsync_folder, save_atomically
from .uids import mint_uid

__all__ = [
    "DeidError",
    "BurnedInAnnotationError",
    "Action",
    "DeidResult",
    "NEEDED",
    "PROFILE_CODES",
    "new_uid",
    "action_code",
    "burned_in_reason",
    "deidentify",
    "deidentify_series",
    "find_values",
    "plant_identifiers",
    "what_stayed",
    "register_cli",
]

#: Attributes with a combined code that an IOD of the course needs: the choice of PS3.15 E.1.1
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
_BINARY = ("US", "SS", "UL", "SL", "FL", "FD", "UV", "SV", "AT")


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
            "IS": "0", "DS": "0", "AS": "000Y", "UR": "http://example.invalid/",
            "OB": b"\0\0", "OW": b"\0\0", "UN": b"\0\0"}


def _dummy(vr: str) -> Any:
    if vr in _BINARY:
        return 0
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


#: The method of :class:`_Cleaner` that applies each code.
_APPLY = {"X": "remove", "Z": "zero", "D": "dummy", "U": "replace_uids", "recurse": "recurse"}


class _Cleaner:
    """The walk over one data set: the table, the rules beyond it, private elements, the log."""

    def __init__(self, result: DeidResult, salt: str, keep: set[tuple], shift: int | None,
                 replacements: Mapping[str, Any]):
        self.result, self.salt, self.keep, self.shift = result, salt, keep, shift
        self.replacements = replacements
        self.dates_removed = False

    def run(self) -> None:
        """Clean the result's data set (a copy) in place, then mark it de-identified."""
        out = self.result.dataset
        self.clean(out, "")
        _drop_empty_creators(out)   # a creator met before its elements may be left with none
        if getattr(out, "file_meta", None) is not None:
            self.file_meta(out)
        _mark(out, self.shift, self.dates_removed, bool(self.keep))

    def record(self, path: str, tag: BaseTag, action: str, summary: str) -> None:
        self.result.actions.append(Action(path, tag, keyword_for_tag(tag) or str(tag), action,
                                          summary))

    def uid(self, old: str) -> str:
        if old not in self.result.uid_map:
            self.result.uid_map[old] = new_uid(old, self.salt)
        return self.result.uid_map[old]

    def clean(self, item: Dataset, path: str) -> None:
        creators = {(e.tag.group, e.tag.element): str(e.value) for e in item
                    if e.tag.is_private and 0x10 <= e.tag.element <= 0xFF}
        _forget_private_blocks(item)
        for elem in list(item):
            if elem.tag not in item:
                continue
            if elem.tag.is_private:
                self.private(item, elem, path, creators)
            elif elem.keyword in self.replacements:
                before = _hint(elem.value)
                elem.value = self.replacements[elem.keyword]
                self.record(path, elem.tag, "D", f"{before} → {elem.value!r} (given)")
            else:
                self.public(item, elem, path)

    def public(self, item: Dataset, elem: DataElement, path: str) -> None:
        """One public element: its date shifted, or the code of the table (or beyond) applied."""
        if self.shift_date(elem, path):
            return
        code, why = self.code_for(elem)
        if code == "U" and elem.VR not in ("UI", "SQ"):
            code = "X"   # U on a value that is no UID: nothing to map it to, so it goes
        if code is not None:
            getattr(self, _APPLY[code])(item, elem, path, why)

    def shift_date(self, elem: DataElement, path: str) -> bool:
        """With ``date_shift_days``: shift a DA or DT (not the birth date, PS3.15 E.3.6)."""
        if (self.shift is None or elem.VR not in ("DA", "DT") or action_code(elem.tag) == "U"
                or not _values(elem) or elem.tag == 0x00100030):
            return False
        try:
            elem.value = ([_shift(v, self.shift, elem.VR) for v in _values(elem)] if elem.VM > 1
                          else _shift(elem.value, self.shift, elem.VR))
        except ValueError as exc:   # its message never repeats the value
            where = f" in {path}" if path else ""
            raise DeidError(f"{elem.keyword or 'element'} {elem.tag}{where}: cannot shift the date "
                            f"by {self.shift:+d} days, {exc}") from None
        self.record(path, elem.tag, "D", f"date shifted by {self.shift:+d} days")
        return True

    def code_for(self, elem: DataElement) -> tuple[str | None, str]:
        """The code for a public element and why (beyond the table); None: keep it."""
        if elem.tag.group >> 8 in (0x50, 0x60):
            return "X", " (repeating group: curve or overlay, removed with its data)"
        code = action_code(elem.tag)
        return (code, "") if code is not None else self.beyond_table(elem)

    def remove(self, item: Dataset, elem: DataElement, path: str, why: str) -> None:
        """X: remove the element."""
        if elem.VR in ("DA", "DT", "TM"):
            self.dates_removed = True
        self.record(path, elem.tag, "X", f"{_hint(elem.value)} removed{why}")
        del item[elem.tag]

    def zero(self, item: Dataset, elem: DataElement, path: str, why: str) -> None:
        """Z: an empty value (an empty sequence)."""
        if elem.VR in ("DA", "DT"):
            self.dates_removed = True
        self.record(path, elem.tag, "Z", f"{_hint(elem.value)} → ''{why}")
        elem.value = [] if elem.VR == "SQ" else _empty(elem.VR)

    def dummy(self, item: Dataset, elem: DataElement, path: str, why: str) -> None:
        """D: a dummy of the same VR; one empty item for a sequence, a new UID for a UI."""
        vr = elem.VR
        if vr == "UI":
            self.uids(elem, path, why)
            return
        if vr == "SQ":
            self.record(path, elem.tag, "D", f"{_hint(elem.value)} → 1 empty item")
            elem.value = [Dataset()]
            return
        if vr in ("DA", "DT"):
            self.dates_removed = True
        self.record(path, elem.tag, "D", f"{_hint(elem.value)} → {_dummy(vr)!r}")
        elem.value = _dummy(vr)

    def replace_uids(self, item: Dataset, elem: DataElement, path: str, why: str) -> None:
        """U: new UIDs, the same for the same old UID; in a sequence, in every item."""
        if elem.VR == "SQ":
            self.sequence(elem, path)
        else:
            self.uids(elem, path, why)

    def recurse(self, item: Dataset, elem: DataElement, path: str, why: str) -> None:
        """A sequence the table keeps: clean every item."""
        self.sequence(elem, path)

    def beyond_table(self, elem) -> tuple[str | None, str]:
        """The rules for attributes the table keeps: what a careful profile adds."""
        tag, vr = elem.tag, elem.VR
        if vr == "SQ":
            return "recurse", ""
        if tag.element == 0x0000:
            return "X", " (group length)"
        if vr == "UN" or not dictionary_has_tag(tag):
            return "X", " (public element of unknown meaning)"
        if not _values(elem):
            return None, ""
        if vr == "PN":
            return "Z", " (every PN)"
        if vr in ("DA", "DT"):
            return "Z", f" (every {vr})"
        if vr == "UI":
            return "U", " (every non-standard UI)"
        return None, ""

    def sequence(self, elem, path: str) -> None:
        for i, sub in enumerate(elem.value):
            self.clean(sub, f"{path}.{elem.keyword or elem.tag}[{i}]".lstrip("."))

    def uids(self, elem, path: str, why: str) -> None:
        values = _values(elem)
        new = [v if str(v) in UID_dictionary else self.uid(str(v)) for v in values]
        if new != values:   # well-known DICOM UIDs (classes, syntaxes) identify nobody
            self.record(path, elem.tag, "U",
                        f"{_hint(elem.value)} → {new[0][:12]}…{why}")
            elem.value = new if elem.VM > 1 else new[0]

    def private(self, item: Dataset, elem, path: str, creators: dict) -> None:
        tag = elem.tag
        group = tag.group
        if 0x10 <= tag.element <= 0xFF:   # a creator: keep it only if something of its block stays
            creator = str(elem.value)
            if not any(_kept(self.keep, group, creator, off) for off in range(256)
                       if Tag(group, (tag.element << 8) | off) in item):
                self.record(path, tag, "X", "private creator removed")
                del item[tag]
            return
        number = tag.element >> 8
        creator = creators.get((group, number)) if number >= 0x10 else None
        if _kept(self.keep, group, creator, tag.element & 0xFF):
            self.record(path, tag, "K", f"kept (offset 0x{tag.element & 0xFF:02X} of a block on "
                        "the keep list)")
            if elem.VR == "SQ":   # what is inside a kept sequence is de-identified all the same
                self.sequence(elem, path)
            return
        who = f"block of ({group:04X},00{number:02X})" if creator else "orphan"
        self.record(path, tag, "X", f"private ({who}) {_hint(elem.value)} removed")
        del item[tag]

    def file_meta(self, ds: Dataset) -> None:
        old = ds.file_meta
        meta = FileMetaDataset()
        for elem in old:
            if elem.keyword in FILE_META_KEPT:
                meta.add(elem)
            elif elem.keyword not in ("FileMetaInformationGroupLength", "ImplementationClassUID",
                                      "ImplementationVersionName"):
                self.record("file_meta", elem.tag, "X", f"{_hint(elem.value)} removed "
                            "(file meta keeps only what a file needs)")
        meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID   # the writer is pydicom now
        meta.ImplementationVersionName = f"PYDICOM {pydicom.__version__}"[:16]
        if "SOPInstanceUID" in ds:
            meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        if "SOPClassUID" in ds:
            meta.MediaStorageSOPClassUID = ds.SOPClassUID
        ds.file_meta = meta


def deidentify(ds: Dataset, *, keep_private: Iterable[tuple] = (),
               uid_map: dict[str, str] | None = None, date_shift_days: int | None = None,
               salt: str | None = None, replacements: Mapping[str, Any] | None = None,
               pixels_checked: bool = False) -> DeidResult:
    """A de-identified copy of ``ds`` and the list of what was done (``ds`` is not changed).

    Parameters
    ----------
    ds
        The data set (with or without file meta information).
    keep_private
        Private elements to keep: ``(creator, offset)`` or ``(group, creator, offset)``, e.g.
        ``[("CTP", 0x10)]`` (adds code 113111). All other private elements, and orphans, are
        removed. Inside a kept private sequence the items are de-identified like any other.
    uid_map
        Old → new UIDs. Pass the same dict for every instance of a series (or study) and the
        UIDs stay consistent; it is filled in and returned in the result.
    date_shift_days
        Shift every date (DA, DT; not the birth date) by this many days instead of emptying or
        removing it (PS3.15 E.3.6; adds code 113107 and Longitudinal Temporal Information
        Modified MODIFIED; without it that attribute says REMOVED).
    salt
        Secret that makes the new UIDs; default: random (a fresh ``uid_map`` then gives
        new UIDs nobody can link back). Give one to get the same UIDs in every run.
    replacements
        Values to put in instead, by keyword, e.g. ``{"PatientName": "ANON^001",
        "PatientID": "ANON001"}`` (recorded as action D).
    pixels_checked
        You looked at every frame and no identifying text is burned into the pixels. Without it
        an image that may carry such text (:func:`burned_in_reason`) is withheld.

    Returns
    -------
    DeidResult

    Raises
    ------
    BurnedInAnnotationError
        The pixels may show identifying text and ``pixels_checked`` is False; one line says why.
    DeidError
        A bad option.
    """
    _check_shift(date_shift_days)
    _check_replacements(replacements or {})
    _check_pixels(ds, pixels_checked)
    result = DeidResult(copy.deepcopy(ds), uid_map=uid_map if uid_map is not None else {})
    if getattr(result.dataset, "preamble", None) is not None:
        result.dataset.preamble = bytes(128)   # free for applications (PS3.10 7.1): for an ID too
    cleaner = _Cleaner(result, salt if salt is not None else uuid.uuid4().hex,
                       _parse_keep(keep_private), date_shift_days, dict(replacements or {}))
    cleaner.run()
    return result


def _check_shift(days: int | None) -> None:
    if days is not None and not isinstance(days, int):
        raise DeidError(f"date_shift_days must be a whole number of days, got {days!r}")


def _check_replacements(replacements: Mapping[str, Any]) -> None:
    for keyword in replacements:
        if tag_for_keyword(keyword) is None:
            raise DeidError(f"replacements: {keyword!r} is not a DICOM keyword")


def _check_pixels(ds: Dataset, pixels_checked: bool) -> None:
    reason = None if pixels_checked else burned_in_reason(ds)
    if reason:
        raise BurnedInAnnotationError(f"withheld: {reason}; look at every frame, then pass "
                                      "pixels_checked=True (deid --pixels-checked)")


def _mark(out: Dataset, shift: int | None, dates_removed: bool, kept_private: bool) -> None:
    """Patient Identity Removed, the method and its CID 7050 codes, and the dates' fate (C.12.1)."""
    out.PatientIdentityRemoved = "YES"
    if shift is not None:
        out.LongitudinalTemporalInformationModified = "MODIFIED"
    elif dates_removed:
        out.LongitudinalTemporalInformationModified = "REMOVED"
    out.DeidentificationMethod = METHOD
    codes = ["113100"] + (["113107"] if shift is not None else []) + (["113111"] if kept_private else [])
    items = []
    for value in codes:
        code_item = Dataset()
        code_item.CodeValue = value
        code_item.CodingSchemeDesignator = "DCM"
        code_item.CodeMeaning = PROFILE_CODES[value]
        items.append(code_item)
    out.DeidentificationMethodCodeSequence = items


def _forget_private_blocks(item: Dataset) -> None:
    """Make ``item.private_block()`` look at ``item`` itself again.

    A deep copy of a data set keeps pydicom's cache of private blocks, and a cached block still
    reads the *original* data set (pydicom 3.0's ``PrivateBlock.__deepcopy__``): a learner would
    read the old values back through ``private_block``. Deleting a creator clears that cache
    (public API), so each creator is deleted and put back.
    """
    for elem in [e for e in item if e.tag.is_private_creator]:
        del item[elem.tag]
        item.add(elem)


def _drop_empty_creators(ds: Dataset) -> None:
    for elem in list(ds):
        if elem.VR == "SQ":
            for item in elem.value:
                _drop_empty_creators(item)
        elif elem.tag.is_private and 0x10 <= elem.tag.element <= 0xFF:
            start = Tag(elem.tag.group, elem.tag.element << 8)
            if not any(start <= e.tag <= start + 0xFF for e in ds):
                del ds[elem.tag]


def find_values(ds: Dataset, needles: Iterable[str]) -> list[tuple[str, str, str]]:
    """Where any of ``needles`` still occurs in ``ds``: ``(path, tag, needle)`` for every hit.

    Looks at every element, inside every sequence item, in text values and in the bytes of
    OB/OW/UN values, and in the file meta information. It sees only what pydicom parsed; for the
    stronger proof search the written file's bytes (:func:`workshop_helpers.deid_table.find_in_bytes`).

    Parameters
    ----------
    ds : pydicom.dataset.Dataset
        The data set to search.
    needles : iterable of str
        The values to look for (empty ones are skipped).

    Returns
    -------
    list of tuple of str
        ``(path, tag, needle)``: the path of sequence items (``""`` at the top level,
        ``"file_meta"``), the tag as ``(gggg,eeee)``, and what was found there.

    Examples
    --------
    >>> ds = Dataset()
    >>> ds.PatientComments = "call Mrs DOE"
    >>> find_values(ds, ["DOE", "SMITH"])
    [('', '(0010,4000)', 'DOE')]
    """
    needles = [n for n in needles if n]
    hits: list[tuple[str, str, str]] = []
    meta = getattr(ds, "file_meta", None)
    if meta is not None:
        _look(meta, "file_meta", needles, hits)
    _look(ds, "", needles, hits)
    return hits


def _texts(value: Any) -> list:
    """A value as the texts (or bytes) to search."""
    if isinstance(value, bytes | bytearray):
        return [bytes(value)]
    if isinstance(value, list | tuple | pydicom.multival.MultiValue):
        return [str(v) for v in value]
    return [str(value)] if value is not None else []


def _look(item: Dataset, path: str, needles: list[str], hits: list) -> None:
    """Add ``(path, tag, needle)`` to ``hits`` for every needle found in ``item``, at any depth."""
    for elem in item:
        if elem.VR == "SQ":
            for i, sub in enumerate(elem.value):
                _look(sub, f"{path}.{elem.keyword or elem.tag}[{i}]".lstrip("."), needles, hits)
            continue
        texts = _texts(elem.value)
        for needle in needles:
            if any((needle.encode() in t) if isinstance(t, bytes) else (needle in t)
                   for t in texts):
                hits.append((path, str(elem.tag), needle))


GEOMETRY = ("ImagePositionPatient", "ImageOrientationPatient", "PixelSpacing", "SliceThickness",
            "Rows", "Columns")


def what_stayed(before: Sequence[Dataset], after: Sequence[Dataset]) -> dict[str, bool]:
    """Check that de-identification kept what a viewer needs, slice by slice.

    Parameters
    ----------
    before, after : sequence of pydicom.dataset.Dataset
        The slices before and after de-identification, in the same order.

    Returns
    -------
    dict of str to bool
        ``"pixels"``: identical pixel arrays; ``"geometry"``: identical Image
        Position/Orientation, Pixel Spacing, Slice Thickness, Rows and Columns; ``"one frame of
        reference"``: a single Frame of Reference UID in ``after`` where ``before`` had one;
        ``"new frame of reference"``: and it differs from the old one.

    Raises
    ------
    DeidError
        When ``before`` and ``after`` have different numbers of slices.
    """
    if len(before) != len(after):
        raise DeidError(f"{len(before)} slices before but {len(after)} after")
    pairs = list(zip(before, after, strict=True))
    old_for = {str(a.get("FrameOfReferenceUID", "")) for a in before}
    new_for = {str(b.get("FrameOfReferenceUID", "")) for b in after}
    return {
        "pixels": all(np.array_equal(a.pixel_array, b.pixel_array) for a, b in pairs),
        "geometry": all(a.get(k) == b.get(k) for a, b in pairs for k in GEOMETRY),
        "one frame of reference": len(new_for) == len(old_for) == 1,
        "new frame of reference": not (old_for & new_for),
    }


def deidentify_series(paths: Iterable[str | os.PathLike], out_folder: str | os.PathLike,
                      **options: Any) -> list[DeidResult]:
    """De-identify every file of ``paths`` into ``out_folder``, with one shared UID map and salt.

    Output files are named ``IM00001.dcm``, ``IM00002.dcm``, ... (input names may be
    identifying). All or nothing: the files are written into a temporary folder beside
    ``out_folder`` and moved in only when every input was de-identified; on any error the
    temporary folder is removed and ``out_folder`` is as it was.

    Parameters
    ----------
    paths : iterable of path
        The input files, taken in sorted order.
    out_folder : str or os.PathLike
        Where the output goes (made if missing).
    **options
        Options of :func:`deidentify`; one ``salt`` (random if not given) and one ``uid_map``
        serve every file.

    Returns
    -------
    list of DeidResult
        One per input, in order, each with its ``path`` in ``out_folder``.

    Raises
    ------
    DeidError
        When an input is not a DICOM file, naming it.
    BurnedInAnnotationError
        When an image may carry burned-in text (and ``pixels_checked`` is not given), naming it.
    """
    out_folder = Path(out_folder)
    out_folder.parent.mkdir(parents=True, exist_ok=True)
    uid_map = options.pop("uid_map", None)
    uid_map = uid_map if uid_map is not None else {}
    options.setdefault("salt", uuid.uuid4().hex)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_folder.name}.", dir=out_folder.parent))
    results = []
    try:
        for n, path in enumerate(sorted(Path(p) for p in paths), start=1):
            try:
                ds = pydicom.dcmread(path)
            except (OSError, pydicom.errors.InvalidDicomError) as exc:
                raise DeidError(f"cannot read {path}: {exc}") from exc
            try:
                result = deidentify(ds, uid_map=uid_map, **options)
            except BurnedInAnnotationError as exc:
                raise BurnedInAnnotationError(f"{path}: {exc}") from None
            except DeidError as exc:
                raise DeidError(f"{path}: {exc}") from None
            result.path = save_atomically(result.dataset, staging / f"IM{n:05d}.dcm")
            results.append(result)
        out_folder.mkdir(exist_ok=True)
        for result in results:   # each file is complete; only the renames are left
            target = out_folder / result.path.name
            os.replace(result.path, target)
            result.path = target
        fsync_folder(out_folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return results


def _parse_keep_arg(text: str) -> tuple:
    parts = text.split(":")
    try:
        if len(parts) == 2:
            return (parts[0], int(parts[1], 16))
        if len(parts) == 3:
            return (int(parts[0], 16), parts[1], int(parts[2], 16))
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(
        f"--keep-private wants CREATOR:OFFSET or GROUP:CREATOR:OFFSET in hex, e.g. CTP:10; got {text!r}")


def _cli_inputs(source: Path) -> list[Path]:
    """The files ``deid`` reads: ``source`` itself, or the DICOM files below it (CommandError, 2).

    A folder is all or nothing: a file in it that is not DICOM (:func:`files.dicom_files
    <workshop_helpers.files.dicom_files>`) stops the command before anything is written, named
    with the reason - a file left out of a de-identified set without a word may be the one that
    mattered.
    """
    if not source.exists():
        raise CommandError(f"{source} does not exist", status=2)
    if not source.is_dir():
        return [source]
    found = dicom_files(source, recursive=True)
    if found.skipped:
        raise CommandError(f"nothing written; {found.skipped_text()}", status=2)
    if not found:
        raise CommandError(f"no files in {source}", status=2)
    return list(found)


def _cli_run(source: Path, files: list[Path], output: Path, options: dict) -> list[DeidResult]:
    """De-identify a folder (all or nothing) or one file; status 3 withheld, 2 bad input."""
    try:
        if source.is_dir():
            return deidentify_series(files, output, **options)
        try:
            result = deidentify(pydicom.dcmread(source), **options)
        except DeidError as exc:
            raise type(exc)(f"{source}: {exc}") from None
        target = output / "IM00001.dcm" if output.is_dir() else output
        result.path = save_atomically(result.dataset, target)
        return [result]
    except BurnedInAnnotationError as exc:
        raise CommandError(f"nothing written; {exc}", status=3) from None
    except (OSError, pydicom.errors.InvalidDicomError, DeidError) as exc:
        raise CommandError(f"nothing written; {exc}", status=2) from None


def _cli_report(results: list[DeidResult], args: argparse.Namespace) -> None:
    """What ``deid`` did: counts of each action, the UIDs replaced, every action with ``-v``."""
    total: dict[str, int] = {}
    for r in results:
        for code, n in r.counts().items():
            total[code] = total.get(code, 0) + n
    print(f"de-identified {len(results)} file(s) into {args.output} "
          f"(PS3.15 {deid_table.EDITION} Table E.1-1, Basic Profile, {len(deid_table.ROWS)} rows)")
    print("actions: " + ", ".join(f"{code}={n}" for code, n in sorted(total.items())))
    print(f"UIDs replaced: {len(results[-1].uid_map)} (one map for all files)")
    if args.pixels_checked:
        print("pixels: released on your word that no text is burned in (--pixels-checked)")
    for r in results if args.verbose else []:
        print(f"-- {r.path}")
        for a in r.actions:
            print(f"   {a}")


def _cli_deid(args: argparse.Namespace) -> int:
    """``deid IN OUT``: status 0 done, 2 bad input, 3 an image withheld (nothing written)."""
    source = Path(args.input)
    options = {"keep_private": args.keep_private or (), "date_shift_days": args.shift_days,
               "pixels_checked": args.pixels_checked}
    salt = _cli_salt(args.salt_file)
    if salt is not None:
        options["salt"] = salt
    results = _cli_run(source, _cli_inputs(source), Path(args.output), options)
    _cli_report(results, args)
    return 0


#: The environment variable ``deid`` reads the salt from (a command line is public: /proc/*/cmdline).
SALT_VARIABLE = "WORKSHOP_DEID_SALT"


def _cli_salt(salt_file: str | None) -> str | None:
    """The salt: from a file only its owner can read, else from :data:`SALT_VARIABLE`, else None."""
    if salt_file is None:
        return os.environ.get(SALT_VARIABLE) or None
    path = Path(salt_file)
    try:
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            raise CommandError(f"nothing written; the salt file {path} can be read or changed by "
                               f"other users (mode {mode:04o}): chmod 600 {path}", status=2)
        salt = path.read_text(encoding="utf-8").rstrip("\r\n")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"nothing written; cannot read the salt file {path}: "
                           f"{getattr(exc, 'strerror', None) or type(exc).__name__}", status=2) from None
    if not salt:
        raise CommandError(f"nothing written; the salt file {path} is empty", status=2)
    return salt


def _no_salt_argument(_text: str) -> str:
    raise argparse.ArgumentTypeError(
        f"a salt on the command line is visible to every user of the machine (/proc/*/cmdline, ps); "
        f"put it in a file only you can read (--salt-file FILE, mode 600) or in {SALT_VARIABLE}")


def register_cli(subparsers: Any) -> None:
    """Add ``deid IN OUT``: de-identify a file or a folder (PS3.15 Table E.1-1, Basic Profile).

    Parameters
    ----------
    subparsers
        What ``argparse.ArgumentParser.add_subparsers()`` returned.
    """
    p = subparsers.add_parser(
        "deid", help="de-identify a DICOM file or folder (PS3.15 E, Basic Profile)",
        epilog=f"The salt makes the new UIDs reproducible: runs with the same salt give the same "
               f"UIDs. It is a secret, so it is never a command-line argument (every user of the "
               f"machine can read those): give --salt-file FILE (readable by you only, chmod 600) "
               f"or set {SALT_VARIABLE}; without either a random salt is used.")
    p.add_argument("input", help="a DICOM file or a folder of them")
    p.add_argument("output", help="output file (for a file) or folder")
    p.add_argument("--keep-private", action="append", type=_parse_keep_arg, metavar="CREATOR:OFF",
                   help="keep this private element (hex offset), e.g. CTP:10; repeatable")
    p.add_argument("--shift-days", type=int, default=None, help="shift dates by N days")
    p.add_argument("--salt-file", default=None, metavar="FILE",
                   help=f"read the secret for reproducible new UIDs from FILE (mode 600); "
                        f"default: ${SALT_VARIABLE}, else random")
    p.add_argument("--salt", type=_no_salt_argument, help=argparse.SUPPRESS)
    p.add_argument("--pixels-checked", action="store_true",
                   help="release images that may show burned-in text: you looked at every frame")
    p.add_argument("-v", "--verbose", action="store_true", help="list every action")
    p.set_defaults(func=_cli_deid)


#: The SOP Instance UID :func:`plant_identifiers` puts into Referenced Patient Sequence.
PLANTED_UID = mint_uid("workshop_helpers.deid", "planted patient reference")


def plant_identifiers(ds: Dataset, *, name: str = "DOE^JANE", patient_id: str = "MRN-4711",
                      hospital: str = "ST ELSEWHERE HOSPITAL") -> list[str]:
    """Put identifying values where they hide in real files; return the strings to search for.

    For lessons and tests only: Patient's Name and ID, birth date, referring physician,
    institution, accession number and comments; the ID again in Other Patient IDs Sequence,
    Referenced Patient Sequence and Request Attributes Sequence; and a private block of a fake
    creator "HOSPITAL" (group 0029) with the name, the ID, and the name as bytes (OB), plus an
    orphan private element, and private elements inside the items of Request Attributes Sequence
    (which the profile removes) and Procedure Code Sequence (which it keeps).

    Parameters
    ----------
    ds : pydicom.dataset.Dataset
        Changed in place.
    name : str
        The patient's name (``FAMILY^GIVEN``).
    patient_id : str
        The patient's ID.
    hospital : str
        The institution's name.

    Returns
    -------
    list of str
        The planted values to search for afterwards (:func:`find_values`).

    Examples
    --------
    >>> ds = Dataset()
    >>> needles = plant_identifiers(ds)
    >>> len(find_values(ds, needles)) > 10
    True
    """
    family = name.split("^")[0]
    ds.PatientName = name
    ds.PatientID = patient_id
    ds.PatientBirthDate = "19610412"
    ds.ReferringPhysicianName = "HOUSE^GREGORY"
    ds.InstitutionName = hospital
    ds.AccessionNumber = "ACC" + patient_id[-4:]
    ds.PatientComments = f"{family} prefers the morning slot"
    other = Dataset()
    other.PatientID = patient_id + "-OLD"
    other.IssuerOfPatientID = hospital
    other.TypeOfPatientID = "TEXT"
    ds.OtherPatientIDsSequence = [other]
    ref = Dataset()
    ref.ReferencedSOPClassUID = "1.2.840.10008.3.1.2.1.1"   # Detached Patient Management
    ref.ReferencedSOPInstanceUID = PLANTED_UID
    ds.ReferencedPatientSequence = [ref]
    request = Dataset()
    request.RequestedProcedureID = patient_id
    request.ScheduledProcedureStepID = "SPS-" + patient_id
    add_private(request, 0x0029, "HOSPITAL", 0x01, "LO", name)   # private data inside an item
    ds.RequestAttributesSequence = [request]
    procedure = Dataset()   # a sequence the profile keeps: its private content must still go
    procedure.CodeValue = "CTCHEST"
    procedure.CodingSchemeDesignator = "99LOCAL"
    procedure.CodeMeaning = "CT chest"
    add_private(procedure, 0x0029, "HOSPITAL", 0x02, "LO", patient_id)
    ds.ProcedureCodeSequence = [procedure]
    add_private(ds, 0x0029, "HOSPITAL", 0x01, "LO", name)
    add_private(ds, 0x0029, "HOSPITAL", 0x02, "LO", patient_id)
    add_private(ds, 0x0029, "HOSPITAL", 0x03, "OB", name.encode() + b"\x00")
    ds.add_new(0x00331010, "UN", patient_id.encode())   # an orphan: no creator at (0033,0010)
    return [family, name.split("^")[-1], patient_id, hospital, "19610412", "HOUSE",
            PLANTED_UID, "ACC" + patient_id[-4:]]
