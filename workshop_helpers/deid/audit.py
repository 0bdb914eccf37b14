"""Looking at the result: where planted values are still found, and what a viewer still needs.

:func:`plant_identifiers` puts identifying values where they hide in real files (for lessons and
tests only), :func:`find_values` searches a data set for them, :func:`what_stayed` checks that a
de-identified series still has what a viewer needs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pydicom
from pydicom.dataset import Dataset

from ..private import add_private
from ..uids import mint_uid
from .rules import DeidError

__all__ = ["find_values", "what_stayed", "plant_identifiers", "GEOMETRY", "PLANTED_UID"]


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
