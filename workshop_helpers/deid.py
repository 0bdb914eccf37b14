"""De-identification, the teaching version: the ideas of PS3.15 Annex E, done in the open.

DICOM's **Basic Application Level Confidentiality Profile** (PS3.15 E.2, attribute table
PS3.15 Table E.1-1) says, attribute by attribute, what to do with values that could identify a
patient. The action codes (PS3.15 E.1.1):

==== ==================================================================================
D    replace with a non-zero length dummy value of the same VR
Z    replace with a zero length value (or a dummy) — for Type 2 attributes that must stay
X    remove
K    keep (here: private elements you named on the keep list)
C    clean: keep the meaning, remove identifying text (options only; not done here)
U    replace the UID with another one, the same new UID for the same old UID everywhere
==== ==================================================================================

:func:`deidentify` applies :data:`ACTIONS`, a **curated subset** of Table E.1-1 (83 of
its several hundred rows: the patient, the people, the institution, dates and times, the UIDs,
the request and the sequences that carry them), everywhere in the data set, inside sequences too;
plus rules of its own: every remaining PN value is emptied; every remaining DA or DT value is
emptied (or shifted, with ``date_shift_days``); every remaining UI value that is not a well-known
DICOM UID (class, transfer syntax, coding scheme) is replaced; and every private element is
removed unless you keep it by (creator, offset). It records each action in
:attr:`DeidResult.actions`, without repeating the old value in full.

It is a lesson, not a tool for real patient data: for that use a maintained implementation of the
whole profile (for example ``dicognito``, pydicom's ``deid``, CTP, or dcm4che's ``deidentify``),
and still look at the results — burned-in text in the pixels is not touched by any of this.

Examples
--------
>>> from pydicom import Dataset
>>> ds = Dataset()
>>> ds.PatientName = "DOE^JANE"
>>> ds.PatientID = "123456"
>>> result = deidentify(ds, salt="doc")
>>> result.dataset.PatientName, result.dataset.PatientIdentityRemoved
('', 'YES')
>>> [(a.keyword, a.action) for a in result.actions][:2]
[('PatientName', 'Z'), ('PatientID', 'Z')]
"""

from __future__ import annotations

import argparse
import copy
import datetime as _dt
import os
import sys
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pydicom
from pydicom.datadict import keyword_for_tag, tag_for_keyword
from pydicom.dataset import Dataset
from pydicom.tag import BaseTag, Tag
from pydicom.uid import UID_dictionary

from .tools import save_atomically

__all__ = [
    "DeidError",
    "Action",
    "DeidResult",
    "ACTIONS",
    "PROFILE_CODES",
    "new_uid",
    "deidentify",
    "deidentify_series",
    "find_values",
    "plant_identifiers",
    "what_stayed",
    "register_cli",
]

