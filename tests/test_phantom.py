"""The asymmetric phantom: valid files (dciodvfy), the documented geometry, markers in place."""

from __future__ import annotations

import numpy as np
import pydicom
import pytest
from pydicom.valuerep import format_number_as_ds

from workshop_helpers import phantom
from workshop_helpers.__main__ import main
from workshop_helpers.geometry import GeometryError

SMALL = dict(rows=16, columns=20, slices=10, pixel_spacing=(1.2, 0.9), slice_spacing=3.0)

AXIAL_IOP = {
    "HFS": [1, 0, 0, 0, 1, 0], "FFS": [-1, 0, 0, 0, 1, 0],
    "HFP": [-1, 0, 0, 0, -1, 0], "FFP": [1, 0, 0, 0, -1, 0],
    "HFDR": [0, 1, 0, -1, 0, 0], "HFDL": [0, -1, 0, 1, 0, 0],
    "FFDR": [0, -1, 0, -1, 0, 0], "FFDL": [0, 1, 0, 1, 0, 0],
}


def _iop(ds) -> list[float]:
    return [float(v) for v in ds.ImageOrientationPatient]


def _hu_and_positions(datasets):
    """HU of every voxel and its LPS position, computed here straight from IPP/IOP/spacing."""
    values, points = [], []
    for ds in datasets:
        row, col = np.array(_iop(ds)[:3]), np.array(_iop(ds)[3:])
        dr, dc = (float(v) for v in ds.PixelSpacing)
        j, i = np.mgrid[0:ds.Rows, 0:ds.Columns]
        p = (np.array([float(v) for v in ds.ImagePositionPatient])
             + i[..., None] * dc * row + j[..., None] * dr * col)
        hu = ds.pixel_array * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
        values.append(hu.ravel())
        points.append(p.reshape(-1, 3))
    return np.concatenate(values), np.concatenate(points)


@pytest.mark.parametrize("position", sorted(AXIAL_IOP))
def test_axial_orientation_follows_patient_position(position):
    series = phantom.make_series(**SMALL, patient_position=position)
    assert _iop(series[0]) == AXIAL_IOP[position]
    assert series[0].PatientPosition == position


def test_scanner_frame_false_keeps_the_hfs_orientation():
    series = phantom.make_series(**SMALL, patient_position="FFS", scanner_frame=False)
    assert _iop(series[0]) == [1, 0, 0, 0, 1, 0]
    assert series[0].PatientPosition == "FFS"


def test_named_orientations_for_hfs():
    assert _iop(phantom.make_series(**SMALL, orientation="sagittal")[0]) == [0, 1, 0, 0, 0, -1]
    assert _iop(phantom.make_series(**SMALL, orientation="coronal")[0]) == [1, 0, 0, 0, 0, -1]


def test_pixel_spacing_is_row_spacing_first_and_the_matrix_is_named_by_keyword():
    series = phantom.make_series(**SMALL)
    ds = series[0]
    assert (ds.Columns, ds.Rows, len(series)) == (20, 16, 10)
    assert [float(v) for v in ds.PixelSpacing] == [1.2, 0.9]
    # consecutive IPPs step by the slice spacing along the normal
    p = np.array([[float(v) for v in d.ImagePositionPatient] for d in series])
    assert np.allclose(np.diff(p, axis=0), [0, 0, 3.0])


@pytest.mark.parametrize("orientation,position", [
    ("axial", "HFS"), ("axial", "FFS"), ("axial", "HFP"), ("axial", "FFP"), ("axial", "FFDL"),
    ("sagittal", "HFS"), ("coronal", "FFP"),
    ((0.8660254, 0.5, 0.0, 0.0, 0.0, -1.0), "HFS"),
])
def test_markers_are_where_the_docstring_says(orientation, position):
    grid = dict(rows=40, columns=48, slices=40, pixel_spacing=(0.7, 0.5), slice_spacing=0.6)
    series = phantom.make_series(**grid, orientation=orientation, patient_position=position)
    hu, points = _hu_and_positions(series)
    R = phantom.phantom_radius(**grid)
    expected = phantom.marker_positions(R)
    for name, value in (("left", phantom.LEFT), ("anterior", phantom.ANTERIOR),
                        ("head", phantom.HEAD)):
        found = points[hu == value]
        assert len(found) > 10, name
        assert np.allclose(found.mean(axis=0), expected[name], atol=0.7), name
    # the left marker is at +x (patient's left), anterior at -y, head at +z: check the signs too
    assert expected["left"][0] > 0 and expected["anterior"][1] < 0 and expected["head"][2] > 0
    # the body narrows towards the feet: more body voxels in the superior half
    body = points[hu > -1000]
    assert (body[:, 2] > 0).sum() > 1.3 * (body[:, 2] < 0).sum()


