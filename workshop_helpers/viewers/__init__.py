"""Viewers on top of :mod:`workshop_helpers.geometry`: a slice viewer and 3D pictures of slice planes.

Pure parts first, each unit-tested without a display: DICOM's window to 8-bit grey, the pixel
aspect, the patient direction each image edge faces, where a voxel is in the patient, the corners
of a slice plane, a plane turned about L, P and S (:mod:`.images`, whose docstring lists them).

Then the pictures and widgets built on them:

- :class:`SliceViewer` (:mod:`.widgets`) — slice slider, window/level, a chosen voxel with its LPS
  position, orientation letters on the four edges, correct aspect, in plain JupyterLab with
  ipywidgets only; :func:`show_slice` (:mod:`.drawings`) is its static picture;
- :func:`plot_planes` (:mod:`.drawings`) — a 3D figure of a series' slice planes and the patient's
  L, P, S axes;
- :class:`OrientationExplorer` (:mod:`.widgets`) — sliders that turn a plane about L, P and S and
  show IPP and IOP change.

Both widgets are *live* in a notebook UI (JupyterLab, Notebook 7) and a *picture* everywhere else
(:func:`live_frontend`).

Which module holds what (every name is importable from here: ``viewers.SliceViewer``):

- :mod:`.images`    ``window_image``, ``pixel_aspect``, ``slider_step``, ``edge_letters``,
  ``slice_info``, ``plane_corners``, ``orientation_from_angles``, ``format_ds``, ``figure_png``
- :mod:`.drawings`  ``show_slice``, ``plot_planes``, ``draw_pixel_grid``, ``draw_timeline``
- :mod:`.widgets`   ``SliceViewer``, ``OrientationExplorer``, ``live_frontend``, ``NOTE_LIVE``,
  ``NOTE_STATIC``
- :mod:`.derived`   ``slab_dataset``, ``source_reference`` (an image made from a slab of slices)

The pure parts never import a widget, and :mod:`geometry` never imports anything from here.
"""

from .derived import slab_dataset, source_reference
from .drawings import draw_pixel_grid, draw_timeline, plot_planes, show_slice
from .images import _canvas_png as _canvas_png  # benchmarks/viewer_scroll.py sends PNGs with it
from .images import (
    edge_letters,
    figure_png,
    format_ds,
    orientation_from_angles,
    pixel_aspect,
    plane_corners,
    slice_info,
    slider_step,
    window_image,
)
from .widgets import NOTE_LIVE, NOTE_STATIC, OrientationExplorer, SliceViewer, live_frontend

__all__ = [
    "window_image",
    "pixel_aspect",
    "slider_step",
    "edge_letters",
    "slice_info",
    "plane_corners",
    "orientation_from_angles",
    "format_ds",
    "show_slice",
    "figure_png",
    "live_frontend",
    "SliceViewer",
    "plot_planes",
    "OrientationExplorer",
    "draw_pixel_grid",
    "draw_timeline",
    "source_reference",
    "slab_dataset",
    "NOTE_LIVE",
    "NOTE_STATIC",
]
