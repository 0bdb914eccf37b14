"""Viewers: the pure parts without a display, and the widgets updating in place."""

from __future__ import annotations

import io
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image
from pydicom import Dataset
from pydicom.pixels import apply_windowing

from workshop_helpers import phantom, viewers


@pytest.fixture(scope="module")
def series():
    """A small anisotropic axial phantom series, shuffled: the viewer must sort it."""
    datasets = phantom.make_series(rows=30, columns=40, slices=6, pixel_spacing=(0.8, 0.5), slice_spacing=2.5)
    shuffled = list(datasets)
    random.Random(3).shuffle(shuffled)
    return shuffled


def _position(ds) -> np.ndarray:
    return np.array([float(v) for v in ds.ImagePositionPatient])


def _sorted_by_position(datasets):
    """Sorted along the slice normal, computed here from the attributes (not via geometry)."""
    iop = np.array([float(v) for v in datasets[0].ImageOrientationPatient])
    normal = np.cross(iop[:3], iop[3:])
    return sorted(datasets, key=lambda ds: float(normal @ _position(ds)))


def _lps_by_the_standard(ds, row, column) -> np.ndarray:
    """PS3.3 C.7.6.2.1.1 written out: IPP + column * Δc * X + row * Δr * Y."""
    iop = np.array([float(v) for v in ds.ImageOrientationPatient])
    row_spacing, column_spacing = (float(v) for v in ds.PixelSpacing)
    return _position(ds) + column * column_spacing * iop[:3] + row * row_spacing * iop[3:]


# ---------------------------------------------------------------------------------- pure parts

def test_window_image_follows_the_standard_formula():
    # C.11.2.1.2.1: x <= c - 0.5 - (w-1)/2 -> 0 ; x > c - 0.5 + (w-1)/2 -> 255
    c, w = 40.0, 400.0
    low, high = c - 0.5 - (w - 1) / 2, c - 0.5 + (w - 1) / 2
    out = viewers.window_image(np.array([low - 1, low, high, high + 1, c - 0.5]), c, w)
    assert out.tolist() == [0, 0, 255, 255, 128]
    assert out.dtype == np.uint8


def test_window_width_below_one_is_refused():
    with pytest.raises(ValueError, match="at least 1"):
        viewers.window_image(np.zeros(3), 0, 0.5)
    assert viewers.window_image(np.array([-1.0, 0.0, 1.0]), 0.5, 1).tolist() == [0, 0, 255]


@pytest.mark.parametrize(("center", "width"), [(40, 400), (-600, 1500), (0.5, 1), (100, 2),
                                               (37.3, 81.7), (1, 1000), (3000, 7)])
def test_window_image_agrees_with_pydicoms_linear_windowing(center, width):
    # pydicom's apply_windowing maps into the stored pixels' own range; with 8 unsigned bits
    # stored and no rescale that range is 0..255, the same as window_image's grey levels.
    ds = Dataset()
    ds.PhotometricInterpretation, ds.BitsStored, ds.PixelRepresentation = "MONOCHROME2", 8, 0
    ds.WindowCenter, ds.WindowWidth = center, width  # no VOI LUT Function: LINEAR
    values = np.concatenate([np.arange(-2000.0, 4000.0),
                             np.random.default_rng(0).uniform(-2000, 4000, 5000)])
    expected = np.rint(apply_windowing(values.copy(), ds))
    np.testing.assert_array_equal(viewers.window_image(values, center, width), expected)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(-3000, 3000), min_size=2, max_size=50),
       st.floats(-1000, 1000), st.floats(1, 4000))
def test_window_image_is_monotonic(values, center, width):
    values = np.sort(np.array(values))
    out = viewers.window_image(values, center, width).astype(int)
    assert np.all(np.diff(out) >= 0)


def test_pixel_aspect_is_row_spacing_over_column_spacing():
    assert viewers.pixel_aspect([2.0, 0.5]) == 4.0
    assert viewers.pixel_aspect(["0.5", "2.0"]) == 0.25
    with pytest.raises(ValueError):
        viewers.pixel_aspect([0, 1])


@pytest.mark.parametrize("iop, expected", [
    ([1, 0, 0, 0, 1, 0], {"left": "R", "right": "L", "top": "A", "bottom": "P"}),    # axial
    ([1, 0, 0, 0, 0, -1], {"left": "R", "right": "L", "top": "S", "bottom": "I"}),   # coronal
    ([0, 1, 0, 0, 0, -1], {"left": "A", "right": "P", "top": "S", "bottom": "I"}),   # sagittal
    ([-1, 0, 0, 0, 1, 0], {"left": "L", "right": "R", "top": "A", "bottom": "P"}),   # flipped
])
def test_edge_letters(iop, expected):
    assert viewers.edge_letters(iop) == expected


