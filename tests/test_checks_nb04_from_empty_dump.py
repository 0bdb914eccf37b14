"""Notebook 04's checkers (:mod:`workshop_helpers.checks.nb04_from_empty_dump`): every right form accepted, wrong values refused, wrong forms unreadable."""

from __future__ import annotations

import re

import pydicom
import pytest
from verdicts import assert_verdicts, verdict
from verdicts import ct_fixture as ct_fixture

from workshop_helpers import checks, tools
from workshop_helpers.exercises import CannotRead


def test_04_fixed_dump_lines():
    check = checks.fixed_dump_lines({"PatientName": "WORKSHOP^01", "PatientID": "WORKSHOP01"})
    right = "(0010,0010) PN [WORKSHOP^01]\n(0010,0020) LO [WORKSHOP01]\n"
    assert_verdicts(check, accepted=[right, right.strip(), "(0010,0020) LO [WORKSHOP01]\n(0010,0010) PN [WORKSHOP^01]",
                                     "(0010,0010) PN [WORKSHOP^01^^^]\n(0010,0020) LO [WORKSHOP01]"],
                    refused=["(0010,0010) PN [WORKSHOP01]\n(0010,0020) LO [WORKSHOP01]",
                             "(0010,0010) PN [WORKSHOP^01]\n(0010,0020) LN [WORKSHOP01]",
                             "(0010,0010) PN [WORKSHOP^01]\n(0010,0020) SH [WORKSHOP01]",
                             right + "(0010,0030) DA [notadate]\n",
                             "(0010,0010) PN [WORKSHOP^01]",
                             "(0010,0010) PN [WORKSHOP^01^^^]\n(0010,0020) LO [WORKSHOP01^]",
                             "(0010,0010) PN [WORKSHOP^^01]\n(0010,0020) LO [WORKSHOP01]"],
                    unreadable=[["(0010,0010) PN [WORKSHOP^01]"], None, ...])


def test_04_fixed_dump_lines_wants_a_date_as_eight_digits():
    check = checks.fixed_dump_lines({"PatientName": "WORKSHOP^01", "PatientID": "WORKSHOP01",
                                     "PatientBirthDate": "19700101"})
    two = "(0010,0010) PN [WORKSHOP^01]\n(0010,0020) LO [WORKSHOP01]\n"
    assert_verdicts(check, accepted=[two + "(0010,0030) DA [19700101]"],
                    refused=[two + "(0010,0030) DA [1970-01-01]", two + "(0010,0030) DA [19700102]",
                             two + "(0010,0030) DA [01.01.1970]", two])
    assert "YYYYMMDD" in check(two + "(0010,0030) DA [1970-01-01]")[1]
    with pytest.raises(AssertionError, match="only the 3 lines"):
        check(two + "(0010,0030) DA [19700101]\n(0010,0040) CS [O]")


def test_04_shared_uids():
    a, b = pydicom.Dataset(), pydicom.Dataset()
    a.StudyInstanceUID = b.StudyInstanceUID = "1.2.3"
    a.SeriesInstanceUID, b.SeriesInstanceUID = "1.2.3.4", "1.2.3.5"
    b.SOPInstanceUID = "1.2.3.5.6"
    assert_verdicts(checks.shared_uids(a, b),
                    accepted=[{"StudyInstanceUID"}, ["studyinstanceuid"], ("StudyInstanceUID",), {" StudyInstanceUID "}],
                    refused=[set(), {"StudyInstanceUID", "SeriesInstanceUID"}, {"SOPInstanceUID"}],
                    unreadable=["StudyInstanceUID", {"StudyUID"}, None, 3])


def test_04_shared_uids_form_error_shows_no_answer():
    a, b = pydicom.Dataset(), pydicom.Dataset()
    a.StudyInstanceUID = b.StudyInstanceUID = "1.2.3"
    a.SeriesInstanceUID = b.SeriesInstanceUID = "1.2.3.4"
    check = checks.shared_uids(a, b)
    assert verdict(check, {"StudyInstanceUID", "SeriesInstanceUID"}) == "ok"
    with pytest.raises(CannotRead) as error:
        check("StudyInstanceUID")
    examples = re.findall(r"\{[^}]*\}", str(error.value))
    assert examples and all("InstanceUID" not in e for e in examples), str(error.value)


def test_04_transfer_syntax(tmp_path, ct):
    ct.save_as(tmp_path / "ct.dcm")
    expected = ct.file_meta.TransferSyntaxUID
    assert_verdicts(checks.transfer_syntax(tmp_path / "ct.dcm"),
                    accepted=[str(expected), expected, f" {expected} ", expected.name, expected.name.upper()],
                    refused=["1.2.840.10008.1.2.4.50", "1.2.3"], unreadable=[None, 1.2])
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")   # a name is looked up, never parsed as a UID (pydicom warns)
        ok, why = checks.transfer_syntax(tmp_path / "ct.dcm")("JPEG Baseline (Process 1)")
    assert not ok and why == "that is JPEG Baseline (Process 1)"


