"""Tests for workshop_helpers.files: dcmftest, dump2dcm and img2dcm in Python, against dcmtk."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pydicom
import pytest
from conftest import run_dcmtk
from PIL import Image
from pydicom.pixels import pixel_array

from workshop_helpers import files
from workshop_helpers.__main__ import main
from workshop_helpers.dump import DumpSyntaxError, read_dump, write_dump
from workshop_helpers.files import DicomFileError, check_file, dump_to_file, image_to_dicom
from workshop_helpers.tools import testdata as shipped


@pytest.fixture(scope="module")
def grace_hopper() -> Path:
    from matplotlib import cbook

    return Path(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))


@pytest.fixture
def pictures(tmp_path, grace_hopper) -> dict[str, Path]:
    """A progressive JPEG, a grey PNG, a colour PNG with alpha and a 16-bit PNG, made here."""
    im = Image.open(grace_hopper).resize((128, 150))
    out = {"baseline": grace_hopper}
    im.save(out.setdefault("progressive", tmp_path / "progressive.jpg"), progressive=True)
    im.convert("L").save(out.setdefault("grey", tmp_path / "grey.png"))
    im.convert("RGBA").save(out.setdefault("rgba", tmp_path / "rgba.png"))
    ramp = (np.arange(7 * 9, dtype=np.uint16).reshape(7, 9) * 1000)
    Image.fromarray(ramp).save(out.setdefault("grey16", tmp_path / "grey16.png"))
    return out


def _file_cases(tmp_path: Path) -> dict[str, Path]:
    """Good files, a truncated one, one without preamble, a text file, an empty file."""
    good = shipped("CT_small.dcm")
    data = good.read_bytes()
    cases = {"good": good, "good_mr": shipped("MR_small.dcm")}
    (cases.setdefault("truncated_in_data", tmp_path / "half.dcm")).write_bytes(data[:len(data) // 2])
    (cases.setdefault("truncated_in_preamble", tmp_path / "short.dcm")).write_bytes(data[:100])
    ds = pydicom.dcmread(good)
    ds.preamble = None
    del ds.file_meta
    ds.save_as(cases.setdefault("no_preamble", tmp_path / "nopre.dcm"), implicit_vr=False,
               little_endian=True, enforce_file_format=False)
    (cases.setdefault("text", tmp_path / "notes.txt")).write_text("(0010,0010) PN [not DICOM]\n")
    (cases.setdefault("empty", tmp_path / "empty.dcm")).write_bytes(b"")
    return cases


# -- check_file --------------------------------------------------------------------------------

def test_check_file_says_why(tmp_path):
    cases = _file_cases(tmp_path)
    assert check_file(cases["good"]).ok
    assert check_file(cases["good"]).transfer_syntax == pydicom.uid.ExplicitVRLittleEndian
    assert "empty" in check_file(cases["empty"]).reason
    assert "too short" in check_file(cases["truncated_in_preamble"]).reason
    assert "DICM" in check_file(cases["no_preamble"]).reason
    assert "DICM" in check_file(cases["text"]).reason
    assert "cannot open" in check_file(tmp_path / "missing.dcm").reason


def test_check_file_agrees_with_dcmftest(tmp_path, dcmtk):
    cases = _file_cases(tmp_path)
    out = run_dcmtk(dcmtk, "dcmftest", *cases.values())
    theirs = dict(line.split(": ", 1)[::-1] for line in out.stdout.splitlines())
    for name, path in cases.items():
        assert str(check_file(path)) == f"{theirs[str(path)]}: {path}", name
    assert out.returncode == sum(not check_file(p).ok for p in cases.values())


def test_check_file_is_stricter_than_dcmftest_on_a_broken_meta_header(tmp_path, dcmtk):
    """dcmftest only looks for 'DICM'; we also read group 0002, and say so."""
    data = shipped("CT_small.dcm").read_bytes()
    (tmp_path / "cut.dcm").write_bytes(data[:150])
    out = run_dcmtk(dcmtk, "dcmftest", tmp_path / "cut.dcm")
    assert out.stdout.startswith("yes:")
    result = check_file(tmp_path / "cut.dcm")
    assert not result.ok and "File Meta Information" in result.reason


# -- dicom_files -------------------------------------------------------------------------------

def test_dicom_files_keeps_dicom_and_says_why_it_skipped_the_rest(tmp_path):
    folder = tmp_path / "series"
    folder.mkdir()
    cases = _file_cases(folder)
    for name in ("good", "good_mr"):
        cases[name] = Path(shutil.copy(cases[name], folder / f"{name}.dcm"))
    (folder / "sub").mkdir()
    deep = Path(shutil.copy(cases["good"], folder / "sub" / "deep.dcm"))
    (folder / "sub" / ".DS_Store").write_bytes(b"\0" * 10)
    found = files.dicom_files(folder)
    assert list(found) == sorted([cases["good"], cases["good_mr"], cases["truncated_in_data"]])
    assert len(found) == 3  # a file cut in its data set still has a whole file meta
    skipped = {s.path.name: s.reason for s in found.skipped}
    assert skipped.keys() == {"short.dcm", "nopre.dcm", "notes.txt", "empty.dcm"}
    for name, path in cases.items():
        assert skipped.get(path.name, "") == check_file(path).reason, name
    deeper = files.dicom_files(folder, recursive=True)
    assert deep in deeper and list(deeper) == sorted([*found, deep])
    assert folder / "sub" / ".DS_Store" in [s.path for s in deeper.skipped]
    text = deeper.skipped_text(limit=2)
    assert text.startswith("5 file(s) that are not DICOM: ") and text.endswith("and 3 more")
    assert "empty.dcm (the file is empty)" in text and "\n" not in text


def test_dicom_files_of_a_clean_folder_skips_nothing_and_of_a_file_refuses(tmp_path):
    shutil.copy(shipped("CT_small.dcm"), tmp_path / "ct.dcm")
    found = files.dicom_files(tmp_path)
    assert [p.name for p in found] == ["ct.dcm"] and found.skipped == []
    assert found.skipped_text() == ""
    with pytest.raises(NotADirectoryError, match="ct.dcm is not a folder"):
        files.dicom_files(tmp_path / "ct.dcm")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        files.dicom_files(tmp_path / "nope")


# -- dump_to_file ------------------------------------------------------------------------------

def test_empty_dump_makes_a_valid_file_as_in_the_slides(tmp_path):
    notes = dump_to_file("", tmp_path / "one.dcm")
    assert notes[0] == "output transfer syntax unknown, assuming Explicit VR Little Endian"
    assert len(notes) == 3
    assert check_file(tmp_path / "one.dcm").ok
    ds = pydicom.dcmread(tmp_path / "one.dcm")
    assert len(ds) == 0
    meta = ds.file_meta
    assert meta.TransferSyntaxUID == pydicom.uid.ExplicitVRLittleEndian
    assert meta.MediaStorageSOPClassUID == files.DCMTK_GENERIC_FILE_SOP_CLASS
    assert meta.ImplementationClassUID == files.IMPLEMENTATION_CLASS_UID
    assert pydicom.uid.UID(meta.MediaStorageSOPInstanceUID).is_valid


def test_dump_to_file_meta_like_dump2dcm(tmp_path, dcmtk):
    """Same assumptions as dump2dcm, for an empty dump and for one with SOP Class/Instance."""
    text = "(0008,0016) UI =SecondaryCaptureImageStorage\n(0008,0018) UI [1.2.3.4]\n" \
           "(0010,0010) PN [WORKSHOP^01]\n(0010,0020) LO [WORKSHOP01]\n"
    for i, dump in enumerate(["", text]):
        (tmp_path / f"{i}.dump").write_text(dump)
        out = run_dcmtk(dcmtk, "dump2dcm", tmp_path / f"{i}.dump", tmp_path / f"{i}.d.dcm")
        assert "assuming --write-xfer-little" in out.stderr
        notes = dump_to_file(dump, tmp_path / f"{i}.o.dcm")
        assert "assuming Explicit VR Little Endian" in notes[0]
        theirs = pydicom.dcmread(tmp_path / f"{i}.d.dcm")
        ours = pydicom.dcmread(tmp_path / f"{i}.o.dcm")
        assert ours == theirs  # the data sets
        for kw in ("TransferSyntaxUID", "FileMetaInformationVersion"):
            assert ours.file_meta[kw].value == theirs.file_meta[kw].value
        if dump:
            assert ours.file_meta.MediaStorageSOPClassUID == theirs.file_meta.MediaStorageSOPClassUID
            assert ours.file_meta.MediaStorageSOPInstanceUID == "1.2.3.4" == \
                theirs.file_meta.MediaStorageSOPInstanceUID
        else:
            assert ours.file_meta.MediaStorageSOPClassUID == \
                theirs.file_meta.MediaStorageSOPClassUID


def test_dump_to_file_writes_nothing_on_a_syntax_error(tmp_path):
    target = tmp_path / "two.dcm"
    with pytest.raises(DumpSyntaxError):
        dump_to_file("(0010,0020) LN [WORKSHOP01]", target)
    assert list(tmp_path.iterdir()) == []
    dump_to_file("(0010,0020) LO [first]", target)
    before = target.read_bytes()
    with pytest.raises(DumpSyntaxError):
        dump_to_file("(0010,0020) LO [second]\n(0010,0030) DA [", target)
    assert target.read_bytes() == before  # the old file is untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["two.dcm"]


def test_dump_to_file_keeps_the_dataset_and_passes_dciodvfy(tmp_path, pictures, dciodvfy, dcmtk):
    made = image_to_dicom(pictures["grey"], tmp_path / "sc.dcm")
    text = write_dump(pydicom.dcmread(tmp_path / "sc.dcm"))
    dump_to_file(text, tmp_path / "again.dcm")
    again = pydicom.dcmread(tmp_path / "again.dcm")
    assert again == made
    assert dciodvfy(tmp_path / "again.dcm").errors == []
    assert run_dcmtk(dcmtk, "dcmftest", tmp_path / "again.dcm").returncode == 0


# -- image_to_dicom ----------------------------------------------------------------------------

def _tools_accept(path: Path, dcmtk, dciodvfy) -> None:
    validation = dciodvfy(path)
    assert validation.errors == [], str(validation)
    assert run_dcmtk(dcmtk, "dcmftest", path).returncode == 0
    out = run_dcmtk(dcmtk, "dcmdump", "-q", path)
    assert out.returncode == 0 and "(7fe0,0010)" in out.stdout


def test_baseline_jpeg_goes_in_unchanged(tmp_path, grace_hopper, dcmtk, dciodvfy):
    from pydicom.encaps import generate_frames

    jpeg = grace_hopper.read_bytes()
    assert files.jpeg_info(jpeg).baseline  # matplotlib's sample is baseline (SOF0)
    ds = image_to_dicom(grace_hopper, tmp_path / "gh.dcm")
    back = pydicom.dcmread(tmp_path / "gh.dcm")
    assert back.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.4.50"
    assert back.SOPClassUID == pydicom.uid.SecondaryCaptureImageStorage
    frame = next(generate_frames(back.PixelData, number_of_frames=1))
    assert frame.rstrip(b"\0") == jpeg.rstrip(b"\0")  # the bitstream, byte for byte
    assert (back.Rows, back.Columns) == (600, 512) == (ds.Rows, ds.Columns)
    assert back.PhotometricInterpretation == "YBR_FULL_422"
    # pixels: pydicom's decoding is Pillow's, exactly, in YCbCr (no colour conversion) ...
    im = Image.open(grace_hopper)
    im.draft("YCbCr", im.size)
    assert np.array_equal(pixel_array(back, as_rgb=False), np.asarray(im))
    # ... and within one grey level in RGB (the two YCbCr->RGB conversions round differently)
    rgb = np.asarray(Image.open(grace_hopper).convert("RGB")).astype(int)
    assert np.abs(back.pixel_array.astype(int) - rgb).max() <= 1
    _tools_accept(tmp_path / "gh.dcm", dcmtk, dciodvfy)


def test_progressive_jpeg_is_refused_unless_reencoding_is_asked(tmp_path, pictures, dcmtk,
                                                                   dciodvfy):
    with pytest.raises(DicomFileError, match="progressive"):
        image_to_dicom(pictures["progressive"], tmp_path / "p.dcm")
    assert not (tmp_path / "p.dcm").exists()
    image_to_dicom(pictures["progressive"], tmp_path / "p.dcm", reencode_progressive=True)
    back = pydicom.dcmread(tmp_path / "p.dcm")
    assert back.file_meta.TransferSyntaxUID == pydicom.uid.JPEGBaseline8Bit
    rgb = np.asarray(Image.open(pictures["progressive"]).convert("RGB")).astype(int)
    assert np.abs(back.pixel_array.astype(int) - rgb).mean() < 3  # lossy once more, but close
    _tools_accept(tmp_path / "p.dcm", dcmtk, dciodvfy)


@pytest.mark.parametrize("kind, photometric", [("grey", "MONOCHROME2"), ("rgba", "RGB"),
                                               ("grey16", "MONOCHROME2")])
def test_other_pictures_go_in_uncompressed(kind, photometric, tmp_path, pictures, dcmtk,
                                           dciodvfy):
    image_to_dicom(pictures[kind], tmp_path / "x.dcm")
    back = pydicom.dcmread(tmp_path / "x.dcm")
    assert back.file_meta.TransferSyntaxUID == pydicom.uid.ExplicitVRLittleEndian
    assert back.PhotometricInterpretation == photometric
    im = Image.open(pictures[kind])
    expected = np.asarray(im.convert("RGB") if photometric == "RGB" else im)
    assert np.array_equal(back.pixel_array, expected)
    _tools_accept(tmp_path / "x.dcm", dcmtk, dciodvfy)


def test_series_from_joins_the_series(tmp_path, grace_hopper, dcmtk, dciodvfy):
    src = shipped("CT_small.dcm")
    ds = image_to_dicom(grace_hopper, tmp_path / "sc.dcm", series_from=src, instance_number=2,
                        uid_prefix="1.2.826.0.1.3680043.8.498.77.")
    ref = pydicom.dcmread(src)
    for kw in ("PatientName", "PatientID", "StudyInstanceUID", "SeriesInstanceUID",
               "StudyDate", "Modality", "SeriesNumber"):
        assert ds[kw].value == ref[kw].value, kw
    assert ds.SOPInstanceUID != ref.SOPInstanceUID
    assert ds.SOPInstanceUID.startswith("1.2.826.0.1.3680043.8.498.77.")
    assert ds.InstanceNumber == 2
    _tools_accept(tmp_path / "sc.dcm", dcmtk, dciodvfy)


def test_a_named_body_part_leaves_laterality_out_and_dciodvfy_quiet(tmp_path, grace_hopper,
                                                                    dciodvfy):
    """Laterality is Type 2C (paired body parts): empty draws dciodvfy's warning, absent with an
    unpaired body part draws nothing, absent without one draws its error."""
    image_to_dicom(grace_hopper, tmp_path / "unknown.dcm")
    unknown = dciodvfy(tmp_path / "unknown.dcm")
    assert pydicom.dcmread(tmp_path / "unknown.dcm").Laterality == ""
    assert unknown.errors == [] and any("Laterality" in w for w in unknown.warnings)
    image_to_dicom(grace_hopper, tmp_path / "head.dcm", body_part="head")
    head = pydicom.dcmread(tmp_path / "head.dcm")
    assert "Laterality" not in head and head.BodyPartExamined == "HEAD"
    checked = dciodvfy(tmp_path / "head.dcm")
    assert checked.errors == [] and not any("Laterality" in w for w in checked.warnings)
    del head.BodyPartExamined  # the control: dciodvfy does complain when it cannot tell
    head.save_as(tmp_path / "neither.dcm")
    assert any("Laterality" in e for e in dciodvfy(tmp_path / "neither.dcm").errors)
    image_to_dicom(grace_hopper, tmp_path / "joined.dcm", series_from=tmp_path / "head.dcm")
    assert pydicom.dcmread(tmp_path / "joined.dcm").BodyPartExamined == "HEAD"  # series level


def test_bad_pictures_get_a_clear_error(tmp_path):
    (tmp_path / "x.png").write_text("not a picture")
    with pytest.raises(DicomFileError, match="x.png"):
        image_to_dicom(tmp_path / "x.png", tmp_path / "x.dcm")
    with pytest.raises(DicomFileError, match="cannot read"):
        image_to_dicom(tmp_path / "missing.jpg", tmp_path / "x.dcm")
    assert not (tmp_path / "x.dcm").exists()


# -- command line ------------------------------------------------------------------------------

def _cli(capsys, *args) -> tuple[int, str, str]:
    """``python -m workshop_helpers ARGS`` in this process: (status, stdout, stderr)."""
    status = main([str(a) for a in args])
    out = capsys.readouterr()
    return status, out.out, out.err


def test_cli_the_slides_steps(tmp_path, grace_hopper, capsys):
    (tmp_path / "empty.dump").write_text("")
    status, _, err = _cli(capsys, "undump", tmp_path / "empty.dump", tmp_path / "one.dcm")
    assert status == 0 and "assuming Explicit VR Little Endian" in err
    status, out, _ = _cli(capsys, "ftest", tmp_path / "one.dcm", tmp_path / "empty.dump")
    assert out.splitlines() == [f"yes: {tmp_path / 'one.dcm'}", f"no: {tmp_path / 'empty.dump'}"]
    assert status == 1
    status, out, _ = _cli(capsys, "dump", tmp_path / "one.dcm")
    assert status == 0 and "(0002,0010) UI =LittleEndianExplicit" in out
    step1 = out + "(0010,0010) PN [WORKSHOP^01]\n(0010,0020) LO [WORKSHOP01]\n"
    (tmp_path / "step1.dump").write_text(step1)
    assert _cli(capsys, "undump", tmp_path / "step1.dump", tmp_path / "two.dcm")[0] == 0
    assert read_dump(_cli(capsys, "dump", tmp_path / "two.dcm")[1]).PatientID == "WORKSHOP01"
    status, _, err = _cli(capsys, "img2dcm", grace_hopper, tmp_path / "gh.dcm",
                          "--series-from", tmp_path / "two.dcm")
    assert status == 0, err
    assert pydicom.dcmread(tmp_path / "gh.dcm").PatientName == "WORKSHOP^01"


def _one_line(err: str) -> bool:
    return err.count("\n") == 1 and "Traceback" not in err


def test_cli_errors_are_one_line_with_file_and_line(tmp_path, capsys):
    (tmp_path / "bad.dump").write_text("(0010,0010) PN [x]\n(0010,0020) LN [WORKSHOP01]\n")
    status, _, err = _cli(capsys, "undump", tmp_path / "bad.dump", tmp_path / "bad.dcm")
    assert status == 1 and err.startswith(f"undump: {tmp_path / 'bad.dump'}:2:13: ")
    assert _one_line(err) and not (tmp_path / "bad.dcm").exists()
    status, _, err = _cli(capsys, "undump", tmp_path / "missing.dump", tmp_path / "bad.dcm")
    assert status == 2 and err.startswith(f"undump: {tmp_path / 'missing.dump'}: ")
    assert _one_line(err)
    status, _, err = _cli(capsys, "dump", tmp_path / "bad.dump")
    assert status == 1 and err.startswith(f"dump: {tmp_path / 'bad.dump'}: cannot read it")
    assert _one_line(err)
    status, _, err = _cli(capsys, "img2dcm", tmp_path / "bad.dump", tmp_path / "x.dcm")
    assert status == 1 and err.startswith("img2dcm: ") and _one_line(err)
    assert not (tmp_path / "x.dcm").exists()

