"""workshop_helpers.uids: explain, validate, make_uid and the `uid` CLI."""

from __future__ import annotations

import hashlib
import re
import uuid

import pydicom
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workshop_helpers import tools
from workshop_helpers.__main__ import main
from workshop_helpers.uids import (
    UIDError,
    explain,
    is_valid,
    make_uid,
    uids_in,
    validate,
)

# An independent statement of PS3.5 9.1: components are 0 or a number without leading zero.
PS35_91 = re.compile(r"^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$")

SLIDES = "1.3.6.1.4.1.45037.5.2.1.6279.6001.314138616411061948052843767346"


def test_the_slides_example_splits_as_the_slides_do():
    e = explain(SLIDES)
    assert (e.root, e.descriptive, e.unique) == (
        "1.3.6.1.4.1.45037", "5.2.1", "6279.6001.314138616411061948052843767346")
    assert "slides" in e.owner and not e.problems
    assert "not encoded" in e.how  # honest about the convention


def test_dicom_uids_get_pydicom_names_and_no_unique_part():
    e = explain("1.2.840.10008.5.1.4.1.1.2")
    assert e.name == "CT Image Storage" and e.root == "1.2.840.10008" and e.unique == ""
    assert explain("1.2.840.10008.1.2.4.50").name == "JPEG Baseline (Process 1)"


def test_uuid_derived_uid_shows_its_uuid():
    u = uuid.UUID("f81d4fae-7dec-11d0-a765-00a0c91e6bf6")  # the X.667 example
    e = explain(f"2.25.{u.int}")
    assert e.uuid == str(u) and e.root == "2.25" and e.descriptive == ""


def test_dcmtk_uids_from_the_slides():
    e = explain("1.2.276.0.7230010.3.1.4.0.74507.1663133221.580797")
    assert (e.root, e.descriptive) == ("1.2.276.0.7230010.3", "1.4")
    assert "SOP Instance" in e.how
    assert explain("1.2.276.0.7230010.3.0.3.6.6").descriptive == "0"


@pytest.mark.parametrize("name", ["CT_small.dcm", "MR_small.dcm"])
def test_explain_on_real_files(name):
    ds = pydicom.dcmread(tools.testdata(name))
    for keyword, uid, _ in uids_in(ds):
        e = explain(uid)
        assert ".".join(p for _, p in e.parts()) == uid, keyword  # nothing lost or added
        assert e.root, keyword
    assert explain(ds.SOPClassUID).name == ds.SOPClassUID.name
    assert explain(ds.file_meta.TransferSyntaxUID).name == ds.file_meta.TransferSyntaxUID.name
    pen = explain(ds.SOPInstanceUID)
    assert pen.root == "1.3.6.1.4.1.5962" and "Private Enterprise Number 5962" in pen.owner


def test_unknown_root_is_said_to_be_unknown():
    e = explain("1.22.333.4.555555.6.7777777777777777777777777777")
    assert e.root == "" and "not recognised" in e.how


@pytest.mark.parametrize("uid, where", [
    ("", "empty"),
    ("1" * 65, "65 characters"),
    (".1.2", "starts with '.'"),
    ("1.2.", "ends with '.'"),
    ("1..2", "empty component 2 at index 2"),
    ("1.02", "component 2 '02' at index 2 has a leading zero"),
    ("1.2a.3", "character 'a' at index 3"),
    ("1.2 ", "character ' ' at index 3"),
    ("1.2\x00", "character '\\x00' at index 3"),
])
def test_validate_names_the_rule_and_the_place(uid, where):
    problems = validate(uid)
    assert problems and any(where in p for p in problems), problems
    assert all("PS3.5 9.1" in p for p in problems)


def test_validate_reports_every_broken_rule():
    problems = validate("01..x." + "1" * 70 + ".")
    assert len(problems) == 5, problems  # length, leading zero, empty, character, trailing dot
    assert problems[0].startswith("77 characters") and "ends with '.'" in problems[-1]


def test_zero_components_are_fine():
    assert validate("0.0") == [] and validate("1.0.10") == []


@settings(max_examples=200)
@given(st.text(alphabet="0123456789.a ", max_size=80))
def test_validate_agrees_with_an_independent_regex(text):
    expected = bool(PS35_91.match(text)) and len(text) <= 64
    assert is_valid(text) == expected, (text, validate(text))


components = st.one_of(st.just("0"), st.integers(1, 10**6).map(str))


@settings(max_examples=150)
@given(st.lists(components, min_size=2, max_size=6).map(".".join),
       st.lists(components, min_size=0, max_size=3).map(".".join),
       st.text(min_size=1, max_size=20))
