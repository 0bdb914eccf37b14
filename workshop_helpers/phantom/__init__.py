r"""An asymmetric CT phantom as a valid DICOM series, in any orientation and patient position.

The phantom is defined once, in the **patient** coordinate system (LPS, PS3.3 C.7.6.2.1.1:
x to the patient's left, y to the back, z to the head), so the anatomy is fixed in the patient;
orientation, patient position, spacing and shape only change how it is *sampled*. A display that
is flipped or rotated shows at a glance.

Where everything is
-------------------
Lengths are in units of the phantom radius ``R`` (mm) around the phantom centre ``C`` (LPS mm,
default ``(0, 0, 0)``); ``R`` defaults to half the smallest extent of the volume
(:func:`phantom_radius`). With ``(u, v, w) = (P - C) / R``:

- **body** (40 HU): an elliptic cone along the head-feet axis, ``|w| <= 0.9``, cross-section
  ``(u / (0.9 s))**2 + (v / (0.6 s))**2 <= 1`` with ``s = 0.75 + 0.25 w``: wider left-right than
  front-back, and **narrowing towards the feet** (at the head end ``s = 0.975``, at the feet
  ``0.525``). Air (-1000 HU) around it.
- **left marker** (1000 HU): an ellipsoid centred at ``C + R * (0.45, 0, 0)`` -- on the patient's
  **LEFT** -- semi-axes ``R * (0.10, 0.10, 0.35)``.
- **anterior marker** (500 HU): an ellipsoid centred at ``C + R * (0, -0.28, 0)`` -- **ANTERIOR**
  (towards the patient's front, negative y) -- semi-axes ``R * (0.10, 0.08, 0.35)``.
- **head marker** (1500 HU): a sphere centred at ``C + R * (0, 0, 0.65)`` -- towards the
  **HEAD** (superior) -- radius ``0.15 R``.

:func:`marker_positions` gives these centres in mm. The volume is centred on ``C`` unless
``origin`` (the Image Position (Patient) of the first slice along the normal) is given.

How Patient Position changes the images
---------------------------------------
The phantom imitates a CT scanner that does not re-orient its images: named orientations are
defined in the scanner's (equipment) axes -- seen from the foot of the table looking into the
gantry: x to the right, y to the floor, z into the gantry -- and Patient Position (0018,5100)
(PS3.3 C.7.3.1.1.2) says where those axes point in the patient
(:func:`workshop_helpers.geometry.patient_position_axes`). An "axial" image has rows along the
equipment x axis and columns along y; Image Orientation (Patient) (PS3.3 C.7.6.2.1.1) is then

- HFS: ``1\0\0\0\1\0`` -- supine: rows to the patient's left, columns to the back;
- FFS: ``-1\0\0\0\1\0`` -- turned end for end: rows now run to the patient's right;
- HFP: ``-1\0\0\0\-1\0`` -- face down: rows to the right, columns to the front;
- FFP: ``1\0\0\0\-1\0`` -- both turns: rows to the left, columns to the front;
- HFDR: ``0\1\0\-1\0\0`` -- right side down: rows to the back, columns to the right;
- HFDL: ``0\-1\0\1\0\0`` -- left side down: rows to the front, columns to the left;
- FFDR: ``0\-1\0\-1\0\0`` -- rows to the front, columns to the right;
- FFDL: ``0\1\0\1\0\0`` -- rows to the back, columns to the left.

"sagittal" has rows along y and columns along -z (HFS: ``0\1\0\0\0\-1``), "coronal" rows
along x and columns along -z (HFS: ``1\0\0\0\0\-1``). Many real scanners re-orient axial
images so that they always look the same (the slides show an FFS series with ``1\0\0\0\1\0``);
``scanner_frame=False`` does that: the named orientation is then taken as if the patient were HFS.
An explicit six-number orientation is always Image Orientation (Patient) itself.

Slices are stacked along the normal (row direction x column direction); Instance Number counts
along it unless ``shuffle=True``. A gantry tilt (``tilt_degrees``) turns the image plane about
its row direction while the table still moves along the untilted normal, so the slices are sheared
as on a tilted CT (Gantry/Detector Tilt (0018,1120), PS3.3 C.8.2.1).

Examples
--------
>>> series = make_series(rows=12, columns=16, slices=4)
>>> len(series), series[0].Modality, [float(v) for v in series[0].ImageOrientationPatient]
(4, 'CT', [1.0, 0.0, 0.0, 0.0, 1.0, 0.0])
>>> ffs = make_series(rows=12, columns=16, slices=4, patient_position="FFS")
>>> [float(v) for v in ffs[0].ImageOrientationPatient]
[-1.0, 0.0, 0.0, 0.0, 1.0, 0.0]

Where what is (every name below can be imported from ``workshop_helpers.phantom`` itself):

- :mod:`.model`   the analytic phantom, pure numpy: :class:`PhantomError`, :func:`phantom_radius`,
  :func:`marker_positions`, :func:`phantom_values`, :func:`orientation_vectors` and the Hounsfield
  units of its parts (``AIR``, ``BODY``, ``LEFT``, ``ANTERIOR``, ``HEAD``, ``RESCALE_INTERCEPT``);
- :mod:`.series`  :func:`make_series`: the phantom as a CT Image Storage series of Datasets,
  and ``UID_PREFIX``;
- :mod:`.writer`  :func:`write_series`: that series written to a folder;
- :mod:`.cli`     ``register_cli``: ``python -m workshop_helpers phantom FOLDER``.
"""

from .._rehome import rehome
from .cli import register_cli
from .model import AIR as AIR  # the Hounsfield units of the phantom's parts
from .model import ANTERIOR as ANTERIOR
from .model import BODY as BODY
from .model import HEAD as HEAD
from .model import LEFT as LEFT
from .model import RESCALE_INTERCEPT as RESCALE_INTERCEPT
from .model import (
    PhantomError,
    marker_positions,
    orientation_vectors,
    phantom_radius,
    phantom_values,
)
from .series import UID_PREFIX, make_series
from .writer import write_series

__all__ = [
    "PhantomError",
    "UID_PREFIX",
    "make_series",
    "write_series",
    "phantom_radius",
    "phantom_values",
    "marker_positions",
    "orientation_vectors",
    "register_cli",
]

# The public functions and classes belong to the package, where learners import them from: a
# traceback says ``workshop_helpers.phantom.PhantomError`` and help() names the package.
rehome(globals())