#: The subset of PS3.15 Table E.1-1 this module applies: keyword -> action code. Where the table
#: gives a choice (e.g. "X/Z/D") the rule of PS3.15 E.1.1 applies: X unless the IOD needs the
#: attribute — Z if it is Type 2, D if Type 1. The codes below are that choice for a CT image.
ACTIONS: dict[str, str] = {
    # patient
    "PatientName": "Z", "PatientID": "Z", "IssuerOfPatientID": "X", "PatientBirthDate": "Z",
    "PatientBirthTime": "X", "PatientSex": "Z", "OtherPatientIDs": "X", "OtherPatientNames": "X",
    "OtherPatientIDsSequence": "X", "PatientBirthName": "X", "PatientAge": "X", "PatientSize": "X",
    "PatientWeight": "X", "PatientAddress": "X", "PatientMotherBirthName": "X",
    "MedicalRecordLocator": "X", "PatientTelephoneNumbers": "X", "EthnicGroup": "X",
    "Occupation": "X", "AdditionalPatientHistory": "X", "PatientComments": "X",
    "MilitaryRank": "X", "BranchOfService": "X", "CountryOfResidence": "X", "RegionOfResidence": "X",
    "PatientReligiousPreference": "X", "ReferencedPatientSequence": "X",
    "ResponsiblePerson": "X", "ResponsibleOrganization": "X",
    # people and places
    "ReferringPhysicianName": "Z", "ReferringPhysicianAddress": "X",
    "ReferringPhysicianTelephoneNumbers": "X", "PhysiciansOfRecord": "X",
    "PerformingPhysicianName": "X", "NameOfPhysiciansReadingStudy": "X", "OperatorsName": "X",
    "RequestingPhysician": "X", "InstitutionName": "X", "InstitutionAddress": "X",
    "InstitutionalDepartmentName": "X", "StationName": "X", "DeviceSerialNumber": "X",
    "PersonName": "D",
    # the visit, the request, free text
    "AccessionNumber": "Z", "StudyID": "Z", "StudyDescription": "X", "SeriesDescription": "X",
    "ProtocolName": "X", "ImageComments": "X", "AdmittingDiagnosesDescription": "X",
    "RequestAttributesSequence": "X", "RequestedProcedureDescription": "X",
    "RequestedProcedureID": "X", "ScheduledProcedureStepID": "X",
    "PerformedProcedureStepID": "X", "PerformedProcedureStepDescription": "X",
    "PerformedProcedureStepStartDate": "X", "PerformedProcedureStepStartTime": "X",
    "ReferencedStudySequence": "X", "ReferencedPerformedProcedureStepSequence": "X",
    "ContentSequence": "X",
    # dates and times
    "StudyDate": "Z", "StudyTime": "Z", "SeriesDate": "X", "SeriesTime": "X",
    "AcquisitionDate": "X", "AcquisitionTime": "X", "AcquisitionDateTime": "X",
    "ContentDate": "Z", "ContentTime": "Z", "InstanceCreationDate": "X",
    "InstanceCreationTime": "X", "TimezoneOffsetFromUTC": "X",
    # UIDs
    "StudyInstanceUID": "U", "SeriesInstanceUID": "U", "SOPInstanceUID": "U",
    "FrameOfReferenceUID": "U", "SynchronizationFrameOfReferenceUID": "U",
    "ReferencedSOPInstanceUID": "U", "ReferencedFrameOfReferenceUID": "U",
    "InstanceCreatorUID": "U", "IrradiationEventUID": "U", "StorageMediaFileSetUID": "U",
}

#: Dates that ``date_shift_days`` shifts instead of emptying (the "Retain Longitudinal Temporal
#: Information with Modified Dates" option, PS3.15 E.3.6).
SHIFTABLE_DATES = ("StudyDate", "SeriesDate", "AcquisitionDate", "ContentDate",
                   "InstanceCreationDate")

#: Codes of PS3.16 CID 7050 "De-identification Method" used here (scheme DCM).
PROFILE_CODES = {
    "113100": "Basic Application Confidentiality Profile",
    "113107": "Retain Longitudinal Temporal Information Modified Dates Option",
    "113111": "Retain Safe Private Option",
}

METHOD = "workshop_helpers.deid: teaching subset of PS3.15 Table E.1-1"


class DeidError(ValueError):
    """De-identification could not be done: an unreadable file, a bad option."""


@dataclass
class Action:
    """One thing :func:`deidentify` did: where, to which element, which code, before → after."""

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
    """The de-identified copy, what was done, and the UID mapping (old → new)."""

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
    """A new UID for ``old``: ``2.25.`` + a name-based UUID (RFC 4122 version 5) of salt and old.

    The same ``(old, salt)`` always gives the same new UID, so a series stays consistent even
    across separate runs that share the salt; without the salt the old UID cannot be recovered.
    2.25 UIDs are defined in PS3.5 B.2.

    Examples
    --------
    >>> new_uid("1.2.3", salt="x") == new_uid("1.2.3", salt="x") != new_uid("1.2.4", salt="x")
    True
    >>> new_uid("1.2.3", salt="x").startswith("2.25.")
    True
    """
    namespace = uuid.uuid5(uuid.NAMESPACE_OID, "workshop_helpers.deid:" + salt)
    return "2.25." + str(uuid.uuid5(namespace, str(old)).int)


