"""De-identification (workshop_helpers.deid): planted identifiers must not survive, the image and its
geometry must, the output must pass dciodvfy; dicognito as a real peer."""

from __future__ import annotations

import numpy as np
import pydicom
import pytest
from dicognito.anonymizer import Anonymizer
from pydicom.dataset import Dataset

from workshop_helpers import deid, phantom, tools
from workshop_helpers import private as P
from workshop_helpers.__main__ import main

SHAPE, SPACING = (16, 12, 4), (0.8, 0.6, 2.5)


@pytest.fixture
def planted_series():
    """A 4-slice phantom series with identifiers planted in every slice; (datasets, needles)."""
    series = phantom.make_series(shape=SHAPE, spacing=SPACING, seed=6,
                                 patient_name="DOE^JANE", patient_id="MRN-4711")
    needles: list[str] = []
    for ds in series:
        needles = deid.plant_identifiers(ds)
    first = series[0]
    needles += [first.StudyInstanceUID, first.SeriesInstanceUID, first.FrameOfReferenceUID]
    needles += [ds.SOPInstanceUID for ds in series]
    return series, sorted(set(needles))


@pytest.fixture
def planted_folder(planted_series, tmp_path):
    """The planted series written to tmp_path/in as DOE_JANE_<n>.dcm (names that identify too)."""
    series, needles = planted_series
    src = tmp_path / "in"
    src.mkdir()
    for n, ds in enumerate(series):
        ds.save_as(src / f"DOE_JANE_{n}.dcm", enforce_file_format=True)
    return src, needles


def test_planting_really_plants(planted_series):
    series, needles = planted_series
    hits = deid.find_values(series[0], needles)
    where = {path for path, _, _ in hits}
    assert {"", "OtherPatientIDsSequence[0]", "RequestAttributesSequence[0]",
            "ProcedureCodeSequence[0]", "file_meta"} <= where
    tags = {tag for _, tag, _ in hits}
    assert {"(0029,1001)", "(0029,1002)", "(0029,1003)", "(0033,1010)"} <= tags   # private, OB, orphan


def test_nothing_planted_survives(planted_series):
    series, needles = planted_series
    uid_map: dict[str, str] = {}
    for ds in series:
        result = deid.deidentify(ds, uid_map=uid_map)
        assert deid.find_values(result.dataset, needles) == []
        assert result.dataset.PatientIdentityRemoved == "YES"
        code = result.dataset.DeidentificationMethodCodeSequence[0]
        assert (code.CodeValue, code.CodingSchemeDesignator) == ("113100", "DCM")
        assert not any(e.tag.is_private for e in result.dataset)


def test_input_is_not_changed(planted_series):
    series, needles = planted_series
    before = series[0].to_json_dict()
    deid.deidentify(series[0])
    assert series[0].to_json_dict() == before


def test_pixels_and_geometry_stay_and_uids_are_consistent(planted_series):
    series, _ = planted_series
    uid_map: dict[str, str] = {}
    out = [deid.deidentify(ds, uid_map=uid_map).dataset for ds in series]
    for a, b in zip(series, out, strict=True):
        assert np.array_equal(a.pixel_array, b.pixel_array)
        for keyword in ("ImagePositionPatient", "ImageOrientationPatient", "PixelSpacing",
                        "SliceThickness", "Rows", "Columns", "RescaleSlope", "RescaleIntercept",
                        "PatientPosition", "SOPClassUID"):
            assert a[keyword].value == b[keyword].value, keyword
        assert b.SOPInstanceUID != a.SOPInstanceUID
        assert b.file_meta.MediaStorageSOPInstanceUID == b.SOPInstanceUID
    for keyword in ("StudyInstanceUID", "SeriesInstanceUID", "FrameOfReferenceUID"):
        values = {ds[keyword].value for ds in out}
        assert len(values) == 1, f"{keyword} differs across the series"
        assert values.pop() == uid_map[series[0][keyword].value]
    assert len({ds.SOPInstanceUID for ds in out}) == len(out)
    assert all(new.startswith("2.25.") for new in uid_map.values())
    assert deid.what_stayed(series, out) == dict.fromkeys(
        ["pixels", "geometry", "one frame of reference", "new frame of reference"], True)
    moved = [ds.copy() for ds in out]
    moved[1].ImagePositionPatient = [0, 0, 0]
    separate = [deid.deidentify(ds).dataset for ds in series]   # no shared uid_map
    assert not deid.what_stayed(series, moved)["geometry"]
    assert not deid.what_stayed(series, separate)["one frame of reference"]
    with pytest.raises(deid.DeidError, match="4 slices before but 3 after"):
        deid.what_stayed(series, out[:3])


