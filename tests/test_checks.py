"""Each exercise's checker: every right form accepted, wrong values refused, wrong forms unreadable."""

from __future__ import annotations

import re
import shutil
import time

import numpy as np
import pydicom
import pytest
from pydicom.tag import Tag

from workshop_helpers import checks, legacy, phantom, private, router, tools
from workshop_helpers.exercises import CannotRead, NotAttempted


def verdict(check, answer) -> str:
    """'ok', 'not yet' or 'unreadable'."""
    try:
        result = check(answer)
    except CannotRead:
        return "unreadable"
    except AssertionError:
        return "not yet"
    ok = result[0] if isinstance(result, tuple) else result
    return "ok" if ok else "not yet"


PRAISE = re.compile(r"right (for|in) all? ?\d+ .*|right in \d+ .*|\S+ stored all \d+ .*")


def message_of_right(check, answer) -> str:
    """The message that comes with a right answer: nothing, or praise (never a reason it is wrong)."""
    result = check(answer)
    return result[1] if isinstance(result, tuple) else ""


def assert_verdicts(check, accepted=(), refused=(), unreadable=()):
    assert {repr(a): verdict(check, a) for a in accepted} == {repr(a): "ok" for a in accepted}
    messages = {repr(a): message_of_right(check, a) for a in accepted}
    assert {k: m for k, m in messages.items() if m and not PRAISE.fullmatch(m)} == {}
    assert {repr(a): verdict(check, a) for a in refused} == {repr(a): "not yet" for a in refused}
    assert {repr(a): verdict(check, a) for a in unreadable} == {repr(a): "unreadable" for a in unreadable}


@pytest.fixture(scope="module")
def ct():
    return pydicom.dcmread(tools.testdata("CT_small.dcm"))


def test_00_pixel_area(ct):   # 0.661468 mm x 0.661468 mm
    assert_verdicts(checks.pixel_area(ct), accepted=[0.43754, 0.4375, "0.4375", np.float32(0.4375), 0.4376],
                    refused=[0.661468, 0.44, 0.87, 0], unreadable=["big", None, True, [0.4375, 1]])


def test_00_highest_value():
    hu = np.array([[-1000.0, 40.0], [1200.0, 3.0]])
    assert_verdicts(checks.highest_value(hu), accepted=[1200, 1200.0, np.float64(1200), hu.max()],
                    refused=[1199, 1200.4, 40], unreadable=["max", None])


def test_00_highest_value_names_the_stored_value_and_the_index():
    stored = np.array([[24, 1064], [2224, 1027]])
    hu = stored - 1024.0
    check = checks.highest_value(hu, stored=stored)
    assert_verdicts(check, accepted=[1200, hu.max()], refused=[stored.max(), hu.argmax(), 3])
    assert "stored value" in check(stored.max())[1]
    assert "index" in check(hu.argmax())[1]
    assert check(3)[1] == "some values of hu are higher"


def test_a_right_answer_comes_without_a_reason_it_is_wrong():
    assert_verdicts(checks.highest_value(np.array([1, 5])), accepted=[5])
    assert message_of_right(checks.highest_value(np.array([1, 5])), 5) == ""
    assert message_of_right(checks.lps_position((1, 2, 3)), (1, 2, 3)) == ""
    a = pydicom.Dataset()
    a.StudyInstanceUID = "1.2"
    assert message_of_right(checks.shared_uids(a, a), {"StudyInstanceUID"}) == ""
    with pytest.raises(AssertionError):   # the guard of assert_verdicts can fail
        assert_verdicts(lambda answer: (True, "one more is shared"), accepted=[1])


@pytest.mark.parametrize("order", ["little", "big"])
def test_01_byte_order_rule_is_tried_on_both_orders(tmp_path, order):
    import struct

    mystery = legacy.write_analyze(tmp_path / "m.hdr", np.zeros((2, 3), np.float32), byte_order=order)
    check = checks.byte_order_rule(mystery)
    rule = lambda first4: "little" if struct.unpack("<i", first4)[0] == 348 else "big"   # noqa: E731
    assert_verdicts(check, accepted=[rule, lambda b: "<" if b[0] == 0x5C else ">",
                                     lambda b: rule(b).upper() + " endian"],
                    refused=[lambda b: order, lambda b: "big" if rule(b) == "little" else "little",
                             lambda b: "little"],
                    unreadable=[order, None, lambda b: 348, lambda b: "middle"])
    assert f"your function says '{order}'" in check(lambda b: order)[1]
    with pytest.raises(NotAttempted):
        check(lambda b: ...)
    mystery.write_bytes(b"\x00\x00\x01\x00" + mystery.read_bytes()[4:])   # read when checked: 348 neither way
    assert verdict(check, rule) == "not yet"