def test_edge_letters_of_an_oblique_plane_name_two_directions():
    iop, _ = viewers.orientation_from_angles("axial", about_s=30)
    letters = viewers.edge_letters(iop)
    assert letters["right"][0] == "L" and "P" in letters["right"]
    assert letters["left"][0] == "R" and "A" in letters["left"]


def test_slice_info_matches_the_standard(series):
    from workshop_helpers import geometry

    ordered = _sorted_by_position(series)
    affine = geometry.voxel_to_patient(series)
    for k, (row, column) in [(0, (0, 0)), (3, (7, 21)), (5, (29, 39))]:
        info = viewers.slice_info(affine, k, row, column)
        np.testing.assert_allclose(info["lps"], _lps_by_the_standard(ordered[k], row, column),
                                   atol=1e-3)
        assert f"slice {k}, row {row}, column {column}" in info["text"]


def test_plane_corners_reach_the_pixel_edges(series):
    from workshop_helpers import geometry

    ds = _sorted_by_position(series)[0]
    corners = viewers.plane_corners(geometry.voxel_to_patient(series), ds.Columns, ds.Rows)
    np.testing.assert_allclose(corners[0], _lps_by_the_standard(ds, -0.5, -0.5), atol=1e-6)
    np.testing.assert_allclose(corners[2], _lps_by_the_standard(ds, ds.Rows - 0.5,
                                                                ds.Columns - 0.5), atol=1e-6)
    # the plane is half a pixel larger on every side than the span of pixel centres
    width = np.linalg.norm(corners[1] - corners[0])
    assert width == pytest.approx(ds.Columns * float(ds.PixelSpacing[1]))


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(["axial", "coronal", "sagittal"]),
       *[st.floats(-180, 180)] * 3)
def test_orientation_from_angles_gives_orthonormal_iop_centred_plane(plane, a, b, c):
    iop, ipp = viewers.orientation_from_angles(plane, a, b, c, columns=11, rows=7,
                                               pixel_spacing=(2.0, 0.5), center=(10, 20, 30))
    row_dir, col_dir = np.array(iop[:3]), np.array(iop[3:])
    assert np.linalg.norm(row_dir) == pytest.approx(1, abs=1e-5)
    assert np.linalg.norm(col_dir) == pytest.approx(1, abs=1e-5)
    assert abs(row_dir @ col_dir) < 1e-5
    middle = np.array(ipp) + 5 * 0.5 * row_dir + 3 * 2.0 * col_dir
    np.testing.assert_allclose(middle, [10, 20, 30], atol=1e-4)


def test_orientation_from_angles_known_turns():
    assert viewers.orientation_from_angles("axial")[0] == (1, 0, 0, 0, 1, 0)
    # a quarter turn about S takes the row direction from L to P
    assert viewers.orientation_from_angles("axial", about_s=90)[0] == (0, 1, 0, -1, 0, 0)
    # a quarter turn about L tips an axial plane into a coronal one (column direction -> S)
    assert viewers.orientation_from_angles("axial", about_l=90)[0] == (1, 0, 0, 0, 0, 1)
    with pytest.raises(ValueError, match="plane must be one of"):
        viewers.orientation_from_angles("diagonal")


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(-1e5, 1e5, allow_nan=False), min_size=1, max_size=6))
def test_format_ds_values_fit_ds(values):
    text = viewers.format_ds(values)
    parts = text.split("\\")
    assert len(parts) == len(values)
    for part, value in zip(parts, values, strict=True):
        assert len(part) <= 16
        assert float(part) == pytest.approx(value, rel=1e-7, abs=1e-6)


# ----------------------------------------------------------------------------------- the viewer

def test_viewer_sorts_and_updates_in_place(series):
    viewer = viewers.SliceViewer(series, center=0, width=2000)
    ordered = _sorted_by_position(series)
    artist = viewer.image
    figure = viewer.figure
    viewer.set_slice(4)
    assert viewer.image is artist and viewer.figure is figure
    expected = viewers.window_image(
        ordered[4].pixel_array * float(ordered[4].RescaleSlope) + float(ordered[4].RescaleIntercept),
        0, 2000)
    np.testing.assert_array_equal(np.asarray(viewer.image.get_array()), expected)
    assert viewer.info["lps"] == pytest.approx(
        tuple(_lps_by_the_standard(ordered[4], viewer.row, viewer.column)), abs=1e-3)


