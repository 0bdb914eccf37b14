"""Notebook 00's checkers (:mod:`workshop_helpers.checks.nb00_welcome`), and the guard of
:func:`verdicts.assert_verdicts`: every right form accepted, wrong values refused, wrong forms unreadable."""

from __future__ import annotations

import numpy as np
import pydicom
import pytest
from verdicts import assert_verdicts, message_of_right
from verdicts import ct_fixture as ct_fixture

from workshop_helpers import checks


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


def test_00_highest_value_never_names_a_trap_that_is_the_right_answer():
    """A stored maximum within 1e-6 of the right answer is no wrong way to name: the plain reason."""
    check = checks.highest_value(np.array([1200.0, 3.0]), stored=np.array([1200.0000005, 3.0]))
    assert check(1200.0000012) == (False, "that is higher than any value in hu")   # near the trap
    assert check(1200.0000009) == (True, "")


def test_a_right_answer_comes_without_a_reason_it_is_wrong():
    assert_verdicts(checks.highest_value(np.array([1, 5])), accepted=[5])
    assert message_of_right(checks.highest_value(np.array([1, 5])), 5) == ""
    assert message_of_right(checks.lps_position((1, 2, 3)), (1, 2, 3)) == ""
    a = pydicom.Dataset()
    a.StudyInstanceUID = "1.2"
    assert message_of_right(checks.shared_uids(a, a), {"StudyInstanceUID"}) == ""
    with pytest.raises(AssertionError):   # the guard of assert_verdicts can fail
        assert_verdicts(lambda answer: (True, "one more is shared"), accepted=[1])
