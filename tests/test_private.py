"""Private creators, blocks and dictionaries (workshop_helpers.private), on pydicom's own files and
on generated ones; dcmtk's dcmdump as the independent reader."""

from __future__ import annotations

import pydicom
import pytest
from conftest import run_dcmtk
from hypothesis import given, settings
from hypothesis import strategies as st
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from workshop_helpers import private as P
from workshop_helpers import tools
from workshop_helpers.__main__ import main


def _ctp(ds: Dataset | None = None) -> Dataset:
    ds = ds if ds is not None else Dataset()
    P.add_private(ds, 0x0013, "CTP", 0x10, "LO", "TCGA-LUAD")
    P.add_private(ds, 0x0013, "CTP", 0x13, "LO", "77779002")
    return ds


def test_ctp_block_lands_where_the_slide_shows_it():
    ds = _ctp()
    assert ds[0x00130010].value == "CTP"
    assert ds[0x00131010].value == "TCGA-LUAD"
    assert ds[0x00131013].value == "77779002"
    assert P.read_private(ds, 0x0013, "CTP", 0x13) == "77779002"


def test_second_creator_gets_next_slot_and_offsets_follow_the_block():
    ds = Dataset()
    P.add_private(ds, 0x0009, "VENDOR A", 0x10, "LO", "a")
    P.add_private(ds, 0x0009, "VENDOR B", 0x10, "LO", "b")
    assert ds[0x00090010].value == "VENDOR A" and ds[0x00090011].value == "VENDOR B"
    assert ds[0x00091010].value == "a" and ds[0x00091110].value == "b"
    # same fixed tag (0009,1010) in another file could belong to B: read by creator, not by tag
    other = Dataset()
    P.add_private(other, 0x0009, "VENDOR B", 0x10, "LO", "b")
    assert other[0x00091010].value == "b"
    assert P.read_private(other, 0x0009, "VENDOR B", 0x10) == P.read_private(ds, 0x0009, "VENDOR B", 0x10)
    assert "VENDOR B" in P.explain_tag(other, 0x00091010)
    assert "VENDOR A" in P.explain_tag(ds, 0x00091010)


def test_creator_keeps_its_block():
    ds = Dataset()
    first = P.reserve_block(ds, 0x0029, "X")
    P.reserve_block(ds, 0x0029, "Y")
    again = P.reserve_block(ds, 0x0029, "X")
    assert first.block_start == again.block_start == 0x1000
    assert ds.private_creators(0x0029) == ["X", "Y"]


def test_reuses_a_free_slot_between_taken_ones():
    ds = Dataset()
    ds.add_new(0x00290010, "LO", "FIRST")
    ds.add_new(0x00290012, "LO", "THIRD")
    assert P.reserve_block(ds, 0x0029, "NEW").block_start == 0x1100


@pytest.mark.parametrize("group", [0x0010, 0x0008, 0x0001, 0x0003, 0x0005, 0x0007, 0xFFFF])
def test_groups_that_cannot_hold_private_elements(group):
    with pytest.raises(P.PrivateTagError, match=f"{group:04X}"):
        P.reserve_block(Dataset(), group, "ACME")
    assert not P.is_private_group(group)


@pytest.mark.parametrize("creator", ["", "   ", "x" * 65, "a\\b"])
def test_bad_creator_names(creator):
    with pytest.raises(P.PrivateTagError, match="creator"):
        P.reserve_block(Dataset(), 0x0009, creator)


def test_read_private_says_what_is_missing():
    ds = _ctp()
    with pytest.raises(P.PrivateTagError, match="no private creator 'GEMS'.*'CTP'"):
        P.read_private(ds, 0x0013, "GEMS", 0x10)
    with pytest.raises(P.PrivateTagError, match=r"\(0013,1011\) is not in the data set"):
        P.read_private(ds, 0x0013, "CTP", 0x11)


def test_all_slots_taken():
    ds = Dataset()
    for n in range(0x10, 0x100):
        ds.add_new((0x0009, n), "LO", f"C{n}")
    with pytest.raises(P.PrivateTagError, match="no free private creator slot"):
        P.reserve_block(ds, 0x0009, "ONE TOO MANY")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text("ABCDEFGH ", min_size=1, max_size=12).filter(lambda s: s.strip()),
                min_size=1, max_size=20, unique=True))
def test_each_creator_gets_its_own_block(creators):
    ds = Dataset()
    starts = [P.reserve_block(ds, 0x0011, c).block_start for c in creators]
    assert starts == [(0x10 + i) << 8 for i in range(len(creators))]
    for i, c in enumerate(creators):
        P.reserve_block(ds, 0x0011, c).add_new(0x01, "LO", f"v{i}")
    for i, c in enumerate(creators):
        assert P.read_private(ds, 0x0011, c, 0x01) == f"v{i}"