def test_viewer_voxel_and_window(series):
    viewer = viewers.SliceViewer(series)
    viewer.set_voxel(2, 35)
    assert viewer._hline.get_ydata()[0] == 2 and viewer._vline.get_xdata()[0] == 35
    ordered = _sorted_by_position(series)
    assert viewer.info["lps"] == pytest.approx(
        tuple(_lps_by_the_standard(ordered[viewer.k], 2, 35)), abs=1e-3)
    before = np.asarray(viewer.image.get_array()).copy()
    viewer.set_window(-1000, 10)
    assert not np.array_equal(before, np.asarray(viewer.image.get_array()))
    with pytest.raises(IndexError, match="outside"):
        viewer.set_voxel(30, 0)
    with pytest.raises(IndexError, match="outside 0..5"):
        viewer.set_slice(6)
    with pytest.raises(ValueError, match="at least 1"):
        viewer.set_window(0, 0)


def test_viewer_aspect_and_letters(series):
    viewer = viewers.SliceViewer(series)
    assert viewer.axes.get_aspect() == pytest.approx(0.8 / 0.5)
    shown = {t.get_text() for t in viewer.axes.texts}
    assert shown == set(viewers.edge_letters(series[0].ImageOrientationPatient).values())
    viewer.set_slice(2)  # blitted: the letters are drawn on top of the new image, in gold
    picture = np.asarray(Image.open(io.BytesIO(viewer.png())).convert("RGB")).astype(int)
    assert (np.abs(picture - [255, 215, 0]).sum(axis=2) < 60).sum() > 20


def test_viewer_widget_sliders_drive_the_same_artist(series):
    viewer = viewers.SliceViewer(series)
    widget = viewer.widget
    artist = viewer.image
    first_png = bytes(viewer._picture.value)
    viewer.slice_slider.value = 1
    assert viewer.k == 1 and viewer.image is artist
    viewer.center_slider.value = -1000
    assert viewer.center == -1000 and viewer.image is artist
    assert bytes(viewer._picture.value) != first_png
    assert bytes(viewer._picture.value)[:4] == b"\x89PNG"
    viewer.row_slider.value = 3
    assert viewer.row == 3 and "row 3" in viewer._text.value
    assert widget is viewer.widget  # built once
    # what JupyterLab receives: a widget view (ipywidgets only, no ipympl needed)
    assert "application/vnd.jupyter.widget-view+json" in widget._repr_mimebundle_()


def test_viewer_png_is_the_current_picture(series):
    viewer = viewers.SliceViewer(series)
    a = viewer.png()
    viewer.set_slice(0)
    viewer.set_window(-1000, 10)
    assert a[:4] == b"\x89PNG" and viewer.png() != a


# ---------------------------------------------------------------------------------- 3D pictures

def test_plot_planes_draws_edges_and_equal_aspect(series):
    from workshop_helpers import geometry

    ax = viewers.plot_planes(series)
    polygons = ax.collections[0]
    assert polygons.get_facecolor().shape[0] == 6  # all six planes (max_planes=8)
    affine = geometry.voxel_to_patient(series)
    corners = viewers.plane_corners(affine, 40, 30, 0)
    low, high = np.array([ax.get_xlim(), ax.get_ylim(), ax.get_zlim()]).T
    assert np.all(corners >= low - 1e-6) and np.all(corners <= high + 1e-6)
    box = np.array(ax.get_box_aspect())
    np.testing.assert_allclose(box / box.max(), (high - low) / (high - low).max(), rtol=1e-6)


def test_plot_planes_from_an_affine_needs_a_shape():
    with pytest.raises(ValueError, match="shape"):
        viewers.plot_planes(np.eye(4))
    ax = viewers.plot_planes(np.eye(4), shape=(4, 3, 2))
    assert ax.name == "3d"


def test_orientation_explorer_shows_ipp_and_iop():
    explorer = viewers.OrientationExplorer(columns=8, rows=8, pixel_spacing=(2.0, 1.0))
    assert "(0020,0037) DS [1.0\\0.0\\0.0\\0.0\\1.0\\0.0]" in explorer.text
    assert explorer.widget is not None
    about_s = explorer.angle_sliders[2]
    about_s.value = 90
    assert explorer.iop == (0.0, 1.0, 0.0, -1.0, 0.0, 0.0)
    assert viewers.format_ds(explorer.ipp) in explorer.text
    assert "right edge faces P" in explorer._label.value