def test_same_salt_same_uids_across_runs(planted_series):
    series, _ = planted_series
    one = deid.deidentify(series[0], salt="s").dataset.StudyInstanceUID
    two = deid.deidentify(series[0], salt="s").dataset.StudyInstanceUID
    other = deid.deidentify(series[0]).dataset.StudyInstanceUID   # random salt
    assert one == two != other


def test_actions_say_what_was_done_without_repeating_values(planted_series):
    series, needles = planted_series
    result = deid.deidentify(series[0])
    by_keyword = {a.keyword: a for a in result.actions if not a.path}
    assert by_keyword["PatientName"].action == "Z"
    assert by_keyword["OtherPatientIDsSequence"].action == "X"
    assert by_keyword["StudyInstanceUID"].action == "U"
    nested = [a for a in result.actions if a.path == "ProcedureCodeSequence[0]"]
    assert {a.tag for a in nested} == {0x00290010, 0x00291002}
    text = "\n".join(str(a) for a in result.actions)
    assert not [n for n in needles if n in text]
    assert set(result.counts()) <= set("DZXKCU")


def test_keep_private_by_creator_and_offset(planted_series):
    series, needles = planted_series
    ds = series[0]
    P.add_private(ds, 0x0013, "SOMEONE", 0x10, "LO", "other")   # CTP lands in block 0x11
    P.add_private(ds, 0x0013, "CTP", 0x10, "LO", "TCGA-LUAD")
    P.add_private(ds, 0x0013, "CTP", 0x13, "LO", "77779002")
    result = deid.deidentify(ds, keep_private=[("CTP", 0x10)])
    out = result.dataset
    assert P.read_private(out, 0x0013, "CTP", 0x10) == "TCGA-LUAD"
    assert out.private_creators(0x0013) == ["CTP"]
    assert (0x0013, 0x1113) not in out and (0x0013, 0x1010) not in out
    assert [a.action for a in result.actions if a.tag == 0x00131110] == ["K"]
    assert "113111" in [c.CodeValue for c in out.DeidentificationMethodCodeSequence]
    assert deid.find_values(out, needles) == []


def test_date_shift_is_consistent():
    ds = Dataset()
    ds.StudyDate, ds.SeriesDate, ds.ContentDate = "20220601", "20220601", "20220602"
    ds.PatientBirthDate = "19610412"
    out = deid.deidentify(ds, date_shift_days=-100).dataset
    assert (out.StudyDate, out.SeriesDate, out.ContentDate) == ("20220221", "20220221", "20220222")
    assert out.PatientBirthDate == ""
    assert out.LongitudinalTemporalInformationModified == "MODIFIED"
    assert "113107" in [c.CodeValue for c in out.DeidentificationMethodCodeSequence]
    with pytest.raises(deid.DeidError, match="whole number"):
        deid.deidentify(ds, date_shift_days=1.5)


def test_replacements_and_bad_options():
    ds = Dataset()
    ds.PatientName, ds.PatientID = "DOE^JANE", "123"
    out = deid.deidentify(ds, replacements={"PatientName": "ANON^001", "PatientID": "ANON001"})
    assert (out.dataset.PatientName, out.dataset.PatientID) == ("ANON^001", "ANON001")
    assert {a.action for a in out.actions if a.keyword in ("PatientName", "PatientID")} == {"D"}
    with pytest.raises(deid.DeidError, match="not a DICOM keyword"):
        deid.deidentify(ds, replacements={"PatientNom": "x"})
    with pytest.raises(deid.DeidError, match="keep_private"):
        deid.deidentify(ds, keep_private=[("CTP",)])


def test_every_pn_and_uid_even_outside_the_table():
    ds = Dataset()
    item = Dataset()
    item.VerifyingObserverName = "WATSON^JOHN"       # PN not in ACTIONS
    item.VerificationDateTime = "20220601120000"    # DT not in ACTIONS
    item.ReferencedSOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
    item.ReferencedSOPInstanceUID = "1.2.3.4.5"
    ds.VerifyingObserverSequence = [item]
    out = deid.deidentify(ds).dataset
    assert out.VerifyingObserverSequence[0].VerifyingObserverName == ""
    assert out.VerifyingObserverSequence[0].VerificationDateTime == ""
    shifted = deid.deidentify(ds, date_shift_days=1).dataset
    assert shifted.VerifyingObserverSequence[0].VerificationDateTime == "20220602120000"
    assert out.VerifyingObserverSequence[0].ReferencedSOPClassUID == "1.2.840.10008.5.1.4.1.1.2"
    assert out.VerifyingObserverSequence[0].ReferencedSOPInstanceUID.startswith("2.25.")