def test_list_blocks_on_ct_small_matches_pydicom():
    ds = pydicom.dcmread(tools.testdata("CT_small.dcm"))
    blocks = P.list_blocks(ds)
    creators = [b.creator for b in blocks]
    expected = []
    for group in sorted({e.tag.group for e in ds if e.tag.is_private}):
        expected += ds.private_creators(group)
    assert creators == expected and "GEMS_IDEN_01" in creators
    n_elements = sum(len(b.elements) for b in blocks)
    n_private = sum(1 for e in ds if e.tag.is_private and e.tag.element > 0xFF)
    assert n_elements == n_private
    iden = blocks[0]
    assert iden.group == 0x0009 and iden.block == 0x10
    assert {e.offset for e in iden.elements} >= {0x01, 0x02, 0x04}


def test_list_blocks_inside_sequences_with_path():
    ds = Dataset()
    item = Dataset()
    P.add_private(item, 0x0019, "INNER", 0x05, "LO", "deep")
    ds.ReferencedImageSequence = [Dataset(), item]
    P.add_private(ds, 0x0019, "OUTER", 0x01, "LO", "top")
    blocks = P.list_blocks(ds)
    assert [(b.creator, b.path) for b in blocks] == [("OUTER", ""), ("INNER", "ReferencedImageSequence[1]")]
    assert blocks[1].elements[0].value == "deep"


def test_orphans_and_creators_explained():
    ds = _ctp()
    ds.add_new(0x00211005, "LO", "nobody's")
    blocks = P.list_blocks(ds)
    orphan = [b for b in blocks if b.creator is None]
    assert len(orphan) == 1 and orphan[0].elements[0].tag == 0x00211005
    assert "orphan" in P.explain_tag(ds, 0x00211005)
    assert P.explain_tag(ds, 0x00131010) == (
        "(0013,1010) is element 0x10 of the block reserved by 'CTP' at (0013,0010)")
    assert "private creator: 'CTP' reserves the block (0013,1000)-(0013,10FF)" in P.explain_tag(ds, 0x00130010)
    assert "free private creator slot" in P.explain_tag(ds, 0x00130011)
    assert P.explain_tag(ds, 0x00131011).endswith("at (0013,0010), not present in this data set")
    assert "public" in P.explain_tag(ds, 0x00100010) and "Patient's Name" in P.explain_tag(ds, 0x00100010)
    assert "not allowed" in P.explain_tag(ds, 0x00130005)
    assert "cannot belong" in P.explain_tag(ds, 0x00130510)
    assert "0001" in P.explain_tag(ds, 0x00010001)


def test_implicit_vr_gives_un_and_a_dictionary_fixes_it():
    creator = "COURSE TEST IMPLICIT 1"
    P.forget_private_dictionary(creator)
    ds = Dataset()
    P.add_private(ds, 0x0033, creator, 0x01, "LO", "VALUE")
    P.add_private(ds, 0x0033, creator, 0x02, "US", 513)
    back = P.implicit_vr_roundtrip(ds)
    assert back[0x00331001].VR == "UN" and back[0x00331001].value == b"VALUE "
    assert back[0x00331002].VR == "UN" and back[0x00331002].value == b"\x01\x02"
    try:
        P.register_private_dictionary(creator, {0x01: ("LO", "1", "Some text", "SomeText"),
                                                0x02: ("US", "1", "A number", "ANumber")},
                                      group=0x0033)
        back = P.implicit_vr_roundtrip(ds)
        assert back[0x00331001].VR == "LO" and back[0x00331001].value == "VALUE"
        assert back[0x00331002].VR == "US" and back[0x00331002].value == 513
        assert P.list_blocks(back)[0].elements[0].name == "SomeText"
    finally:
        P.forget_private_dictionary(creator)


def test_dictionary_follows_the_block_not_the_tag():
    creator = "COURSE TEST IMPLICIT 2"
    P.forget_private_dictionary(creator)
    try:
        P.register_private_dictionary(creator, {0x00331001: ("DS", "1", "Dose", "Dose")})
        ds = Dataset()
        P.reserve_block(ds, 0x0033, "SOMEONE FIRST")
        P.add_private(ds, 0x0033, creator, 0x01, "DS", "1.5")   # lands at (0033,1101)
        back = P.implicit_vr_roundtrip(ds)
        assert back[0x00331101].VR == "DS"
    finally:
        P.forget_private_dictionary(creator)


def test_register_needs_group_for_offsets():
    with pytest.raises(P.PrivateTagError, match="group="):
        P.register_private_dictionary("X", {0x10: ("LO", "1", "x", "x")})


def test_ctp_dictionary_has_the_four_elements():
    assert sorted(P.CTP_DICTIONARY) == [0x10, 0x11, 0x12, 0x13]
    assert P.CTP_DICTIONARY[0x10][3] == "ProjectName" and P.CTP_DICTIONARY[0x13][3] == "SiteID"


def test_private_sequence_in_priv_sq_needs_its_dictionary():
    creator = "aaabbbccc MEDICAL SYSTEMS"
    ds = pydicom.dcmread(tools.testdata("priv_SQ.dcm"))
    if creator not in pydicom.datadict.private_dictionaries:
        assert ds[0x3F031001].VR == "UN"
    try:
        P.register_private_dictionary(creator, {0x3F031001: ("SQ", "1", "Private seq", "PrivSeq")})
        ds = pydicom.dcmread(tools.testdata("priv_SQ.dcm"))
        blocks = P.list_blocks(ds)
        assert ds[0x3F031001].VR == "SQ"
        assert [b.path for b in blocks] == ["", "(3F03,1001)[0]"]
        assert blocks[1].creator == "123456789 1234567 1234567"   # another creator inside the item
    finally:
        P.forget_private_dictionary(creator)