@pytest.mark.parametrize("byte_order", ["little", "big"])
def test_01_promised_bytes_come_from_the_header_not_the_file(tmp_path, byte_order):
    volume = np.zeros((3, 40, 56), np.float32)                    # 6720 values, 4 bytes each
    header = legacy.write_analyze(tmp_path / "copy.hdr", volume, byte_order=byte_order)
    img = header.with_suffix(".img")
    img.write_bytes(img.read_bytes()[:-1000])                     # a copy cut short
    other = np.zeros((48, 64), np.int16)                          # what image.nbytes would give
    assert_verdicts(checks.promised_bytes(header), accepted=[26880, 26880.0, "26880", np.int64(26880)],
                    refused=[img.stat().st_size, 6720, 26880 * 8, other.nbytes, 26880.5, 26881],
                    unreadable=["26 kB", None])
    check = checks.promised_bytes(header)
    assert "dim[0]" in check(0)[1]
    assert "size of copy.img on disk" in check(25880)[1]
    assert "counts values" in check(6720)[1] and "counts bits" in check(215040)[1]


def test_01_ras_position():
    assert_verdicts(checks.ras_position((10.0, -5.0, 3.0)),
                    accepted=[(-10, 5, 3), [-10.0, 5.0, 3.0], np.array([-10, 5, 3]), np.array([[-10, 5, 3]])],
                    refused=[(10, -5, 3), (-10, 5, -3), (0, 0, 0)],
                    unreadable=[(-10, 5), "(-10, 5, 3)", None, 7])


def test_01_ras_position_names_swapped_indices_and_the_first_voxel():
    sform = np.array([[-0.8, 0, 0, 25.2], [0, -1.2, 0, 28.2], [0, 0, 5, -40], [0, 0, 0, 1]])
    right = (sform @ [10, 5, 0, 1])[:3]
    check = checks.ras_position(right * [-1, -1, 1], sform=sform)
    assert_verdicts(check, accepted=[right, list(right)],
                    refused=[(sform @ [5, 10, 0, 1])[:3], sform[:3, 3], right * [-1, -1, 1], right + 1])
    assert "swapped" in check((sform @ [5, 10, 0, 1])[:3])[1]
    assert "voxel (0, 0, 0)" in check(sform[:3, 3])[1]
    assert check(right + 1)[1] == "not the position of that voxel"


def test_02_patient_position_tag():
    assert_verdicts(checks.patient_position_tag(),
                    accepted=["(0018,5100)", "0018,5100", "00185100", "(0018, 5100)", " (0018,5100) ",
                              0x00185100, Tag(0x00185100), (0x0018, 0x5100), "0x00185100",
                              "0018 5100", "(0x0018, 0x5100)", np.uint32(0x00185100),
                              Tag("PatientPosition"), pydicom.DataElement(0x00185100, "CS", "HFS")],
                    refused=["(0018,0051)", 0x00180051, "(0020,0032)", "(5100,0018)", 0x51000018,
                             pydicom.DataElement(0x00180051, "CS", "HFS")],
                    unreadable=["PatientPosition", "HFS", None, 1.5, -1])


def test_02_lps_position():
    assert_verdicts(checks.lps_position((1.0, 2.0, 3.0)), accepted=[(1, 2, 3), np.array([1.0, 2.0, 3.0005])],
                    refused=[(2, 1, 3), (1, 2, 3.01)], unreadable=[(1, 2), "1 2 3"])


def test_02_pixel_in_series_names_the_usual_wrong_ways():
    grid = dict(rows=12, columns=16, slices=10, pixel_spacing=(0.9, 0.7), slice_spacing=3.0)
    scan = phantom.make_series(**grid, phantom_centre=(12.0, -30.0, 85.0), shuffle=True, seed=2)
    scan = [scan[i] for i in (4, 9, 0, 7, 2, 5, 1, 8, 3, 6)]                 # as a folder listing gives them
    other = phantom.make_series(rows=48, columns=64, slices=24)
    from workshop_helpers import geometry
    affine, other_affine = geometry.voxel_to_patient(scan), geometry.voxel_to_patient(other)
    truth = (affine @ [10, 5, 7, 1])[:3]
    check = checks.pixel_in_series(truth, scan, row=5, column=10, k=7, other_affine=other_affine)
    ordered = geometry.sort_slices(scan)
    by_number = sorted(scan, key=lambda d: int(d.InstanceNumber))
    assert ordered[7] is not by_number[7] and ordered[7] is not scan[7]

    def at(ds, r, c):
        iop = np.array(ds.ImageOrientationPatient, float)
        rs, cs = (float(v) for v in ds.PixelSpacing)
        return np.array(ds.ImagePositionPatient, float) + c * cs * iop[:3] + r * rs * iop[3:]

    assert_verdicts(check, accepted=[truth, list(truth), at(ordered[7], 5, 10), truth + 0.0005],
                    refused=[at(scan[7], 5, 10), at(by_number[7], 5, 10), at(ordered[7], 10, 5),
                             (other_affine @ [10, 5, 7, 1])[:3], truth + 0.01],
                    unreadable=[truth[:2], "1 2 3", None])
    assert "list as it was read" in check(at(scan[7], 5, 10))[1]
    assert "Instance Number order" in check(at(by_number[7], 5, 10))[1]
    assert "row and column swapped" in check(at(ordered[7], 10, 5))[1]
    swapped_spacing = (np.array(ordered[7].ImagePositionPatient, float)
                       + 10 * 0.9 * np.array(ordered[7].ImageOrientationPatient[:3], float)
                       + 5 * 0.7 * np.array(ordered[7].ImageOrientationPatient[3:], float))
    assert "two spacings swapped" in check(swapped_spacing)[1]
    assert "other series" in check((other_affine @ [10, 5, 7, 1])[:3])[1]
    assert check(truth + 0.01)[1] == "not the centre of that pixel"


