"""DICOM files from scratch: check, make from a dump, make from a picture, list a folder.

Check one (``dcmftest``), make one from a dump (``dump2dcm``), put a picture into one
(``img2dcm``), and find the DICOM files of a folder (:func:`dicom_files`).

A DICOM *file* (PS3.10 section 7.1) starts with a 128-byte preamble, the four letters ``DICM``
and the File Meta Information (group 0002: which SOP Class and Instance, which Transfer Syntax,
which program wrote it). Only then comes the data set.

Examples
--------
>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp()) / "one.dcm"
>>> notes = dump_to_file("", out)       # touch empty.dump; dump2dcm empty.dump one.dcm
>>> notes[0]
'output transfer syntax unknown, assuming Explicit VR Little Endian'
>>> check_file(out).ok                  # dcmftest one.dcm
True
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pydicom
from PIL import Image, UnidentifiedImageError
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import (
    ExplicitVRLittleEndian,
    JPEGBaseline8Bit,
    SecondaryCaptureImageStorage,
)

from .dump import DumpSyntaxError, read_dump
from .errors import ShortError
from .tools import CommandError, save_atomically
from .uids import IMPLEMENTATION_CLASS_UID, make_uid, mint_uid  # (0002,0012): a fixed 2.25 UID

__all__ = [
    "FileCheck",
    "DicomFileError",
    "check_file",
    "dicom_files",
    "DicomFiles",
    "NotDicom",
    "dump_to_file",
    "image_to_dicom",
    "IMPLEMENTATION_CLASS_UID",
    "IMPLEMENTATION_VERSION_NAME",
]

#: (0002,0013), at most 16 characters.
IMPLEMENTATION_VERSION_NAME = "WORKSHOP_HLP_01"
#: dcmtk's "private generic file" SOP Class, which dump2dcm uses when the data set has none.
DCMTK_GENERIC_FILE_SOP_CLASS = "1.2.276.0.7230010.3.1.0.1"


class DicomFileError(ShortError, ValueError):
    """A file could not be made or read; the message says which file and why."""


# ---------------------------------------------------------------------------------------------
# dcmftest

@dataclass
class FileCheck:
    """What :func:`check_file` found.

    ``ok`` is True for a DICOM file (PS3.10): a 128-byte preamble, ``DICM``, and File Meta
    Information that pydicom can read. ``reason`` says what is wrong when it is not.

    Parameters
    ----------
    path : str
        The file checked, as given.
    ok : bool
        Whether it is a DICOM file.
    reason : str
        Why not (empty when it is).
    transfer_syntax : str
        The Transfer Syntax UID of its File Meta Information.
    sop_class : str
        Its Media Storage SOP Class UID.
    """

    path: str
    ok: bool
    reason: str = ""
    transfer_syntax: str = ""
    sop_class: str = ""

    def __str__(self) -> str:  # dcmftest's output
        return f"{'yes' if self.ok else 'no'}: {self.path}"


def check_file(path: str | os.PathLike) -> FileCheck:
    """Is ``path`` a DICOM file? Like dcmtk's ``dcmftest``, and it says why not.

    dcmftest looks only for ``DICM`` at byte 128 (``man dcmftest``: "No attempt is made to
    parse the complete data set"); this also reads the File Meta Information, so 128 bytes,
    ``DICM`` and then anything else is "yes" there and "no" here.

    Parameters
    ----------
    path : str or os.PathLike
        The file to check.

    Returns
    -------
    FileCheck
        ``ok``, and the ``reason`` when not; for a DICOM file its transfer syntax and SOP Class.
        ``str()`` of it is dcmftest's line (``yes: path`` or ``no: path``). Nothing raises: a
        file that cannot be opened is a "no" with the reason.

    Examples
    --------
    >>> from workshop_helpers.tools import testdata
    >>> check_file(testdata("CT_small.dcm")).ok
    True
    >>> r = check_file(testdata("no_meta.dcm"))
    >>> r.ok, r.reason.split(" (")[0]
    (False, "no 'DICM' after the 128-byte preamble")
    >>> import pathlib, tempfile
    >>> fake = pathlib.Path(tempfile.mkdtemp()) / "fake.dcm"
    >>> _ = fake.write_bytes(bytes(128) + b"DICM" + b"just text")   # dcmftest: "yes"
    >>> check_file(fake).ok
    False
    """
    p = Path(path)
    result = FileCheck(str(path), False)
    try:
        with open(p, "rb") as f:
            head = f.read(132)
    except OSError as exc:
        result.reason = f"cannot open: {exc.strerror or exc}"
        return result
    if len(head) == 0:
        result.reason = "the file is empty"
        return result
    if len(head) < 132:
        result.reason = (f"only {len(head)} bytes: too short for the 128-byte preamble and "
                         "'DICM'")
        return result
    if head[128:132] != b"DICM":
        result.reason = (f"no 'DICM' after the 128-byte preamble (found {head[128:132]!r}): "
                         "a data set without the file format of PS3.10")
        return result
    try:
        meta = pydicom.filereader.read_file_meta_info(p)
    except Exception as exc:
        result.reason = f"'DICM' found, but the File Meta Information cannot be read: {exc}"
        return result
    if "TransferSyntaxUID" not in meta:
        result.reason = "the File Meta Information has no Transfer Syntax UID (0002,0010)"
        return result
    result.ok = True
    result.transfer_syntax = str(meta.TransferSyntaxUID)
    result.sop_class = str(meta.get("MediaStorageSOPClassUID", ""))
    return result


class NotDicom(NamedTuple):
    """A file that :func:`dicom_files` skipped, and why.

    Parameters
    ----------
    path : pathlib.Path
        The file.
    reason : str
        :func:`check_file`'s reason.
    """

    path: Path
    reason: str


@dataclass
class DicomFiles:
    """The DICOM files of a folder (iterate over it) and the files skipped, with the reason.

    Made by :func:`dicom_files`. ``for path in dicom_files(folder)`` sees only the DICOM files;
    :attr:`skipped` lists every other file, so nothing vanishes without a word, and
    :meth:`skipped_text` says so in one line.

    Parameters
    ----------
    folder : pathlib.Path
        The folder read.
    paths : list of pathlib.Path
        Its DICOM files, in path order.
    skipped : list of NotDicom
        Every other file, with the reason.
    """

    folder: Path
    paths: list[Path] = field(default_factory=list)
    skipped: list[NotDicom] = field(default_factory=list)

    def __iter__(self) -> Iterator[Path]:
        return iter(self.paths)

    def __len__(self) -> int:
        return len(self.paths)

    def skipped_text(self, limit: int = 5) -> str:
        """One line naming the skipped files (at most ``limit``) and why; empty when none.

        The caller says what it did with them (``"skipped "`` + it, or ``"refused: "`` + it).

        Parameters
        ----------
        limit : int
            How many files to name; the rest are counted.

        Returns
        -------
        str
            ``"2 file(s) that are not DICOM: a.txt (the file is empty); ..."``.
        """
        if not self.skipped:
            return ""
        named = [f"{_shown_name(s.path, self.folder)} ({s.reason})" for s in self.skipped[:limit]]
        more = len(self.skipped) - limit
        return (f"{len(self.skipped)} file(s) that are not DICOM: " + "; ".join(named)
                + (f"; and {more} more" if more > 0 else ""))


def _shown_name(path: Path, folder: Path) -> str:
    return str(path.relative_to(folder)) if path.is_relative_to(folder) else str(path)


def dicom_files(folder: str | os.PathLike, recursive: bool = False) -> DicomFiles:
    """The DICOM files in ``folder``, in name order; every other file skipped, saying why.

    The one way the package reads a folder of DICOM files (:func:`geometry.read_series
    <workshop_helpers.geometry.read_series>`, ``deid`` and ``storescu`` on a folder). A file
    counts as DICOM when :func:`check_file` says so: the 128-byte preamble, ``DICM`` and File
    Meta Information with a Transfer Syntax UID (PS3.10 7.1), read without reading the data set.
    What a caller does with a skipped file is its policy: geometry and ``storescu`` report it and
    go on, ``deid`` refuses the folder.

    Parameters
    ----------
    folder : str or os.PathLike
        The folder to read.
    recursive : bool
        Also look in every folder below ``folder`` (default: only ``folder`` itself).

    Returns
    -------
    DicomFiles
        Iterable over the DICOM files (:class:`pathlib.Path`, sorted by their path); its
        ``skipped`` lists the others as ``NotDicom(path, reason)``.

    Raises
    ------
    NotADirectoryError, FileNotFoundError
        When ``folder`` is not a folder.

    Examples
    --------
    >>> import shutil, tempfile
    >>> from workshop_helpers.tools import testdata
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = shutil.copy(testdata("CT_small.dcm"), folder / "ct.dcm")
    >>> _ = (folder / "notes.txt").write_text("not DICOM")
    >>> found = dicom_files(folder)
    >>> [p.name for p in found], [s.path.name for s in found.skipped]
    (['ct.dcm'], ['notes.txt'])
    >>> found.skipped_text()
    "1 file(s) that are not DICOM: notes.txt (only 9 bytes: too short for the 128-byte preamble and 'DICM')"
    >>> shutil.rmtree(folder)
    """
    folder = Path(folder)
    if not folder.is_dir():
        if folder.exists():
            raise NotADirectoryError(f"{folder} is not a folder")
        raise FileNotFoundError(f"{folder} does not exist")
    candidates = folder.rglob("*") if recursive else folder.iterdir()
    found = DicomFiles(folder)
    for path in sorted(p for p in candidates if p.is_file()):
        check = check_file(path)
        if check.ok:
            found.paths.append(path)
        else:
            found.skipped.append(NotDicom(path, check.reason))
    return found


# ---------------------------------------------------------------------------------------------
# dump2dcm

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


# ---------------------------------------------------------------------------------------------
# img2dcm

#: Attributes copied from the file given as ``series_from`` (patient, study, series), as
#: ``img2dcm --series-from`` does.
SERIES_ATTRIBUTES = (
    "SpecificCharacterSet",
    # Patient (PS3.3 C.7.1.1)
    "PatientName", "PatientID", "IssuerOfPatientID", "PatientBirthDate", "PatientSex",
    "OtherPatientIDsSequence", "PatientAge", "PatientWeight", "PatientSize",
    # General Study (C.7.2.1)
    "StudyInstanceUID", "StudyDate", "StudyTime", "ReferringPhysicianName", "StudyID",
    "AccessionNumber", "StudyDescription",
    # General Series (C.7.3.1)
    "SeriesInstanceUID", "SeriesNumber", "Modality", "SeriesDate", "SeriesTime",
    "SeriesDescription", "Laterality", "BodyPartExamined",
)


@dataclass
class JpegInfo:
    """What the start-of-frame segment of a JPEG says."""

    sof: int  # 0xC0 baseline, 0xC1 extended, 0xC2 progressive, ...
    precision: int
    rows: int
    columns: int
    components: int
    subsampled: bool
    adobe_transform: int | None = None

    @property
    def baseline(self) -> bool:
        """Whether this is baseline JPEG (SOF0, 8 bits): the process every DICOM reader has."""
        return self.sof == 0xC0 and self.precision == 8


_SOF_NAMES = {0xC0: "baseline (SOF0)", 0xC1: "extended sequential (SOF1)",
              0xC2: "progressive (SOF2)", 0xC3: "lossless (SOF3)"}


def jpeg_info(data: bytes) -> JpegInfo:
    """Read the JPEG markers up to the start of frame (ITU T.81 B.2.2).

    Parameters
    ----------
    data : bytes
        A JPEG stream (the whole file, or at least up to its start-of-frame segment).

    Returns
    -------
    JpegInfo
        The process (baseline, progressive, ...), precision, size, components, subsampling.

    Raises
    ------
    DicomFileError
        When ``data`` is not a JPEG stream or has no start-of-frame marker.
    """
    if data[:2] != b"\xff\xd8":
        raise DicomFileError("not a JPEG: it does not start with the SOI marker FFD8")
    i, adobe = 2, None
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            raise DicomFileError(f"broken JPEG: expected a marker at byte {i}")
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        length = int.from_bytes(data[i + 2:i + 4], "big")
        if marker == 0xEE and data[i + 4:i + 9] == b"Adobe" and length >= 12:
            adobe = data[i + 15]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            seg = data[i + 4:i + 2 + length]
            n = seg[5]
            factors = {seg[6 + 3 * k + 1] for k in range(n)}
            return JpegInfo(marker, seg[0], int.from_bytes(seg[1:3], "big"),
                            int.from_bytes(seg[3:5], "big"), n, len(factors) > 1, adobe)
        if marker == 0xDA:
            break
        i += 2 + length
    raise DicomFileError("broken JPEG: no start-of-frame marker before the image data")


def _now() -> tuple[str, str]:
    now = datetime.now()
    return now.strftime("%Y%m%d"), now.strftime("%H%M%S")


def _new_uid(uid_prefix: str | None) -> str:
    """A new UID: under the caller's own root if one is given, else the course's (2.25)."""
    return make_uid(uid_prefix.rstrip(".")) if uid_prefix else mint_uid()


def _base_dataset(uid_prefix: str | None, series_from: str | os.PathLike | None,
                  instance_number: int, body_part: str | None = None) -> Dataset:
    date, time = _now()
    ds = Dataset()
    # Patient, General Study, General Series: type 2 attributes may be empty
    ds.PatientName = ""
    ds.PatientID = ""
    ds.PatientBirthDate = ""
    ds.PatientSex = ""
    ds.StudyInstanceUID = _new_uid(uid_prefix)
    ds.StudyDate = date
    ds.StudyTime = time
    ds.ReferringPhysicianName = ""
    ds.StudyID = ""
    ds.AccessionNumber = ""
    ds.SeriesInstanceUID = _new_uid(uid_prefix)
    ds.SeriesNumber = None
    ds.Modality = "OT"
    if series_from is not None:
        try:
            src = pydicom.dcmread(series_from, stop_before_pixels=True)
        except Exception as exc:
            raise DicomFileError(f"{series_from}: cannot read it as DICOM: {exc}") from exc
        for keyword in SERIES_ATTRIBUTES:
            if keyword in src:
                ds[keyword] = src[keyword]
    _body_part_and_laterality(ds, body_part)
    # General Equipment (C.7.5.1) and SC Equipment (C.8.6.1)
    ds.Manufacturer = "workshop_helpers"
    ds.ConversionType = "WSD"  # workstation
    ds.SecondaryCaptureDeviceManufacturer = "workshop_helpers"
    # General Image (C.7.6.1) and SC Image (C.8.6.2)
    ds.InstanceNumber = instance_number
    ds.PatientOrientation = ""
    ds.ContentDate = date
    ds.ContentTime = time
    ds.DateOfSecondaryCapture = date
    ds.TimeOfSecondaryCapture = time
    ds.BurnedInAnnotation = "NO"
    # SOP Common (C.12.1)
    ds.SOPClassUID = SecondaryCaptureImageStorage
    ds.SOPInstanceUID = _new_uid(uid_prefix)
    ds.InstanceCreationDate = date
    ds.InstanceCreationTime = time
    return ds


def _body_part_and_laterality(ds: Dataset, body_part: str | None) -> None:
    """Body Part Examined, and Laterality (0020,0060) only where PS3.3 C.7.3.1 asks for it.

    Laterality is Type 2C: required when the body part examined is a paired structure. With a
    body part named (and no Laterality from the series) it is left out; with none known it is
    present and empty, as Type 2 allows for "unknown" (PS3.5 7.4.3) - which dciodvfy warns
    about, because it cannot tell whether an unnamed body part is paired.
    """
    if body_part is not None:
        ds.BodyPartExamined = body_part.strip().upper()
    if "Laterality" not in ds and "BodyPartExamined" not in ds:
        ds.Laterality = ""


def image_to_dicom(image: str | os.PathLike | bytes, out: str | os.PathLike,
                   series_from: str | os.PathLike | None = None,
                   uid_prefix: str | None = None, instance_number: int = 1,
                   reencode_progressive: bool = False,
                   body_part: str | None = None) -> Dataset:
    """Put a picture into a Secondary Capture Image object, like dcmtk's ``img2dcm``.

    A baseline JPEG goes in unchanged, encapsulated (PS3.5 A.4) with transfer syntax JPEG
    Baseline (Process 1), 1.2.840.10008.1.2.4.50. Other pictures (PNG, ...) are stored
    uncompressed: MONOCHROME2 for grey, RGB for colour (an alpha channel is dropped).

    Parameters
    ----------
    image : path-like or bytes
        The picture file (or its bytes).
    out : path-like
        The DICOM file to write (atomically).
    series_from : path-like, optional
        A DICOM file whose patient, study and series attributes are copied (as
        ``img2dcm --series-from``), so the picture joins that series.
    uid_prefix : str, optional
        A root of your own for the new UIDs (default: ``2.25``, :func:`~workshop_helpers.uids.mint_uid`).
    instance_number : int
        Instance Number (0020,0013).
    reencode_progressive : bool
        A progressive (or other non-baseline) JPEG is refused by default, because JPEG
        Baseline cannot hold it unchanged. With True it is decoded and re-encoded as a
        baseline JPEG (quality 95: lossy once more).
    body_part : str, optional
        Body Part Examined (0018,0015), e.g. ``"HEAD"`` for a portrait. With it, Laterality
        (Type 2C, required only for a paired body part) is left out rather than left empty.

    Returns
    -------
    pydicom.dataset.Dataset
        The data set written, with its ``file_meta``.

    Raises
    ------
    DicomFileError
        The picture cannot be read, or is a non-baseline JPEG and re-encoding was not asked.
    """
    name = "<bytes>" if isinstance(image, (bytes, bytearray)) else str(image)
    try:
        data = bytes(image) if isinstance(image, (bytes, bytearray)) else Path(image).read_bytes()
    except OSError as exc:
        raise DicomFileError(f"{name}: cannot read the picture: {exc.strerror or exc}") from exc
    try:
        picture = Image.open(io.BytesIO(data))
        picture.load()
    except (UnidentifiedImageError, OSError) as exc:
        raise DicomFileError(f"{name}: not a picture Pillow can read: {exc}") from exc
    ds = _base_dataset(uid_prefix, series_from, instance_number, body_part)
    meta = FileMetaDataset()
    if picture.format == "JPEG":
        info = jpeg_info(data)
        if not info.baseline:
            kind = _SOF_NAMES.get(info.sof, f"SOF marker {info.sof:#04x}")
            if not reencode_progressive:
                raise DicomFileError(
                    f"{name}: a {kind} JPEG with {info.precision}-bit samples cannot go "
                    "unchanged into JPEG Baseline (Process 1), which needs SOF0 and 8 bits. "
                    "Use image_to_dicom(..., reencode_progressive=True) to re-encode it as "
                    "baseline (lossy once more), or convert it yourself.")
            buffer = io.BytesIO()
            picture.convert("L" if picture.mode in ("L", "1") else "RGB").save(
                buffer, format="JPEG", quality=95, progressive=False)
            data = buffer.getvalue()
            info = jpeg_info(data)
        _image_pixel_jpeg(ds, info)
        ds.PixelData = pydicom.encaps.encapsulate([data], has_bot=True)
        ds["PixelData"].VR = "OB"
        ds["PixelData"].is_undefined_length = True
        ds.LossyImageCompression = "01"
        ds.LossyImageCompressionMethod = "ISO_10918_1"
        meta.TransferSyntaxUID = JPEGBaseline8Bit
    else:
        _image_pixel_plain(ds, picture)
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.ImplementationClassUID = IMPLEMENTATION_CLASS_UID
    meta.ImplementationVersionName = IMPLEMENTATION_VERSION_NAME
    ds.file_meta = meta
    _write_atomically(ds, Path(out))
    return ds


def _image_pixel_jpeg(ds: Dataset, info: JpegInfo) -> None:
    """Image Pixel module (PS3.3 C.7.6.3) for a JPEG Baseline stream (PS3.5 8.2.1)."""
    ds.Rows, ds.Columns = info.rows, info.columns
    ds.SamplesPerPixel = info.components
    ds.BitsAllocated = ds.BitsStored = 8
    ds.HighBit = 7
    ds.PixelRepresentation = 0
    if info.components == 1:
        ds.PhotometricInterpretation = "MONOCHROME2"
        return
    if info.adobe_transform == 0:
        ds.PhotometricInterpretation = "RGB"
    else:
        ds.PhotometricInterpretation = "YBR_FULL_422" if info.subsampled else "YBR_FULL"
    ds.PlanarConfiguration = 0


def _image_pixel_plain(ds: Dataset, picture) -> None:
    """Image Pixel module for an uncompressed picture: MONOCHROME2 (8 or 16 bit) or RGB."""
    if picture.mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(picture).astype("<u2")
        bits = 16
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.SamplesPerPixel = 1
    elif picture.mode in ("L", "1"):
        arr = np.asarray(picture.convert("L"), dtype=np.uint8)
        bits = 8
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.SamplesPerPixel = 1
    else:
        arr = np.asarray(picture.convert("RGB"), dtype=np.uint8)
        bits = 8
        ds.PhotometricInterpretation = "RGB"
        ds.SamplesPerPixel = 3
        ds.PlanarConfiguration = 0
    ds.Rows, ds.Columns = arr.shape[:2]
    ds.BitsAllocated = ds.BitsStored = bits
    ds.HighBit = bits - 1
    ds.PixelRepresentation = 0
    raw = arr.tobytes()
    ds.PixelData = raw + (b"\0" if len(raw) % 2 else b"")
    ds["PixelData"].VR = "OW" if bits == 16 else "OB"


# ---------------------------------------------------------------------------------------------
# command line

def _cmd_ftest(args: argparse.Namespace) -> int:
    failures = 0
    for path in args.files:
        result = check_file(path)
        print(result)
        if not result.ok:
            failures += 1
            if args.verbose:
                print(f"  {result.reason}")
    return min(failures, 255)


def _cmd_undump(args: argparse.Namespace) -> int:
    """``undump DUMP OUT``: a DICOM file from a dump, its assumptions as ``W:`` lines on stderr."""
    try:
        text = Path(args.dump).read_bytes()
    except OSError as exc:
        raise CommandError(f"{args.dump}: {exc.strerror or exc}", status=2) from exc
    try:
        notes = dump_to_file(text, args.out)
    except DumpSyntaxError as exc:
        raise CommandError(f"{args.dump}:{exc.line}:{exc.column}: {exc.reason}") from exc
    except DicomFileError as exc:
        raise CommandError(str(exc)) from exc
    for note in notes:
        print(f"W: {note}", file=sys.stderr)
    return 0


def _cmd_img2dcm(args: argparse.Namespace) -> int:
    """``img2dcm IMAGE OUT``: a picture as a Secondary Capture file; its summary on stdout."""
    try:
        ds = image_to_dicom(args.image, args.out, series_from=args.series_from,
                            reencode_progressive=args.reencode)
    except DicomFileError as exc:
        raise CommandError(str(exc)) from exc
    print(f"{args.out}: {ds.file_meta.TransferSyntaxUID.name}, "
          f"{ds.Rows}x{ds.Columns} {ds.PhotometricInterpretation}")
    return 0


def register_cli(subparsers: Any) -> None:
    """Add ``ftest``, ``undump`` and ``img2dcm`` (``dump`` is registered by the dump module).

    Parameters
    ----------
    subparsers : argparse sub-parsers
        What ``ArgumentParser.add_subparsers()`` returned.
    """
    p = subparsers.add_parser("ftest", help="is it a DICOM file? like dcmftest (yes: / no:)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("-v", "--verbose", action="store_true", help="say why a file is not DICOM")
    p.set_defaults(func=_cmd_ftest)
    p = subparsers.add_parser("undump", help="make a DICOM file from a dump, like dump2dcm")
    p.add_argument("dump", metavar="DUMP")
    p.add_argument("out", metavar="OUT")
    p.set_defaults(func=_cmd_undump)
    p = subparsers.add_parser("img2dcm", help="a picture into a Secondary Capture file, like img2dcm")
    p.add_argument("image", metavar="IMAGE")
    p.add_argument("out", metavar="OUT")
    p.add_argument("--series-from", metavar="DCM", help="copy patient, study and series")
    p.add_argument("--reencode", action="store_true",
                   help="re-encode a progressive JPEG as baseline (lossy)")
    p.set_defaults(func=_cmd_img2dcm)
