"""Notebook 06's checkers (:mod:`workshop_helpers.checks.nb06_private_tags`): every right form accepted, wrong values refused, wrong forms unreadable."""

from __future__ import annotations

import pydicom
import pytest
from verdicts import assert_verdicts, verdict

from workshop_helpers import checks, phantom, private
from workshop_helpers.exercises import NotAttempted


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