def test_phantom_values_by_hand():
    R = 10.0
    pts = np.array([[0, 0, 0], [4.5, 0, 0], [-4.5, 0, 0], [0, -2.8, 0], [0, 2.8, 0],
                    [0, 0, 6.5], [0, 0, -6.5], [0, 0, 9.5]])
    assert phantom.phantom_values(pts, R).tolist() == [40, 1000, 40, 500, 40, 1500, 40, -1000]


def test_shuffle_missing_slices_and_tilt():
    series = phantom.make_series(**SMALL, shuffle=True, missing_slices=(2, 5), seed=3)
    assert len(series) == 8
    numbers = [int(d.InstanceNumber) for d in series]
    assert sorted(numbers) == list(range(1, 9)) and numbers != sorted(numbers)
    z = [float(d.ImagePositionPatient[2]) for d in series]
    assert np.allclose(np.diff(z), [3, 6, 3, 6, 3, 3, 3])
    tilted = phantom.make_series(**SMALL, tilt_degrees=20)
    assert float(tilted[0].GantryDetectorTilt) == 20
    col = np.array(_iop(tilted[0])[3:])
    assert np.isclose(np.degrees(np.arccos(col @ [0, 1, 0])), 20)
    p = np.array([[float(v) for v in d.ImagePositionPatient] for d in tilted])
    assert np.allclose(np.diff(p, axis=0), [0, 0, 3.0])  # the table moves along z


def test_uids_are_deterministic_and_distinct():
    a = phantom.make_series(**SMALL, seed=1)
    b = phantom.make_series(**SMALL, seed=1)
    c = phantom.make_series(**SMALL, seed=2)
    ffs = phantom.make_series(**SMALL, seed=1, patient_position="FFS")
    assert [d.SOPInstanceUID for d in a] == [d.SOPInstanceUID for d in b]
    assert a[0].SeriesInstanceUID != c[0].SeriesInstanceUID
    assert a[0].StudyInstanceUID == ffs[0].StudyInstanceUID
    assert a[0].SeriesInstanceUID != ffs[0].SeriesInstanceUID
    assert len({d.SOPInstanceUID for d in a}) == len(a)
    assert phantom.make_series(**SMALL, study_uid="1.2.3", series_uid="1.2.3.4")[0].SeriesInstanceUID == "1.2.3.4"


@pytest.mark.parametrize("kwargs,needle", [
    (dict(columns=0), "rows, columns and slices"),
    (dict(pixel_spacing=(1, -1)), "spacings must be positive"),
    (dict(slice_spacing=0), "spacings must be positive"),
    (dict(pixel_spacing=(1, 1, 1)), "pixel_spacing must be two numbers"),
    (dict(orientation="oblique"), "orientation"),
    (dict(orientation=(1, 0, 0, 1, 0, 0)), "orthogonal"),
    (dict(orientation=(1, 0, 0)), "6 numbers"),
    (dict(missing_slices=(99,)), "missing_slices"),
    (dict(tilt_degrees=75), "tilt"),
])
def test_bad_parameters_say_what_is_wrong(kwargs, needle):
    args = {**SMALL, **kwargs}
    with pytest.raises(phantom.PhantomError, match=needle):
        phantom.make_series(**args)


def test_unknown_patient_position():
    with pytest.raises(GeometryError, match="XYZ"):
        phantom.make_series(**SMALL, patient_position="XYZ")


def test_write_series_names_and_round_trip(tmp_path):
    paths = phantom.write_series(tmp_path / "a", **SMALL)
    assert [p.name for p in paths] == [f"IM{n:04d}.dcm" for n in range(1, 11)]
    ds = pydicom.dcmread(paths[0])
    assert ds.file_meta.TransferSyntaxUID == pydicom.uid.ExplicitVRLittleEndian
    assert ds.pixel_array.dtype == np.int16 and ds.pixel_array.shape == (16, 20)
    shuffled = phantom.write_series(tmp_path / "b", **SMALL, shuffle=True)
    assert sorted(p.name for p in shuffled) == sorted(p.name for p in paths)
    assert [p.name for p in shuffled] != [p.name for p in paths]
    numbers = [int(pydicom.dcmread(p, stop_before_pixels=True).InstanceNumber) for p in shuffled]
    assert numbers != sorted(numbers)
    assert not list((tmp_path / "b").glob(".phantom-*"))