def test_make_uid_round_trip(root, descriptive, seed):
    try:
        uid = make_uid(root, descriptive, seed=seed)
    except UIDError as exc:
        under_a_uuid = root.startswith("2.25.") or (root == "2.25" and descriptive)
        assert ("2.25" in str(exc)) if under_a_uuid else ("leaves" in str(exc))
        return
    assert not root.startswith("2.25.")
    assert validate(uid) == [] and PS35_91.match(uid) and len(uid) <= 64
    prefix = f"{root}.{descriptive}." if descriptive else f"{root}."
    assert uid.startswith(prefix)
    assert make_uid(root, descriptive, seed=seed) == uid  # reproducible
    assert make_uid(root, descriptive, seed=seed + "x") != uid


def test_seeded_uids_under_an_own_root_split_root_descriptive_unique():
    uid = make_uid("1.3.6.1.4.1.99999", "5.2.1", seed="lesson")
    e = explain(uid)
    assert (e.root, e.descriptive) == ("1.3.6.1.4.1.99999", "5.2.1")
    assert len(e.unique) >= 10


def test_random_2_25_uids_are_version_4_and_seeded_ones_version_5_uuids():
    a, b = make_uid(), make_uid()
    assert a != b and is_valid(a)
    assert uuid.UUID(int=int(a[5:])).version == 4 and explain(a).uuid_version == 4
    seeded = make_uid(seed="x")
    assert seeded == make_uid(seed="x") != make_uid(seed="y")
    value = uuid.UUID(int=int(seeded[5:]))
    # a name-based UUID (RFC 9562 5.5): SHA-1 of the namespace and the seed, computed here
    digest = bytearray(hashlib.sha1(uuid.UUID(explain_namespace()).bytes + b"x").digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    assert value.bytes == bytes(digest) and value.version == 5
    assert explain(seeded).uuid_version == 5 and "(version 5)" in str(explain(seeded))


def explain_namespace() -> str:
    from workshop_helpers.uids import SEED_NAMESPACE

    return str(SEED_NAMESPACE)


@pytest.mark.parametrize("root, descriptive", [("2.25", "5.2.1"), ("2.25.5", ""),
                                               ("2.25.5", "2.1")])
def test_make_uid_refuses_to_mint_under_someone_elses_uuid(root, descriptive):
    with pytest.raises(UIDError, match="2.25") as err:
        make_uid(root, descriptive, seed="s")
    assert "PS3.5 B.2" in str(err.value) and "UUID" in str(err.value)


@pytest.mark.parametrize("root, descriptive, message", [
    ("1.2.3.", "", "ends with '.'"),
    ("1.02", "", "leading zero"),
    ("1.2", "x", "descriptive part"),
    ("1." * 27 + "1", "", "leaves"),
])
def test_make_uid_refuses_clearly(root, descriptive, message):
    with pytest.raises(UIDError, match=re.escape(message)):
        make_uid(root, descriptive)


def test_cli(capsys):
    assert main(["uid", "explain", SLIDES]) == 0
    out = capsys.readouterr().out
    assert "descriptive: 5.2.1" in out and "1.3.6.1.4.1.45037" in out
    assert main(["uid", "validate", "1.2.3", "1.2.840.10008"]) == 0
    assert main(["uid", "validate", "1.2.3", "1..2"]) == 1
    assert "empty component 2" in capsys.readouterr().out
    assert main(["uid", "make", "--root", "1.2.3", "--descriptive", "4", "--seed", "s"]) == 0
    first = capsys.readouterr().out.strip()
    assert main(["uid", "make", "--root", "1.2.3", "--descriptive", "4", "--seed", "s"]) == 0
    assert capsys.readouterr().out.strip() == first and first.startswith("1.2.3.4.")
    assert main(["uid", "make", "--seed", "s", "--count", "3"]) == 0
    three = capsys.readouterr().out.split()
    assert len(set(three)) == 3 and all(u.startswith("2.25.") for u in three)
    assert main(["uid", "make", "--root", "1.2.3."]) == 2
    out = capsys.readouterr()
    assert out.out == "" and out.err.startswith("uid: ") and out.err.count("\n") == 1
    assert main(["uid", "make", "--root", "2.25", "--descriptive", "5.2.1"]) == 2
    assert "PS3.5 B.2" in capsys.readouterr().err


def test_oid_tree_parents_and_depths():
    from workshop_helpers.uids import OID_ARCS, oid_tree

    rows = {oid: (depth, parent) for oid, depth, parent in oid_tree(OID_ARCS)}
    assert rows["1"] == (0, None) and rows["2.25"] == (1, "2")
    assert rows["1.3.6.1.4.1.45037"] == (5, "1.3.6.1.4.1")
    assert rows["1.2.840.10008"] == (3, "1.2.840")
    for oid, (_depth, parent) in rows.items():
        assert parent is None or oid.startswith(parent + ".")


def test_pictures_draw_every_part():
    import matplotlib

    matplotlib.use("Agg")
    from workshop_helpers.uids import OID_ARCS, plot_oid_tree, plot_uid_parts

    fig = plot_uid_parts([SLIDES, "2.25.1"])
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts == ["1.3.6.1.4.1.45037", "5.2.1", "6279.6001.314138616411061948052843767346",
                     "2.25", "1"]
    fig = plot_oid_tree()
    assert len(fig.axes[0].texts) == 2 * len(OID_ARCS)


@settings(max_examples=200)
@given(st.text(alphabet="0123456789.x", max_size=70))
def test_explain_never_raises_and_loses_nothing_for_valid_uids(text):
    e = explain(text)
    assert e.problems == validate(text)
    if not e.problems:
        assert ".".join(p for _, p in e.parts()) == text


def test_count_roots_counts_each_files_sop_instance_uid(tmp_path):
    ct = pydicom.dcmread(tools.testdata("CT_small.dcm"))
    roots = ["2.25", "1.2.276.0.7230010.3", "2.25"]
    for i, root in enumerate(roots):
        ct.SOPInstanceUID = make_uid(root, "1.4" if root != "2.25" else "", seed=str(i))
        ct.save_as(tmp_path / f"{i}.dcm")
    (tmp_path / "not.dcm").write_bytes(b"not DICOM")
    from workshop_helpers.uids import count_roots

    counts = count_roots(sorted(tmp_path.iterdir()))
    assert counts == {"2.25": 2, "1.2.276.0.7230010.3": 1, "": 1}
    from workshop_helpers.uids import root_of_file

    assert root_of_file(tmp_path / "1.dcm") == "1.2.276.0.7230010.3"
    assert root_of_file(tmp_path / "not.dcm") == "" == root_of_file(tmp_path / "missing.dcm")


def test_mint_uid_is_2_25_reproducible_from_its_parts_and_random_without():
    from workshop_helpers.uids import mint_uid

    seeded = mint_uid("phantom-study", 0, "PHANTOM")
    assert seeded == mint_uid("phantom-study", 0, "PHANTOM") != mint_uid("phantom-study", 1, "PHANTOM")
    assert explain(seeded).uuid_version == 5 and explain(mint_uid()).uuid_version == 4
    assert mint_uid() != mint_uid()
    assert all(u.startswith("2.25.") and not validate(u) for u in (seeded, mint_uid()))


def test_every_uid_the_package_makes_is_under_2_25(tmp_path):
    """The course practises what notebook 05 teaches: no UID minted under a root it does not own."""
    from matplotlib import cbook

    from workshop_helpers import deid, files, phantom
    from workshop_helpers.net import teaching

    made = []
    for ds in phantom.make_series(rows=4, columns=4, slices=2):
        made += [ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID,
                 ds.FrameOfReferenceUID, ds.file_meta.ImplementationClassUID]
    files.dump_to_file("", tmp_path / "one.dcm")
    meta = pydicom.dcmread(tmp_path / "one.dcm").file_meta
    made += [meta.MediaStorageSOPInstanceUID, meta.ImplementationClassUID]
    sc = files.image_to_dicom(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False), tmp_path / "sc.dcm")
    made += [sc.StudyInstanceUID, sc.SeriesInstanceUID, sc.SOPInstanceUID]
    made += list(deid.deidentify(phantom.make_series(rows=4, columns=4, slices=1)[0]).uid_map.values())
    copy, = teaching.fresh_copies([tools.testdata("CT_small.dcm")], tmp_path / "copies")
    made.append(pydicom.dcmread(copy).SOPInstanceUID)
    assert len(made) > 15
    assert [u for u in map(str, made) if not (explain(u).uuid and not validate(u))] == []


def test_only_uids_mints_with_pydicoms_generate_uid():
    from pathlib import Path

    import workshop_helpers

    package = Path(workshop_helpers.__file__).parent
    callers = sorted(str(p.relative_to(package)) for p in package.rglob("*.py")
                     if "generate_uid(" in p.read_text(encoding="utf-8"))
    assert callers == ["uids/making.py"]


def test_explain_prints_lines_a_notebook_shows_whole():
    text = str(explain("1.3.6.1.4.1.45037.5.2.1.6279.6001.314138616411061948052843767346"))
    assert "split:" in text and max(len(line) for line in text.splitlines()) <= 100
    assert "the slides split their example this way" in " ".join(text.split())   # wrapped, not cut


def test_the_nil_uuid_is_valid_by_the_rules_but_explained():
    assert validate("2.25.0") == [] and "nil UUID" in explain("2.25.0").how
