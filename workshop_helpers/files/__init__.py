"""DICOM files from scratch: check, make from a dump, make from a picture, list a folder.

Check one (``dcmftest``), make one from a dump (``dump2dcm``), put a picture into one
(``img2dcm``), and find the DICOM files of a folder (:func:`dicom_files`).

A DICOM *file* (PS3.10 section 7.1) starts with a 128-byte preamble, the four letters ``DICM``
and the File Meta Information (group 0002: which SOP Class and Instance, which Transfer Syntax,
which program wrote it). Only then comes the data set.

Where what is (every name below can be imported from ``workshop_helpers.files`` itself):

- :mod:`.check`   :func:`check_file` (``dcmftest``) and :class:`FileCheck`, :func:`dicom_files`
  with :class:`DicomFiles` and :class:`NotDicom`, and :class:`DicomFileError`;
- :mod:`.undump`  :func:`dump_to_file` (``dump2dcm``) and the File Meta Information it completes
  (:data:`IMPLEMENTATION_CLASS_UID`, :data:`IMPLEMENTATION_VERSION_NAME`);
- :mod:`.images`  :func:`image_to_dicom` (``img2dcm``), :func:`jpeg_info`, :data:`SERIES_ATTRIBUTES`;
- :mod:`.cli`     ``register_cli``: ``python -m workshop_helpers ftest|undump|img2dcm``.

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


from .._rehome import rehome
from ..uids import IMPLEMENTATION_CLASS_UID
from .check import DicomFileError, DicomFiles, FileCheck, NotDicom, check_file, dicom_files
from .cli import register_cli as register_cli  # the command line (workshop_helpers.__main__)
from .images import SERIES_ATTRIBUTES as SERIES_ATTRIBUTES
from .images import JpegInfo as JpegInfo
from .images import image_to_dicom
from .images import jpeg_info as jpeg_info
from .undump import DCMTK_GENERIC_FILE_SOP_CLASS as DCMTK_GENERIC_FILE_SOP_CLASS
from .undump import IMPLEMENTATION_VERSION_NAME, dump_to_file

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

# The public functions and classes belong to the package, where learners import them from: a
# traceback says ``workshop_helpers.files.DicomFileError`` and help() names the package.
rehome(globals())
