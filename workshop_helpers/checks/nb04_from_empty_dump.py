"""The checkers of notebook 04, a file from a dump (``notebooks/04_from_empty_dump.ipynb``)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pydicom
from PIL import Image
from pydicom.datadict import dictionary_VR

from workshop_helpers.exercises import CannotRead

from .common import Checker


def fixed_dump_lines(values: dict[str, str]) -> Checker:
    """Dump lines that hold exactly ``values`` (keyword -> value), each with the dictionary's VR.

    Parameters
    ----------
    values : dict of str to str
        Keyword -> the value its line must hold, e.g. ``{"PatientName": "DOE^JANE"}``.

    Returns
    -------
    Checker
        Accepts a string of dump lines; right when :func:`workshop_helpers.dump.read_dump` reads
        it and it holds exactly the keywords of ``values``, each with its dictionary VR and its
        value written as given (for PN, trailing ``^`` do not count, in the answer or in
        ``values``). A line it cannot read is a wrong answer, with the reader's message.
    """
    from workshop_helpers import dump

    def check(answer: Any) -> tuple[bool, str]:
        if not isinstance(answer, str):
            raise CannotRead("a string of dump lines, one element per line")
        try:
            ds = dump.read_dump(answer)
        except Exception as exc:  # DumpSyntaxError and friends: say where
            return False, str(exc)
        found = {e.keyword or str(e.tag) for e in ds}
        extra, missing = found - set(values), set(values) - found
        assert not missing, "missing: " + ", ".join(sorted(missing))
        assert not extra, (f"only the {len(values)} lines, please; also found: "
                           + ", ".join(sorted(extra)))
        for keyword, value in values.items():
            element = ds[keyword]
            assert element.VR == dictionary_VR(keyword), f"{keyword} has the VR {dictionary_VR(keyword)}"
            written = str(element.value)
            if element.VR == "DA" and not re.fullmatch(r"\d{8}", written):
                return False, f"{keyword} is a date (DA): eight digits, YYYYMMDD (PS3.5 Table 6.2-1)"
            if element.VR == "PN":   # PS3.5 6.2: trailing empty components may be written or omitted
                written, value = written.rstrip("^"), value.rstrip("^")
            assert written == value, f"{keyword} should be {value}, not {element.value}"
        return True, ""
    return check


def read_keywords(answer: Any, allowed: Iterable[str]) -> set[str]:
    """Keywords from a set, list or tuple of strings, whatever their case."""
    allowed = list(allowed)
    expected = ('a set of keywords, written like {"PatientID", "Modality"}, chosen from '
                + ", ".join(allowed))   # an example of the form, never of the answer
    if isinstance(answer, (str, bytes)) or not isinstance(answer, Iterable):
        raise CannotRead(expected)
    by_lower = {k.lower(): k for k in allowed}
    found = set()
    for item in answer:
        if not isinstance(item, str) or item.strip().lower() not in by_lower:
            raise CannotRead(expected + f"; {item!r} is not one of them")
        found.add(by_lower[item.strip().lower()])
    return found


def shared_uids(a: pydicom.Dataset, b: pydicom.Dataset,
                keywords: Iterable[str] = ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID")
                ) -> Checker:
    """Which of ``keywords`` two data sets have, with the same value.

    Parameters
    ----------
    a, b : pydicom.dataset.Dataset
        The two data sets to compare.
    keywords : iterable of str
        The candidates; by default the Study, Series and SOP Instance UIDs.

    Returns
    -------
    Checker
        Accepts a set, list or tuple of keywords from ``keywords``, in any case
        (:func:`read_keywords`); right when they are exactly those present in both data sets with
        the same value.
    """
    keywords = tuple(keywords)
    expected = {k for k in keywords if k in a and k in b and a[k].value == b[k].value}

    def check(answer: Any) -> tuple[bool, str]:
        found = read_keywords(answer, keywords)
        if found == expected:
            return True, ""
        wrong = sorted(found - expected)
        return False, (f"{', '.join(wrong)} differ(s) or is missing in one of them"
                       if wrong else "one more is shared")
    return check


def transfer_syntax(path: str | os.PathLike) -> Checker:
    """The Transfer Syntax UID of a file: the UID, or its name.

    Parameters
    ----------
    path : str or os.PathLike
        The DICOM file; its Transfer Syntax UID is read when the checker is made.

    Returns
    -------
    Checker
        Accepts a string: right when it is the file's Transfer Syntax UID (spaces and a trailing NUL
        forgiven) or its name in any case. Another transfer syntax is named.
    """
    expected = pydicom.dcmread(path, stop_before_pixels=True).file_meta.TransferSyntaxUID

    def check(answer: Any) -> tuple[bool, str]:
        if not isinstance(answer, str):
            raise CannotRead("a UID (a string such as \"1.2.840.10008.1.2\") or its name")
        text = answer.strip().rstrip("\0")
        if text == expected or text.lower() == expected.name.lower():
            return True, ""
        known = _transfer_syntax_named(text)
        return False, f"that is {known.name}" if known else "not the file's transfer syntax"
    return check


def _transfer_syntax_named(text: str) -> pydicom.uid.UID | None:
    """The transfer syntax whose UID or name (any case) ``text`` is, or None (and no warning)."""
    return next((uid for uid in pydicom.uid.AllTransferSyntaxes
                 if text == uid or text.lower() == uid.name.lower()), None)


def _dicom_files(*folders: Path) -> list[Path]:
    """The files of ``folders`` (not their sub-folders), each once."""
    found = {p.resolve(): p for folder in folders for p in Path(folder).iterdir() if p.is_file()}
    return sorted(found.values())


def _sop_instance_uid(path: Path) -> str | None:
    """The SOP Instance UID of a DICOM file; None for a file that is not DICOM or has none."""
    try:
        uid = pydicom.dcmread(path, stop_before_pixels=True).get("SOPInstanceUID")
    except Exception:  # not a DICOM file: it holds no UID
        return None
    return None if uid is None else str(uid)


def _jpeg_image_data(data: bytes) -> bytes:
    """The compressed image of a JPEG: its tables, frame header and scans, without APPn and COM.

    Application segments (JFIF's APP0, Exif's APP1) and comments describe the picture and may be
    dropped or rewritten by a tool that keeps the image itself unchanged - dcmtk's ``img2dcm``
    drops JFIF's APP0 (PS3.5 8.2.1 leaves the choice open). Padding after the end is ignored.
    """
    kept, i = [], 2
    while i + 4 <= len(data) and data[i] == 0xFF:
        marker = data[i + 1]
        if marker == 0xDA:  # start of scan: the entropy-coded data and everything after it
            kept.append(data[i:].rstrip(b"\0"))
            break
        end = i + 2 + int.from_bytes(data[i + 2:i + 4], "big")
        if not (0xE0 <= marker <= 0xEF or marker == 0xFE):
            kept.append(data[i:end])
        i = end
    return b"".join(kept)


def picture_in_series(picture: str | os.PathLike, series_file: str | os.PathLike,
                      out: str | os.PathLike) -> Checker:
    """The transfer syntax of ``out``: ``picture`` as a Secondary Capture in ``series_file``'s series.

    Checks the file on disk when the answer comes: a Secondary Capture Image (PS3.4 B.5) in the
    study and series of ``series_file`` with a SOP Instance UID that no other file in its folder or
    in ``series_file``'s folder has, holding the picture - a
    baseline JPEG's compressed image unchanged in JPEG Baseline (Process 1) (its APPn and comment
    segments may go, as ``img2dcm`` drops JFIF's APP0), any other picture uncompressed in
    Explicit VR Little Endian with the same pixels - and an answer that names its transfer syntax.

    Parameters
    ----------
    picture : str or os.PathLike
        The picture to store: a JPEG file, or another image file Pillow opens.
    series_file : str or os.PathLike
        A DICOM file of the series the picture joins.
    out : str or os.PathLike
        The DICOM file the learner writes.

    Returns
    -------
    Checker
        Accepts a string, a transfer syntax UID or its name; checks ``out`` as above when called,
        and is right when the answer is ``out``'s Transfer Syntax UID (spaces and a trailing NUL
        forgiven) or its name in any case.
    """
    picture, series_file, out = Path(picture), Path(series_file), Path(out)

    def check(answer: Any) -> tuple[bool, str]:
        if not isinstance(answer, str):
            raise CannotRead('a transfer syntax UID (a string such as "1.2.840.10008.1.2") or its name')
        assert out.is_file(), f"there is no {out.name} yet"
        try:
            ds = pydicom.dcmread(out)
        except Exception as exc:
            return False, f"{out.name} is not a DICOM file pydicom can read: {exc}"
        series = pydicom.dcmread(series_file, stop_before_pixels=True)
        assert ds.get("SOPClassUID") == pydicom.uid.SecondaryCaptureImageStorage, \
            f"{out.name} is not a Secondary Capture Image"
        for keyword in ("StudyInstanceUID", "SeriesInstanceUID"):
            assert ds.get(keyword) == series.get(keyword), \
                f"{out.name} is not in the series of {series_file.name} ({keyword} differs)"
        for other in _dicom_files(out.parent, series_file.parent):
            if other.resolve() != out.resolve():
                assert _sop_instance_uid(other) != ds.SOPInstanceUID, \
                    f"a new object needs its own UID; {out.name} has the one of {other.name}"
        data = picture.read_bytes()
        syntax = ds.file_meta.TransferSyntaxUID
        if data[:2] == b"\xff\xd8":  # a JPEG: it goes in unchanged (PS3.5 A.4, 8.2.1)
            assert syntax == pydicom.uid.JPEGBaseline8Bit, \
                f"a baseline JPEG goes in unchanged as JPEG Baseline (Process 1), not {syntax.name}"
            frame = next(pydicom.encaps.generate_frames(ds.PixelData, number_of_frames=1))
            assert _jpeg_image_data(frame) == _jpeg_image_data(data), \
                f"{out.name} does not hold the compressed image of {picture.name} (re-compressed?)"
        else:
            image = Image.open(picture)
            pixels = np.asarray(image.convert("RGB" if ds.SamplesPerPixel == 3 else "L"))
            assert np.array_equal(ds.pixel_array, pixels), \
                f"the pixels of {out.name} are not those of {picture.name}"
        text = answer.strip().rstrip("\0")
        if text == syntax or text.lower() == syntax.name.lower():
            return True, ""
        known = _transfer_syntax_named(text)
        return False, (f"that is {known.name}, not the transfer syntax of {out.name}"
                       if known else f"not the transfer syntax of {out.name}")
    return check
