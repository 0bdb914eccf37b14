"""Tests for workshop_helpers.dump: dcmtk's dump format, read and written."""

from __future__ import annotations

import warnings
from pathlib import Path

import pydicom
import pytest
from conftest import run_dcmtk
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydicom.multival import MultiValue
from pydicom.valuerep import STR_VR as STR_VRS

from workshop_helpers import dump
from workshop_helpers.__main__ import main
from workshop_helpers.dump import DumpSyntaxError, read_dump, write_dump

TEST_FILES = Path(pydicom.__file__).parent / "data" / "test_files"

# Files whose dcmdump text cannot give back pydicom's values, and why. Everything else that
# pydicom and dcmdump can both read, and that is not compressed, must round-trip exactly.
EXCLUDED = {
    "examples_palette.dcm": "dcmdump prints FD (0018,602c) as 0.02622878766196998; the file holds "
    "0.026228787661969975 - dcmtk drops the 17th digit before read_dump sees it",
    "nested_priv_SQ.dcm": "(0001,0002) has an odd length (9 bytes) in the file; dcmtk pads it "
    "with a NUL to 10 before printing, pydicom keeps 9",
    "meta_missing_tsyntax.dcm": "the same odd-length (0001,0002) as nested_priv_SQ.dcm",
}
# Files dump2dcm cannot give back (beyond the quirks _dump2dcm_quirks finds), and why.
DUMP2DCM_EXCLUDED = {
    "nested_priv_SQ.dcm": "dcmtk reads the UN element (0001,0001) of undefined length as a "
    "sequence (CP-246) and writes it back as SQ",
    "meta_missing_tsyntax.dcm": EXCLUDED["meta_missing_tsyntax.dcm"],
}


def _all_test_files() -> list[Path]:
    return sorted(p for p in TEST_FILES.rglob("*") if p.is_file())


def element_differences(a: pydicom.Dataset, b: pydicom.Dataset, where: str = "") -> list[str]:
    """Every difference (tag, VR, value; floats exact) between two data sets, recursively."""
    diffs = []
    ta, tb = set(a.keys()), set(b.keys())
    for t in sorted(ta ^ tb):
        diffs.append(f"{where}{t} only in {'first' if t in ta else 'second'}")
    for t in sorted(ta & tb):
        ea, eb = a[t], b[t]
        if ea.VR != eb.VR:
            diffs.append(f"{where}{t} VR {ea.VR} != {eb.VR}")
        elif ea.VR == "SQ":
            if len(ea.value) != len(eb.value):
                diffs.append(f"{where}{t} {len(ea.value)} items != {len(eb.value)}")
            for i, (x, y) in enumerate(zip(ea.value, eb.value, strict=False)):
                diffs += element_differences(x, y, f"{where}{t}[{i}].")
        elif ea.value != eb.value or type(ea.value) is not type(eb.value) and not (
            ea.value == eb.value
        ):
            diffs.append(f"{where}{t} {ea.VR} {str(ea.value)[:50]!r} != {str(eb.value)[:50]!r}")
    return diffs


def dataset_differences(a: pydicom.Dataset, b: pydicom.Dataset) -> list[str]:
    diffs = element_differences(a, b)
    meta_a = getattr(a, "file_meta", None) or pydicom.Dataset()
    meta_b = getattr(b, "file_meta", None) or pydicom.Dataset()
    return diffs + element_differences(meta_a, meta_b, "file_meta ")


def read_test_file(path: Path) -> pydicom.Dataset | None:
    """pydicom's reading of a shipped file, or None where pydicom cannot read it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ds = pydicom.dcmread(path, force=True)
            for _ in ds.iterall():
                pass
        except Exception:
            return None
    return ds


# -- reading -----------------------------------------------------------------------------------

def test_read_basic_values():
    ds = read_dump(r"""
# a comment line