@pytest.mark.parametrize("orientation, position", [("axial", "FFS"), ("sagittal", "HFP"),
                                                   ((0.866025, 0.5, 0, 0, 0, -1), "HFS")])
def test_viewer_position_agrees_with_simpleitk(tmp_path, orientation, position):
    """The LPS position the viewer shows is what ITK's DICOM reader says for the same files."""
    sitk = pytest.importorskip("SimpleITK")
    import pydicom

    files = phantom.write_series(tmp_path, rows=16, columns=20, slices=5, pixel_spacing=(0.8, 0.5),
                                 slice_spacing=2.5, orientation=orientation,
                                 patient_position=position, shuffle=True)
    viewer = viewers.SliceViewer([pydicom.dcmread(f) for f in files])
    reader = sitk.ImageSeriesReader()
    reader.SetFileNames(reader.GetGDCMSeriesFileNames(str(tmp_path)))
    image = reader.Execute()
    for k, row, column in [(0, 0, 0), (3, 11, 17), (4, 15, 2)]:
        viewer.set_slice(k)
        viewer.set_voxel(row, column)
        expected = image.TransformIndexToPhysicalPoint((column, row, k))
        assert viewer.info["lps"] == pytest.approx(expected, abs=1e-3)
        assert viewer.info["value"] == pytest.approx(
            sitk.GetArrayViewFromImage(image)[k, row, column])


def test_orientation_explorer_controls_follow_update():
    """update() from code moves the controls, so the next slider move keeps the other angles."""
    explorer = viewers.OrientationExplorer(columns=8, rows=6, pixel_spacing=(0.8, 0.6))
    explorer.update("axial", about_l=0, about_p=0, about_s=30)
    assert explorer.widget is not None  # built after update(): it must start at 30 degrees about S
    assert [s.value for s in explorer.angle_sliders] == [0, 0, 30]
    explorer.angle_sliders[0].value = 10  # the learner's first move
    expected = viewers.orientation_from_angles("axial", 10, 0, 30, columns=8, rows=6,
                                               pixel_spacing=(0.8, 0.6))
    assert (explorer.iop, explorer.ipp) == expected
    # and the other way round: the widget exists, code calls update()
    explorer.update("coronal", about_l=0, about_p=-20, about_s=0)
    assert explorer.plane_dropdown.value == "coronal"
    assert [s.value for s in explorer.angle_sliders] == [0, -20, 0]
    explorer.angle_sliders[2].value = 45
    assert explorer.iop == viewers.orientation_from_angles(
        "coronal", 0, -20, 45, columns=8, rows=6, pixel_spacing=(0.8, 0.6))[0]
    assert "right edge faces" in explorer._label.value


def _png_size(data: bytes) -> tuple[int, int]:
    import io

    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        return image.size


def test_widget_pictures_are_shown_at_their_own_size(series):
    """No stretching: each picture widget is given the PNG's own pixel size, and it is small
    enough that the picture and its controls fit on one screen side by side."""
    viewer = viewers.SliceViewer(phantom.make_series(rows=48, columns=64, slices=24, pixel_spacing=(0.8, 0.6), slice_spacing=2.5))
    explorer = viewers.OrientationExplorer(columns=64, rows=48, pixel_spacing=(0.8, 0.6))
    for owner in (viewer, explorer):
        assert owner.widget is not None
        width, height = _png_size(bytes(owner._picture.value))
        assert owner._picture.layout.width == f"{width}px"
        assert owner._picture.layout.height == f"{height}px"
        assert max(width, height) <= 500
    # the series fixture: 30 rows 0.8 mm apart, 40 columns 0.5 mm apart -> 24 mm high, 20 mm wide
    tall = viewers.SliceViewer(series)
    width, height = tall.picture_size
    assert height == 420 and width == pytest.approx(420 * 20 / 24, abs=1)


def test_viewer_opens_on_a_slice_with_the_markers():
    """The first picture shows the left and anterior markers, where the phantom put them."""
    grid = dict(rows=48, columns=64, slices=24, pixel_spacing=(0.8, 0.6), slice_spacing=2.5)
    for position in ("HFS", "FFS"):
        series = phantom.make_series(**grid, patient_position=position)
        viewer = viewers.SliceViewer(series)
        ds = _sorted_by_position(series)[viewer.k]
        iop = np.array([float(v) for v in ds.ImageOrientationPatient])
        normal = np.cross(iop[:3], iop[3:])
        radius = phantom.phantom_radius(**grid)
        for name in ("left", "anterior"):
            centre = phantom.marker_positions(radius)[name]
            # the slice plane passes through the marker (semi-axis 0.35 R along head-feet)
            assert abs(normal @ (centre - _position(ds))) < 0.35 * radius * 0.8
        shown = viewer.volume[viewer.k]
        assert (shown >= 1000).any() and ((shown >= 400) & (shown <= 600)).any()