def test_ct_small_from_pydicom():
    ds = pydicom.dcmread(tools.testdata("CT_small.dcm"))
    needles = [str(ds.PatientName), ds.StudyInstanceUID, ds.SOPInstanceUID]
    out = deid.deidentify(ds).dataset
    assert deid.find_values(out, needles) == []
    assert not any(e.tag.is_private for e in out)
    assert np.array_equal(out.pixel_array, ds.pixel_array)


def test_series_to_folder_passes_dciodvfy(planted_folder, tmp_path, dciodvfy):
    src, needles = planted_folder
    assert dciodvfy(src / "DOE_JANE_0.dcm").ok   # the planted input is valid too
    results = deid.deidentify_series(sorted(src.iterdir()), tmp_path / "out",
                                     replacements={"PatientID": "ANON01"})
    assert [r.path.name for r in results] == [f"IM0000{i}.dcm" for i in range(1, 5)]
    for r in results:
        back = pydicom.dcmread(r.path)
        assert deid.find_values(back, needles) == []
        validation = dciodvfy(r.path)
        assert validation.ok, str(validation)
    assert len({pydicom.dcmread(r.path).FrameOfReferenceUID for r in results}) == 1
    assert not list((tmp_path / "out").glob("*.part"))


def test_series_refuses_non_dicom(tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("not DICOM")
    with pytest.raises(deid.DeidError, match="notes.txt"):
        deid.deidentify_series([bad], tmp_path / "out")


def test_cli_file_and_folder(planted_folder, tmp_path, capsys):
    src, needles = planted_folder
    assert main(["deid", str(src), str(tmp_path / "out"), "--salt", "x"]) == 0
    assert "de-identified 4 file(s)" in capsys.readouterr().out
    assert [p.name for p in sorted((tmp_path / "out").iterdir())][0] == "IM00001.dcm"
    assert main(["deid", str(src / "DOE_JANE_0.dcm"), str(tmp_path / "one.dcm"), "-v",
                 "--keep-private", "HOSPITAL:01"]) == 0
    out = capsys.readouterr().out
    assert "K  (0029,1001)" in out
    assert main(["deid", str(tmp_path / "nope"), str(tmp_path / "x")]) == 2
    assert "does not exist" in capsys.readouterr().err
    (tmp_path / "bad.txt").write_text("x")
    assert main(["deid", str(tmp_path / "bad.txt"), str(tmp_path / "y.dcm")]) == 2
    assert not (tmp_path / "y.dcm").exists()


def test_dicognito_peer_removes_the_standard_ones_but_not_private_or_free_text(planted_series):
    series, needles = planted_series
    ours = deid.deidentify(series[0]).dataset
    theirs = series[0].copy()
    Anonymizer(seed="course").anonymize(theirs)
    assert deid.find_values(ours, needles) == []
    left = deid.find_values(theirs, needles)
    # dicognito replaces names, IDs, dates, UIDs, institution (its README lists what it does);
    # it does not touch private elements nor free-text comments: those are what remains
    for path, tag, _ in left:
        group = int(tag[1:5], 16)
        assert group % 2 == 1 or tag == "(0010,4000)", (path, tag)
    assert left, "dicognito now removes private data too: update the notebook's comparison"
    theirs.remove_private_tags()
    del theirs.PatientComments
    assert deid.find_values(theirs, needles) == []


def test_shifted_and_kept_output_is_valid(planted_series, tmp_path, dciodvfy):
    series, needles = planted_series
    ds = series[0]
    P.add_private(ds, 0x0013, "CTP", 0x10, "LO", "TCGA-LUAD")
    result = deid.deidentify(ds, date_shift_days=-30, keep_private=[("CTP", 0x10)])
    result.dataset.save_as(tmp_path / "x.dcm", enforce_file_format=True)
    validation = dciodvfy(tmp_path / "x.dcm")
    assert validation.ok, str(validation)
    assert deid.find_values(pydicom.dcmread(tmp_path / "x.dcm"), needles) == []