def _hint(value: Any) -> str:
    """A short description of a value that does not repeat it in full."""
    if value is None or value == "" or value == b"":
        return "''"
    if isinstance(value, bytes | bytearray):
        return f"<{len(value)} bytes>"
    if isinstance(value, Sequence) and not isinstance(value, str):
        if value and isinstance(value[0], Dataset):
            return f"<{len(value)} item(s)>"
        value = "\\".join(str(v) for v in value)
    text = str(value)
    return f"'{text[:2]}…' ({len(text)} chars)" if len(text) > 2 else f"<{len(text)} chars>"


def _dummy(vr: str) -> Any:
    return {"PN": "ANONYMOUS", "DA": "19000101", "TM": "000000", "DT": "19000101000000",
            "UI": "2.25.0", "IS": "0", "DS": "0", "AS": "000Y"}.get(vr, "ANONYMOUS")


def _shift(value: str, days: int) -> str:
    day = _dt.datetime.strptime(str(value)[:8], "%Y%m%d").date() + _dt.timedelta(days=days)
    return day.strftime("%Y%m%d") + str(value)[8:]


def _parse_keep(keep: Iterable[tuple]) -> set[tuple]:
    out: set[tuple] = set()
    for item in keep:
        if len(item) == 2:
            creator, offset = item
            out.add((None, str(creator), int(offset)))
        elif len(item) == 3:
            group, creator, offset = item
            out.add((int(group), str(creator), int(offset)))
        else:
            raise DeidError(f"keep_private entries are (creator, offset) or (group, creator, "
                            f"offset); got {item!r}")
    return out


def _kept(keep: set[tuple], group: int, creator: str | None, offset: int) -> bool:
    return creator is not None and ((None, creator, offset) in keep
                                    or (group, creator, offset) in keep)