def test_display_data_is_a_widget_when_live_and_a_picture_otherwise(series):
    viewer = viewers.SliceViewer(series)
    static = viewer.mimebundle(live=False)
    assert "application/vnd.jupyter.widget-view+json" not in static
    assert viewer._widget is None  # no widget is built for a static page
    import base64

    assert base64.b64decode(static["image/png"])[:4] == b"\x89PNG"
    assert "JupyterLab" in static["text/plain"]
    live = viewer.mimebundle(live=True)
    assert live["application/vnd.jupyter.widget-view+json"]["model_id"] == viewer.widget.model_id
    assert "image/png" in live  # the fallback travels with the widget view
    note = viewer.note(live=True)
    assert "run this cell again" in note["text/plain"] and "not found" in note["text/html"]
    assert "Error displaying widget" not in note["text/html"]  # JupyterLab's words for a real failure


def test_live_frontend_follows_the_request_of_a_real_kernel():
    """A real IPython kernel: a request that names its cell (as JupyterLab's do) gets the widget
    view; one without (as nbconvert's and nbval's) gets only the picture."""
    from jupyter_client.manager import start_new_kernel

    code = ("from workshop_helpers import phantom, viewers\n"
            "print(viewers.live_frontend())\n"
            "viewers.SliceViewer(phantom.make_series(rows=12, columns=16, slices=3))")
    km, kc = start_new_kernel(kernel_name="python3")
    try:
        results = {}
        for name, metadata in (("lab", {"cellId": "a-cell"}), ("batch", {})):
            msg = kc.session.msg("execute_request", {"code": code, "silent": False}, metadata=metadata)
            kc.shell_channel.send(msg)
            printed, mimetypes = "", []
            while True:
                reply = kc.get_iopub_msg(timeout=60)
                if reply["parent_header"].get("msg_id") != msg["header"]["msg_id"]:
                    continue
                kind = reply["msg_type"]
                if kind == "stream":
                    printed += reply["content"]["text"]
                elif kind in ("display_data", "execute_result"):
                    mimetypes.append(set(reply["content"]["data"]))
                elif kind == "error":
                    raise AssertionError("\n".join(reply["content"]["traceback"]))
                elif kind == "status" and reply["content"]["execution_state"] == "idle":
                    break
            results[name] = printed.strip(), mimetypes
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    widget = "application/vnd.jupyter.widget-view+json"
    printed, (picture, note) = results["lab"]
    assert printed == "True" and widget in picture and "image/png" in picture
    assert "text/html" in note
    printed, (picture, note) = results["batch"]
    assert printed == "False" and widget not in picture and "image/png" in picture


@pytest.mark.parametrize("rows,columns", [(48, 64), (64, 32), (24, 64)])
def test_letters_of_panels_side_by_side_stay_on_their_own_image(rows, columns):
    """Three panels, narrow gaps (the default wspace, 8 inches): every letter inside its image
    as drawn (after the aspect shrank the axes), none overlapping a letter of another panel."""
    series = phantom.make_series(rows=rows, columns=columns, slices=4, pixel_spacing=(0.8, 0.6),
                                 slice_spacing=2.5, patient_position="FFS")
    figure = Figure(figsize=(8, 3.6))
    FigureCanvasAgg(figure)
    axes = figure.subplots(1, 3)
    for ax in axes:
        viewers.show_slice(series, ax=ax, title="slice")
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    letters = [[t.get_window_extent(renderer) for t in ax.texts] for ax in axes]
    assert [len(boxes) for boxes in letters] == [4, 4, 4]
    for ax, boxes in zip(axes, letters, strict=True):
        image = ax.get_window_extent(renderer)
        for box in boxes:
            assert image.x0 <= box.x0 and box.x1 <= image.x1, (box, image)
            assert image.y0 <= box.y0 and box.y1 <= image.y1, (box, image)
        left, right, top, bottom = boxes
        assert left.x0 - image.x0 < 10 and image.x1 - right.x1 < 10
        assert image.y1 - top.y1 < 10 and bottom.y0 - image.y0 < 10
    for i, j in ((0, 1), (1, 2), (0, 2)):
        assert not any(a.overlaps(b) for a in letters[i] for b in letters[j])


