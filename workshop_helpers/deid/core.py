"""The walk over a data set that applies the profile: :func:`deidentify` and :func:`deidentify_series`.

Every element at every depth gets the code of PS3.15 Table E.1-1 (:mod:`.rules`) or one of the
rules beyond the table; the package's docstring (:mod:`workshop_helpers.deid`) lists them.
"""

from __future__ import annotations

import copy
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pydicom
from pydicom.datadict import dictionary_has_tag, keyword_for_tag, tag_for_keyword
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.tag import BaseTag, Tag
from pydicom.uid import PYDICOM_IMPLEMENTATION_UID, UID_dictionary

from ..tools import fsync_folder, save_atomically
from .rules import (
    FILE_META_KEPT,
    METHOD,
    PROFILE_CODES,
    Action,
    BurnedInAnnotationError,
    DeidError,
    DeidResult,
    _dummy,
    _empty,
    _hint,
    _kept,
    _parse_keep,
    _shift,
    _values,
    action_code,
    burned_in_reason,
    new_uid,
)

__all__ = ["deidentify", "deidentify_series"]


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
        value = _dummy(vr)
        self.record(path, elem.tag, "D", f"{_hint(elem.value)} → {value!r}")
        elem.value = value

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