def deidentify(ds: Dataset, *, keep_private: Iterable[tuple] = (),
               uid_map: dict[str, str] | None = None, date_shift_days: int | None = None,
               salt: str | None = None, replacements: Mapping[str, Any] | None = None
               ) -> DeidResult:
    """A de-identified copy of ``ds`` and the list of what was done (``ds`` is not changed).

    Parameters
    ----------
    ds
        The data set (with or without file meta information).
    keep_private
        Private elements to keep: ``(creator, offset)`` or ``(group, creator, offset)``, e.g.
        ``[("CTP", 0x10)]``. All other private elements, and orphans, are removed.
    uid_map
        Old → new UIDs. Pass the same dict for every instance of a series (or study) and the
        UIDs stay consistent; it is filled in and returned in the result.
    date_shift_days
        Shift the study, series, acquisition and content dates by this many days instead of
        emptying or removing them (adds code 113107).
    salt
        Secret that makes the new UIDs; default: random (a fresh ``uid_map`` then gives
        new UIDs nobody can link back). Give one to get the same UIDs in every run.
    replacements
        Values to put in instead, by keyword, e.g. ``{"PatientName": "ANON^001",
        "PatientID": "ANON001"}`` (recorded as action D).

    Returns
    -------
    DeidResult
    """
    if date_shift_days is not None and not isinstance(date_shift_days, int):
        raise DeidError(f"date_shift_days must be a whole number of days, got {date_shift_days!r}")
    out = copy.deepcopy(ds)
    result = DeidResult(out, uid_map=uid_map if uid_map is not None else {})
    salt = salt if salt is not None else uuid.uuid4().hex
    keep = _parse_keep(keep_private)
    replacements = dict(replacements or {})
    for keyword in replacements:
        if tag_for_keyword(keyword) is None:
            raise DeidError(f"replacements: {keyword!r} is not a DICOM keyword")

    def replace_uid(old: str) -> str:
        if old not in result.uid_map:
            result.uid_map[old] = new_uid(old, salt)
        return result.uid_map[old]

    def record(path: str, tag: BaseTag, action: str, summary: str) -> None:
        result.actions.append(Action(path, tag, keyword_for_tag(tag) or str(tag), action, summary))

    def clean(item: Dataset, path: str) -> None:
        creators = {(e.tag.group, e.tag.element): str(e.value) for e in item
                    if e.tag.is_private and 0x10 <= e.tag.element <= 0xFF}
        for elem in list(item):
            tag = elem.tag
            if tag not in item:
                continue
            keyword = elem.keyword
            if tag.is_private:
                _clean_private(item, elem, path, creators)
                continue
            code = ACTIONS.get(keyword)
            if keyword in replacements:
                before = _hint(elem.value)
                elem.value = replacements[keyword]
                record(path, tag, "D", f"{before} → {elem.value!r} (given)")
                continue
            if code is None:
                if elem.VR == "SQ":
                    for i, sub in enumerate(elem.value):
                        clean(sub, f"{path}.{keyword}[{i}]" if path else f"{keyword}[{i}]")
                elif elem.VR == "PN" and elem.value:
                    record(path, tag, "Z", f"{_hint(elem.value)} → '' (every PN)")
                    elem.value = ""
                elif elem.VR in ("DA", "DT") and elem.value and elem.VM == 1:
                    if date_shift_days is not None:
                        elem.value = _shift(str(elem.value), date_shift_days)
                        record(path, tag, "D", f"date shifted by {date_shift_days:+d} days (every {elem.VR})")
                    else:
                        record(path, tag, "Z", f"{_hint(elem.value)} → '' (every {elem.VR})")
                        elem.value = ""
                elif elem.VR == "UI" and elem.value and tag.group != 0x0002:
                    _replace_uis(elem, path, code="U", note=" (every non-standard UI)")
                continue
            if date_shift_days is not None and keyword in SHIFTABLE_DATES and elem.value:
                old = str(elem.value)
                elem.value = _shift(old, date_shift_days)
                record(path, tag, "D", f"date shifted by {date_shift_days:+d} days")
                continue
            if code == "X":
                record(path, tag, "X", f"{_hint(elem.value)} removed")
                del item[tag]
            elif code == "Z":
                if elem.VR == "SQ":
                    elem.value = []
                else:
                    record(path, tag, "Z", f"{_hint(elem.value)} → ''")
                    elem.value = None if elem.VR in ("US", "SS", "UL", "SL", "FL", "FD") else ""
            elif code == "D":
                record(path, tag, "D", f"{_hint(elem.value)} → {_dummy(elem.VR)!r}")
                elem.value = _dummy(elem.VR)
            elif code == "U":
                _replace_uis(elem, path, code="U", note="")

    def _replace_uis(elem, path: str, code: str, note: str) -> None:
        values = elem.value if elem.VM > 1 else [elem.value]
        new = []
        changed = False
        for v in values:
            if not v or str(v) in UID_dictionary:   # well-known DICOM UIDs identify nobody
                new.append(v)
                continue
            new.append(replace_uid(str(v)))
            changed = True
        if changed:
            record(path, elem.tag, code, f"{_hint(elem.value)} → {new[0][:12]}…{note}")
            elem.value = new if elem.VM > 1 else new[0]

    def _clean_private(item: Dataset, elem, path: str, creators: dict) -> None:
        tag = elem.tag
        group = tag.group
        if 0x10 <= tag.element <= 0xFF:   # a creator: keep it only if something of its block stays
            creator = str(elem.value)
            if not any(_kept(keep, group, creator, off) for off in range(256)
                       if Tag(group, (tag.element << 8) | off) in item):
                record(path, tag, "X", f"private creator {creator!r} removed")
                del item[tag]
            return
        number = tag.element >> 8
        creator = creators.get((group, number)) if number >= 0x10 else None
        if _kept(keep, group, creator, tag.element & 0xFF):
            record(path, tag, "K", f"kept ({creator!r} offset 0x{tag.element & 0xFF:02X})")
            return
        who = f"{creator!r}" if creator else "orphan"
        record(path, tag, "X", f"private ({who}) {_hint(elem.value)} removed")
        del item[tag]

    clean(out, "")
    # creators whose elements were all removed are handled in the pass above; a creator met
    # before its elements may remain with an empty block: remove those now
    _drop_empty_creators(out)

    meta = getattr(out, "file_meta", None)
    if meta is not None and "SOPInstanceUID" in out:
        meta.MediaStorageSOPInstanceUID = out.SOPInstanceUID
    out.PatientIdentityRemoved = "YES"
    if date_shift_days is not None:   # SOP Common, PS3.3 C.12.1
        out.LongitudinalTemporalInformationModified = "MODIFIED"
    out.DeidentificationMethod = METHOD
    codes = ["113100"]
    if date_shift_days is not None:
        codes.append("113107")
    if keep:
        codes.append("113111")
    items = []
    for value in codes:
        code_item = Dataset()
        code_item.CodeValue = value
        code_item.CodingSchemeDesignator = "DCM"
        code_item.CodeMeaning = PROFILE_CODES[value]
        items.append(code_item)
    out.DeidentificationMethodCodeSequence = items
    return result


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
    OB/OW/UN values, and in the file meta information. An empty list is the proof we want.

    Examples
    --------
    >>> ds = Dataset()
    >>> ds.PatientComments = "call Mrs DOE"
    >>> find_values(ds, ["DOE", "SMITH"])
    [('', '(0010,4000)', 'DOE')]
    """
    needles = [n for n in needles if n]
    hits: list[tuple[str, str, str]] = []

    def look(item: Dataset, path: str) -> None:
        for elem in item:
            if elem.VR == "SQ":
                for i, sub in enumerate(elem.value):
                    look(sub, f"{path}.{elem.keyword or elem.tag}[{i}]".lstrip("."))
                continue
            value = elem.value
            if isinstance(value, bytes | bytearray):
                texts = [bytes(value)]
            elif isinstance(value, list | tuple | pydicom.multival.MultiValue):
                texts = [str(v) for v in value]
            else:
                texts = [str(value)] if value is not None else []
            for needle in needles:
                for t in texts:
                    found = (needle.encode() in t) if isinstance(t, bytes) else (needle in t)
                    if found:
                        tag = f"({elem.tag.group:04X},{elem.tag.element:04X})"
                        hits.append((path, tag, needle))
                        break

    meta = getattr(ds, "file_meta", None)
    if meta is not None:
        look(meta, "file_meta")
    look(ds, "")
    return hits


GEOMETRY = ("ImagePositionPatient", "ImageOrientationPatient", "PixelSpacing", "SliceThickness",
            "Rows", "Columns")


def what_stayed(before: Sequence[Dataset], after: Sequence[Dataset]) -> dict[str, bool]:
    """Check that de-identification kept what a viewer needs, slice by slice.

    Returns ``{"pixels": ..., "geometry": ..., "one frame of reference": ...,
    "new frame of reference": ...}``: identical pixel arrays; identical Image Position/Orientation,
    Pixel Spacing, Slice Thickness, Rows and Columns; a single Frame of Reference UID in ``after``
    where ``before`` had one; and that UID differs from the old one.
    """
    import numpy as np

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
    identifying). Each file is written to a temporary name first and renamed when complete.

    Raises
    ------
    DeidError
        When an input is not a DICOM file (nothing is written for it; earlier outputs stay).
    """
    out_folder = Path(out_folder)
    out_folder.mkdir(parents=True, exist_ok=True)
    uid_map = options.pop("uid_map", None)
    uid_map = uid_map if uid_map is not None else {}
    options.setdefault("salt", uuid.uuid4().hex)
    results = []
    for n, path in enumerate(sorted(Path(p) for p in paths), start=1):
        try:
            ds = pydicom.dcmread(path)
        except (OSError, pydicom.errors.InvalidDicomError) as exc:
            raise DeidError(f"cannot read {path}: {exc}") from exc
        result = deidentify(ds, uid_map=uid_map, **options)
        result.path = save_atomically(result.dataset, out_folder / f"IM{n:05d}.dcm")
        results.append(result)
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