(0008,0016) UI =SecondaryCaptureImageStorage   # 26, 1 SOPClassUID
(0008,0008) CS [ORIGINAL\PRIMARY]
(0010,0010) PN [WORKSHOP^01]
(0010,0020) LO WORKSHOP01
(0028,0010) US 256
(0028,0009) AT (0054,0010)\(0054,0020)
(0018,602c) FD 0.026228787661969975
(0028,0030) DS [0.5\0.25]
(0009,0010) LO [ACME]
(0009,1001) UN 01\02\03
(0011,0010) SH (no value available)
""")
    assert ds.SOPClassUID == pydicom.uid.SecondaryCaptureImageStorage
    assert ds.ImageType == ["ORIGINAL", "PRIMARY"]
    assert ds.PatientName == "WORKSHOP^01" and ds.PatientID == "WORKSHOP01"
    assert ds.Rows == 256
    assert ds.FrameIncrementPointer == [0x00540010, 0x00540020]
    assert ds[0x0018602C].value == 0.026228787661969975
    assert ds.PixelSpacing == [0.5, 0.25]
    assert ds[0x00091001].value == b"\x01\x02\x03"
    assert ds[0x00110010].value == ""
    assert not hasattr(ds, "file_meta") or not ds.file_meta


def test_read_meta_goes_to_file_meta():
    ds = read_dump("(0002,0010) UI =LittleEndianExplicit\n(0010,0010) PN [A^B]\n")
    assert isinstance(ds.file_meta, pydicom.dataset.FileMetaDataset)
    assert ds.file_meta.TransferSyntaxUID == pydicom.uid.ExplicitVRLittleEndian
    assert 0x00020010 not in ds


def test_read_what_a_human_types():
    ds = read_dump("(0010, 0010)  PN  [Doe^Jane]\n\t( 0028,0010 ) 512\n(0008,103E) LO [Series]")
    assert ds.PatientName == "Doe^Jane"
    assert ds.Rows == 512  # VR from the dictionary
    assert ds.SeriesDescription == "Series"


def test_read_sequences_and_pixel_items():
    text = """