def test_pixel_grid_draws_every_pixel_and_a_box_half_a_pixel_out():
    # 3 rows 1.6 mm apart, 4 columns 1.0 mm apart: Pixel Spacing order, the rows' distance first
    ax = viewers.draw_pixel_grid(rows=3, columns=4, pixel_spacing=(1.6, 1.0))
    box, *pixels = ax.patches
    assert len(pixels) == 12 and len(ax.lines) == 12
    assert box.get_xy() == (-0.5, -0.8) and box.get_width() == 4.0 and np.isclose(box.get_height(), 4.8)
    centres = sorted((float(line.get_xdata()[0]), float(line.get_ydata()[0])) for line in ax.lines)
    assert centres[0] == (0.0, 0.0) and np.allclose(centres[-1], (3.0, 3.2))
    assert ax.yaxis_inverted() and ax.get_aspect() == 1.0
    ax.figure.clf()


def test_timeline_puts_labels_above_and_below_and_mutes_the_comparison():
    figure = Figure()
    ax = figure.add_subplot()
    events = [(1985, 0.5, "ACR-NEMA"), (2003, -0.5, "NIfTI-1 header")]
    assert viewers.draw_timeline(events, ax, title="history", xlim=(1976, 2020), muted=["NIfTI"]) is ax
    first, second = ax.texts
    assert first.get_text() == "1985\nACR-NEMA" and first.get_va() == "bottom" and first.get_color() == "tab:blue"
    assert second.get_va() == "top" and second.get_color() == "tab:gray"
    assert ax.get_xlim() == (1976, 2020) and ax.get_title() == "history" and not ax.axison


def test_slab_dataset_keeps_the_first_slice_and_takes_the_slab_geometry(series):
    slab = sorted(series, key=lambda ds: float(ds.ImagePositionPatient[2]))[1:3]
    pixels = np.full((30, 40), 7, dtype=slab[0].pixel_array.dtype)
    ds = viewers.slab_dataset(slab, pixels)
    assert ds is not slab[0] and ds.SOPInstanceUID == slab[0].SOPInstanceUID
    z = [float(s.ImagePositionPatient[2]) for s in slab]
    assert float(ds.ImagePositionPatient[2]) == pytest.approx(sum(z) / 2) == ds.SliceLocation
    assert float(ds.SliceThickness) == 2 * float(slab[0].SliceThickness)
    assert (ds.pixel_array == 7).all() and (slab[0].pixel_array != 7).any()
    item = viewers.source_reference(slab[1])
    assert (item.ReferencedSOPClassUID, item.ReferencedSOPInstanceUID) == (slab[1].SOPClassUID,
                                                                           slab[1].SOPInstanceUID)


def test_orientation_explorer_picture_carries_ipp_and_iop():
    """Without a kernel the picture is all a reader sees: the two attributes are drawn into it,
    whole and inside the figure, also after a turn."""
    explorer = viewers.OrientationExplorer(columns=64, rows=48, pixel_spacing=(0.8, 0.6))
    for angles in [(0, 0, 30), (23, -47, 131)]:
        explorer.update("axial", *angles)
        caption = explorer.caption.get_text()
        assert viewers.format_ds(explorer.ipp) in caption
        assert viewers.format_ds(explorer.iop) in caption
        explorer.png()
        box = explorer.caption.get_window_extent()
        figure_box = explorer.figure.bbox
        assert box.x0 >= 0 and box.y0 >= 0
        assert box.x1 <= figure_box.x1 and box.y1 <= figure_box.y1
        assert explorer.caption.get_fontsize() >= 6


def test_window_sliders_step_usefully_and_the_readout_has_a_line_of_its_own():
    viewer = viewers.SliceViewer(phantom.make_series(rows=12, columns=16, slices=3))
    widget = viewer.widget
    assert viewer.width_slider.step == viewer.center_slider.step == 20   # -1000 ... 1500 HU
    picture_and_sliders, readout = widget.children
    assert readout is viewer._text and "nowrap" in readout.value
    assert viewer._text not in picture_and_sliders.children[1].children
    viewer.set_slice(0)
    assert "nowrap" in viewer._text.value and "slice 0" in viewer._text.value
    assert viewers.slider_step(0, 1) == 0.01 and viewers.slider_step(5, 5) == 1.0