def _cli_deid(args: argparse.Namespace) -> int:
    source = Path(args.input)
    if not source.exists():
        print(f"deid: {source} does not exist", file=sys.stderr)
        return 2
    files = sorted(p for p in source.rglob("*") if p.is_file()) if source.is_dir() else [source]
    if not files:
        print(f"deid: no files in {source}", file=sys.stderr)
        return 2
    options = {"keep_private": args.keep_private or (), "date_shift_days": args.shift_days}
    if args.salt is not None:
        options["salt"] = args.salt
    try:
        if source.is_dir():
            results = deidentify_series(files, args.output, **options)
        else:
            ds = pydicom.dcmread(source)
            result = deidentify(ds, **options)
            target = Path(args.output)
            if target.is_dir():
                target = target / "IM00001.dcm"
            result.path = save_atomically(result.dataset, target)
            results = [result]
    except (OSError, pydicom.errors.InvalidDicomError, DeidError) as exc:
        print(f"deid: {exc}", file=sys.stderr)
        return 2
    total: dict[str, int] = {}
    for r in results:
        for code, n in r.counts().items():
            total[code] = total.get(code, 0) + n
    print(f"de-identified {len(results)} file(s) into {args.output}")
    print("actions: " + ", ".join(f"{code}={n}" for code, n in sorted(total.items())))
    print(f"UIDs replaced: {len(results[-1].uid_map)}")
    if args.verbose:
        for r in results:
            print(f"-- {r.path}")
            for a in r.actions:
                print(f"   {a}")
    return 0