def test_nested_priv_sq_uses_a_forbidden_group():
    ds = pydicom.dcmread(tools.testdata("nested_priv_SQ.dcm"))
    assert P.list_blocks(ds) == []
    assert "does not allow" in P.explain_tag(ds, 0x00010001)


def _write(ds: Dataset, path) -> None:
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    ds.file_meta.MediaStorageSOPInstanceUID = generate_uid(entropy_srcs=["test_private"])
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.PatientName = "WORKSHOP^01"
    pydicom.dcmwrite(path, ds, enforce_file_format=True)


def test_dcmdump_reads_our_ctp_block(tmp_path, dcmtk):
    path = tmp_path / "ctp.dcm"
    _write(_ctp(), path)
    out = run_dcmtk(dcmtk, "dcmdump", path, check=True).stdout
    assert "(0013,0010) LO [CTP]" in out
    assert "(0013,1010) LO [TCGA-LUAD]" in out
    assert "(0013,1013) LO [77779002]" in out


def test_cli_lists_blocks(tmp_path, capsys):
    path = tmp_path / "ctp.dcm"
    _write(_ctp(), path)
    assert main(["private", str(path)]) == 0
    out = capsys.readouterr().out
    assert "'CTP' at (0013,0010)" in out and "TCGA-LUAD" in out and "(0013,1013)" in out


def test_cli_on_unreadable_file(tmp_path, capsys):
    bad = tmp_path / "not_dicom.txt"
    bad.write_text("hello")
    assert main(["private", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("private: cannot read") and "not_dicom.txt" in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert main(["private", str(tmp_path / "missing.dcm")]) == 2
    assert capsys.readouterr().err.startswith("private: cannot read")


def test_draw_group_marks_every_creator_and_orphans():
    import matplotlib

    matplotlib.use("Agg")
    ds = Dataset()
    P.add_private(ds, 0x0009, "VENDOR A", 0x10, "LO", "a")
    P.add_private(ds, 0x0009, "VENDOR B", 0x10, "LO", "b")
    ds.add_new(0x00092001, "LO", "lost")
    ax = P.draw_group(ds, 0x0009)
    texts = [t.get_text() for t in ax.texts]
    assert any("'VENDOR A' at (0009,0010)" in t for t in texts)
    assert any("'VENDOR B' at (0009,0011) reserves block 1100-11FF: 1 element(s)" in t for t in texts)
    assert any("orphan block 20" in t for t in texts)
    ax.figure.canvas.draw()   # no label on top of another: one line each, however many creators
    boxes = [t.get_window_extent() for t in ax.texts]
    assert [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:] if a.overlaps(b)] == []
    assert min(t.get_fontsize() for t in ax.texts) >= 9
    with pytest.raises(P.PrivateTagError):
        P.draw_group(ds, 0x0010)


@settings(max_examples=30, deadline=None)
@given(st.integers(0x10, 0xFF), st.integers(0x00, 0xFF))
def test_add_at_slot_puts_the_block_where_asked_and_readers_follow(slot, offset):
    ds = Dataset()
    elem = P.add_at_slot(ds, 0x0019, "ACME MEDICAL", slot, offset, "LO", "here")
    assert elem.tag == (0x0019 << 16) | (slot << 8) | offset
    assert ds[0x0019, slot].value == "ACME MEDICAL"
    assert P.read_private(ds, 0x0019, "ACME MEDICAL", offset) == "here"
    assert P.explain_tag(ds, elem.tag).endswith(f"reserved by 'ACME MEDICAL' at (0019,00{slot:02X})")


def test_add_at_slot_refuses_a_taken_slot_a_second_block_and_a_bad_slot():
    ds = Dataset()
    P.add_at_slot(ds, 0x0019, "ACME MEDICAL", 0x47, 0x21, "DS", "0.75")
    P.add_at_slot(ds, 0x0019, "ACME MEDICAL", 0x47, 0x22, "DS", "1.5")   # the same block again: fine
    with pytest.raises(P.PrivateTagError, match="already holds creator 'ACME MEDICAL'"):
        P.add_at_slot(ds, 0x0019, "OTHER", 0x47, 0x21, "DS", "1")
    with pytest.raises(P.PrivateTagError, match="already holds another block"):
        P.add_at_slot(ds, 0x0019, "ACME MEDICAL", 0x48, 0x21, "DS", "1")
    for slot in (0x0F, 0x100):
        with pytest.raises(P.PrivateTagError, match="not a private creator slot"):
            P.add_at_slot(ds, 0x0019, "X", slot, 0x21, "DS", "1")
    with pytest.raises(P.PrivateTagError, match="even"):
        P.add_at_slot(ds, 0x0018, "X", 0x20, 0x21, "DS", "1")
