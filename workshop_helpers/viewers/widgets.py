"""The ipywidgets viewers: :class:`SliceViewer` and :class:`OrientationExplorer`.

- :class:`SliceViewer` — slice slider, window/level, a chosen voxel (row and column sliders) with its LPS
  position, orientation letters on the four edges, correct aspect. It works in plain JupyterLab with
  ipywidgets only (no ipympl): one matplotlib figure on an Agg canvas is kept for the viewer's life;
  a slice change calls ``AxesImage.set_data`` and ``canvas.draw_idle()`` and sends the PNG to an
  ``ipywidgets.Image``. Nothing is re-created, which is what makes scrolling a 512 x 512 series feel
  instant (``benchmarks/viewer_scroll.py`` measures it against re-creating the figure).
- :class:`OrientationExplorer` — sliders that turn a plane about L, P and S and show IPP and IOP change.

Both widgets are *live* in a notebook UI (JupyterLab, Notebook 7) and a *picture* everywhere else:
as the value of a cell they show the ipywidgets view, whose display data also carries a PNG of the
current figure and a line of text (see :func:`live_frontend` and :meth:`SliceViewer.mimebundle`),
followed by a one-line note that says how to bring the widget back after the kernel restarted.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from IPython import get_ipython
from IPython.display import display
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from pydicom.dataset import Dataset

from .. import geometry
from .drawings import _place_letters, plot_planes
from .images import (
    _BASE_IOP,
    _canvas_png,
    _first_value,
    _stored_to_values,
    edge_letters,
    figure_png,
    format_ds,
    orientation_from_angles,
    pixel_aspect,
    slice_info,
    slider_step,
    window_image,
)

if TYPE_CHECKING:
    import ipywidgets

__all__ = [
    "NOTE_LIVE", "NOTE_STATIC", "live_frontend", "SliceViewer", "OrientationExplorer",
]


#: Under a live widget. JupyterLab cannot show a widget whose kernel has gone (it reports that the
#: widget's model is not found); the note says what to do. It avoids JupyterLab's own error words,
#: so a page check for them still finds only real failures.
NOTE_LIVE = ("Live widget: its sliders run in this notebook's kernel. After a kernel restart, or when "
             "the notebook is opened again, the widget cannot come back by itself (JupyterLab reports "
             "its model as not found) \u2014 run this cell again to bring it back.")



NOTE_STATIC = ("A picture of the widget, drawn without a live notebook. Open the notebook in JupyterLab "
               "and run this cell to get the sliders.")



def live_frontend() -> bool:
    """Whether the running cell was sent by a notebook UI that can show widgets.

    JupyterLab and Notebook 7 (and VS Code) name the cell in the metadata of each
    ``execute_request``: ``{"cellId": ...}``. Batch runners -- ``jupyter nbconvert --execute``,
    nbclient, nbval, papermill -- do not, and nobody will ever move a slider there, so the widgets
    show a picture instead. Outside a kernel (plain Python, doctests) the answer is ``False``.
    Uses only public API: ``IPython.get_ipython()``, the shell's ``kernel`` and ipykernel's
    ``Kernel.get_parent()``.

    Examples
    --------
    >>> live_frontend()   # a doctest runs outside any notebook
    False
    """
    kernel = getattr(get_ipython(), "kernel", None)
    if kernel is None or not hasattr(kernel, "get_parent"):
        return False
    parent = kernel.get_parent() or {}
    return bool((parent.get("metadata") or {}).get("cellId"))



class _LiveFigure:
    """Display a widget, with a PNG of its figure and a text line as fallbacks, then a note.

    A subclass provides ``widget`` (built on first use), ``png()`` and ``_description()``.
    """

    def mimebundle(self, live: bool | None = None) -> dict:
        """The display data: ``image/png`` and ``text/plain`` always; the widget view when live.

        ``live`` defaults to :func:`live_frontend`. Where the widget view is present, JupyterLab
        shows the widget in a trusted notebook and the PNG in an untrusted one; without it
        (nbconvert, a static HTML page) the PNG is all there is, so a rendered page keeps a picture.
        """
        if live is None:
            live = live_frontend()
        bundle = {"image/png": base64.b64encode(self.png()).decode("ascii"),
                  "text/plain": f"{self._description()} -- {NOTE_LIVE if live else NOTE_STATIC}"}
        if live:
            view = self.widget._repr_mimebundle_()
            bundle.update({k: v for k, v in view.items() if k != "text/plain"})
        return bundle

    def note(self, live: bool | None = None) -> dict:
        """The line shown under the widget: how to bring it back, or where to get the live version."""
        if live is None:
            live = live_frontend()
        text = NOTE_LIVE if live else NOTE_STATIC
        return {"text/html": f'<p style="font-size:85%;font-style:italic">{text}</p>',
                "text/plain": text}

    def _repr_mimebundle_(self, include=None, exclude=None):
        return self.mimebundle()

    def _ipython_display_(self):
        live = live_frontend()
        display(self.mimebundle(live), raw=True)
        display(self.note(live), raw=True)



def _widgets():
    """ipywidgets, imported when the first widget is built.

    About 0.1 s in a kernel: a notebook that only draws pictures (:func:`show_slice`,
    :func:`plot_planes`) never pays it.
    """
    import ipywidgets  # noqa: PLC0415 - see the docstring

    return ipywidgets


def _picture_layout(size: tuple[int, int]) -> ipywidgets.Layout:
    """An explicit pixel size for an ``ipywidgets.Image``: in a flex box it would otherwise stretch."""
    width, height = size
    return _widgets().Layout(width=f"{width}px", height=f"{height}px", min_width=f"{width}px",
                    object_fit="contain", flex="0 0 auto")



def _row_layout() -> ipywidgets.Layout:
    """Picture on the left, controls on the right; they wrap below on a narrow screen."""
    return _widgets().Layout(flex_flow="row wrap", align_items="flex-start", width="100%")



def _readout_html(text: str) -> str:
    """The viewer's line of text as HTML that stays on one line."""
    return f'<code style="white-space: nowrap">{text}</code>'