@pytest.mark.parametrize("kind", ["png", "jpg"])
def test_04_picture_in_series(tmp_path, kind):
    from matplotlib import cbook
    from PIL import Image

    from workshop_helpers import files

    grace = cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)
    picture = tmp_path / f"picture.{kind}"
    Image.open(grace).reduce(4).save(picture)
    other = tmp_path / f"other.{kind}"
    Image.open(grace).reduce(5).save(other)
    series = tmp_path / "two.dcm"
    files.dump_to_file("(0020,000d) UI [2.25.1]\n(0020,000e) UI [2.25.2]\n", series)
    out = tmp_path / "four.dcm"
    check = checks.picture_in_series(picture, series, out)
    syntax = pydicom.uid.JPEGBaseline8Bit if kind == "jpg" else pydicom.uid.ExplicitVRLittleEndian
    wrong = pydicom.uid.ExplicitVRLittleEndian if kind == "jpg" else pydicom.uid.JPEGBaseline8Bit
    assert verdict(check, str(syntax)) == "not yet"            # no file yet: the effect counts
    files.image_to_dicom(other, out, series_from=series)         # a different picture
    assert verdict(check, str(syntax)) == "not yet"
    files.image_to_dicom(picture, out)                           # the picture, not in the series
    assert verdict(check, str(syntax)) == "not yet"
    files.image_to_dicom(picture, out, series_from=series)
    assert_verdicts(check, accepted=[str(syntax), syntax, f" {syntax} ", syntax.name, syntax.name.lower()],
                    refused=[str(wrong), wrong.name, "1.2.3", "1.2.840.10008.1.2.4.55"],
                    unreadable=[None, 1.2, ["1.2.840.10008.1.2.1"]])
    three = tmp_path / "three.dcm"
    files.dump_to_file("(0020,000d) UI [2.25.1]\n(0020,000e) UI [2.25.2]\n(0008,0018) UI [2.25.3]\n", three)
    copied = pydicom.dcmread(out)   # four.dcm with three.dcm's SOP Instance UID
    copied.SOPInstanceUID = copied.file_meta.MediaStorageSOPInstanceUID = "2.25.3"
    copied.save_as(out)
    with pytest.raises(AssertionError, match="three.dcm"):
        check(str(syntax))
    files.image_to_dicom(picture, out, series_from=series)
    assert verdict(check, str(syntax)) == "ok"
    if kind == "png":  # a progressive re-encoding is not the picture
        files.image_to_dicom(grace, out, series_from=series)
        assert verdict(check, str(pydicom.uid.JPEGBaseline8Bit)) == "not yet"


def test_04_picture_in_series_accepts_a_jpeg_without_its_app0_and_refuses_other_scans(tmp_path):
    from matplotlib import cbook
    from PIL import Image

    from workshop_helpers import files

    picture = tmp_path / "picture.jpg"
    Image.open(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)).reduce(4).save(picture)
    series, out = tmp_path / "two.dcm", tmp_path / "four.dcm"
    files.dump_to_file("(0020,000d) UI [2.25.1]\n(0020,000e) UI [2.25.2]\n", series)
    check = checks.picture_in_series(picture, series, out)
    files.image_to_dicom(picture, out, series_from=series)
    ds = pydicom.dcmread(out)
    data = picture.read_bytes()
    assert data[2:4] == b"\xff\xe0"   # JFIF's APP0 follows SOI
    app0_end = 4 + int.from_bytes(data[4:6], "big")
    ds.PixelData = pydicom.encaps.encapsulate([data[:2] + data[app0_end:]])   # as img2dcm stores it
    ds.save_as(out)
    assert verdict(check, str(pydicom.uid.JPEGBaseline8Bit)) == "ok"
    Image.open(picture).save(tmp_path / "again.jpg", quality=60)   # the same picture, re-compressed
    ds.PixelData = pydicom.encaps.encapsulate([(tmp_path / "again.jpg").read_bytes()])
    ds.save_as(out)
    assert verdict(check, str(pydicom.uid.JPEGBaseline8Bit)) == "not yet"


def test_04_picture_in_series_accepts_what_img2dcm_makes(tmp_path, dcmtk):
    from matplotlib import cbook
    from PIL import Image

    from workshop_helpers import files

    picture = tmp_path / "picture.jpg"
    Image.open(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)).reduce(4).save(picture)
    series, out = tmp_path / "two.dcm", tmp_path / "four.dcm"
    files.dump_to_file("(0020,000d) UI [2.25.1]\n(0020,000e) UI [2.25.2]\n", series)
    tools.run_tool([dcmtk("img2dcm"), "--series-from", series, picture, out], check=True)
    assert_verdicts(checks.picture_in_series(picture, series, out),
                    accepted=[str(pydicom.uid.JPEGBaseline8Bit)], refused=["1.2.840.10008.1.2.1"])
