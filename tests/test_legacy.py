"""Interfile and Analyze 7.5 by hand; NIfTI-1's qform/sform checked against SimpleITK (ITK's reader)
and nibabel (its quaternions, its header and its loader)."""

from __future__ import annotations

import struct

import nibabel
import nibabel.quaternions as nq
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from workshop_helpers import legacy
from workshop_helpers.__main__ import main

DTYPES = ["uint8", "int16", "int32", "float32", "float64"]


def _volume(dtype="int16", shape=(3, 4, 5)):
    return (np.arange(np.prod(shape)).reshape(shape) * 3 - 7).astype(dtype)


@pytest.mark.parametrize("byte_order", ["little", "big"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_analyze_round_trip_both_byte_orders(tmp_path, byte_order, dtype):
    pixels = _volume(dtype)
    header = legacy.write_analyze(tmp_path / "v.hdr", pixels, (0.5, 0.8, 2.5),
                                  byte_order=byte_order, orient=2, patient_id="PHANTOM")
    assert header.stat().st_size == 348
    image = legacy.read_analyze(header)
    assert image.byte_order == byte_order
    assert any(f"{byte_order}-endian" in n and "sizeof_hdr" in n for n in image.notes)
    np.testing.assert_array_equal(image.pixels, pixels)
    assert image.pixels.dtype == np.dtype(dtype)
    assert image.voxel_size_xyz == pytest.approx((0.5, 0.8, 2.5))
    assert image.header["orient"] == 2 and image.header["patient_id"] == "PHANTOM"


def test_analyze_layout_matches_the_mayo_offsets():
    offsets = {name: offset for name, _, offset in legacy.ANALYZE_FIELDS}
    # header_key 40 bytes, image_dimension 108, data_history 200
    assert offsets["dim"] == 40 and offsets["datatype"] == 70 and offsets["bitpix"] == 72
    assert offsets["pixdim"] == 76 and offsets["vox_offset"] == 108
    assert offsets["descrip"] == 148 and offsets["orient"] == 252
    nifti = {name: offset for name, _, offset in legacy.NIFTI1_FIELDS}
    assert nifti["qform_code"] == 252 and nifti["sform_code"] == 254
    assert nifti["srow_x"] == 280 and nifti["magic"] == 344


def test_big_endian_header_starts_with_348_big_endian():
    raw = legacy.analyze_header((1, 2, 2), "int16", byte_order="big")
    assert raw[:4] == struct.pack(">i", 348)
    assert struct.unpack("<i", raw[:4])[0] == 1543569408  # what a naive little-endian reader sees


def test_analyze_read_with_simpleitk_agrees(tmp_path):
    sitk = pytest.importorskip("SimpleITK")
    pixels = _volume("int16")
    for order in ("little", "big"):
        header = legacy.write_analyze(tmp_path / f"{order}.hdr", pixels, (0.5, 0.8, 2.5),
                                      byte_order=order)
        image = sitk.ReadImage(str(header))
        np.testing.assert_array_equal(sitk.GetArrayFromImage(image), pixels)
        assert image.GetSpacing() == pytest.approx((0.5, 0.8, 2.5))


@pytest.mark.parametrize("byte_order", ["little", "big"])
@pytest.mark.parametrize("dtype", ["uint8", "uint16", "int16", "int32", "float32", "float64"])
def test_interfile_round_trip_both_byte_orders(tmp_path, byte_order, dtype):
    pixels = _volume(dtype if dtype != "uint16" else "int32").astype(dtype)
    header = legacy.write_interfile(tmp_path / "v.hv", pixels, (0.5, 0.8, 2.5),
                                    byte_order=byte_order, patient_orientation="head_in",
                                    patient_rotation="supine")
    text = header.read_text()
    for key in ("!INTERFILE :=", "!version of keys := 3.3", "!matrix size [1] := 5",
                "scaling factor (mm/pixel) [2] := 0.8",
                "imagedata byte order := " + byte_order.upper() + "ENDIAN",
                "!name of data file := v.v", "!number of slices := 3", "!END OF INTERFILE :="):
        assert key in text
    image = legacy.read_interfile(header)
    np.testing.assert_array_equal(image.pixels, pixels)
    assert image.byte_order == byte_order and image.voxel_size_xyz == pytest.approx((0.5, 0.8, 2.5))
    assert image.header["patient orientation"] == "head_in"


# The keys of Interfile 3.3 (as MedCon's 3.3 writer, m-intf.c, writes them), section by section
INTERFILE_33_KEYS = {
    "!GENERAL DATA :=": ["!data offset in bytes", "!name of data file", "patient name", "!patient ID",
                         "patient dob", "patient sex", "!study ID"],
    "!GENERAL IMAGE DATA :=": ["!type of data", "!total number of images", "imagedata byte order"],
    "!SPECT STUDY (general) :=": ["!number of images/energy window", "!process status",
                                  "!matrix size [1]", "!matrix size [2]", "!number format",
                                  "!number of bytes per pixel", "scaling factor (mm/pixel) [1]",
                                  "scaling factor (mm/pixel) [2]", "patient orientation",
                                  "patient rotation"],
    "!SPECT STUDY (reconstructed data) :=": ["!number of slices", "slice orientation",
                                             "centre-centre slice separation (pixels)"],
}


def test_interfile_header_has_the_33_keys_in_their_sections(tmp_path):
    header = legacy.write_interfile(tmp_path / "v.h33", _volume("int16"), (0.8, 1.2, 5.0),
                                    patient_id="PHANTOM01", study_id="S1", patient_sex="O",
                                    patient_orientation="head_in", patient_rotation="supine")
    lines = header.read_text().splitlines()
    keys = [line.split(":=")[0].strip() for line in lines]
    for section, wanted in INTERFILE_33_KEYS.items():
        start = lines.index(section)
        following = [k for k in keys[start + 1:] if not k.startswith(";")]
        end = next(i for i, k in enumerate(following)
                   if f"{k} :=" in INTERFILE_33_KEYS or k.startswith("!END"))
        assert set(wanted) <= set(following[:end]), section
    assert "!patient ID := PHANTOM01" in lines and "!study ID := S1" in lines
    assert "slice orientation := Transverse" in lines
    assert "scaling factor (mm/pixel) [3]" not in keys and "matrix size [3]" not in keys  # not 3.3
    assert "centre-centre slice separation (pixels) := 5" in lines   # 5 mm / mean(0.8, 1.2) mm
    image = legacy.read_interfile(header)
    assert image.header["patient id"] == "PHANTOM01" and image.voxel_size_xyz == pytest.approx((0.8, 1.2, 5.0))


def test_interfile_reader_also_takes_the_common_dialect(tmp_path):
    (tmp_path / "d.v").write_bytes(np.arange(12, dtype="<u2").tobytes())
    header = tmp_path / "d.hv"
    header.write_text("!INTERFILE :=\n!name of data file := d.v\nimagedata byte order := LITTLEENDIAN\n"
                      "!number format := unsigned integer\n!number of bytes per pixel := 2\n"
                      "number of dimensions := 3\n!matrix size [1] := 3\n!matrix size [2] := 2\n"
                      "!matrix size [3] := 2\nscaling factor (mm/pixel) [3] := 2.5\n")
    image = legacy.read_interfile(header)
    assert image.pixels.shape == (2, 2, 3) and image.voxel_size_xyz == (1.0, 1.0, 2.5)


def test_interfile_slice_orientation_is_checked(tmp_path):
    with pytest.raises(ValueError, match="slice_orientation"):
        legacy.write_interfile(tmp_path / "v.hv", _volume("int16"), slice_orientation="oblique")


def test_interfile_parser_normalises_keys_and_skips_comments():
    keys = legacy.parse_interfile("!INTERFILE  :=\n; a comment\n!Matrix Size[1] := 4\n"
                                  "scaling factor (mm/pixel)  [1] :=  1.5\n")
    assert keys == {"interfile": "", "matrix size [1]": "4", "scaling factor (mm/pixel) [1]": "1.5"}


def test_interfile_without_byte_order_says_what_it_assumed(tmp_path):
    header = legacy.write_interfile(tmp_path / "v.hv", _volume("int16"), byte_order="big")
    text = "\n".join(line for line in header.read_text().splitlines()
                     if "byte order" not in line)
    header.write_text(text)
    image = legacy.read_interfile(header)
    assert image.byte_order == "big"
    assert any("assumed BIGENDIAN" in n for n in image.notes)


@pytest.mark.parametrize("text, expected", [
    ("", "empty header"),
    ("matrix size [1] := 4\n", "starts with '!INTERFILE :='"),
    ("!INTERFILE :=\nthis line has no separator\n", "line 2: expected 'key := value'"),
    ("!INTERFILE :=\n!matrix size [1] := 4\n", "'matrix size [2]' is missing"),
    ("!INTERFILE :=\n!matrix size [1] := four\n!matrix size [2] := 4\n",
     "'matrix size [1]' should be a number, found 'four'"),
    ("!INTERFILE :=\n!matrix size [1] := 0\n!matrix size [2] := 4\n", "should be positive"),
    ("!INTERFILE :=\n!matrix size [1] := 2\n!matrix size [2] := 2\n!number format := complex\n"
     "!number of bytes per pixel := 8\n", "'number format'"),
    ("!INTERFILE :=\n!matrix size [1] := 2\n!matrix size [2] := 2\n!number format := float\n"
     "!number of bytes per pixel := 4\nimagedata byte order := MIDDLEENDIAN\n", "MIDDLEENDIAN"),
    ("!INTERFILE :=\n!matrix size [1] := 2\n!matrix size [2] := 2\n!number format := float\n"
     "!number of bytes per pixel := 4\n", "'name of data file' is missing"),
])
def test_malformed_interfile_headers_are_named(tmp_path, text, expected):
    header = tmp_path / "bad.hv"
    header.write_text(text)
    with pytest.raises(legacy.LegacyFormatError) as info:
        legacy.read_interfile(header)
    assert expected in str(info.value) and "bad.hv" in str(info.value)


def test_interfile_short_data_file(tmp_path):
    header = legacy.write_interfile(tmp_path / "v.hv", _volume("int16"))
    data = tmp_path / "v.v"
    data.write_bytes(data.read_bytes()[:-2])
    with pytest.raises(legacy.LegacyFormatError, match=r"v\.v: expected 120 bytes .* found 118"):
        legacy.read_interfile(header)


def _corrupt(raw: bytes, offset: int, fmt: str, value) -> bytes:
    out = bytearray(raw)
    struct.pack_into(fmt, out, offset, value)
    return bytes(out)


@pytest.mark.parametrize("change, expected", [
    (lambda raw: raw[:100], "348 bytes, found only 100"),
    (lambda raw: _corrupt(raw, 0, "<i", 540), "offset 0 (sizeof_hdr)"),
    (lambda raw: _corrupt(raw, 40, "<h", 9), "offset 40 (dim[0])"),
    (lambda raw: _corrupt(raw, 44, "<h", 0), "offset 44 (dim[2])"),
    (lambda raw: _corrupt(raw, 70, "<h", 7), "offset 70 (datatype)"),
    (lambda raw: _corrupt(raw, 72, "<h", 8), "offset 72 (bitpix)"),
])
def test_malformed_analyze_headers_name_the_offset(tmp_path, change, expected):
    header = legacy.write_analyze(tmp_path / "v.hdr", _volume("int16"))
    header.write_bytes(change(header.read_bytes()))
    with pytest.raises(legacy.LegacyFormatError) as info:
        legacy.read_analyze(header)
    assert expected in str(info.value) and "v.hdr" in str(info.value)


def test_analyze_short_image_file(tmp_path):
    header = legacy.write_analyze(tmp_path / "v.hdr", _volume("int16"))
    (tmp_path / "v.img").write_bytes(b"\0" * 10)
    with pytest.raises(legacy.LegacyFormatError, match=r"v\.img: expected 120 bytes"):
        legacy.read_analyze(header)


def test_missing_files_are_reported_not_tracebacks(tmp_path):
    with pytest.raises(legacy.LegacyFormatError, match="nothing.hdr"):
        legacy.read_legacy(tmp_path / "nothing.hdr")
    header = legacy.write_analyze(tmp_path / "v.hdr", _volume("int16"))
    (tmp_path / "v.img").unlink()
    with pytest.raises(legacy.LegacyFormatError, match="v.img"):
        legacy.read_analyze(header)


@settings(max_examples=60, deadline=None)
@given(
    pixels=hnp.arrays(st.sampled_from([np.uint8, np.int16, np.int32, np.float32]),
                      hnp.array_shapes(min_dims=3, max_dims=3, max_side=6),
                      elements={"allow_nan": False, "allow_infinity": False}),
    spacing=st.tuples(*[st.floats(0.125, 10.0, width=32)] * 3),
    byte_order=st.sampled_from(["little", "big"]),
    kind=st.sampled_from(["analyze", "interfile"]),
)
def test_round_trip_property(tmp_path_factory, pixels, spacing, byte_order, kind):
    folder = tmp_path_factory.mktemp("p")
    if kind == "analyze":
        header = legacy.write_analyze(folder / "p.hdr", pixels, spacing, byte_order=byte_order)
    else:
        header = legacy.write_interfile(folder / "p.hv", pixels, spacing, byte_order=byte_order)
    image = legacy.read_legacy(header)
    np.testing.assert_array_equal(image.pixels, pixels)
    assert image.byte_order == byte_order
    assert image.voxel_size_xyz == pytest.approx(spacing, rel=1e-5)


@settings(max_examples=60, deadline=None)
@given(st.binary(min_size=348, max_size=400))
def test_random_bytes_never_give_a_bare_traceback(raw):
    try:
        fields, order = legacy.parse_analyze_header(raw, "random.hdr")
    except legacy.LegacyFormatError as exc:
        assert "random.hdr" in str(exc)
    else:  # only when sizeof_hdr happened to be 348 and the rest made sense
        assert fields["sizeof_hdr"] == 348 and order in ("little", "big")


def _random_affine(seed: int, flip: bool) -> np.ndarray:
    rng = np.random.default_rng(seed)
    rotation, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    if (np.linalg.det(rotation) < 0) != flip:
        rotation[:, 0] *= -1
    affine = np.eye(4)
    affine[:3, :3] = rotation * np.array([0.5, 0.8, 2.5])
    affine[:3, 3] = rng.uniform(-200, 200, size=3)
    return affine


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("flip", [False, True])
def test_nifti_qform_and_sform_hold_the_affine(seed, flip):
    affine = _random_affine(seed, flip)
    fields = legacy.parse_nifti1_header(legacy.nifti1_header((3, 4, 5), "int16", affine))
    np.testing.assert_allclose(fields["sform"], affine, atol=1e-4)
    np.testing.assert_allclose(fields["qform"], affine, atol=1e-4)
    assert (fields["pixdim"][0] < 0) == flip  # qfac


@pytest.mark.parametrize("byte_order", ["little", "big"])
@pytest.mark.parametrize("flip", [False, True])
def test_nifti_read_by_simpleitk(tmp_path, byte_order, flip):
    sitk = pytest.importorskip("SimpleITK")
    affine = _random_affine(7, flip)
    pixels = _volume("int16")
    path = legacy.write_nifti1(tmp_path / "v.nii", pixels, affine, byte_order=byte_order)
    image = sitk.ReadImage(str(path))
    np.testing.assert_array_equal(sitk.GetArrayFromImage(image), pixels)
    # ITK works in LPS: the first two rows of NIfTI's RAS affine change sign
    lps = np.diag([-1.0, -1.0, 1.0]) @ affine[:3]
    direction = np.array(image.GetDirection()).reshape(3, 3)
    np.testing.assert_allclose(direction * np.array(image.GetSpacing()), lps[:, :3], atol=1e-4)
    np.testing.assert_allclose(image.GetOrigin(), lps[:, 3], atol=1e-3)


def test_plain_analyze_is_not_nifti():
    raw = legacy.analyze_header((1, 2, 2), "int16")
    with pytest.raises(legacy.LegacyFormatError, match="offset 344 .magic."):
        legacy.parse_nifti1_header(raw, "x.hdr")


def test_quaternion_round_trip_for_the_hard_cases():
    for rotation in (np.eye(3), np.diag([1.0, -1.0, -1.0]), np.diag([-1.0, 1.0, -1.0]),
                     np.diag([-1.0, -1.0, 1.0]), np.array([[0, 0, 1], [1, 0, 0], [0, 1, 0.0]])):
        _, b, c, d = legacy.quaternion_from_rotation(rotation)
        np.testing.assert_allclose(legacy.rotation_from_quaternion(b, c, d), rotation, atol=1e-9)


# The reference for legacy's quaternion maths is the NIfTI-1 header's own documentation
# (nifti1.h, "QUATERNION REPRESENTATION OF ROTATION MATRIX (METHOD 2)"): a rotation by angle h
# about the unit axis (p, q, r) is [a, b, c, d] = [cos(h/2), p sin(h/2), q sin(h/2), r sin(h/2)],
# with a >= 0 (-pi <= h <= pi), and [a, b, c, d] and [-a, -b, -c, -d] are the same rotation.
# The matrices below come from Rodrigues' rotation formula, written independently of legacy's
# code; the tests after them compare with nibabel, whose NIfTI code is the one most used.
def _rodrigues(axis, angle):
    u = np.asarray(axis, dtype=float) / np.linalg.norm(axis)
    cross = np.array([[0, -u[2], u[1]], [u[2], 0, -u[0]], [-u[1], u[0], 0]])
    return np.cos(angle) * np.eye(3) + np.sin(angle) * cross + (1 - np.cos(angle)) * np.outer(u, u)


_AXES_AND_ANGLES = [((0, 0, 1), np.pi / 2), ((1, 0, 0), np.pi), ((0, 1, 0), -np.pi / 3),
                    ((1, 1, 1), 2 * np.pi / 3), ((1, -2, 0.5), 0.01), ((0.3, 0.4, -1), np.pi),
                    ((1, 0, 0), 0.0)] + [
    (tuple(np.random.default_rng(seed).normal(size=3)),
     float(np.random.default_rng(seed + 100).uniform(-np.pi, np.pi))) for seed in range(8)]


@pytest.mark.parametrize(("axis", "angle"), _AXES_AND_ANGLES)
def test_quaternion_matches_the_nifti1_axis_angle_definition(axis, angle):
    u = np.asarray(axis, dtype=float) / np.linalg.norm(axis)
    expected = np.array([np.cos(angle / 2), *(u * np.sin(angle / 2))])
    rotation = _rodrigues(axis, angle)
    np.testing.assert_allclose(legacy.rotation_from_quaternion(*expected[1:]), rotation,
                               atol=1e-12)
    found = np.array(legacy.quaternion_from_rotation(rotation))
    if expected[0] < 1e-12:  # a = 0 (h = 180 degrees): both signs are the same rotation
        assert np.allclose(found, expected, atol=1e-9) or np.allclose(found, -expected, atol=1e-9)
    else:
        np.testing.assert_allclose(found, expected, atol=1e-9)


def test_quaternion_of_the_transpose_is_the_conjugate():  # nifti1.h: R-transpose -> [a,-b,-c,-d]
    rotation = _rodrigues((1, 2, 3), 0.7)
    a, b, c, d = legacy.quaternion_from_rotation(rotation)
    np.testing.assert_allclose(legacy.quaternion_from_rotation(rotation.T), (a, -b, -c, -d),
                               atol=1e-12)


def test_quaternion_examples_worked_by_hand():
    # 90 degrees about z (x -> y): a = d = cos 45 degrees; nifti1.h's matrix then gives
    # R11 = a*a - d*d = 0, R12 = -2ad = -1, R21 = 2ad = 1, R33 = a*a + d*d = 1.
    half = np.sqrt(0.5)
    np.testing.assert_allclose(legacy.rotation_from_quaternion(0.0, 0.0, half),
                               [[0, -1, 0], [1, 0, 0], [0, 0, 1]], atol=1e-12)
    # nifti1.h's own example: diag(1, -1, -1) is [a, b, c, d] = [0, 1, 0, 0], 180 degrees about x
    np.testing.assert_allclose(legacy.quaternion_from_rotation(np.diag([1.0, -1.0, -1.0])),
                               (0, 1, 0, 0), atol=1e-12)


def test_cli_legacy_info(tmp_path, capsys):
    header = legacy.write_analyze(tmp_path / "v.hdr", _volume("int16"), (0.5, 0.8, 2.5),
                                  byte_order="big")
    assert main(["legacy", "info", str(header)]) == 0
    out = capsys.readouterr().out
    assert "5 columns x 4 rows x 3 slices" in out and "big-endian" in out
    interfile = legacy.write_interfile(tmp_path / "v.h33", _volume("int16"))
    assert main(["legacy", "info", "--all", str(interfile)]) == 0
    assert "matrix size [1]" in capsys.readouterr().out
    (tmp_path / "bad.hdr").write_bytes(b"\0" * 348)
    assert main(["legacy", "info", str(tmp_path / "bad.hdr")]) == 2
    assert "offset 0 (sizeof_hdr)" in capsys.readouterr().err


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_random_interfile_text_gives_a_clear_error_or_keys(text):
    try:
        keys = legacy.parse_interfile("!INTERFILE :=\n" + text, "random.hv")
    except legacy.LegacyFormatError as exc:
        assert "random.hv, line" in str(exc)
    else:
        assert keys["interfile"] == ""


def test_a_pair_that_fails_leaves_nothing_new_and_the_old_pair_as_it_was(tmp_path):
    old = legacy.write_analyze(tmp_path / "v.hdr", _volume("int16"), (0.5, 0.8, 2.5))
    before = old.read_bytes()
    (tmp_path / "v.img").unlink()
    (tmp_path / "v.img").mkdir()  # the data file cannot be put in place: the header must not be
    with pytest.raises(OSError):
        legacy.write_analyze(tmp_path / "v.hdr", _volume("uint8"), (1.0, 1.0, 1.0))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v.hdr", "v.img"]
    assert old.read_bytes() == before


def test_a_non_ascii_interfile_value_is_refused_before_anything_is_written(tmp_path):
    expected = "a.hv, line 11: an Interfile 3.3 header is ASCII, 'patient name := M\u00fcller' is not"
    with pytest.raises(ValueError, match=expected):
        legacy.write_interfile(tmp_path / "a.hv", _volume("int16"), patient_name="M\u00fcller")
    assert list(tmp_path.iterdir()) == []


def test_nifti1_needs_its_folder_and_leaves_nothing(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        legacy.write_nifti1(tmp_path / "no" / "v.nii", _volume("int16"), np.eye(4))
    assert list(tmp_path.iterdir()) == []


def test_voxel_size_is_named_x_y_z(tmp_path):
    pixels = _volume("int16")                        # (slices, rows, columns): NumPy's z, y, x
    new = legacy.write_analyze(tmp_path / "new.hdr", pixels, voxel_size_xyz=(0.5, 0.8, 2.5))
    fields, _ = legacy.parse_analyze_header(new.read_bytes())
    assert fields["pixdim"][1:4] == pytest.approx([0.5, 0.8, 2.5])   # x (columns) first
    assert fields["dim"][1:4] == [pixels.shape[2], pixels.shape[1], pixels.shape[0]]
    image = legacy.read_analyze(new)
    assert image.voxel_size_xyz == pytest.approx((0.5, 0.8, 2.5))
    assert "0.5 x 0.8 x 2.5 (x, y, z)" in legacy.describe(image)
    with pytest.raises(ValueError, match="voxel_size_xyz"):
        legacy.write_analyze(tmp_path / "bad.hdr", pixels, voxel_size_xyz=(0.5, -1, 2))


# ------------------------------------------------------------------ nibabel as the reference

_UNIT_QUATERNIONS = hnp.arrays(float, 4, elements=st.floats(-1, 1)).filter(
    lambda q: np.linalg.norm(q) > 0.1).map(lambda q: q / np.linalg.norm(q))


@settings(max_examples=300, deadline=None)
@given(_UNIT_QUATERNIONS)
def test_rotation_from_quaternion_is_nibabels_quat2mat_of_fillpositive(q):
    b, c, d = q[1:] if q[0] >= 0 else -q[1:]      # a header stores b, c, d with a >= 0
    # a = 0 when a * a < 1e-7: the threshold of nifti1_io.c (nibabel's is 3 float32 epsilons)
    np.testing.assert_allclose(legacy.rotation_from_quaternion(b, c, d),
                               nq.quat2mat(nq.fillpositive([b, c, d], w2_thresh=1e-7)),
                               atol=1e-9)


@settings(max_examples=300, deadline=None)
@given(hnp.arrays(float, 3, elements=st.floats(-1, 1)).filter(lambda u: np.linalg.norm(u) > 0.1))
def test_a_half_turn_stored_in_32_bit_floats_comes_back_as_nibabel_reads_it(axis):
    """a = 0: the header's float32 b, c, d leave 1 - (b² + c² + d²) up to 1e-7 off zero."""
    b, c, d = (axis / np.linalg.norm(axis)).astype(np.float32)
    header = nibabel.Nifti1Header()
    header["quatern_b"], header["quatern_c"], header["quatern_d"] = b, c, d
    header["qform_code"], header["pixdim"][:4] = 1, [1, 1, 1, 1]
    u = np.array([b, c, d], dtype=float) / np.linalg.norm([b, c, d])
    ours = legacy.rotation_from_quaternion(float(b), float(c), float(d))
    np.testing.assert_allclose(ours, header.get_qform()[:3, :3], atol=1e-6)
    np.testing.assert_allclose(ours, 2 * np.outer(u, u) - np.eye(3), atol=1e-6)  # Rodrigues, 180°


@settings(max_examples=300, deadline=None)
@given(_UNIT_QUATERNIONS)
def test_quaternion_from_rotation_is_nibabels_mat2quat(q):
    rotation = nq.quat2mat(q)
    ours, theirs = np.array(legacy.quaternion_from_rotation(rotation)), nq.mat2quat(rotation)
    assert ours[0] >= 0 and theirs[0] >= 0
    if theirs[0] < 1e-6:  # a = 0 (180 degrees): q and -q are the same rotation
        assert np.allclose(ours, theirs, atol=1e-6) or np.allclose(ours, -theirs, atol=1e-6)
    else:
        np.testing.assert_allclose(ours, theirs, atol=1e-9)


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("flip", [False, True])
def test_our_header_has_the_quaternion_and_qfac_nibabels_set_qform_gives(seed, flip):
    affine = _random_affine(seed, flip)
    ours = legacy.parse_nifti1_header(legacy.nifti1_header((3, 4, 5), "int16", affine))
    theirs = nibabel.Nifti1Header()
    theirs.set_qform(affine, code=1)
    assert ours["pixdim"][0] == theirs["pixdim"][0] == (-1 if flip else 1)  # qfac
    b, c, d = (float(theirs[f"quatern_{k}"]) for k in "bcd")
    if nq.fillpositive([b, c, d])[0] < 1e-3:  # a = 0: both signs are the same rotation
        b, c, d = np.sign(np.dot([b, c, d], [ours[f"quatern_{k}"] for k in "bcd"])) * (b, c, d)
    np.testing.assert_allclose([ours[f"quatern_{k}"] for k in "bcd"], [b, c, d], atol=1e-6)
    np.testing.assert_allclose(ours["qform"], theirs.get_qform(), atol=1e-4)


@pytest.mark.parametrize("byte_order", ["little", "big"])
@pytest.mark.parametrize("flip", [False, True])
def test_nibabel_loads_our_nifti_with_our_qform_sform_and_pixels(tmp_path, byte_order, flip):
    affine = _random_affine(11, flip)
    pixels = _volume("int16")
    path = legacy.write_nifti1(tmp_path / "v.nii", pixels, affine, byte_order=byte_order)
    image = nibabel.load(path)
    ours = legacy.parse_nifti1_header(path.read_bytes()[:348])
    assert image.header.endianness == ("<" if byte_order == "little" else ">")
    qform, qcode = image.get_qform(coded=True)
    sform, scode = image.get_sform(coded=True)
    assert (int(qcode), int(scode)) == (1, 1)
    np.testing.assert_allclose(qform, ours["qform"], atol=1e-5)
    np.testing.assert_allclose(sform, ours["sform"], atol=1e-5)
    np.testing.assert_allclose(image.affine, affine, atol=1e-4)
    # NIfTI's first axis is i (columns): nibabel's array is ours with the axes reversed
    np.testing.assert_array_equal(np.asanyarray(image.dataobj), pixels.transpose(2, 1, 0))


@pytest.mark.parametrize("flip", [False, True])
def test_we_read_the_qform_and_sform_of_a_file_nibabel_wrote(tmp_path, flip):
    affine = _random_affine(12, flip)
    image = nibabel.Nifti1Image(_volume("int16").transpose(2, 1, 0), affine)
    image.set_qform(affine, code=1)
    nibabel.save(image, tmp_path / "nib.nii")
    fields = legacy.parse_nifti1_header((tmp_path / "nib.nii").read_bytes()[:348], "nib.nii")
    np.testing.assert_allclose(fields["qform"], affine, atol=1e-4)
    np.testing.assert_allclose(fields["sform"], affine, atol=1e-4)
    assert (fields["pixdim"][0] < 0) == flip