(0008,1115) SQ (Sequence with undefined length #=2)     # u/l, 1 ReferencedSeriesSequence
  (fffe,e000) na (Item with undefined length #=1)         # u/l, 1 Item
    (0020,000e) UI [1.2.3]                                  #   6, 1 SeriesInstanceUID
  (fffe,e00d) na (ItemDelimitationItem)                   #   0, 0 ItemDelimitationItem
  (fffe,e000) na (Item with explicit length #=1)          #  14, 1 Item
    (0020,000e) UI [1.2.4]                                  #   6, 1 SeriesInstanceUID
  (fffe,e00d) na (ItemDelimitationItem for re-encoding)   #   0, 0 ItemDelimitationItem
(fffe,e0dd) na (SequenceDelimitationItem)               #   0, 0 SequenceDelimitationItem
(7fe0,0010) OB (PixelSequence #=2)                      # u/l, 1 PixelData
  (fffe,e000) pi (no value available)                     #   0, 1 Item
  (fffe,e000) pi ff\\d8\\ff\\d9                              #   4, 1 Item
(fffe,e0dd) na (SequenceDelimitationItem)               #   0, 0 SequenceDelimitationItem
"""
    ds = read_dump(text)
    assert [i.SeriesInstanceUID for i in ds.ReferencedSeriesSequence] == ["1.2.3", "1.2.4"]
    frags = list(pydicom.encaps.generate_fragments(ds.PixelData))
    assert frags == [b"", b"\xff\xd8\xff\xd9"]


def test_read_multiline_text_as_dcmdump_prints_it():
    ds = read_dump("(0040,a160) UT [Sample Text\rA\nB\r\nC]     #  20, 1 TextValue\n(0010,0010) PN [X]")
    assert ds.TextValue == "Sample Text\rA\nB\r\nC"
    assert ds.PatientName == "X"


@pytest.mark.parametrize(
    "text, line, column, words",
    [
        ("(0010,0020) LN [WORKSHOP01]", 1, 13, ["unknown VR 'LN'", "LO"]),
        ("\n(0010,0010 PN [x]", 2, 1, ["expected a tag"]),
        ("(0028,0010) US 65536", 1, 16, ["out of range", "US"]),
        ("(0028,0010) US twelve", 1, 16, ["whole number", "'twelve'"]),
        ("(0008,0016) UI =NoSuchStorage", 1, 16, ["unknown UID name", "=NoSuchStorage"]),
        ("(0010,0010) PN [x] junk", 1, 20, ["expected a comment", "'junk'"]),
        ("(0010,0010) PN [x", 1, 18, ["expected ']'"]),
        ("(fffe,e00d) na (ItemDelimitationItem)", 1, 1, ["no item is open"]),
        ("(0008,1115) SQ (Sequence with undefined length #=0)\n(0010,0010) PN [x]", 2, 1,
         ["directly inside a sequence", "expected an item"]),
        ("(0008,1115) SQ (Sequence with undefined length #=0)\n", 2, 1, ["not closed"]),
        ("(0010,0010) PN [a]\n(0010,0010) PN [b]", 2, 1, ["appears twice"]),
        ("(7fe0,0010) OB 00\\zz", 1, 16, ["hexadecimal", "'zz'"]),
    ],
)
def test_syntax_errors_say_where_and_what(text, line, column, words):
    with pytest.raises(DumpSyntaxError) as info:
        read_dump(text)
    err = info.value
    assert (err.line, err.column) == (line, column), str(err)
    assert err.text == text.split("\n")[line - 1]
    for w in words:
        assert w in str(err)
    assert isinstance(err, ValueError)


# -- dcmtk interop -----------------------------------------------------------------------------

def test_uid_names_match_dcmdump(dcmtk, tmp_path):
    """Every UID pydicom names: dcmdump prints the same =Name (or [uid]) as our table says."""
    from pydicom.uid import UID_dictionary

    uids = sorted(UID_dictionary)
    lines = [f"(0008,1115) SQ (Sequence with undefined length #={len(uids)})"]
    for u in uids:
        lines += ["(fffe,e000) na (Item with undefined length #=1)", f"(0008,1150) UI [{u}]",
                  "(fffe,e00d) na (ItemDelimitationItem)"]
    lines.append("(fffe,e0dd) na (SequenceDelimitationItem)")
    (tmp_path / "u.dump").write_text("\n".join(lines) + "\n")
    dcmtk_text(dcmtk, "dump2dcm", "-q", tmp_path / "u.dump", tmp_path / "u.dcm")
    out = dcmtk_text(dcmtk, "dcmdump", "+L", tmp_path / "u.dcm")
    printed = [line.split()[2] for line in out.splitlines() if "(0008,1150)" in line]
    assert len(printed) == len(uids)
    for uid, shown in zip(uids, printed, strict=True):
        name = dump.uid_name(uid)
        assert shown == (f"={name}" if name else f"[{uid}]"), uid
        if name:
            assert dump.uid_from_name(name) == uid


def dcmtk_text(dcmtk, name: str, *args) -> str:
    """dcmtk's ``name`` run through conftest's run_dcmtk, checked; its output read as Latin-1."""
    return run_dcmtk(dcmtk, name, *args, text=False, check=True, timeout=120).stdout.decode(
        "latin-1")


def _roundtrip_candidates() -> list:
    return [pytest.param(p, id=str(p.relative_to(TEST_FILES))) for p in _all_test_files()]


@pytest.mark.parametrize("path", _roundtrip_candidates())
def test_dcmdump_text_reads_back_to_the_file(path, dcmtk):
    """dcmdump +L of every uncompressed shipped file reads back equal, element by element."""
    if path.name in EXCLUDED:
        pytest.skip(EXCLUDED[path.name])
    ds = read_test_file(path)
    if ds is None:
        pytest.skip("pydicom cannot read this file")
    meta = getattr(ds, "file_meta", None)
    ts = meta.get("TransferSyntaxUID") if meta else None
    if ts is not None and ts.is_compressed:
        pytest.skip(f"compressed transfer syntax {ts.name}")
    out = run_dcmtk(dcmtk, "dcmdump", "+L", "-q", path, text=False)
    if out.returncode:
        pytest.skip("dcmdump cannot read this file")
    back = read_dump(out.stdout)
    assert dataset_differences(ds, back) == []


# -- writing -----------------------------------------------------------------------------------

def _readable_files() -> list:
    """Every shipped file pydicom reads into a non-empty data set (compressed ones too)."""
    out = []
    for p in _all_test_files():
        if p.suffix in (".txt", ".json", ".gz", ".icc", ".dump") or p.name == "README":
            continue
        out.append(pytest.param(p, id=str(p.relative_to(TEST_FILES))))
    return out


@pytest.mark.parametrize("path", _readable_files())
def test_write_then_read_gives_the_same_dataset(path):
    ds = read_test_file(path)
    if ds is None or not len(ds):
        pytest.skip("pydicom cannot read this file")
    text = write_dump(ds)
    assert dataset_differences(ds, read_dump(text)) == []


@pytest.mark.parametrize("name", ["CT_small.dcm", "MR_small.dcm", "rtplan.dcm",
                                  "dicomdirtests/DICOMDIR", "waveform_ecg.dcm"])
def test_write_layout_matches_dcmdump(name, dcmtk):
    """Public elements (sequences' contents too): our lines are dcmdump's, character for character.

    Sequence and item lines differ on purpose: we always write undefined lengths.
    """
    path = TEST_FILES / name
    ours = write_dump(pydicom.dcmread(path), shorten=True).splitlines()
    theirs = set(dcmtk_text(dcmtk, "dcmdump", path).splitlines())
    compared = 0
    for line in ours:
        stripped = line.lstrip()
        if stripped.startswith("(") and int(stripped[1:5], 16) % 2 == 0 \
                and " SQ " not in line and not stripped.startswith("(fffe"):
            assert line in theirs
            compared += 1
    assert compared > 30
    assert ours[:5] == ["", "# Dicom-File-Format", "", "# Dicom-Meta-Information-Header",
                        "# Used TransferSyntax: Little Endian Explicit"]


def test_shorten_cuts_long_values_like_dcmdump(dcmtk):
    path = TEST_FILES / "CT_small.dcm"
    ours = [x for x in write_dump(pydicom.dcmread(path), shorten=True).splitlines()
            if x.startswith("(7fe0,0010)")]
    theirs = [x for x in dcmtk_text(dcmtk, "dcmdump", path).splitlines()
              if x.startswith("(7fe0,0010)")]
    assert ours == theirs and "..." in ours[0]


def test_write_escapes_line_breaks_in_text():
    ds = pydicom.Dataset()
    ds.ImageComments = "one\r\ntwo \\012 three"
    text = write_dump(ds)
    assert "\n" not in text.rstrip("\n")
    assert r"[one\015\012two \134012 three]" in text
    assert read_dump(text).ImageComments == ds.ImageComments


def _dump2dcm_quirks(ds: pydicom.Dataset) -> list[str]:
    """Reasons dump2dcm cannot give this data set back, found in the data set itself."""
    reasons = set()
    for elem in ds.iterall():
        if elem.VR in ("LT", "ST", "UT") and isinstance(elem.value, str) and any(
            ord(c) < 32 and c != "\t" for c in elem.value
        ):
            reasons.add("LT/ST/UT with line breaks: written as octal escapes, which dump2dcm "
                        "keeps as text")
        values = elem.value if isinstance(elem.value, (list, MultiValue)) else [elem.value]
        if elem.VR in STR_VRS and "\\n" in "\\".join(str(v) for v in values):
            reasons.add(r"a value with '\n' (as 'dcanon\no identifiers'): dump2dcm turns it "
                        "into CR LF")
        if elem.tag == 0x7FE00010 and elem.VR == "OW" and elem.is_undefined_length:
            reasons.add("encapsulated Pixel Data with VR OW: dump2dcm reads only "
                        "'(7fe0,0010) OB (PixelSequence' (PS3.5 A.4 says OB)")
    return sorted(reasons)


def _differences_beyond_float_digits(a, b) -> tuple[list[str], list[str]]:
    """Split differences into FD/FL values that differ only in the last digits, and the rest."""
    lost, other = [], []
    for d in element_differences(a, b):
        words = d.split()
        if len(words) >= 4 and words[1] in ("FD", "FL"):
            try:
                x, y = float(words[2].strip("'")), float(words[4].strip("'"))
            except ValueError:
                other.append(d)
                continue
            if x != y and abs(x - y) <= 1e-14 * max(abs(x), abs(y)):
                lost.append(d)
                continue
        other.append(d)
    return lost, other


@pytest.mark.parametrize("path", _roundtrip_candidates())
def test_dump2dcm_reads_what_we_write(path, dcmtk, tmp_path):
    """dump2dcm turns our dump into a file equal to the data set (but for dcmtk's own losses)."""
    ds = read_test_file(path)
    if ds is None or run_dcmtk(dcmtk, "dcmdump", "-q", path, text=False).returncode:
        pytest.skip("pydicom or dcmdump cannot read this file")
    if path.name in DUMP2DCM_EXCLUDED:
        pytest.skip(DUMP2DCM_EXCLUDED[path.name])
    quirks = _dump2dcm_quirks(ds)
    if quirks:
        pytest.skip("; ".join(quirks))
    (tmp_path / "x.dump").write_bytes(dump.dump_bytes(ds))  # the data set's own character set
    out = run_dcmtk(dcmtk, "dump2dcm", "+l", "1000000", tmp_path / "x.dump", tmp_path / "x.dcm")
    assert (tmp_path / "x.dcm").exists(), out.stderr
    got = pydicom.dcmread(tmp_path / "x.dcm")
    if 0xFFFCFFFC in ds:  # dcmtk does not write Data Set Trailing Padding
        del ds[0xFFFCFFFC]
    lost, other = _differences_beyond_float_digits(ds, got)
    assert other == []
    if getattr(ds, "file_meta", None) and "TransferSyntaxUID" in ds.file_meta:
        assert got.file_meta.TransferSyntaxUID == ds.file_meta.TransferSyntaxUID


def test_floats_round_trip_exactly_where_dcmtk_loses_digits(dcmtk, tmp_path):
    """dcmdump -> dump2dcm changes FD values; write_dump -> read_dump keeps every bit."""
    values = [0.026228787661969975, 221.36400640010834, 0.009642736608649534,
              1.0000000000000002, 5e-324, -1.7976931348623157e308]
    ds = pydicom.Dataset()
    ds.RealWorldValueLUTData = values
    ds.file_meta = pydicom.dataset.FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = pydicom.uid.ExplicitVRLittleEndian
    ds.save_as(tmp_path / "f.dcm", enforce_file_format=False)
    theirs = dcmtk_text(dcmtk, "dcmdump", "+L", tmp_path / "f.dcm")
    (tmp_path / "f.dump").write_text(theirs)
    dcmtk_text(dcmtk, "dump2dcm", "-q", tmp_path / "f.dump", tmp_path / "back.dcm")
    dcmtk_values = list(pydicom.dcmread(tmp_path / "back.dcm").RealWorldValueLUTData)
    assert dcmtk_values != values  # dcmtk's own round trip loses digits ...
    assert list(read_dump(write_dump(ds)).RealWorldValueLUTData) == values  # ... ours does not
    assert [repr(v) for v in values] == \
        write_dump(ds).split("FD ")[1].split()[0].split("\\")


# -- every malformed input is a DumpSyntaxError ------------------------------------------------

_SAMPLE_DUMP = write_dump(pydicom.dcmread(TEST_FILES / "CT_small.dcm"), shorten=False)
_SAMPLE_LINES = [line for line in _SAMPLE_DUMP.splitlines()
                 if not line.startswith("(7fe0")] + [
    "(7fe0,0010) OB (PixelSequence #=2)",
    "  (fffe,e000) pi 00\\01",
    "(fffe,e0dd) na (SequenceDelimitationItem)",
    "(0040,a160) UT [one",
    "two]",
    "(0028,0009) AT (0054,0010)\\(0054,0020)",
]
_ALPHABET = "()[]=,\\#.-+e0123456789abcdefABCDEF \tUSOBWLFDQIP?\n\r\"x"


def _mutate(lines: list[str], ops: list[tuple[int, int, int, str]]) -> str:
    lines = list(lines)
    for op, i, j, ch in ops:
        if not lines:
            break
        i %= len(lines)
        if op == 0:
            del lines[i]
        elif op == 1:
            lines.insert(i, lines[i])
        elif op == 2 and lines[i]:
            j %= len(lines[i])
            lines[i] = lines[i][:j] + ch + lines[i][j + 1:]
        elif op == 3 and lines[i]:
            lines[i] = lines[i][: j % len(lines[i])]
        elif op == 4:
            lines[i], lines[j % len(lines)] = lines[j % len(lines)], lines[i]
    return "\n".join(lines)


def _read_or_syntax_error(text) -> None:
    try:
        read_dump(text)
    except DumpSyntaxError as err:
        assert err.line >= 1 and err.column >= 1
        assert isinstance(err.text, str) and err.reason
        n_lines = len(text.split("\n" if isinstance(text, str) else b"\n"))
        assert err.line <= n_lines
        # not the last-resort guard in read_dump: every error is one we expected and explain
        assert not err.reason.startswith("cannot read this line ("), err.reason


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=_ALPHABET, max_size=300))
def test_random_text_is_read_or_rejected_with_a_syntax_error(text):
    _read_or_syntax_error(text)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 10_000), st.integers(0, 10_000),
                          st.sampled_from(_ALPHABET)), min_size=1, max_size=6),
       st.integers(0, 4000), st.booleans())