def test_02_edge_facing():
    letters = {"left": "L", "right": "R", "top": "H", "bottom": "F"}
    assert_verdicts(checks.edge_facing(letters), accepted=["left", "Left", " left", "LEFT", "left edge",
                                                           "left side", "the left edge", "The left edge.",
                                                           "left-hand side", "left edge of the image"],
                    refused=["right", "top", "bottom", "right edge", "the upper edge", "lower side"],
                    unreadable=["west", 0, None, "right or left", "left or right", "left right", "top left",
                                "L", "l", "R", "r", "t", "the patient's left", "patient left"])


def test_02_edge_facing_refuses_single_letters_kindly():
    """A letter names a patient direction ("L": the patient's Left); the exercise asks for an edge
    of the screen, so a letter is not read as one, and the reason says so."""
    check = checks.edge_facing({"left": "L", "right": "R", "top": "H", "bottom": "F"})
    for answer in ("L", "r"):
        with pytest.raises(CannotRead, match="single letter is ambiguous.*patient's Left and Right"):
            check(answer)


def test_03_byte_count():
    assert_verdicts(checks.byte_count(56), accepted=[56, 56.0, "56"], refused=[55, 56.5, 57],
                    unreadable=["fifty-six", None])


def test_03_data_set_start_is_read_from_the_bytes_and_names_the_slips(tmp_path):
    path = tools.testdata("CT_small.dcm")
    group_length = int(pydicom.dcmread(path).file_meta.FileMetaInformationGroupLength)   # 192
    check = checks.data_set_start(path)
    assert_verdicts(check, accepted=[144 + group_length, float(144 + group_length), str(144 + group_length)],
                    refused=[group_length, 132 + group_length, 12 + group_length, 16 + group_length, 0, 337],
                    unreadable=["after the meta", None])
    assert "12 bytes long" in check(132 + group_length)[1]
    assert "preamble" in check(12 + group_length)[1]
    other = tmp_path / "other.dcm"                             # another file: another answer
    pydicom.dcmread(tools.testdata("MR_small.dcm")).save_as(other, enforce_file_format=True)
    other_length = int(pydicom.dcmread(other).file_meta.FileMetaInformationGroupLength)
    assert other_length != group_length
    assert verdict(checks.data_set_start(other), 144 + other_length) == "ok"
    assert verdict(checks.data_set_start(other), 144 + group_length) == "not yet"


