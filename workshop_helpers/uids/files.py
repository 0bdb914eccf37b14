"""The UIDs of files: :func:`uids_in` (the main UIDs of a data set), :func:`root_of_file`, :func:`count_roots`."""

from __future__ import annotations

import os
import warnings
from collections import Counter
from collections.abc import Iterable

import pydicom

from .rules import explain


def count_roots(paths: Iterable[str | os.PathLike]) -> Counter:
    """How many of the files' SOP Instance UIDs use each org root (:func:`explain`).

    A file that pydicom cannot read, or that has no SOP Instance UID, counts under ``""``.

    Parameters
    ----------
    paths : iterable of str or os.PathLike
        DICOM files.

    Returns
    -------
    collections.Counter
        Org root -> how many files.

    Examples
    --------
    >>> from workshop_helpers.tools import testdata
    >>> count_roots([testdata("CT_small.dcm"), testdata("MR_small.dcm")])
    Counter({'1.3.6.1.4.1.5962': 2})
    """
    return Counter(root_of_file(path) for path in paths)


def root_of_file(path: str | os.PathLike) -> str:
    """The org root of a file's SOP Instance UID (:func:`explain`); ``""`` when there is none.

    ``""`` also for a file pydicom cannot read, one without a SOP Instance UID, and a root
    :func:`explain` does not recognise.

    Parameters
    ----------
    path : str or os.PathLike
        A DICOM file (its reading warnings are ignored).

    Returns
    -------
    str
        The org root, e.g. ``'1.3.6.1.4.1.5962'``, or ``""``.

    Examples
    --------
    >>> from workshop_helpers.tools import testdata
    >>> root_of_file(testdata("CT_small.dcm"))
    '1.3.6.1.4.1.5962'
    """
    try:
        with warnings.catch_warnings():  # only the UID matters here, not the file's quirks
            warnings.simplefilter("ignore")
            ds = pydicom.dcmread(path, stop_before_pixels=True, force=True)
            uid = str(ds.SOPInstanceUID)
    except Exception:  # not DICOM, or no SOP Instance UID
        return ""
    return explain(uid).root


_UID_KEYWORDS = (
    ("StudyInstanceUID", "the study: every object of the examination"),
    ("SeriesInstanceUID", "the series: one run of the modality, one set of images"),
    ("SOPInstanceUID", "this one object (image): unique for ever"),
    ("FrameOfReferenceUID", "the coordinate system the positions refer to"),
    ("SOPClassUID", "what kind of object it is (an IOD, defined by DICOM)"),
)
_META_KEYWORDS = (
    ("MediaStorageSOPClassUID", "file meta: copy of the SOP Class UID"),
    ("MediaStorageSOPInstanceUID", "file meta: copy of the SOP Instance UID"),
    ("TransferSyntaxUID", "file meta: how the data set is encoded"),
    ("ImplementationClassUID", "file meta: the software that wrote the file"),
)


def uids_in(ds: pydicom.Dataset) -> list[tuple[str, str, str]]:
    """The main UIDs a file carries: ``(keyword, uid, what it identifies)`` rows.

    Data set first (Study, Series, SOP Instance, Frame of Reference, SOP Class), then the file
    meta information (PS3.10 7.1). Attributes the object does not have are left out.

    Parameters
    ----------
    ds : pydicom.dataset.Dataset
        A data set, with or without its ``file_meta``.

    Returns
    -------
    list of (str, str, str)
        ``(keyword, uid, what it identifies)`` per UID found.

    Examples
    --------
    >>> import pydicom
    >>> from workshop_helpers.tools import testdata
    >>> [k for k, _, _ in uids_in(pydicom.dcmread(testdata("CT_small.dcm")))][:3]
    ['StudyInstanceUID', 'SeriesInstanceUID', 'SOPInstanceUID']
    """
    rows = [(k, str(ds[k].value), what) for k, what in _UID_KEYWORDS if k in ds]
    meta = getattr(ds, "file_meta", None)
    if meta is not None:
        rows += [(k, str(meta[k].value), what) for k, what in _META_KEYWORDS if k in meta]
    return rows