def test_mutated_dumps_are_read_or_rejected_with_a_syntax_error(ops, cut, as_bytes):
    text = _mutate(_SAMPLE_LINES, ops)
    if cut:
        text = text[: len(text) * cut // 4000]
    _read_or_syntax_error(text.encode("latin-1", "replace") if as_bytes else text)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(_SAMPLE_LINES), st.integers(0, 200), st.sampled_from(_ALPHABET))
def test_one_flipped_character_in_one_line(line, where, ch):
    text = line[:where] + ch + line[where + 1:]
    _read_or_syntax_error(text)


def test_non_ascii_text_round_trips_with_its_character_set(tmp_path):
    from workshop_helpers.files import dump_to_file

    ds = pydicom.Dataset()
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.PatientName = "Müller^Jörg"
    ds.InstitutionName = "Weißenkirchen"
    seq_item = pydicom.Dataset()
    seq_item.PatientID = "Søren"
    ds.OtherPatientIDsSequence = [seq_item]
    text = write_dump(ds)
    assert "[Müller^Jörg]" in text
    assert read_dump(text) == ds
    dump_to_file(text, tmp_path / "x.dcm")
    raw = (tmp_path / "x.dcm").read_bytes()
    assert "Müller^Jörg".encode("latin-1") in raw  # stored in the data set's character set
    back = pydicom.dcmread(tmp_path / "x.dcm")
    assert back.PatientName == "Müller^Jörg"
    assert back.OtherPatientIDsSequence[0].PatientID == "Søren"
    # bytes as dcmdump prints them: raw values in the character set of the data set
    assert read_dump(text.encode("latin-1")) == ds