def test_write_series_leaves_nothing_half_written(tmp_path, monkeypatch):
    """The third file fails after some of its bytes: no part of it, nor the two before, is left."""
    calls = {"n": 0}
    real = pydicom.dcmwrite

    def failing(fp, ds, *a, **k):
        calls["n"] += 1
        if calls["n"] == 3:
            fp.write(b"\0" * 200)
            raise OSError("disk full")
        return real(fp, ds, *a, **k)

    monkeypatch.setattr(pydicom, "dcmwrite", failing)
    with pytest.raises(OSError, match="disk full"):
        phantom.write_series(tmp_path, **SMALL)
    assert calls["n"] == 3
    assert list(tmp_path.iterdir()) == []


def test_cli_writes_a_series(tmp_path, capsys):
    out = tmp_path / "cli"
    code = main(["phantom", str(out), "--rows", "10", "--columns", "12", "--slices", "5",
                 "--pixel-spacing", "1", "0.5", "--slice-spacing", "2",
                 "--orientation", "sagittal", "--position", "FFS", "--shuffle"])
    assert code == 0
    assert len(list(out.glob("IM*.dcm"))) == 5
    assert "FFS" in capsys.readouterr().out
    assert main(["phantom", str(tmp_path / "bad"), "--position", "SIDEWAYS"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("phantom: ") and "SIDEWAYS" in err and err.count("\n") == 1


@pytest.mark.dciodvfy
@pytest.mark.parametrize("kwargs", [
    dict(orientation="axial", patient_position="HFS"),
    dict(orientation="axial", patient_position="FFS", shuffle=True),
    dict(orientation="axial", patient_position="HFP", tilt_degrees=12, missing_slices=(1,)),
    dict(orientation="sagittal", patient_position="FFP"),
    dict(orientation="coronal", patient_position="HFDR"),
    dict(orientation=(0.8660254, 0.5, 0, 0, 0, -1), patient_position="FFDL"),
])
def test_every_file_passes_dciodvfy(tmp_path, dciodvfy, kwargs):
    paths = phantom.write_series(tmp_path, rows=12, columns=16, slices=3, pixel_spacing=(0.8, 0.6), slice_spacing=2.5, **kwargs)
    for path in paths:
        result = dciodvfy(path)
        assert result.ok, str(result)
        # the only warning we accept: CT defines no term for a reformatted Image Type value 3
        assert all("REFORMATTED" in w for w in result.warnings), str(result)


def test_module_docstring_tells_the_truth():
    """The IOP table and the marker centres in the docstring are what the code does."""
    import re

    doc = phantom.__doc__
    table = dict(re.findall(r"^- (\w+): ``([-0-9\\]+)``", doc, flags=re.M))
    assert sorted(table) == sorted(AXIAL_IOP)
    for code, text in table.items():
        assert [float(v) for v in text.split("\\")] == AXIAL_IOP[code]
    centres = re.findall(r"centred at ``C \+ R \* \(([-0-9., ]+)\)``", doc)
    expected = phantom.marker_positions(1.0)
    assert [[float(v) for v in c.split(",")] for c in centres] == \
        [expected[k].tolist() for k in ("left", "anterior", "head")]


def test_extra_attributes_for_every_slice():
    series = phantom.make_series(**SMALL, extra_attributes={"PatientBirthDate": "19700101",
                                                            "InstitutionName": "Somewhere"})
    assert {ds.PatientBirthDate for ds in series} == {"19700101"}
    assert series[0].InstitutionName == "Somewhere"
    with pytest.raises(phantom.PhantomError, match="'PatientsBirthday'"):
        phantom.make_series(**SMALL, extra_attributes={"PatientsBirthday": "1970"})


def test_decimal_strings_are_pydicoms_and_free_of_float_noise():
    ds = phantom.make_series(**SMALL, orientation=(0.8660254, 0.5, 0, 0, 0, -1),
                             tilt_degrees=12)[0]
    for keyword in ("ImagePositionPatient", "ImageOrientationPatient", "PixelSpacing",
                    "SliceLocation", "SliceThickness", "GantryDetectorTilt"):
        value = ds[keyword].value
        for text in map(str, value if ds[keyword].VM > 1 else [value]):
            assert text == format_number_as_ds(float(text)), (keyword, text)
            assert "e" not in text and text != "-0.0", (keyword, text)
