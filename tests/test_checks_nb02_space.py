"""Notebook 02's checkers (:mod:`workshop_helpers.checks.nb02_space`): every right form accepted, wrong values refused, wrong forms unreadable."""

from __future__ import annotations

import numpy as np
import pydicom
import pytest
from pydicom.tag import Tag
from verdicts import assert_verdicts

from workshop_helpers import checks, phantom
from workshop_helpers.exercises import CannotRead


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