# -- the dump's character set: dcmdump -> edit -> dump2dcm, with our dump in the middle ---------

# (file, keyword path, the value pydicom reads) - each holds a non-ASCII ISO_IR 100 value
NON_ASCII = [
    ("examples_overlay.dcm", ("PatientAddress",), "Weißenkirchen"),
    ("test-SR.dcm", ("VerifyingObserverSequence", 0, "VerifyingObserverName"), "Jörg"),
]


def _value(ds, path):
    for step in path:
        ds = ds[step] if isinstance(step, int) else getattr(ds, step)
    return str(ds)


@pytest.mark.parametrize("name, path, word", NON_ASCII)
def test_our_dump_command_survives_dcmtk_dump2dcm(name, path, word, dcmtk, tmp_path,
                                                  capsysbinary):
    """`python -m workshop_helpers dump` | dump2dcm gives back the names, not 'WeiÃ\x9fenkirchen'."""
    source = TEST_FILES / name
    original = pydicom.dcmread(source)
    assert original.SpecificCharacterSet == "ISO_IR 100" and word in _value(original, path)
    assert main(["dump", str(source)]) == 0
    ours = capsysbinary.readouterr().out
    (tmp_path / "x.dump").write_bytes(ours)
    dcmtk_text(dcmtk, "dump2dcm", "+l", "1000000", tmp_path / "x.dump", tmp_path / "x.dcm")
    back = pydicom.dcmread(tmp_path / "x.dcm")
    assert _value(back, path) == _value(original, path)
    assert word.encode("latin-1") in (tmp_path / "x.dcm").read_bytes()
    assert word.encode("utf-8") not in (tmp_path / "x.dcm").read_bytes()