def register_cli(subparsers: Any) -> None:
    """Add ``deid IN OUT``: de-identify a file or a folder (teaching subset of PS3.15 E)."""
    p = subparsers.add_parser("deid", help="de-identify a DICOM file or folder (teaching version)")
    p.add_argument("input", help="a DICOM file or a folder of them")
    p.add_argument("output", help="output file (for a file) or folder")
    p.add_argument("--keep-private", action="append", type=_parse_keep_arg, metavar="CREATOR:OFF",
                   help="keep this private element (hex offset), e.g. CTP:10; repeatable")
    p.add_argument("--shift-days", type=int, default=None, help="shift dates by N days")
    p.add_argument("--salt", default=None, help="secret for reproducible new UIDs")
    p.add_argument("-v", "--verbose", action="store_true", help="list every action")
    p.set_defaults(func=_cli_deid)


def plant_identifiers(ds: Dataset, *, name: str = "DOE^JANE", patient_id: str = "MRN-4711",
                      hospital: str = "ST ELSEWHERE HOSPITAL") -> list[str]:
    """Put identifying values where they hide in real files; return the strings to search for.

    For lessons and tests only: Patient's Name and ID, birth date, referring physician,
    institution, accession number and comments; the ID again in Other Patient IDs Sequence,
    Referenced Patient Sequence and Request Attributes Sequence; and a private block of a fake
    creator "HOSPITAL" (group 0029) with the name, the ID, and the name as bytes (OB), plus an
    orphan private element, and private elements inside the items of Request Attributes Sequence
    (which the profile removes) and Procedure Code Sequence (which it keeps).

    Examples
    --------
    >>> ds = Dataset()
    >>> needles = plant_identifiers(ds)
    >>> len(find_values(ds, needles)) > 10
    True
    """
    from .private import add_private

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
    ref.ReferencedSOPInstanceUID = "1.2.826.0.1.3680043.8.498.4711"
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
            "1.2.826.0.1.3680043.8.498.4711", "ACC" + patient_id[-4:]]
