"""A DICOM file from a dump, like dcmtk's ``dump2dcm``: :func:`dump_to_file`.

The File Meta Information is completed as dump2dcm does (:func:`_complete_meta`); the package's
Implementation Class UID and Version Name, a new UID (:func:`_new_uid`) and the atomic write
(:func:`_write_atomically`) serve :mod:`.images` too.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian

from ..dump import read_dump
from ..tools import save_atomically
from ..uids import IMPLEMENTATION_CLASS_UID, make_uid, mint_uid  # (0002,0012): a fixed 2.25 UID
from .check import DicomFileError

#: (0002,0013), at most 16 characters.
IMPLEMENTATION_VERSION_NAME = "WORKSHOP_HLP_01"
#: dcmtk's "private generic file" SOP Class, which dump2dcm uses when the data set has none.
DCMTK_GENERIC_FILE_SOP_CLASS = "1.2.276.0.7230010.3.1.0.1"


def _new_uid(uid_prefix: str | None) -> str:
    """A new UID: under the caller's own root if one is given, else the course's (2.25)."""
    return make_uid(uid_prefix.rstrip(".")) if uid_prefix else mint_uid()


def _complete_meta(ds: Dataset, uid_prefix: str | None) -> list[str]:
    """Fill in the File Meta Information as dump2dcm does; return what was assumed."""
    notes: list[str] = []
    meta = getattr(ds, "file_meta", None)
    if meta is None:
        meta = FileMetaDataset()
        ds.file_meta = meta
    if "TransferSyntaxUID" not in meta or not meta.TransferSyntaxUID:
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        notes.append("output transfer syntax unknown, assuming Explicit VR Little Endian")
    meta.FileMetaInformationVersion = b"\x00\x01"
    if not meta.get("MediaStorageSOPClassUID"):
        if ds.get("SOPClassUID"):
            meta.MediaStorageSOPClassUID = ds.SOPClassUID
            notes.append("Media Storage SOP Class UID taken from SOP Class UID (0008,0016)")
        else:
            meta.MediaStorageSOPClassUID = DCMTK_GENERIC_FILE_SOP_CLASS
            notes.append("no SOP Class UID in the data set: using dcmtk's private 'generic "
                         f"file' SOP Class {DCMTK_GENERIC_FILE_SOP_CLASS}, as dump2dcm does")
    if not meta.get("MediaStorageSOPInstanceUID"):
        if ds.get("SOPInstanceUID"):
            meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
            notes.append("Media Storage SOP Instance UID taken from SOP Instance UID (0008,0018)")
        else:
            meta.MediaStorageSOPInstanceUID = _new_uid(uid_prefix)
            notes.append("no SOP Instance UID in the data set: made a new Media Storage SOP "
                         f"Instance UID {meta.MediaStorageSOPInstanceUID}")
    meta.ImplementationClassUID = IMPLEMENTATION_CLASS_UID
    meta.ImplementationVersionName = IMPLEMENTATION_VERSION_NAME
    if "FileMetaInformationGroupLength" in meta:
        del meta.FileMetaInformationGroupLength  # pydicom computes it when writing
    return notes


def _write_atomically(ds: Dataset, path: Path) -> None:
    """Write ``ds`` to ``path`` through a temporary file: no half-written file."""
    try:
        save_atomically(ds, path)
    except Exception as exc:
        raise DicomFileError(f"{path}: cannot write the file: {exc}") from exc


def dump_to_file(text: str | bytes, path: str | os.PathLike,
                 uid_prefix: str | None = None) -> list[str]:
    """Make a DICOM file from a dump, like ``dump2dcm``; return what was assumed.

    The File Meta Information is completed as dump2dcm does: Transfer Syntax Explicit VR
    Little Endian when the dump names none; Media Storage SOP Class/Instance UID from the
    data set's SOP Class/Instance UID (or dcmtk's generic file class and a fresh UID);
    Implementation Class UID and Version Name are this package's. The file is written to a
    temporary name and renamed, so a failure leaves nothing behind.

    Parameters
    ----------
    text : str or bytes
        The dump (see :func:`workshop_helpers.dump.read_dump`). An empty dump is allowed.
    path : path-like
        The DICOM file to write.
    uid_prefix : str, optional
        A root of your own for a new SOP Instance UID (default: ``2.25``).

    Returns
    -------
    list of str
        Notes on what was assumed, e.g. ``"output transfer syntax unknown, assuming
        Explicit VR Little Endian"``.

    Raises
    ------
    DumpSyntaxError
        The dump is not valid (nothing is written).
    DicomFileError
        The data set cannot be written in that transfer syntax (nothing is written).
    """
    ds = read_dump(text)
    notes = _complete_meta(ds, uid_prefix)
    _write_atomically(ds, Path(path))
    return notes
