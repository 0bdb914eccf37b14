"""Where is a pixel in the patient? Position and orientation of DICOM images.

DICOM places every pixel in the **patient-based coordinate system** (PS3.3 C.7.6.2.1.1), in
millimetres, often called **LPS**: x grows towards the patient's left (L), y towards the
posterior, the back (P), z towards the head, superior (S). Three attributes of the Image
Plane Module (PS3.3 C.7.6.2) say where an image lies:

- Image Position (Patient) (0020,0032): the **centre** of the first transmitted pixel (row 0,
  column 0), in mm;
- Image Orientation (Patient) (0020,0037): two unit vectors, the direction of the first row
  (the way the column index *i* grows) and of the first column (the way the row index *j* grows);
- Pixel Spacing (0028,0030): **[row spacing, column spacing]** -- the distance between the centres
  of adjacent rows first (measured along the column direction), then between adjacent columns.

So the pixel in column *i*, row *j* of a slice lies at::

    P = IPP + i * column_spacing * row_direction + j * row_spacing * column_direction

This package turns those attributes into a 4x4 matrix (:func:`voxel_to_patient`), sorts slices by
geometry (:func:`sort_slices`), converts to the RAS convention of NIfTI (:func:`lps_to_ras`), names
the edges of an image (:func:`orientation_letters`), explains Patient Position (0018,5100)
(:func:`patient_position_axes`) and lists what can go wrong with a series (:func:`check_series`).

Which module holds what (every name is importable from here: ``geometry.sort_slices``):

- :mod:`.core`      ``GeometryError``, ``sort_slices``, ``voxel_to_patient``, ``plane_affine``,
  ``slice_normal``, ``lps_to_ras``, ``ras_to_lps``, ``orientation_letters``, and the tolerances
  ``ORIENTATION_TOLERANCE`` and ``DISTANCE_TOLERANCE``
- :mod:`.position`  ``PATIENT_POSITIONS``, ``PositionAxes``, ``patient_position_axes``
- :mod:`.series`    ``check_series`` and its ``Finding``, ``bounding_box`` and its ``BoundingBox``,
  ``read_series``
- :mod:`.cli`       ``register_cli``: ``python -m workshop_helpers geometry FOLDER``

Nothing here imports a picture or a widget: :mod:`workshop_helpers.viewers` stands on this package.
"""

from .cli import register_cli
from .core import (
    DISTANCE_TOLERANCE,
    ORIENTATION_TOLERANCE,
    GeometryError,
    lps_to_ras,
    orientation_letters,
    plane_affine,
    ras_to_lps,
    slice_normal,
    sort_slices,
    voxel_to_patient,
)
from .position import PATIENT_POSITIONS, PositionAxes, patient_position_axes
from .series import BoundingBox, Finding, bounding_box, check_series, read_series

__all__ = [
    "GeometryError",
    "Finding",
    "BoundingBox",
    "PATIENT_POSITIONS",
    "PositionAxes",
    "voxel_to_patient",
    "plane_affine",
    "sort_slices",
    "slice_normal",
    "lps_to_ras",
    "ras_to_lps",
    "orientation_letters",
    "patient_position_axes",
    "check_series",
    "bounding_box",
    "read_series",
    "register_cli",
    "ORIENTATION_TOLERANCE",
    "DISTANCE_TOLERANCE",
]
