"""Notebook 05's checkers (:mod:`workshop_helpers.checks.nb05_uids`): every right form accepted, wrong values refused, wrong forms unreadable."""

from __future__ import annotations

import numpy as np
import pydicom
from verdicts import assert_verdicts, verdict

from workshop_helpers import checks, tools


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


def test_05_org_root_says_when_an_answer_runs_past_the_root_into_the_suffix():
    uid = "1.2.276.0.7230010.3.1.4.0.74507.1663133221.580797"
    check = checks.org_root(uid)
    ok, why = check("1.2.276.0.7230010.3.1.4")
    assert not ok and "past the root" in why
    ok, why = check("1.2.276.0.7230010.31")          # not a prefix of the UID: no such hint
    assert not ok and why == "not the root of that UID"