def test_03_ui_element_size():
    odd, even = "1.2.840.10008.1.2", "1.2.840.10008.1.2.4.50"   # 17 and 22 characters
    check = checks.ui_element_size([odd, even])
    padded = lambda uid: 8 + len(uid) + len(uid) % 2          # noqa: E731
    assert_verdicts(check, accepted=[padded, lambda uid: 8 + 2 * ((len(uid) + 1) // 2),
                                     lambda uid: float(padded(uid)), lambda uid: str(padded(uid))],
                    refused=[lambda uid: 8 + len(uid) + 1,           # always one padding byte
                             lambda uid: 8 + len(uid),               # never padded
                             lambda uid: 12 + len(uid) + len(uid) % 2,   # the long (4-byte length) form
                             lambda uid: padded(uid) + 0.5],
                    unreadable=[26, "26", None, lambda uid: "many"])
    with pytest.raises(NotAttempted):
        check(lambda uid: ...)


def test_03_ui_element_size_adds_uids_of_both_parities():
    check = checks.ui_element_size(["1.2.3"])                 # only an odd one given
    seen = []
    check(lambda uid: seen.append(uid) or 8 + len(uid) + len(uid) % 2)
    assert {len(uid) % 2 for uid in seen} == {0, 1} and len(seen) >= 6


def test_03_information_level():
    assert_verdicts(checks.information_level("PatientAge"),
                    accepted=["study", "Study", "STUDY", " study ", "study level", "Study IE"],
                    refused=["patient", "series", "instance", "image", "patient level"],
                    unreadable=["visit", 2, None, "study or patient", "study patient", "patient/study",
                                "study visit"])
    check = checks.information_level("PatientAge")
    assert "same in every study" in check("patient")[1]
    assert all("study" not in check(level)[1] for level in ("series", "instance"))


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


def test_05_valid_uids():
    candidates = ["1.2.3", "1.02.3", "1.2.3.", "2.25.7"]
    assert_verdicts(checks.valid_uids(candidates),
                    accepted=[["1.2.3", "2.25.7"], ("2.25.7", "1.2.3"), {"1.2.3", "2.25.7"}],
                    refused=[["1.2.3"], candidates, ["1.2.3", "2.25.7", "1.2.3."]],
                    unreadable=["1.2.3", ["1.2.4"], None])


def _store(folder, *datasets):
    folder.mkdir()
    for ds in datasets:
        ds.save_as(folder / f"{ds.SOPInstanceUID}.dcm")
    return folder


def test_05_new_uid_store(tmp_path):
    from workshop_helpers import uids

    original = pydicom.dcmread(tools.testdata("CT_small.dcm"))
    flipped_pixels = np.ascontiguousarray(np.flipud(original.pixel_array))

    def flipped(uid, pixels=flipped_pixels):
        ds = pydicom.dcmread(tools.testdata("CT_small.dcm"))
        ds.PixelData = pixels.tobytes()
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = uid
        return ds

    check = checks.new_uid_store(original, flipped_pixels)
    seeded = uids.make_uid(seed="x")
    assert verdict(check, _store(tmp_path / "a", original, flipped(seeded))) == "ok"
    assert verdict(check, str(_store(tmp_path / "b", original, flipped("2.25.1234567890")))) == "ok"
    two_originals = _store(tmp_path / "c", original, flipped("2.25.99", original.pixel_array))
    assert verdict(check, two_originals) == "not yet"          # the flipped image never got there
    assert verdict(check, _store(tmp_path / "d", original, flipped("2.25.099"))) == "not yet"
    meta = flipped("2.25.5")
    meta.file_meta.MediaStorageSOPInstanceUID = original.SOPInstanceUID
    assert verdict(check, _store(tmp_path / "e", original, meta)) == "not yet"
    assert verdict(check, _store(tmp_path / "f", original)) == "not yet"
    for n, foreign in enumerate([original.SOPInstanceUID + ".1", "1.3.6.1.4.1.45037.1",
                                 "2.25." + str(2**128), "2.25.1.2"]):   # not under 2.25 as B.2 says
        assert verdict(check, _store(tmp_path / f"root{n}", original, flipped(foreign))) == "not yet"
    top = "2.25." + str(2**128 - 1)
    assert verdict(check, _store(tmp_path / "top", original, flipped(top))) == "ok"
    assert verdict(check, _store(tmp_path / "nil", original, flipped("2.25.0"))) == "not yet"
    assert verdict(check, tmp_path / "missing") == "unreadable"


def test_05_org_root():
    uid = pydicom.dcmread(tools.testdata("MR_small.dcm")).SOPInstanceUID
    assert_verdicts(checks.org_root(uid), accepted=["1.3.6.1.4.1.5962", "1.3.6.1.4.1.5962.", " 1.3.6.1.4.1.5962 "],
                    refused=["1.3.6.1.4.1", str(uid), "1.2.840.10008"], unreadable=[5962, None])
    # the notebook picks one of pydicom's files at random: other roots, other answers
    dcmtk_uid = "1.2.276.0.7230010.3.1.4.0.74507.1663133221.580797"
    assert_verdicts(checks.org_root(dcmtk_uid), accepted=["1.2.276.0.7230010.3"],
                    refused=["1.3.6.1.4.1.5962", "1.2.276", "1.2.276.0.7230010.3.1.4"])
    pydicom_uid = "1.2.826.0.1.3680043.8.498.12345678901234567890"
    assert_verdicts(checks.org_root(pydicom_uid), accepted=["1.2.826.0.1.3680043.8.498"],
                    refused=["1.3.6.1.4.1.5962", "1.2.826.0.1.3680043.8"])


def _scan():
    scan = pydicom.Dataset()
    for creator, value in (("SIEMENS CT VA0  COAD", "90"), ("GEMS_ACQU_01", "120"), ("ACME MEDICAL", "0.75")):
        private.add_private(scan, 0x0019, creator, 0x21, "DS", value)
    return scan


def _by_name_part(ds):   # the first creator whose name has "ACME" in it
    block = next(b for b in private.list_blocks(ds) if "ACME" in b.creator)
    return private.read_private(ds, 0x0019, block.creator, 0x21)


def _by_creator_loop(ds):   # the long way: read the creator elements (0019,0010)-(0019,00FF)
    for slot in range(0x10, 0x100):
        if ds.get((0x0019, slot)) is not None and ds[0x0019, slot].value == "ACME MEDICAL":
            return ds[0x0019, (slot << 8) | 0x21].value


@pytest.mark.parametrize("seed", [None, 1, 2, 3])
def test_06_private_finder_follows_the_creator(seed):
    scan = _scan()
    assert_verdicts(checks.private_finder(scan, 0x0019, "ACME MEDICAL", 0x21, seed=seed),
                    accepted=[lambda ds: private.read_private(ds, 0x0019, "ACME MEDICAL", 0x21),
                              lambda ds: ds.private_block(0x0019, "ACME MEDICAL")[0x21],   # the element
                              lambda ds: str(ds.private_block(0x0019, "ACME MEDICAL")[0x21].value),
                              _by_creator_loop],
                    refused=[lambda ds: ds[0x00191221].value,          # the fixed tag of the notebook's scan
                             lambda ds: 0.75, lambda ds: "0.75",        # the value typed in
                             lambda ds: ds[0x00191021].value,          # the first block
                             lambda ds: ds.private_block(0x0019, "GEMS_ACQU_01")[0x21].value,
                             _by_name_part],
                    unreadable=[0.75, "0.75", None, scan[0x00191221],
                                lambda ds: "ACME", lambda ds: ds.private_block(0x0019, "ACME MEDICAL")])


def test_06_private_finder_says_where_and_waits_for_an_attempt():
    check = checks.private_finder(_scan(), 0x0019, "ACME MEDICAL", 0x21, seed=5)
    ok, message = check(lambda ds: ds[0x00191221].value)
    assert not ok and "fixed tag" in message
    with pytest.raises(NotAttempted):
        check(lambda ds: ...)


def test_06_block_size():
    ds = pydicom.Dataset()
    for offset in (0x10, 0x11, 0x12):
        private.add_private(ds, 0x0009, "GEMS_ACQU_01", offset, "LO", "x")
    private.add_private(ds, 0x0011, "GEMS_PATI_01", 0x10, "SS", 0)
    check = checks.block_size(ds, "GEMS_ACQU_01")
    assert_verdicts(check, accepted=[3, 3.0], refused=[2, 3.9, 4, 5], unreadable=["three"])
    assert "creator element does not count" in check(4)[1]
    assert "private creators" in check(2)[1]


def test_06_kept_only():
    import copy

    from workshop_helpers import deid

    ds = phantom.make_series(rows=8, columns=8, slices=1)[0]
    private.add_private(ds, 0x0013, "CTP", 0x10, "LO", "TCGA-LUAD")
    private.add_private(ds, 0x0013, "CTP", 0x13, "LO", "77779002")
    needles = [str(ds.PatientName), str(ds.PatientID)]
    check = checks.kept_only(ds, ["TCGA-LUAD"], needles)
    right = deid.deidentify(ds, keep_private=[("CTP", 0x10)])
    assert_verdicts(check, accepted=[right.dataset, right, deid.deidentify(ds, keep_private=[(0x0013, "CTP", 0x10)])],
                    refused=[deid.deidentify(ds).dataset,
                             deid.deidentify(ds, keep_private=[("CTP", 0x10), ("CTP", 0x13)]).dataset],
                    unreadable=[None, "kept", [right.dataset]])
    never = copy.deepcopy(ds)   # private data trimmed by hand, never de-identified
    del never[0x00131013]
    assert verdict(check, never) == "not yet"
    made = pydicom.Dataset()    # made by hand: the marks of de-identification and the kept value
    made.PatientIdentityRemoved = "YES"
    private.add_private(made, 0x0013, "CTP", 0x10, "LO", "TCGA-LUAD")
    assert verdict(check, made) == "not yet"
    marked = copy.deepcopy(never)   # slice0 marked as de-identified, its UIDs and codes untouched
    marked.PatientIdentityRemoved, marked.PatientName, marked.PatientID = "YES", "", ""
    assert verdict(check, marked) == "not yet"
    orphan = copy.deepcopy(right.dataset)   # the kept value, its creator deleted (PS3.5 7.8.1)
    del orphan[0x00130010]
    assert verdict(check, orphan) == "not yet"
    lonely = copy.deepcopy(right.dataset)   # a creator left over from another block
    private.add_private(lonely, 0x0013, "HOSPITAL", 0x01, "LO", "x")
    del lonely[0x00131101]
    assert verdict(check, lonely) == "not yet"
    other = phantom.make_series(rows=8, columns=8, slices=2, seed=9)[1]   # another slice, de-identified
    private.add_private(other, 0x0013, "CTP", 0x10, "LO", "TCGA-LUAD")
    assert verdict(check, deid.deidentify(other, keep_private=[("CTP", 0x10)])) == "not yet"


class _FakeSCP:
    def __init__(self, arrivals):
        uids = [uid for _, uid in arrivals]
        self.received = [type("Arrival", (), {"calling_ae": ae, "sop_instance_uid": uid,
                                              "duplicate": uid in uids[:i]})
                         for i, (ae, uid) in enumerate(arrivals)]


def _count_different(received, calling_ae):
    return len({a.sop_instance_uid for a in received if a.calling_ae == calling_ae})


def test_07_instances_from_wants_a_function_that_counts_instances_not_arrivals():
    sent_twice = _FakeSCP([("CT01", "1"), ("CT01", "2"), ("CT01", "3"), ("CT01", "1"), ("CT01", "2"),
                           ("CT01", "3"), ("WORKSHOP-SCU", "4")])
    check = checks.instances_from(sent_twice, "CT01")
    lazy = [lambda received, ae: 3, lambda received, ae: len(sent_twice.received),   # constants
            lambda received, ae: sum(a.calling_ae == ae for a in received),         # arrivals, not instances
            lambda received, ae: len({a.sop_instance_uid for a in received}),        # every caller
            lambda received, ae: _count_different(sent_twice.received, "CT01"),      # not what it is given
            lambda received, ae: sum(not a.duplicate for a in received if a.calling_ae == ae)]
    assert_verdicts(check, accepted=[_count_different, lambda r, ae: str(_count_different(r, ae))],
                    refused=lazy, unreadable=[3, "3", None])
    with pytest.raises(NotAttempted):
        check(lambda received, ae: ...)
    assert verdict(checks.instances_from(_FakeSCP([]), "CT01"), _count_different) == "not yet"
    with pytest.raises(NotAttempted):   # the placeholder, before anything was sent
        checks.instances_from(_FakeSCP([]), "CT01")(lambda received, ae: ...)


@pytest.fixture
def fresh_three(tmp_path):
    from workshop_helpers import net

    names = ("CT_small.dcm", "MR_small.dcm", "SC_rgb_jpeg_dcmtk.dcm")
    return net.teaching.fresh_copies([tools.testdata(n) for n in names], tmp_path / "fresh")


def test_07_stored_by_checks_what_the_scp_stored(tmp_path, fresh_three):
    from pydicom.uid import ExplicitVRLittleEndian, JPEGBaseline8Bit

    from workshop_helpers import net

    originals = [tools.testdata(n) for n in ("CT_small.dcm", "MR_small.dcm", "SC_rgb_jpeg_dcmtk.dcm")]
    before = net.StorageSCP(tmp_path / "before", transfer_syntaxes=[ExplicitVRLittleEndian, JPEGBaseline8Bit])
    with before:   # the right SCP, but it received them before the exercise began
        assert all(r.ok for r in net.send(fresh_three, "127.0.0.1", before.port, called_ae="WORKSHOP"))
    time.sleep(1.1)
    check = checks.stored_by(fresh_three)
    wider = net.StorageSCP(tmp_path / "wider", transfer_syntaxes=[ExplicitVRLittleEndian, JPEGBaseline8Bit])
    strict = net.StorageSCP(tmp_path / "strict", transfer_syntaxes=[ExplicitVRLittleEndian])
    earlier = net.StorageSCP(tmp_path / "earlier")
    with wider, strict, earlier:
        report = net.send(fresh_three, "127.0.0.1", wider.port, called_ae=wider.ae_title)
        assert [r.ok for r in report] == [True] * 3
        assert [r.ok for r in net.send(fresh_three, "127.0.0.1", strict.port, called_ae="WORKSHOP")] == [True, True, False]
        net.send(originals, "127.0.0.1", earlier.port, called_ae="WORKSHOP")   # the same files, other UIDs
    assert_verdicts(check, accepted=[wider], refused=[strict, earlier, before],
                    unreadable=[report, [net.SendResult("x", status=0)] * 3, None, str(wider.folder)])
    ok, message = check(strict)
    assert not ok and "JPEG" in message
    ok, message = check(before)
    assert not ok and "before this exercise" in message   # what it received came before the exercise
    next(iter(wider.received)).path.unlink()   # a file gone from disk is not stored
    assert verdict(check, wider) == "not yet"


def test_07_stored_by_wants_the_exercises_own_scp_listing_jpeg(tmp_path, fresh_three):
    """Sending to an SCP left at its default list (the notebook's WORKSHOP) is not the exercise."""
    from pydicom.uid import ExplicitVRLittleEndian, JPEGBaseline8Bit

    from workshop_helpers import net

    check = checks.stored_by(fresh_three, listing=[JPEGBaseline8Bit])
    any_scp = checks.stored_by(fresh_three)   # made before the sends: it wants newer arrivals
    everything = net.StorageSCP(tmp_path / "everything")
    own = net.StorageSCP(tmp_path / "own", transfer_syntaxes=[ExplicitVRLittleEndian, JPEGBaseline8Bit])
    with everything, own:
        for target in (everything, own):
            report = net.send(fresh_three, "127.0.0.1", target.port, called_ae="WORKSHOP")
            assert [r.ok for r in report] == [True] * 3
    assert_verdicts(check, accepted=[own], refused=[everything])
    ok, message = check(everything)
    assert not ok and "every transfer syntax but the deflated ones" in message
    assert any_scp(everything)[0]   # without listing=, any SCP that stored them


def test_07_stored_by_refuses_an_scp_that_never_ran(tmp_path, fresh_three):
    from workshop_helpers import net

    check = checks.stored_by(fresh_three)
    fake = net.StorageSCP(tmp_path / "fake")   # never started: its files copied in, its records by hand
    for path in fresh_three:
        ds = pydicom.dcmread(path)
        target = fake.path_for(ds.PatientID, ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
        fake.received.append(net.Arrival(time.time(), "CT01", ds.PatientID, ds.StudyInstanceUID,
                                         ds.SeriesInstanceUID, ds.SOPInstanceUID, ds.SOPClassUID,
                                         ds.file_meta.TransferSyntaxUID, target, target.stat().st_size, False))
        fake.count += 1
    with pytest.raises(AssertionError, match="never started"):
        check(fake)


def test_07_stored_by_says_an_scp_called_by_the_wrong_title_accepted_nothing(tmp_path, fresh_three):
    from pydicom.uid import ExplicitVRLittleEndian, JPEGBaseline8Bit

    from workshop_helpers import net

    check = checks.stored_by(fresh_three, listing=[JPEGBaseline8Bit])
    mine = net.StorageSCP(tmp_path / "mine", ae_title="MINE",
                          transfer_syntaxes=[ExplicitVRLittleEndian, JPEGBaseline8Bit])
    with mine:
        report = net.send(fresh_three, "127.0.0.1", mine.port, called_ae="WORKSHOP")
    assert not any(r.ok for r in report)
    with pytest.raises(AssertionError, match="accepted no association.*calling it by its AE title, MINE"):
        check(mine)


def _sent_to(pacs_folder, files, calling_ae):
    from workshop_helpers import net

    pacs = net.StorageSCP(pacs_folder, ae_title="PACS")
    with pacs:
        assert all(r.ok for r in net.send(files, "127.0.0.1", pacs.port, called_ae="PACS", calling_ae=calling_ae))
    return pacs


def test_08_calling_ae_seen_reads_the_pacs_records_and_files(tmp_path):
    files = phantom.write_series(tmp_path / "modality", rows=8, columns=8, slices=3, seed=1)
    pacs = _sent_to(tmp_path / "pacs", files, "ROUTER")
    assert_verdicts(checks.calling_ae_seen(pacs, files), accepted=["ROUTER", " ROUTER "],
                    refused=["CT01", "router", "PACS"], unreadable=[None, ["ROUTER"]])
    direct = _sent_to(tmp_path / "direct", files, "CT01")   # no router in between: the answer differs
    assert_verdicts(checks.calling_ae_seen(direct, files), accepted=["CT01"], refused=["ROUTER"])
    other = phantom.write_series(tmp_path / "other", rows=8, columns=8, slices=3, seed=2)
    assert verdict(checks.calling_ae_seen(pacs, other), "ROUTER") == "not yet"   # never received


def test_08_calling_ae_seen_reads_sending_ae_title_not_source(tmp_path):
    """The file's Sending AE Title (0002,0017) is what is compared; a file that disagrees fails."""
    files = phantom.write_series(tmp_path / "modality", rows=8, columns=8, slices=2, seed=3)
    pacs = _sent_to(tmp_path / "pacs", files, "ROUTER")
    path = pacs.received[0].path
    ds = pydicom.dcmread(path)
    ds.file_meta.SendingApplicationEntityTitle = "CT01"   # the records say ROUTER, the file not
    ds.save_as(path, enforce_file_format=True)
    with pytest.raises(AssertionError, match="not one sender"):
        checks.calling_ae_seen(pacs, files)("ROUTER")


def test_08_trigger_tests_both_limits():
    assert_verdicts(checks.trigger(),
                    accepted=[lambda s: s.count >= 16 or s.quiet >= 3, lambda s: s.quiet >= 3 or s.count > 15],
                    refused=[lambda s: s.count >= 16 or s.quiet > 3.4, lambda s: s.count > 16 or s.quiet >= 3,
                             lambda s: s.count >= 15 or s.quiet >= 3, lambda s: s.count >= 16 or s.quiet >= 2.5,
                             lambda s: s.count >= 16, lambda s: True],
                    unreadable=[16, "count >= 16", None])
    assert isinstance(router.Series("P", "1", "1.1").quiet, float)


def test_09_move_destination():
    check = checks.move_destination("VIEWER", 4000, 4242)
    assert_verdicts(check, accepted=[("VIEWER", "127.0.0.1", 4242), ["VIEWER", "localhost", "4242"]],
                    refused=[("VIEWER", "127.0.0.1", 4000), ("PACS", "127.0.0.1", 4242),
                             ("VIEWER", "10.0.0.1", 4242)],
                    unreadable=[("VIEWER", 4242), "VIEWER:4242", ("VIEWER", "127.0.0.1", "port")])


@pytest.fixture(scope="module")
def orthanc_web(tmp_path_factory):
    from conftest import assert_stopped, require_dicomweb

    from workshop_helpers import pacs

    require_dicomweb()
    folder = tmp_path_factory.mktemp("checks_web")
    server = pacs.Orthanc(folder / "pacs", modalities={"WORKSTATION": ("127.0.0.1", 1)}, dicomweb=True)
    with server:
        pid = server.pid
        for path in phantom.write_series(folder / "phantom", rows=8, columns=8, slices=2, seed=10):
            server.upload(path)
        for name in ("CT_small.dcm", "MR_small.dcm"):
            server.upload(tools.testdata(name))
        yield server
    assert_stopped(server, pid)


def test_10_mr_study_asks_the_pacs(orthanc_web):
    mr = pydicom.dcmread(tools.testdata("MR_small.dcm"), stop_before_pixels=True)
    ct = pydicom.dcmread(tools.testdata("CT_small.dcm"), stop_before_pixels=True)
    uid = str(mr.StudyInstanceUID)
    assert_verdicts(checks.mr_study(orthanc_web), accepted=[uid, mr.StudyInstanceUID, f" {uid} "],
                    refused=[str(ct.StudyInstanceUID), "1.2.3", uid + ".1"],
                    unreadable=[123, 1.2, None, [uid], "the MR one", ""])
    ok, message = checks.mr_study(orthanc_web)(str(ct.StudyInstanceUID))
    assert not ok and "CT" in message


def test_09_series_finder_wants_two_baseline_queries(orthanc_web):
    from workshop_helpers import qr

    titles = {"calling_ae": orthanc_web.echo_aet, "called_ae": orthanc_web.aet}
    port = orthanc_web.dicom_port

    def two_steps(patient_id, modality):
        studies = qr.find("127.0.0.1", port, {"PatientID": patient_id, "StudyInstanceUID": ""},
                          level="STUDY", **titles)
        return {s.SeriesInstanceUID for study in studies.matches
                for s in qr.find("127.0.0.1", port, {"StudyInstanceUID": study.StudyInstanceUID,
                                                     "Modality": modality, "SeriesInstanceUID": ""},
                                 level="SERIES", **titles).matches}

    def as_list(patient_id, modality):
        return sorted(two_steps(patient_id, modality))

    def relational(patient_id, modality):
        return qr.find("127.0.0.1", port, {"PatientID": patient_id, "Modality": modality,
                                           "SeriesInstanceUID": ""}, level="SERIES", **titles)

    def any_modality(patient_id, modality):
        return two_steps(patient_id, "*")

    def one_patient(patient_id, modality):
        return two_steps("1CT1", modality)

    check = checks.series_finder(orthanc_web, ["PHANTOM01", "1CT1", "4MR1"])
    assert_verdicts(check, accepted=[two_steps, as_list],
                    refused=[relational, any_modality, one_patient, lambda p, m: set()],
                    unreadable=[{"1.2.3"}, "1.2.3", None, lambda p, m: "1.2.3", lambda p, m: None])
    with pytest.raises(AssertionError, match=r"qr did not send your query: .*relational query"):
        check(relational)
    with pytest.raises(NotAttempted):
        check(lambda p, m: ...)


def _derived(source, description="my derived series", image_type=("DERIVED", "SECONDARY"), series=True):
    import copy

    from pydicom.uid import generate_uid

    ds = copy.deepcopy(source)
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    if series:
        ds.SeriesInstanceUID = generate_uid()
    ds.ImageType, ds.SeriesDescription = list(image_type), description
    return ds


def test_10_stored_over_dicomweb_reads_what_orthanc_holds_and_how_it_came(orthanc_web, tmp_path):
    from workshop_helpers import web

    dicomweb = web.client(orthanc_web.dicomweb_url, auth=orthanc_web.auth)
    source = pydicom.dcmread(tools.testdata("CT_small.dcm"))
    earlier = _derived(source)
    assert web.store(dicomweb, [earlier]).ok            # stored before the exercise began
    check = checks.stored_over_dicomweb(orthanc_web, "my derived series", source.SOPInstanceUID)
    right, no_series, primary, other_name = (_derived(source), _derived(source, series=False),
                                             _derived(source, image_type=("ORIGINAL", "PRIMARY")),
                                             _derived(source, "inverted"))
    assert web.store(dicomweb, [right, no_series, primary, other_name]).ok
    uploaded = _derived(source)                          # through Orthanc's REST API, not STOW-RS
    uploaded.save_as(tmp_path / "up.dcm")
    orthanc_web.upload(tmp_path / "up.dcm")
    never = _derived(source)                             # never stored at all
    assert_verdicts(check, accepted=[str(right.SOPInstanceUID), right.SOPInstanceUID, f" {right.SOPInstanceUID}"],
                    refused=[str(source.SOPInstanceUID), str(earlier.SOPInstanceUID),
                             str(no_series.SOPInstanceUID), str(primary.SOPInstanceUID),
                             str(other_name.SOPInstanceUID), str(uploaded.SOPInstanceUID),
                             str(never.SOPInstanceUID)],
                    unreadable=[123, None, right, [str(right.SOPInstanceUID)], "my derived series"])
    with pytest.raises(AssertionError, match="RestApi"):
        check(str(uploaded.SOPInstanceUID))


def test_web_call_says_url_and_status_in_one_line(orthanc_web):
    from workshop_helpers import errors, web

    dicomweb = web.client(orthanc_web.dicomweb_url, auth=orthanc_web.auth)
    assert web.call(dicomweb.search_for_studies, search_filters={"PatientID": "NOBODY"}) == []
    with pytest.raises(web.WebError, match=r"GET http://127\.0\.0\.1:\d+/dicom-web/studies/1\.2\.3/metadata -> 404"):
        web.call(dicomweb.retrieve_study_metadata, "1.2.3")
    errors.full_tracebacks(False)
    try:
        web.call(dicomweb.retrieve_study_metadata, "1.2.3")
    except web.WebError as exc:
        assert len(exc._render_traceback_()) == 1
    finally:
        errors.full_tracebacks(None)
