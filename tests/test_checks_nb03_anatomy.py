"""Notebook 03's checkers (:mod:`workshop_helpers.checks.nb03_anatomy`): every right form accepted, wrong values refused, wrong forms unreadable."""

from __future__ import annotations

import pydicom
import pytest
from verdicts import assert_verdicts, verdict

from workshop_helpers import checks, tools
from workshop_helpers.exercises import NotAttempted


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
