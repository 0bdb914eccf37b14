"""Geometry: the affine, sorting, LPS/RAS, orientation letters, patient positions, series checks.

The affine is checked against SimpleITK (ITK + GDCM), an independent DICOM reader, on phantom
series written to disk in several orientations and patient positions.
"""

from __future__ import annotations

import copy

import numpy as np
import pydicom
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workshop_helpers import geometry, phantom
from workshop_helpers.__main__ import main
from workshop_helpers.geometry import GeometryError

SMALL = dict(rows=16, columns=20, slices=10, pixel_spacing=(1.2, 0.7), slice_spacing=3.0)


def _codes(findings):
    return [f.code for f in findings]


def _volume_hu(datasets):
    """HU volume indexed [i, j, k] (column, row, slice), slices in sort_slices order."""
    ordered = geometry.sort_slices(datasets)
    stack = np.stack([ds.pixel_array * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
                      for ds in ordered], axis=-1)  # [row j, column i, k]
    return stack.transpose(1, 0, 2)


def _random_rotation(draw_q) -> np.ndarray:
    q = np.asarray(draw_q, dtype=float)
    w, x, y, z = q / np.linalg.norm(q)
    return np.array([
        [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
        [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
        [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
    ])


quaternions = st.tuples(*[st.floats(-1, 1, allow_nan=False)] * 4).filter(
    lambda q: np.linalg.norm(q) > 0.2)


# ---------------------------------------------------------------------------- the affine

def test_affine_by_hand_with_anisotropic_spacing():
    series = phantom.make_series(rows=4, columns=5, slices=3, pixel_spacing=(2.0, 0.5), slice_spacing=3.0)
    A = geometry.voxel_to_patient(series)
    # column index i moves along the row direction (x) by the COLUMN spacing (0.5 mm) ...
    assert np.allclose(A[:3, 0], [0.5, 0, 0])
    # ... and row index j along the column direction (y) by the ROW spacing (2.0 mm)
    assert np.allclose(A[:3, 1], [0, 2.0, 0])
    assert np.allclose(A[:3, 2], [0, 0, 3.0])
    assert np.allclose(A[3], [0, 0, 0, 1])
    for k, ds in enumerate(series):
        assert np.allclose((A @ [0, 0, k, 1])[:3], [float(v) for v in ds.ImagePositionPatient])


def test_affine_of_ffs_sorts_towards_the_feet():
    A = geometry.voxel_to_patient(phantom.make_series(**SMALL, patient_position="FFS"))
    assert np.allclose(A[:3, 0], [-0.7, 0, 0]) and np.allclose(A[:3, 2], [0, 0, -3.0])


def test_single_dataset_uses_spacing_between_slices_then_thickness():
    ds = phantom.make_series(**SMALL)[0]
    A = geometry.voxel_to_patient(ds)
    assert np.allclose(A[:3, 2], [0, 0, 3.0])  # SliceThickness
    ds.SpacingBetweenSlices = "4.5"
    assert np.allclose(geometry.voxel_to_patient([ds])[:3, 2], [0, 0, 4.5])
    del ds.SpacingBetweenSlices
    del ds.SliceThickness
    with pytest.raises(GeometryError, match=r"Slice Thickness \(0018,0050\)"):
        geometry.voxel_to_patient(ds)


def test_tilted_series_affine_follows_the_real_positions():
    series = phantom.make_series(**SMALL, tilt_degrees=15)
    A = geometry.voxel_to_patient(series)
    for k, ds in enumerate(geometry.sort_slices(series)):
        assert np.allclose((A @ [0, 0, k, 1])[:3], [float(v) for v in ds.ImagePositionPatient])
    normal = geometry.slice_normal(series[0].ImageOrientationPatient)
    angle = np.degrees(np.arccos(A[:3, 2] @ normal / np.linalg.norm(A[:3, 2])))
    assert np.isclose(angle, 15)


def test_missing_slice_affine_is_exact_up_to_the_gap():
    series = phantom.make_series(**SMALL, missing_slices=(6,))
    A = geometry.voxel_to_patient(series)
    assert np.allclose(A[:3, 2], [0, 0, 3.0])
    for k, ds in enumerate(series[:6]):
        assert np.allclose((A @ [0, 0, k, 1])[:3], [float(v) for v in ds.ImagePositionPatient])


@pytest.mark.parametrize("mutate,needle", [
    (lambda ds: delattr(ds, "ImagePositionPatient"), r"Image Position \(Patient\) \(0020,0032\) is missing"),
    (lambda ds: setattr(ds, "ImageOrientationPatient", [1, 0, 0, 0, 1]), r"should hold 6 numbers"),
    (lambda ds: ds.add_new(0x00280030, "LO", ["a", "b"]), r"Pixel Spacing \(0028,0030\).*'a'"),
    (lambda ds: setattr(ds, "PixelSpacing", [0, 1]), r"must be positive"),
    (lambda ds: setattr(ds, "ImageOrientationPatient", [2, 0, 0, 0, 1, 0]), r"not a unit vector"),
])
def test_bad_attributes_name_the_instance_and_the_tag(mutate, needle):
    series = phantom.make_series(**SMALL)
    mutate(series[4])
    with pytest.raises(GeometryError, match=needle) as info:
        geometry.voxel_to_patient(series)
    assert "instance 5" in str(info.value)


def test_error_names_the_file(tmp_path):
    paths = phantom.write_series(tmp_path, **SMALL)
    ds = pydicom.dcmread(paths[2], stop_before_pixels=True)
    del ds.ImageOrientationPatient
    with pytest.raises(GeometryError, match="IM0003.dcm"):
        geometry.voxel_to_patient(ds)


def test_duplicated_positions_give_no_affine():
    ds = phantom.make_series(**SMALL)[0]
    with pytest.raises(GeometryError, match="same position"):
        geometry.voxel_to_patient([ds, copy.deepcopy(ds)])
    with pytest.raises(GeometryError, match="no datasets"):
        geometry.voxel_to_patient([])


# ---------------------------------------------------------------------------- sorting

def test_sort_ignores_instance_number_and_slice_location():
    series = phantom.make_series(**SMALL)
    liars = [copy.deepcopy(ds) for ds in series]
    for n, ds in enumerate(reversed(liars)):
        ds.InstanceNumber = n + 1
        ds.SliceLocation = 0
    ordered = geometry.sort_slices(liars[::2] + liars[1::2])
    assert [ds.SOPInstanceUID for ds in ordered] == [ds.SOPInstanceUID for ds in series]


def test_sort_refuses_mixed_orientations():
    mixed = phantom.make_series(**SMALL)[:3] + phantom.make_series(**SMALL, orientation="sagittal")[:2]
    with pytest.raises(GeometryError, match="differs from the first slice"):
        geometry.sort_slices(mixed)


@settings(max_examples=40, deadline=None)
@given(st.permutations(range(10)), st.sampled_from(["axial", "sagittal", "coronal"]),
       st.sampled_from(sorted(geometry.PATIENT_POSITIONS)))
def test_sort_is_invariant_under_shuffling(order, orientation, position):
    series = phantom.make_series(rows=4, columns=4, slices=10, pixel_spacing=(1.0, 0.5), slice_spacing=2.0,
                                 orientation=orientation, patient_position=position)
    shuffled = [series[i] for i in order]
    assert [d.SOPInstanceUID for d in geometry.sort_slices(shuffled)] == \
        [d.SOPInstanceUID for d in series]
    assert np.allclose(geometry.voxel_to_patient(shuffled), geometry.voxel_to_patient(series))


# ---------------------------------------------------------------------------- markers

@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(quaternions, st.sampled_from(sorted(geometry.PATIENT_POSITIONS)), st.booleans())
def test_random_oblique_maps_voxels_onto_the_markers(q, position, shuffle):
    rot = _random_rotation(q)
    iop = [*rot[:, 0], *rot[:, 1]]
    grid = dict(rows=36, columns=40, slices=38, pixel_spacing=(0.9, 0.8), slice_spacing=0.85)
    series = phantom.make_series(**grid, orientation=iop, patient_position=position,
                                 shuffle=shuffle)
    A = geometry.voxel_to_patient(series)
    hu = _volume_hu(series)
    expected = phantom.marker_positions(phantom.phantom_radius(**grid))
    for name, value in (("left", phantom.LEFT), ("anterior", phantom.ANTERIOR),
                        ("head", phantom.HEAD)):
        idx = np.argwhere(hu == value)
        assert len(idx) > 5, name
        lps = np.c_[idx, np.ones(len(idx))] @ A.T
        assert np.allclose(lps[:, :3].mean(axis=0), expected[name], atol=0.6), name


# ---------------------------------------------------------------------------- SimpleITK

CASES = [
    ("axial", "HFS"), ("axial", "FFS"), ("axial", "HFP"), ("axial", "FFP"),
    ("sagittal", "HFS"), ("sagittal", "FFS"), ("coronal", "HFP"), ("coronal", "FFP"),
    ((0.8660254, 0.5, 0.0, 0.0, 0.0, -1.0), "HFS"),
    ((0.6123724, 0.6123724, -0.5, -0.7071068, 0.7071068, 0.0), "FFS"),
]


@pytest.mark.parametrize("orientation,position", CASES)
def test_affine_matches_simpleitk(tmp_path, orientation, position):
    sitk = pytest.importorskip("SimpleITK")
    shape = (24, 18, 12)   # (columns, rows, slices): the order of SimpleITK's index (i, j, k)
    paths = phantom.write_series(tmp_path, rows=18, columns=24, slices=12,
                                 pixel_spacing=(1.3, 0.7), slice_spacing=2.2,
                                 orientation=orientation, patient_position=position, shuffle=True)
    reader = sitk.ImageSeriesReader()
    reader.SetFileNames(reader.GetGDCMSeriesFileNames(str(tmp_path)))
    image = reader.Execute()
    ours = geometry.voxel_to_patient([pydicom.dcmread(p, stop_before_pixels=True) for p in paths])
    corners = [(i, j, k) for i in (0, shape[0] - 1) for j in (0, shape[1] - 1)
               for k in (0, shape[2] - 1)]
    for index in corners:
        theirs = image.TransformIndexToPhysicalPoint(index)
        assert np.allclose((ours @ [*index, 1])[:3], theirs, atol=1e-4), index
    # SimpleITK's spacing is (column spacing, row spacing, slice spacing): x first
    assert np.allclose(image.GetSpacing(), (0.7, 1.3, 2.2), atol=1e-6)


@pytest.mark.parametrize("orientation,position", CASES[:6])
def test_markers_where_simpleitk_puts_them(tmp_path, orientation, position):
    """Read pixels and positions with SimpleITK only: the markers must sit where documented."""
    sitk = pytest.importorskip("SimpleITK")
    grid = dict(rows=32, columns=40, slices=36, pixel_spacing=(0.9, 0.7), slice_spacing=0.8)
    phantom.write_series(tmp_path, **grid, orientation=orientation, patient_position=position)
    reader = sitk.ImageSeriesReader()
    reader.SetFileNames(reader.GetGDCMSeriesFileNames(str(tmp_path)))
    image = reader.Execute()
    hu = sitk.GetArrayFromImage(image)  # [k, j, i], rescaled to HU
    expected = phantom.marker_positions(phantom.phantom_radius(**grid))
    for name, value in (("left", phantom.LEFT), ("anterior", phantom.ANTERIOR),
                        ("head", phantom.HEAD)):
        idx = np.argwhere(hu == value)[:, ::-1]  # (i, j, k)
        points = np.array([image.TransformIndexToPhysicalPoint([int(v) for v in i]) for i in idx])
        assert np.allclose(points.mean(axis=0), expected[name], atol=0.5), name


# ---------------------------------------------------------------------------- LPS / RAS

@given(st.lists(st.floats(-1e4, 1e4, allow_nan=False), min_size=3, max_size=3))
def test_lps_ras_round_trip(point):
    ras = geometry.lps_to_ras(point)
    assert ras[0] == -point[0] + 0.0 and ras[1] == -point[1] + 0.0 and ras[2] == point[2]
    assert np.allclose(geometry.ras_to_lps(ras), point)


def test_lps_to_ras_affine_maps_the_same_voxels():
    A = geometry.voxel_to_patient(phantom.make_series(**SMALL, orientation="sagittal"))
    B = geometry.lps_to_ras(A)
    for index in ([0, 0, 0, 1], [3, 7, 2, 1]):
        assert np.allclose(B @ index, [*geometry.lps_to_ras((A @ index)[:3]), 1])
    assert np.allclose(geometry.ras_to_lps(B), A)
    with pytest.raises(GeometryError, match="4x4"):
        geometry.lps_to_ras(np.zeros((3, 3, 2)))


# ---------------------------------------------------------------------------- letters, positions

@pytest.mark.parametrize("iop,expected", [
    ([1, 0, 0, 0, 1, 0], dict(left="R", right="L", top="A", bottom="P")),
    ([-1, 0, 0, 0, 1, 0], dict(left="L", right="R", top="A", bottom="P")),
    ([-1, 0, 0, 0, -1, 0], dict(left="L", right="R", top="P", bottom="A")),
    ([0, 1, 0, 0, 0, -1], dict(left="A", right="P", top="H", bottom="F")),
    ([1, 0, 0, 0, 0, -1], dict(left="R", right="L", top="H", bottom="F")),
    ([0.8, -0.6, 0, 0, 0, -1], dict(left="RP", right="LA", top="H", bottom="F")),
    ([0.6, -0.8, 0, 0, 0, -1], dict(left="PR", right="AL", top="H", bottom="F")),
    ([0.48, 0.6, 0.64, 0, 0.7301, -0.6844], dict(left="IAR", right="SPL", top="AS", bottom="PI")),
])
def test_orientation_letters(iop, expected):
    if any("S" in v or "I" in v for v in expected.values()):
        letters = geometry.orientation_letters(iop, head_feet=("S", "I"))
    else:
        letters = geometry.orientation_letters(iop)
    assert letters == expected


def test_orientation_letters_from_a_dataset_and_errors():
    ds = phantom.make_series(**SMALL, orientation="coronal")[0]
    assert geometry.orientation_letters(ds) == dict(left="R", right="L", top="H", bottom="F")
    with pytest.raises(GeometryError, match="6 numbers"):
        geometry.orientation_letters([1, 0, 0])


def test_orientation_letters_of_ffdl_axial():
    ds = phantom.make_series(**SMALL, patient_position="FFDL")[0]
    # FFDL axial: rows run to the patient's back, columns to the patient's left
    assert geometry.orientation_letters(ds) == dict(left="A", right="P", top="R", bottom="L")


@pytest.mark.parametrize("code", sorted(geometry.PATIENT_POSITIONS))
def test_patient_positions_are_rotations_and_match_the_phantom(code):
    axes = geometry.patient_position_axes(code)
    m = axes.matrix
    assert np.allclose(m.T @ m, np.eye(3)) and np.isclose(np.linalg.det(m), 1)
    head_first = code.startswith("HF")
    assert np.allclose(axes.z, [0, 0, 1] if head_first else [0, 0, -1])
    floor = {"S": [0, 1, 0], "P": [0, -1, 0], "DR": [-1, 0, 0], "DL": [1, 0, 0]}[code[2:]]
    assert np.allclose(axes.y, floor)
    iop = [float(v) for v in phantom.make_series(**SMALL, patient_position=code)[0].ImageOrientationPatient]
    assert np.allclose(iop, [*axes.x, *axes.y])
    assert axes.words.split(",")[0] in axes.describe()


def test_patient_position_explanations():
    assert geometry.patient_position_axes(" hfs ").matrix.tolist() == np.eye(3).tolist()
    text = geometry.patient_position_axes("FFS").describe()
    assert "your right is the patient's right" in text and "feet (inferior)" in text
    with pytest.raises(GeometryError, match=r"C\.7\.3\.1\.1\.2"):
        geometry.patient_position_axes("LFS")


def test_slice_normal():
    assert geometry.slice_normal([1, 0, 0, 0, 0, -1]).tolist() == [0.0, 1.0, 0.0]
    with pytest.raises(GeometryError, match="parallel"):
        geometry.slice_normal([1, 0, 0, 1, 0, 0])


# ---------------------------------------------------------------------------- check_series

def test_clean_series_has_no_findings():
    for kwargs in (dict(), dict(orientation="sagittal", patient_position="FFP")):
        assert geometry.check_series(phantom.make_series(**SMALL, **kwargs)) == []


def _gantry_tilt(base):
    tilted = geometry.check_series(phantom.make_series(**SMALL, tilt_degrees=20))
    tilt = next(f for f in tilted if f.code == "gantry-tilt")
    assert "20 degrees" in tilt.message and "says 20" in tilt.message
    assert all(str(f).startswith(f.severity) for f in tilted)


def _missing_slices(base):
    gap = geometry.check_series(phantom.make_series(**SMALL, missing_slices=(3, 4)))
    assert _codes(gap) == ["missing-slices"] and "2 slices missing" in gap[0].message
    assert "instance 3" in gap[0].message and "instance 4" in gap[0].message


def _uneven_spacing(base):
    uneven = [copy.deepcopy(ds) for ds in base]
    uneven[5].ImagePositionPatient = [*uneven[5].ImagePositionPatient[:2],
                                      float(uneven[5].ImagePositionPatient[2]) + 1.0]
    uneven[5].SliceLocation = float(uneven[5].ImagePositionPatient[2])
    assert _codes(geometry.check_series(uneven)) == ["uneven-spacing"]


def _duplicate_position(base):
    dup = base + [copy.deepcopy(base[2])]
    assert "duplicate-position" in _codes(geometry.check_series(dup))


def _mixed_series(base):
    other = phantom.make_series(**SMALL, seed=9)
    assert "mixed-series" in _codes(geometry.check_series(base[:5] + other[5:]))


def _mixed_frame_of_reference(base):
    other = phantom.make_series(**SMALL, seed=9)
    assert "mixed-frame-of-reference" in _codes(geometry.check_series(base[:5] + other[5:]))


def _mixed_orientation(base):
    mixed = base + phantom.make_series(**SMALL, orientation="coronal", series_uid=base[0].SeriesInstanceUID)[:3]
    found = geometry.check_series(mixed)
    assert "mixed-orientation" in _codes(found)
    assert "10 slice(s)" in next(f for f in found if f.code == "mixed-orientation").message


def _missing_attribute(base):
    broken = [copy.deepcopy(ds) for ds in base]
    del broken[1].PixelSpacing
    found = geometry.check_series(broken)
    # the slice without Pixel Spacing drops out of the stack, which then has a gap
    assert _codes(found) == ["missing-attribute", "missing-slices"]
    assert "instance 2" in found[0].message and "Pixel Spacing (0028,0030)" in found[0].message


def _thickness_and_spacing_differ(base):
    thick = [copy.deepcopy(ds) for ds in base]
    for ds in thick:
        ds.SliceThickness = "5"
        ds.SpacingBetweenSlices = "2.5"
    assert _codes(geometry.check_series(thick)) == ["thickness-differs", "spacing-differs"]


def _non_orthogonal(base):
    skew = [copy.deepcopy(ds) for ds in base]
    for ds in skew:
        ds.ImageOrientationPatient = [1, 0, 0, 0.1, 0.99498744, 0]
    assert "non-orthogonal" in _codes(geometry.check_series(skew))


def _mixed_size(base):
    resized = [copy.deepcopy(ds) for ds in base]
    resized[0].PixelSpacing = [0.5, 0.5]
    assert "mixed-size" in _codes(geometry.check_series(resized))


def _instance_order(base):
    shuffled = geometry.check_series(phantom.make_series(**SMALL, shuffle=True))
    assert _codes(shuffled) == ["instance-order"]


def _slice_location(base):
    liar = [copy.deepcopy(ds) for ds in base]
    liar[3].SliceLocation = "123"
    assert _codes(geometry.check_series(liar)) == ["slice-location"]


def _single_slice(base):
    assert _codes(geometry.check_series(base[:1])) == ["single-slice"]


CORNER_CASES = {
    "gantry-tilt": _gantry_tilt,
    "missing-slices": _missing_slices,
    "uneven-spacing": _uneven_spacing,
    "duplicate-position": _duplicate_position,
    "mixed-series": _mixed_series,
    "mixed-frame-of-reference": _mixed_frame_of_reference,
    "mixed-orientation": _mixed_orientation,
    "missing-attribute": _missing_attribute,
    "thickness-differs-and-spacing-differs": _thickness_and_spacing_differ,
    "non-orthogonal": _non_orthogonal,
    "mixed-size": _mixed_size,
    "instance-order": _instance_order,
    "slice-location": _slice_location,
    "single-slice": _single_slice,
}


@pytest.mark.parametrize("check", CORNER_CASES.values(), ids=CORNER_CASES.keys())
def test_findings_for_each_corner_case(check):
    check(phantom.make_series(**SMALL))


# ---------------------------------------------------------------------------- bounding box

def test_bounding_box_centres_and_edges():
    series = phantom.make_series(rows=8, columns=10, slices=6, pixel_spacing=(1.5, 0.5), slice_spacing=2.0)
    box = geometry.bounding_box(series)
    first = np.array([float(v) for v in series[0].ImagePositionPatient])
    assert np.allclose(box.centre_corners.min(axis=0), first)
    assert np.allclose(box.lower, first - [0.25, 0.75, 1.0])  # half a voxel further out
    assert np.allclose(box.size, [10 * 0.5, 8 * 1.5, 6 * 2.0])
    assert np.allclose(box.centre_corners.max(axis=0) - box.centre_corners.min(axis=0),
                       [9 * 0.5, 7 * 1.5, 5 * 2.0])
    bad = copy.deepcopy(series[0])
    del bad.Rows
    with pytest.raises(GeometryError, match=r"Rows \(0028,0010\)"):
        geometry.bounding_box(bad)


# ---------------------------------------------------------------------------- CLI

def test_cli_prints_affine_letters_and_findings(tmp_path, capsys):
    phantom.write_series(tmp_path / "ok", **SMALL, patient_position="FFS")
    (tmp_path / "ok" / "README.txt").write_text("not dicom")
    assert main(["geometry", str(tmp_path / "ok")]) == 0
    out = capsys.readouterr().out
    assert "10 slice(s)" in out and "left L, right R, top A, bottom P" in out
    assert "-0.7 " in out and "no findings" in out and "README.txt" in out

    phantom.write_series(tmp_path / "tilt", **SMALL, tilt_degrees=10, missing_slices=(2,))
    assert main(["geometry", str(tmp_path / "tilt")]) == 0
    out = capsys.readouterr().out
    assert "sheared" in out and "1 slice missing" in out

    paths = phantom.write_series(tmp_path / "dup", **SMALL)
    ds = pydicom.dcmread(paths[1])
    ds.ImagePositionPatient = pydicom.dcmread(paths[0]).ImagePositionPatient
    ds.save_as(paths[1])
    assert main(["geometry", str(tmp_path / "dup")]) == 1
    assert "same position" in capsys.readouterr().out

    assert main(["geometry", str(tmp_path / "nowhere")]) == 2
    assert capsys.readouterr().err == f"geometry: {tmp_path / 'nowhere'} is not a folder\n"
    (tmp_path / "empty").mkdir()
    assert main(["geometry", str(tmp_path / "empty")]) == 2
    assert capsys.readouterr().err == f"geometry: no DICOM files in {tmp_path / 'empty'}\n"


def test_plane_affine_from_raw_values():
    A = geometry.plane_affine([1, 2, 3], [0, 1, 0, 0, 0, -1], [2.0, 0.5], 4.0)
    assert np.allclose(A[:3, 0], [0, 0.5, 0]) and np.allclose(A[:3, 1], [0, 0, -2.0])
    assert np.allclose(A[:3, 2], [-4.0, 0, 0]) and np.allclose(A[:3, 3], [1, 2, 3])
    sheared = geometry.plane_affine([0, 0, 0], [1, 0, 0, 0, 1, 0], [1, 1], [0, 0.5, 2])
    assert np.allclose(sheared[:3, 2], [0, 0.5, 2])
    with pytest.raises(GeometryError, match="got 3, 6 and 1"):
        geometry.plane_affine([0, 0, 0], [1, 0, 0, 0, 1, 0], [1])


def test_check_series_and_sort_agree_on_what_is_one_orientation():
    base = phantom.make_series(**SMALL)
    nearly = [copy.deepcopy(ds) for ds in base]
    nearly[4].ImageOrientationPatient = [1, 0.00005, 0, 0, 1, 0]   # within the tolerance
    assert "mixed-orientation" not in _codes(geometry.check_series(nearly))
    geometry.sort_slices(nearly)
    nearly[4].ImageOrientationPatient = [1, 0.0005, 0, 0, 1, 0]    # beyond it
    assert "mixed-orientation" in _codes(geometry.check_series(nearly))
    with pytest.raises(GeometryError, match="instance 5"):
        geometry.sort_slices(nearly)


@pytest.mark.parametrize("nudge,one_stack", [(0.5, True), (2.0, False)])
def test_sort_slices_and_check_series_share_one_orientation_rule(nudge, one_stack):
    series = phantom.make_series(rows=8, columns=8, slices=4)
    iop = [float(v) for v in series[2].ImageOrientationPatient]
    iop[1] += nudge * geometry.ORIENTATION_TOLERANCE
    series[2].ImageOrientationPatient = iop
    codes = [f.code for f in geometry.check_series(series)]
    assert ("mixed-orientation" not in codes) is one_stack
    if one_stack:
        assert len(geometry.sort_slices(series)) == 4
    else:
        with pytest.raises(geometry.GeometryError, match="instance 3.*differs from the first"):
            geometry.sort_slices(series)
