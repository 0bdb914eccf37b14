"""Image formats before DICOM: Interfile and Analyze 7.5, written and read by hand.

Both describe an image the way the slides put it: *matrix size + size of a pixel + encoding per
value*. Neither says where the image is in the patient:

- **Interfile 3.3** is a text header of ``key := value`` lines next to a raw data file. Keys
  marked ``!`` are required; a null value is allowed. :func:`write_interfile` writes the keys of
  version 3.3 as MedCon's 3.3 writer (``m-intf.c``) does: ``!INTERFILE :=``, the ``!GENERAL DATA``
  keys ``!name of data file``, ``patient name``, ``!patient ID``, ``patient dob``, ``patient sex``,
  ``!study ID``; the ``!GENERAL IMAGE DATA`` keys (``!type of data := Tomographic``,
  ``imagedata byte order``); a ``!SPECT STUDY (general)`` section (``!matrix size [1]``,
  ``!number format``, ``scaling factor (mm/pixel) [1]``, ``patient orientation := head_in``,
  ``patient rotation := supine``) and a ``!SPECT STUDY (reconstructed data)`` section
  (``!number of slices``, ``slice orientation := Transverse``, ``centre-centre slice separation
  (pixels)``). The words about the patient are coarse: no position or direction of the image axes.
- **Analyze 7.5** (Mayo Clinic) is a binary header of exactly 348 bytes (``.hdr``) next to the raw
  pixels (``.img``): three C structs, ``header_key`` (40 bytes), ``image_dimension`` (108) and
  ``data_history`` (200). Its byte order is not written anywhere: a reader finds it by checking
  whether the first field, ``sizeof_hdr``, reads as 348 little-endian or big-endian. Orientation is
  one byte, ``orient`` (0 transverse, 1 coronal, 2 sagittal; 3–5 "flipped"), and famously does not
  settle which side is the patient's left.
- **NIfTI-1** (from two meetings at the NIH, 31 Mar and 2 Sep 2003, says ``nifti1.h``) kept the
  348-byte layout but re-used unused bytes for two maps to millimetres: the *qform* (voxel sizes
  ``pixdim[1..3]``, an optional flip of the third axis ``qfac = pixdim[0]``, a rotation stored as a
  quaternion, and an offset: no shear) and the *sform* (a general 3x4 matrix), each with a code
  saying what space it maps to. :func:`nifti1_header` builds such a header, so learners can see
  the byte that was ``orient`` become part of ``qform_code``.

All of it is plain :mod:`struct` code, written for the course.

Where what is (every name below can be imported from ``workshop_helpers.legacy`` itself):

- :mod:`.interfile`  :func:`write_interfile`, :func:`parse_interfile`, :func:`read_interfile`;
- :mod:`.analyze`    :func:`write_analyze`, :func:`analyze_header`, :func:`parse_analyze_header`,
  :func:`read_analyze`, :data:`ANALYZE_FIELDS`, :data:`ANALYZE_DATATYPES`, :data:`ANALYZE_ORIENT`;
- :mod:`.nifti`      :func:`nifti1_header`, :func:`parse_nifti1_header`, :func:`write_nifti1`,
  :data:`NIFTI1_FIELDS`, :func:`quaternion_from_rotation`, :func:`rotation_from_quaternion`;
- :mod:`.either`     :func:`read_legacy` (either format) and :func:`describe`;
- :mod:`.common`     :class:`LegacyFormatError` and :class:`LegacyImage`, which all of them use;
- :mod:`.cli`        ``register_cli``: ``python -m workshop_helpers legacy info FILE``.

Examples
--------
>>> import numpy as np, tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> pixels = np.arange(12, dtype=np.int16).reshape(1, 3, 4)
>>> hdr = write_analyze(folder / "demo.hdr", pixels, voxel_size_xyz=(0.5, 0.7, 2.0), byte_order="big")
>>> image = read_analyze(hdr)
>>> image.byte_order, image.pixels.shape, image.voxel_size_xyz
('big', (1, 3, 4), (0.5, 0.7, 2.0))
"""

from .._rehome import rehome
from .analyze import (
    ANALYZE_DATATYPES,
    ANALYZE_FIELDS,
    ANALYZE_ORIENT,
    analyze_header,
    parse_analyze_header,
    read_analyze,
    write_analyze,
)
from .cli import register_cli
from .common import LegacyFormatError, LegacyImage
from .either import describe, read_legacy
from .interfile import parse_interfile, read_interfile, write_interfile
from .nifti import (
    NIFTI1_FIELDS,
    nifti1_header,
    parse_nifti1_header,
    quaternion_from_rotation,
    rotation_from_quaternion,
    write_nifti1,
)

__all__ = [
    "LegacyFormatError",
    "LegacyImage",
    "write_interfile",
    "read_interfile",
    "parse_interfile",
    "write_analyze",
    "read_analyze",
    "analyze_header",
    "parse_analyze_header",
    "ANALYZE_ORIENT",
    "ANALYZE_FIELDS",
    "ANALYZE_DATATYPES",
    "NIFTI1_FIELDS",
    "write_nifti1",
    "nifti1_header",
    "parse_nifti1_header",
    "quaternion_from_rotation",
    "rotation_from_quaternion",
    "read_legacy",
    "describe",
    "register_cli",
]

# The public functions and classes belong to the package, where learners import them from: a
# traceback says ``workshop_helpers.legacy.LegacyFormatError`` and help() names this package.
rehome(globals())