class SliceViewer(_LiveFigure):
    """A slice viewer for a series: slice, window/level, a chosen voxel and its LPS position.

    Parameters
    ----------
    datasets : sequence of pydicom.dataset.Dataset
        The series' datasets with pixel data (any order: they are sorted with
        :func:`geometry.sort_slices`).
    center, width : float or None
        The first window; defaults to the series' Window Center/Width, else soft tissue.
    size : float
        The longer side of the picture in inches, at 100 dots per inch (4.2 -> 420 pixels); the
        widget shows it at exactly that size, next to the sliders, so both fit on one screen.

    Raises
    ------
    GeometryError
        When there is no dataset, or the slices cannot be sorted or placed (see
        :func:`geometry.voxel_to_patient`).

    Attributes
    ----------
    image : matplotlib.image.AxesImage
        The one image artist; slice changes replace its data, never the artist.
    widget : ipywidgets.VBox
        The picture with the sliders next to it, and under both a line of text. As the value of a cell the
        viewer shows this widget in a notebook UI and a picture elsewhere (:func:`live_frontend`).

    The viewer opens on the middle slice (sorted order) with the cross on the middle voxel.

    Examples
    --------
    >>> from workshop_helpers import phantom
    >>> viewer = SliceViewer(phantom.make_series(rows=24, columns=32, slices=5))
    >>> first = viewer.image
    >>> viewer.set_slice(3)
    >>> viewer.image is first, viewer.k
    (True, 3)
    """

    def __init__(self, datasets: Sequence[Dataset], *, center: float | None = None,
                 width: float | None = None, size: float = 4.2) -> None:
        self.datasets = geometry.sort_slices(list(datasets))
        first = self.datasets[0]
        self.affine = geometry.voxel_to_patient(self.datasets)
        self.volume = np.stack([_stored_to_values(ds) for ds in self.datasets])
        self.iop = [float(v) for v in first.ImageOrientationPatient]
        self.letters = edge_letters(self.iop)
        self.aspect = pixel_aspect(first.PixelSpacing)
        n, rows, columns = self.volume.shape
        self.k, self.row, self.column = n // 2, rows // 2, columns // 2
        if center is None:
            center = _first_value(getattr(first, "WindowCenter", None), 40.0)
        if width is None:
            width = _first_value(getattr(first, "WindowWidth", None), 400.0)
        self.center, self.width = float(center), float(width)
        self._build_figure(size)
        self._widget = None

    # -- the figure, built once -------------------------------------------------------------
    def _build_figure(self, size: float) -> None:
        n, rows, columns = self.volume.shape
        ratio = min(max(rows * self.aspect / columns, 0.3), 3.0)  # height / width on screen
        width, height = (size, size * ratio) if ratio <= 1 else (size / ratio, size)
        self.picture_size = (round(width * 100), round(height * 100))  # pixels
        self.figure = Figure(figsize=(width, height), dpi=100, facecolor="black")
        FigureCanvasAgg(self.figure)
        margin_x, margin_y = 0.3 / width, 0.3 / height
        ax = self.figure.add_axes((margin_x, margin_y, 1 - 2 * margin_x, 1 - 2 * margin_y))
        self.axes = ax
        self.image = ax.imshow(window_image(self.volume[self.k], self.center, self.width),
                               cmap="gray", vmin=0, vmax=255, aspect=self.aspect,
                               interpolation="nearest", animated=True)
        ax.set_axis_off()
        self._letters = _place_letters(ax, self.letters)
        for letter in self._letters:  # on the image, so drawn after it (see draw())
            letter.set_animated(True)
        self._hline = ax.axhline(self.row, color="tab:red", lw=0.6, animated=True)
        self._vline = ax.axvline(self.column, color="tab:red", lw=0.6, animated=True)
        self._background = None
        self._update_text()

    def _update_text(self) -> None:
        info = slice_info(self.affine, self.k, self.row, self.column)
        value = float(self.volume[self.k, self.row, self.column])
        self.info = {**info, "value": value,
                     "text": f"{info['text']} · value {value:g} · "
                             f"window C {self.center:g} W {self.width:g}"}

    def draw(self) -> None:
        """Bring the canvas up to date, as cheaply as possible.

        The first call draws everything that never changes (the black frame) once with
        ``canvas.draw_idle()`` and keeps a copy of it; every later call restores that copy and
        draws only the image, the cross and the letters on top (matplotlib's *blitting*).
        """
        canvas = self.figure.canvas
        if self._background is None:
            canvas.draw_idle()  # animated artists (image, cross, letters) are left out of this one
            self._background = canvas.copy_from_bbox(self.figure.bbox)
        canvas.restore_region(self._background)
        for artist in (self.image, self._hline, self._vline, *self._letters):
            self.axes.draw_artist(artist)

    # -- updates in place ------------------------------------------------------------------
    def set_slice(self, k: int) -> None:
        """Show slice ``k`` (sorted order): new data into the same image artist."""
        n = self.volume.shape[0]
        if not 0 <= k < n:
            raise IndexError(f"slice {k} is outside 0..{n - 1}")
        self.k = int(k)
        self.image.set_data(window_image(self.volume[self.k], self.center, self.width))
        self._update_text()
        self.refresh()

    def set_window(self, center: float, width: float) -> None:
        """Change window centre and width (PS3.3 C.11.2.1.2.1)."""
        window_image(np.zeros(1), center, width)  # validates width
        self.center, self.width = float(center), float(width)
        self.set_slice(self.k)

    def set_voxel(self, row: int, column: int) -> None:
        """Choose the voxel whose LPS position is shown (the red cross)."""
        _, rows, columns = self.volume.shape
        if not (0 <= row < rows and 0 <= column < columns):
            raise IndexError(f"voxel (row {row}, column {column}) is outside "
                             f"{rows} rows x {columns} columns")
        self.row, self.column = int(row), int(column)
        self._hline.set_ydata([self.row, self.row])
        self._vline.set_xdata([self.column, self.column])
        self._update_text()
        self.refresh()

    def png(self) -> bytes:
        """The current picture as PNG bytes."""
        self.draw()
        return _canvas_png(self.figure.canvas)

    def refresh(self) -> None:
        """Redraw and, when the widget exists, send it the new picture and text."""
        if self._widget is not None:
            self._picture.value = self.png()
            self._text.value = _readout_html(self.info["text"])
        else:
            self.draw()

    # -- the widget ------------------------------------------------------------------------
    @property
    def widget(self):
        """The ipywidgets controls and picture (created on first use)."""
        if self._widget is None:
            self._widget = self._build_widget()
        return self._widget

    def _build_widget(self) -> ipywidgets.VBox:
        widgets = _widgets()
        n, rows, columns = self.volume.shape
        lo, hi = float(self.volume.min()), float(self.volume.max())
        style = {"layout": widgets.Layout(width="340px"), "style": {"description_width": "55px"}}
        self.slice_slider = widgets.IntSlider(self.k, 0, n - 1, description="slice",
                                              continuous_update=True, **style)
        step = slider_step(lo, hi)   # arrow keys move by a useful amount
        self.center_slider = widgets.FloatSlider(self.center, min=min(lo, self.center),
                                                 max=max(hi, self.center), step=step,
                                                 description="centre", **style)
        self.width_slider = widgets.FloatSlider(self.width, min=1,
                                                max=max(hi - lo, self.width, 2), step=step,
                                                description="width", **style)
        self.row_slider = widgets.IntSlider(self.row, 0, rows - 1, description="row", **style)
        self.column_slider = widgets.IntSlider(self.column, 0, columns - 1, description="column",
                                               **style)
        self._picture = widgets.Image(value=self.png(), format="png",
                                      layout=_picture_layout(self.picture_size))
        self._text = widgets.HTML(_readout_html(self.info["text"]))
        self.slice_slider.observe(lambda ch: self.set_slice(ch["new"]), names="value")
        for slider in (self.center_slider, self.width_slider):
            slider.observe(lambda ch: self.set_window(self.center_slider.value,
                                                      self.width_slider.value), names="value")
        for slider in (self.row_slider, self.column_slider):
            slider.observe(lambda ch: self.set_voxel(self.row_slider.value,
                                                     self.column_slider.value), names="value")
        controls = widgets.VBox([self.slice_slider, self.center_slider, self.width_slider,
                                 self.row_slider, self.column_slider])
        # the readout goes under picture and sliders, where its one line has room
        return widgets.VBox([widgets.HBox([self._picture, controls], layout=_row_layout()),
                             self._text])

    def _description(self) -> str:
        return f"SliceViewer: {self.info['text']}"



