"""The checkers of notebook 00, the welcome (``notebooks/00_welcome.ipynb``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pydicom

from .common import Checker, _close, judge, read_number


def pixel_area(ds: pydicom.Dataset) -> Checker:
    """Area of one pixel in mm², from Pixel Spacing; an answer rounded to 3 digits is right.

    Parameters
    ----------
    ds : pydicom.dataset.Dataset
        A data set with Pixel Spacing (0028,0030), read when the checker is made.

    Returns
    -------
    Checker
        Accepts a number (:func:`read_number`); right when it is within 0.2 % of the row spacing
        times the column spacing. An answer that is one of the two spacings is told it is one side.
    """
    row, column = (float(v) for v in ds.PixelSpacing)
    expected = row * column

    def check(answer: Any) -> tuple[bool, str]:
        value = read_number(answer, "a number: the area in mm²")
        if _close(value, expected, rel=2e-3):
            return True, ""
        if _close(value, row, rel=2e-3) or _close(value, column, rel=2e-3):
            return False, "that is the length of one side; a pixel has two"
        return False, f"{value:g} mm² is not the area of one pixel"
    return check


def highest_value(hu: np.ndarray, stored: np.ndarray | None = None) -> Checker:
    """The largest value of an array (Hounsfield units).

    Parameters
    ----------
    hu : numpy.ndarray
        The image in Hounsfield units; its maximum is taken when the checker is made.
    stored : numpy.ndarray or None
        The stored values the image was computed from (``ds.pixel_array``), if the learner has them.

    Returns
    -------
    Checker
        Accepts one number (:func:`read_number`); right when it is within 1e-6 of ``np.max(hu)``.
        The highest *stored* value and the position of the highest value (``argmax``) are each
        told apart; otherwise it says whether the answer is higher than any value or lower than some.
    """
    expected = float(np.max(hu))
    traps = [(float(np.argmax(hu)), "that is where the highest value is (its index), not the value")]
    if stored is not None:
        traps.insert(0, (float(np.max(stored)), "that is the highest stored value; hu is in Hounsfield "
                                                "units, after Rescale Slope and Intercept"))

    def check(answer: Any) -> tuple[bool, str]:
        value = read_number(answer, "one number, in Hounsfield units")
        otherwise = ("that is higher than any value in hu" if value > expected else
                     "some values of hu are higher")
        return judge(value, expected, traps, otherwise, atol=1e-6, rtol=0)
    return check
