"""Is it a DICOM file, and which files of a folder are: :func:`check_file`, :func:`dicom_files`.

A DICOM *file* (PS3.10 section 7.1) starts with a 128-byte preamble, the four letters ``DICM``
and the File Meta Information (group 0002). :func:`check_file` says whether a file is one, like
dcmtk's ``dcmftest``, and why not; :func:`dicom_files` lists a folder's DICOM files and the files
it skipped. :class:`DicomFileError` is the error of the whole package.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import pydicom

from ..errors import ShortError


class DicomFileError(ShortError, ValueError):
    """A file could not be made or read; the message says which file and why."""


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
    >>> from pathlib import Path
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