def _angle(degrees: float) -> float:
    """An angle in degrees, brought into [-180, 180) (the sliders' range)."""
    return float((float(degrees) + 180.0) % 360.0 - 180.0)



class OrientationExplorer(_LiveFigure):
    """Turn a plane about the patient's L, P and S axes and watch IPP and IOP change.

    ``explorer.update(plane, about_l, about_p, about_s)`` recomputes; the controls call it, and
    when it is called from code the controls move to the new state, so the next slider move
    starts from what is shown. ``explorer.plane`` and ``explorer.angles`` hold the state,
    ``explorer.iop`` / ``explorer.ipp`` the values, ``explorer.text`` the two attributes as a DICOM
    dump would show them. As the value of a cell it shows its widget in a notebook UI and a
    picture elsewhere (:func:`live_frontend`).

    Parameters
    ----------
    columns, rows : int
        The plane's size in pixels.
    pixel_spacing : sequence of float
        Pixel Spacing (row spacing first), mm.
    size : tuple of (float, float)
        The picture in inches at 100 dots per inch: ``(4.8, 5.0)`` is 480 x 500 pixels. Its
        lower part holds :attr:`text`, so a picture without a running kernel shows the values.

    Examples
    --------
    >>> explorer = OrientationExplorer(columns=4, rows=4)
    >>> explorer.update("axial", 0, 0, 90)
    >>> explorer.iop
    (0.0, 1.0, 0.0, -1.0, 0.0, 0.0)
    >>> explorer.plane, explorer.angles
    ('axial', (0.0, 0.0, 90.0))
    """

    def __init__(self, *, columns: int = 64, rows: int = 64,
                 pixel_spacing: Sequence[float] = (1.0, 1.0),
                 size: tuple[float, float] = (4.8, 5.0)) -> None:
        self.columns, self.rows = columns, rows
        self.pixel_spacing = tuple(float(v) for v in pixel_spacing)
        self.figure = Figure(figsize=size, dpi=100)
        FigureCanvasAgg(self.figure)
        self.picture_size = (round(size[0] * 100), round(size[1] * 100))
        self.axes = self.figure.add_axes((0.04, 0.25, 0.92, 0.75), projection="3d")
        self.caption = self.figure.text(0.03, 0.02, "", family="monospace", va="bottom",
                                        bbox={"facecolor": "white", "edgecolor": "0.8"})
        self._widget = None
        self._syncing = False  # True while update() moves the controls
        self.update()

    def affine(self) -> np.ndarray:
        """The voxel-to-LPS affine of the current plane (one slice, unit slice step)."""
        row_dir, col_dir = np.array(self.iop[:3]), np.array(self.iop[3:])
        affine = np.eye(4)
        affine[:3, 0] = row_dir * self.pixel_spacing[1]
        affine[:3, 1] = col_dir * self.pixel_spacing[0]
        affine[:3, 2] = np.cross(row_dir, col_dir)
        affine[:3, 3] = self.ipp
        return affine

    def update(self, plane: str = "axial", about_l: float = 0.0, about_p: float = 0.0,
               about_s: float = 0.0) -> None:
        """Recompute IOP/IPP for the angles (degrees), redraw, and move the controls to match."""
        self.iop, self.ipp = orientation_from_angles(
            plane, about_l, about_p, about_s, columns=self.columns, rows=self.rows,
            pixel_spacing=self.pixel_spacing)
        self.plane = plane
        self.angles = tuple(_angle(a) for a in (about_l, about_p, about_s))
        letters = edge_letters(self.iop)
        self.text = (f"(0020,0032) DS [{format_ds(self.ipp)}]  # ImagePositionPatient\n"
                     f"(0020,0037) DS [{format_ds(self.iop)}]  # ImageOrientationPatient\n"
                     f"right edge faces {letters['right']}, bottom edge faces {letters['bottom']}")
        self._draw_caption()
        self.axes.clear()
        plot_planes(self.affine(), self.axes, shape=(self.columns, self.rows, 1),
                    axis_length=0.6 * max(self.columns * self.pixel_spacing[1],
                                          self.rows * self.pixel_spacing[0]))
        if self._widget is not None:
            self._sync_controls()
            self._picture.value = figure_png(self.figure)
            self._label.value = f"<pre>{self.text}</pre>"

    def _draw_caption(self) -> None:
        """:attr:`text` under the 3D plot, in a type size at which its longest line fits."""
        ipp, iop, faces = self.text.splitlines()
        lines = ["Image Position (Patient) (0020,0032)", "  " + ipp[ipp.index("["):ipp.index("]") + 1],
                 "Image Orientation (Patient) (0020,0037)",
                 "  " + iop[iop.index("["):iop.index("]") + 1], faces]
        longest = max(len(line) for line in lines)
        width_pt = 0.94 * self.figure.get_figwidth() * 72
        self.caption.set_text("\n".join(lines))
        self.caption.set_fontsize(min(8.0, width_pt / (0.61 * longest)))   # monospace: 0.6 em

    def _sync_controls(self) -> None:
        """Show the current state on the controls without calling update() again."""
        self._syncing = True
        try:
            self.plane_dropdown.value = self.plane
            for slider, value in zip(self.angle_sliders, self.angles, strict=True):
                slider.value = value
        finally:
            self._syncing = False

    def png(self) -> bytes:
        """The current 3D picture as PNG bytes."""
        return figure_png(self.figure)

    def _description(self) -> str:
        about = ", ".join(f"{a:g} deg about {axis}" for a, axis in zip(self.angles, "LPS", strict=True))
        return f"OrientationExplorer: {self.plane} plane turned {about}"

    @property
    def widget(self):
        """Picture on the left; the start plane, three angle sliders and the two attributes right.

        ``plane_dropdown`` and ``angle_sliders`` (about L, P, S) are the controls; they start at
        the explorer's current state.
        """
        if self._widget is None:
            widgets = _widgets()
            style = {"layout": widgets.Layout(width="330px"),
                     "style": {"description_width": "70px"}}
            self.plane_dropdown = widgets.Dropdown(options=list(_BASE_IOP), value=self.plane,
                                                   description="plane", **style)
            self.angle_sliders = tuple(
                widgets.FloatSlider(value, min=-180, max=180, step=5, description=f"about {a}",
                                    **style)
                for a, value in zip("LPS", self.angles, strict=True))
            self._picture = widgets.Image(value=self.png(), format="png",
                                          layout=_picture_layout(self.picture_size))
            self._label = widgets.HTML(f"<pre>{self.text}</pre>")

            def changed(_):
                if not self._syncing:
                    self.update(self.plane_dropdown.value, *(s.value for s in self.angle_sliders))

            for control in (self.plane_dropdown, *self.angle_sliders):
                control.observe(changed, names="value")
            controls = widgets.VBox([self.plane_dropdown, *self.angle_sliders, self._label])
            self._widget = widgets.HBox([self._picture, controls], layout=_row_layout())
        return self._widget

