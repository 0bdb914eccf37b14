"""A picture into a DICOM file, like dcmtk's ``img2dcm``: :func:`image_to_dicom`.

A JPEG is kept as it is (:func:`jpeg_info` reads its frame header) and any other picture is
stored uncompressed, as a Secondary Capture image (PS3.3 A.8.1); ``series_from`` copies the
patient, study and series of a DICOM file (:data:`SERIES_ATTRIBUTES`).
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pydicom
from PIL import Image, UnidentifiedImageError
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, JPEGBaseline8Bit, SecondaryCaptureImageStorage

from ..uids import IMPLEMENTATION_CLASS_UID
from .check import DicomFileError
from .undump import IMPLEMENTATION_VERSION_NAME, _new_uid, _write_atomically

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