@pytest.mark.parametrize("name, path, word", NON_ASCII)
def test_non_ascii_lines_are_dcmdumps_bytes(name, path, word, dcmtk):
    """Our dump's lines with non-ASCII values are dcmdump's lines, byte for byte."""
    source = TEST_FILES / name
    theirs = run_dcmtk(dcmtk, "dcmdump", "+L", source, text=False, check=True).stdout
    ours = dump.dump_bytes(pydicom.dcmread(source))
    wanted = word.encode("latin-1")
    their_lines = [line for line in theirs.splitlines() if wanted in line]
    our_lines = [line for line in ours.splitlines() if wanted in line]
    assert their_lines and our_lines == their_lines


@pytest.mark.parametrize("name, path, word", NON_ASCII)
def test_undump_reads_what_dcmdump_prints(name, path, word, dcmtk, tmp_path):
    """dcmdump's bytes -> our `undump` -> the same value as in the file."""
    source = TEST_FILES / name
    (tmp_path / "d.dump").write_bytes(
        run_dcmtk(dcmtk, "dcmdump", "+L", source, text=False, check=True).stdout)
    assert main(["undump", str(tmp_path / "d.dump"), str(tmp_path / "d.dcm")]) == 0
    assert _value(pydicom.dcmread(tmp_path / "d.dcm"), path) == \
        _value(pydicom.dcmread(source), path)


def test_dump_bytes_lengths_count_the_encoded_bytes():
    ds = pydicom.Dataset()
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.InstitutionName = "Weißenkirchen"       # 13 bytes in Latin-1, 14 in UTF-8
    ds2 = pydicom.Dataset()
    ds2.SpecificCharacterSet = "ISO_IR 192"
    ds2.InstitutionName = "Weißenkirchen"
    latin = [x for x in dump.dump_bytes(ds).splitlines() if b"InstitutionName" in x][0]
    utf8 = [x for x in dump.dump_bytes(ds2).splitlines() if b"InstitutionName" in x][0]
    assert b"[Wei\xdfenkirchen]" in latin and b"#  14, 1" in latin      # 13 + 1 padding
    assert "[Weißenkirchen]".encode() in utf8 and b"#  14, 1" in utf8
    assert read_dump(dump.dump_bytes(ds)) == ds and read_dump(dump.dump_bytes(ds2)) == ds2
