"""De-identification (workshop_helpers.deid): planted identifiers must not survive, the image and its
geometry must, the output must pass dciodvfy; dicognito as a real peer."""

from __future__ import annotations

import copy
import io

import numpy as np
import pydicom
import pytest
from dicognito.anonymizer import Anonymizer
from pydicom.dataset import Dataset
from pydicom.valuerep import BYTES_VR

from workshop_helpers import deid, deid_table, phantom, tools
from workshop_helpers import private as P
from workshop_helpers.__main__ import main

GEOMETRY = {"rows": 12, "columns": 16, "slices": 4, "pixel_spacing": (0.8, 0.6), "slice_spacing": 2.5}


@pytest.fixture
def planted_series():
    """A 4-slice phantom series with identifiers planted in every slice; (datasets, needles)."""
    series = phantom.make_series(**GEOMETRY, seed=6,
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
    moved = [copy.deepcopy(ds) for ds in out]   # Dataset.copy() is shallow
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
    item.SecondaryReviewerName = "WATSON^JOHN"           # PN not in Table E.1-1
    item.ItemInventoryDateTime = "20220601120000"       # DT not in the table
    item.ReferencedSOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
    item.ReferencedSOPInstanceUID = "1.2.3.4.5"
    ds.ReferencedSeriesSequence = [item]                 # a sequence the table keeps
    assert deid_table.basic_profile_code(0x300E0008) == "X/Z"   # (sanity: the table is loaded)
    out = deid.deidentify(ds).dataset
    kept = out.ReferencedSeriesSequence[0]
    assert kept.SecondaryReviewerName == ""
    assert kept.ItemInventoryDateTime == ""
    shifted = deid.deidentify(ds, date_shift_days=1).dataset
    assert shifted.ReferencedSeriesSequence[0].ItemInventoryDateTime == "20220602120000"
    assert kept.ReferencedSOPClassUID == "1.2.840.10008.5.1.4.1.1.2"
    assert kept.ReferencedSOPInstanceUID.startswith("2.25.")


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
    assert main(["deid", str(src), str(tmp_path / "out")]) == 0
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
    theirs = copy.deepcopy(series[0])   # Dataset.copy() is shallow: dicognito would change series[0]
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


# --------------------------------------------------------- the whole table (PS3.15 Table E.1-1)

def _bytes_of(ds) -> bytes:
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def test_the_table_is_the_whole_edition():
    rows = deid_table.ROWS
    assert deid_table.EDITION == "2026c" and len(rows) == 655
    assert len({(r.group, r.element, r.group_mask, r.element_mask) for r in rows}) == len(rows)
    assert {r.code for r in rows} == {"D", "Z", "X", "U", "Z/D", "X/Z", "X/D", "X/Z/D", "X/Z/U*"}
    assert {r.name for r in rows if r.repeating} == {
        "(5000,0000) (repeating group)", "OverlayData (repeating group)",
        "OverlayComments (repeating group)"}
    for row in rows:   # every row gets one of the single codes, never "keep"
        tag = 0x60023000 if row.group == 0x6000 else 0x50001010 if row.group == 0x5000 else row.tag
        assert deid.action_code(tag) in ("D", "Z", "X", "U"), row


@pytest.fixture
def planted_everywhere():
    """One CT slice with a distinct value in every row of the table (top level and two sequence
    items deep), in file meta, in an overlay, in private blocks; (dataset, {needle: where})."""
    ds = phantom.make_series(**GEOMETRY, seed=6)[0]
    return ds, deid_table.plant_everywhere(ds)


def test_every_planted_value_is_gone_from_the_bytes(planted_everywhere):
    ds, needles = planted_everywhere
    assert len(needles) > 1250
    assert deid_table.find_in_bytes(_bytes_of(ds), needles) == list(needles)   # all really there
    result = deid.deidentify(ds, salt="t")
    data = _bytes_of(result.dataset)
    left = deid_table.find_in_bytes(data, needles)
    assert left == [], [(n, needles[n]) for n in left]
    back = pydicom.dcmread(io.BytesIO(data))
    assert np.array_equal(back.pixel_array, ds.pixel_array)
    assert back.PixelData == ds.PixelData
    assert not any(0x6000 <= e.tag.group <= 0x60FF for e in back)
    assert [e.keyword for e in back.file_meta] == [
        "FileMetaInformationGroupLength", "FileMetaInformationVersion", "MediaStorageSOPClassUID",
        "MediaStorageSOPInstanceUID", "TransferSyntaxUID", "ImplementationClassUID",
        "ImplementationVersionName"]
    assert back.file_meta.MediaStorageSOPInstanceUID == back.SOPInstanceUID
    assert back.LongitudinalTemporalInformationModified == "REMOVED"
    assert back.DeidentificationMethod.startswith("workshop_helpers.deid: PS3.15 2026c")


# Identifying values a de-identifier working from a short list of the usual attributes (names,
# IDs, dates) leaves as they are: every one of them has a row in Table E.1-1.
EASILY_MISSED = {
    "AdmissionID": "ADM-4711", "MedicalAlerts": "PENICILLIN DOE", "Allergies": "DOE NUTS",
    "StudyComments": "DOE again", "ReasonForStudy": "DOE fell", "RequestingService": "WARD DOE",
    "CurrentPatientLocation": "ROOM DOE", "PlacerOrderNumberImagingServiceRequest": "PLACER-DOE",
    "FillerOrderNumberImagingServiceRequest": "FILLER-DOE", "PatientTelecomInformation": "tel:DOE",
    "StationAETitle": "DOE_AE", "ServiceEpisodeID": "EPISODE-DOE", "VisitComments": "visit DOE",
    "PerformedLocation": "DOE ROOM", "ScheduledProcedureStepDescription": "DOE chest",
    "AcquisitionComments": "DOE moved", "DerivationDescription": "DOE derived",
    "GantryID": "GANTRY-DOE", "DetectorID": "DETECTOR-DOE", "TimeOfSecondaryCapture": "101112.4711",
    "DateOfLastCalibration": ["20200101", "20210101"],
}


@pytest.mark.parametrize("keyword", sorted(EASILY_MISSED))
def test_values_outside_the_usual_list_are_gone(keyword):
    planted = EASILY_MISSED[keyword]
    ds = Dataset()
    setattr(ds, keyword, planted)
    out = deid.deidentify(ds).dataset
    assert keyword not in out or not out[keyword].value or out[keyword].value != planted
    assert deid.find_values(out, planted if isinstance(planted, list) else [planted]) == []


def test_institution_code_meaning_overlay_file_meta_and_un_are_gone():
    ds = phantom.make_series(**GEOMETRY, seed=6)[0]
    code = Dataset()
    code.CodeValue, code.CodingSchemeDesignator, code.CodeMeaning = "H1", "99X", "ST ELSEWHERE"
    ds.InstitutionCodeSequence = [code]
    needles = ["ST ELSEWHERE"] + deid_table.plant_overlay(ds, 0x6002)
    needles += deid_table.plant_file_meta(ds)
    ds.add_new(0x00111234, "UN", b"DOE-IN-UN")       # odd: private orphan
    ds.add_new(0x00091010, "LO", "x")                 # (and a public group no one defined:)
    ds.add_new(0x00331010, "UN", b"DOE-ORPHAN")
    ds.add_new(0x00210030, "UN", b"DOE-UNKNOWN-PUBLIC")   # even group, not in any dictionary
    needles += ["DOE-IN-UN", "DOE-ORPHAN", "DOE-UNKNOWN-PUBLIC"]
    data = _bytes_of(deid.deidentify(ds).dataset)
    assert deid_table.find_in_bytes(data, needles) == []



@pytest.mark.parametrize("vr", sorted(BYTES_VR - {"UN"}))   # UN is read as the dictionary's VR
@pytest.mark.filterwarnings("error")
def test_a_z_attribute_stored_in_a_bytes_vr_is_emptied_as_bytes(vr):
    """A broken file may give a table attribute another VR: Accession Number (code Z) as OB, OD,
    OF, OL, OV or OW is emptied to b'' (a str there makes pydicom warn, or fail on writing)."""
    ds = Dataset()
    ds.add_new(0x00080050, vr, b"MRN-4711")
    out = deid.deidentify(ds).dataset
    assert out[0x00080050].VR == vr and out[0x00080050].value == b""
    written = io.BytesIO()
    out.save_as(written, implicit_vr=False, little_endian=True)
    assert b"MRN-4711" not in written.getvalue() and vr.encode() in written.getvalue()


#: Bytes in one value of each VR pydicom keeps as bytes (PS3.5 Table 6.2-1).
_VALUE_WIDTH = {"OB": 1, "OW": 2, "OF": 4, "OL": 4, "OD": 8, "OV": 8}


@pytest.mark.parametrize("vr", sorted(BYTES_VR - {"UN"}))
@pytest.mark.filterwarnings("error")
def test_a_d_attribute_stored_in_a_bytes_vr_gets_a_dummy_of_whole_values(vr):
    """Clinical Trial Sponsor Name (code D) in a bytes VR gets a dummy of that VR: bytes, a whole
    number of its values, and the file writes and reads back with the same VR and dummy."""
    ds = Dataset()
    ds.add_new(0x00120010, vr, b"SPONSOR-4711")
    out = deid.deidentify(ds).dataset
    dummy = out[0x00120010].value
    assert isinstance(dummy, bytes) and dummy and len(dummy) % _VALUE_WIDTH[vr] == 0
    written = io.BytesIO()
    out.save_as(written, implicit_vr=False, little_endian=True)
    assert b"SPONSOR-4711" not in written.getvalue()
    back = pydicom.dcmread(io.BytesIO(written.getvalue()), force=True)
    assert back[0x00120010].VR == vr and back[0x00120010].value == dummy


def test_patient_name_inside_a_kept_private_sequence_is_emptied():
    ds = Dataset()
    ds.PatientName = "DOE^JANE"
    inner = Dataset()
    inner.PatientName = "DOE^JANE"
    inner.AdmissionID = "ADM-4711"
    P.add_private(ds, 0x0029, "HOSPITAL", 0x10, "SQ", [inner])
    P.add_private(ds, 0x0029, "HOSPITAL", 0x11, "LO", "free text DOE")
    out = deid.deidentify(ds, keep_private=[("HOSPITAL", 0x10)]).dataset
    kept = P.read_private(out, 0x0029, "HOSPITAL", 0x10)
    assert len(kept) == 1 and kept[0].PatientName == "" and "AdmissionID" not in kept[0]
    assert deid.find_values(out, ["DOE", "ADM-4711"]) == []


@pytest.mark.parametrize(("name", "needles"), [
    ("waveform_ecg.dcm", ["AdmissionID"]),
    ("examples_overlay.dcm", ["StudyComments", "RequestingService"]),
])
def test_pydicom_files_lose_what_they_kept_before(name, needles):
    ds = pydicom.dcmread(tools.testdata(name))
    values = [str(ds[k].value) for k in needles]
    assert all(values)
    out = deid.deidentify(ds).dataset
    assert deid_table.find_in_bytes(_bytes_of(out), values) == []
    for keyword in needles:
        assert keyword not in out
    if "WaveformSequence" in ds:
        assert out.WaveformSequence[0].WaveformData == ds.WaveformSequence[0].WaveformData


def test_burned_in_annotation_is_withheld_until_the_pixels_were_checked(tmp_path, capsys):
    ds = phantom.make_series(**GEOMETRY, seed=6)[0]
    assert deid.burned_in_reason(ds) is None   # a CT without the attribute: released
    ds.BurnedInAnnotation = "YES"
    with pytest.raises(deid.BurnedInAnnotationError, match=r"withheld: Burned In Annotation .* YES"):
        deid.deidentify(ds)
    assert deid.deidentify(ds, pixels_checked=True).dataset.BurnedInAnnotation == "YES"
    del ds.BurnedInAnnotation
    ds.Modality = "US"
    with pytest.raises(deid.BurnedInAnnotationError, match=r"absent on an ultrasound \(US\)"):
        deid.deidentify(ds)
    ds.save_as(tmp_path / "us.dcm", enforce_file_format=True)
    assert main(["deid", str(tmp_path / "us.dcm"), str(tmp_path / "out.dcm")]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "withheld" in err and "--pixels-checked" in err
    assert not (tmp_path / "out.dcm").exists()
    assert main(["deid", str(tmp_path / "us.dcm"), str(tmp_path / "out.dcm"), "--pixels-checked"]) == 0
    assert (tmp_path / "out.dcm").exists()


def test_folder_is_all_or_nothing(planted_folder, tmp_path, capsys):
    src, _ = planted_folder
    bad = pydicom.dcmread(src / "DOE_JANE_3.dcm")
    bad.BurnedInAnnotation = "YES"
    bad.save_as(src / "DOE_JANE_3.dcm")
    with pytest.raises(deid.BurnedInAnnotationError, match="DOE_JANE_3.dcm"):
        deid.deidentify_series(sorted(src.iterdir()), tmp_path / "out")
    assert main(["deid", str(src), str(tmp_path / "out")]) == 3
    assert "DOE_JANE_3.dcm" in capsys.readouterr().err
    (src / "zz_notes.txt").write_text("not DICOM")
    assert main(["deid", str(src), str(tmp_path / "out"), "--pixels-checked"]) == 2
    assert not (tmp_path / "out").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]   # no staging folder left
    (src / "zz_notes.txt").unlink()
    assert main(["deid", str(src), str(tmp_path / "out"), "--pixels-checked"]) == 0
    report = capsys.readouterr().out
    assert "de-identified 4 file(s)" in report and "2026c" in report
    out = [pydicom.dcmread(p) for p in sorted((tmp_path / "out").iterdir())]
    assert len({ds.StudyInstanceUID for ds in out}) == 1 and len(out) == 4


def test_dates_shifted_everywhere_with_the_option():
    ds = Dataset()
    ds.DateOfLastCalibration = ["20200101", "20210101"]
    ds.AcquisitionDateTime = "20220601101010"
    out = deid.deidentify(ds, date_shift_days=10).dataset
    assert list(out.DateOfLastCalibration) == ["20200111", "20210111"]
    assert out.AcquisitionDateTime == "20220611101010"
    assert out.LongitudinalTemporalInformationModified == "MODIFIED"


def test_whole_table_output_passes_dciodvfy(tmp_path, dciodvfy):
    ds = phantom.make_series(**GEOMETRY, seed=6)[0]
    deid.plant_identifiers(ds)
    deid_table.plant_file_meta(ds)
    deid_table.plant_overlay(ds)
    for keyword, value in EASILY_MISSED.items():
        setattr(ds, keyword, value)
    deid.deidentify(ds).dataset.save_as(tmp_path / "x.dcm", enforce_file_format=True)
    validation = dciodvfy(tmp_path / "x.dcm")
    assert validation.ok, str(validation)


def test_the_peers_on_the_same_planted_file(planted_everywhere):
    """The notebook's comparison: what dicognito and dicom-anonymizer leave, by place."""
    ds, needles = planted_everywhere
    left = {name: deid_table.count_by_place(deid_table.left_in_file(tool(ds), needles), needles)
            for name, tool in deid_table.TOOLS.items()}
    assert sum(left["workshop_helpers.deid"].values()) == 0
    kitware = left["dicom-anonymizer (2026c)"]
    assert kitware["table, top level"] == 0 and kitware["table, 2 items deep"] > 600
    assert kitware["file meta"] > 0
    assert left["dicognito"]["table, top level"] > 300 and left["dicognito"]["private & co."] > 0


def test_the_preamble_is_zeroed(planted_series, tmp_path):
    """PS3.10 7.1: the 128-byte preamble is free for applications - and so for an identifier."""
    ds = series_file = planted_series[0][0]
    series_file.preamble = b"MRN-4711 DOE^JANE".ljust(128, b" ")
    ds.save_as(tmp_path / "in.dcm", enforce_file_format=True)
    read = pydicom.dcmread(tmp_path / "in.dcm")
    assert b"MRN-4711" in (tmp_path / "in.dcm").read_bytes()[:128]
    deid.deidentify(read).dataset.save_as(tmp_path / "out.dcm", enforce_file_format=True)
    assert (tmp_path / "out.dcm").read_bytes()[:132] == bytes(128) + b"DICM"
    assert main(["deid", str(tmp_path / "in.dcm"), str(tmp_path / "cli.dcm")]) == 0
    assert (tmp_path / "cli.dcm").read_bytes()[:128] == bytes(128)


def test_verbose_prints_no_value_not_even_its_start(planted_folder, tmp_path, capsys):
    src, needles = planted_folder
    assert main(["deid", str(src), str(tmp_path / "out"), "-v"]) == 0
    out = capsys.readouterr().out
    assert "X  (0029,1001)" in out   # the actions are listed
    values = [*needles, "HOSPITAL", "HOUSE^GREGORY", "CTCHEST"]
    assert [v for v in values if v in out] == []
    assert [v[:2] for v in values if f"'{v[:2]}" in out] == []   # no first characters either
    assert " chars)" not in out   # nor lengths of removed text


def test_salt_comes_from_a_private_file_or_the_environment_never_the_command_line(
        planted_folder, tmp_path, capsys, monkeypatch):
    src, _ = planted_folder
    first = src / "DOE_JANE_0.dcm"
    with pytest.raises(SystemExit) as exited:
        main(["deid", str(first), str(tmp_path / "a.dcm"), "--salt", "s3cret-salt"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "s3cret-salt" not in err and "WORKSHOP_DEID_SALT" in err and "--salt-file" in err
    salt = tmp_path / "salt"
    salt.write_text("s3cret-salt\n")
    salt.chmod(0o600)
    assert main(["deid", str(first), str(tmp_path / "a.dcm"), "--salt-file", str(salt)]) == 0
    monkeypatch.setenv("WORKSHOP_DEID_SALT", "s3cret-salt")
    assert main(["deid", str(first), str(tmp_path / "b.dcm")]) == 0
    monkeypatch.delenv("WORKSHOP_DEID_SALT")
    assert main(["deid", str(first), str(tmp_path / "c.dcm")]) == 0   # random salt
    uid = {n: pydicom.dcmread(tmp_path / f"{n}.dcm").StudyInstanceUID for n in "abc"}
    assert uid["a"] == uid["b"] != uid["c"]
    assert uid["a"] == deid.deidentify(pydicom.dcmread(first), salt="s3cret-salt").dataset.StudyInstanceUID
    salt.chmod(0o644)
    assert main(["deid", str(first), str(tmp_path / "d.dcm"), "--salt-file", str(salt)]) == 2
    err = capsys.readouterr().err
    assert "chmod 600" in err and "s3cret" not in err and not (tmp_path / "d.dcm").exists()
    with pytest.raises(SystemExit):
        main(["deid", "--help"])
    assert "WORKSHOP_DEID_SALT" in capsys.readouterr().out


@pytest.mark.parametrize("bad", ["2023-01-02", "20231", "2023XX01", "19610412 DOE"])
def test_a_malformed_date_with_shift_days_is_one_line_naming_tag_and_file(planted_folder, tmp_path,
                                                                          capsys, bad):
    src, _ = planted_folder
    ds = pydicom.dcmread(src / "DOE_JANE_1.dcm")
    ds.StudyDate = bad
    ds.save_as(src / "DOE_JANE_1.dcm", enforce_file_format=True)
    for source, out in ((src / "DOE_JANE_1.dcm", tmp_path / "one.dcm"), (src, tmp_path / "out")):
        assert main(["deid", str(source), str(out), "--shift-days", "-30"]) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1, err
        assert "(0008,0020)" in err and "DOE_JANE_1.dcm" in err and "Traceback" not in err
        assert bad not in err and bad[:4] not in err, err
        assert not out.exists()
    with pytest.raises(deid.DeidError, match=r"StudyDate \(0008,0020\)"):
        deid.deidentify(ds, date_shift_days=3)


def test_keep_private_refuses_an_element_number_for_an_offset(planted_series):
    ds = planted_series[0][0]
    with pytest.raises(deid.DeidError, match=r"for the element \(gggg,1010\) it is 0x10"):
        deid.deidentify(ds, keep_private=[("CTP", 0x1010)])
    with pytest.raises(deid.DeidError, match="is a number 0x00-0xFF"):
        deid.deidentify(ds, keep_private=[(0x0013, "CTP", "ten")])
