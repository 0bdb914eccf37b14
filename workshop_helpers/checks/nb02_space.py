"""The checkers of notebook 02, a pixel in the patient (``notebooks/02_space.ipynb``)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import numpy as np
import pydicom
from pydicom.datadict import keyword_for_tag, tag_for_keyword
from pydicom.tag import Tag

from workshop_helpers.exercises import CannotRead

from .common import Checker, judge, read_numbers, read_tag, read_word


def patient_position_tag() -> Checker:
    """The tag of Patient Position, in any of the usual spellings.

    Returns
    -------
    Checker
        Accepts a tag in any form :func:`read_tag` reads; right when it is (0018,5100). A wrong tag
        is named by its keyword, or said to be in no dictionary.
    """
    expected = tag_for_keyword("PatientPosition")

    def check(answer: Any) -> tuple[bool, str]:
        tag = read_tag(answer)
        if tag == expected:
            return True, ""
        name = keyword_for_tag(tag)
        return False, f"{Tag(tag)} is {name}" if name else f"{Tag(tag)} is in no dictionary"
    return check


def lps_position(point: Iterable[float]) -> Checker:
    """A position in patient coordinates (LPS, mm), within 1 µm.

    Parameters
    ----------
    point : iterable of float
        The expected x, y, z in patient coordinates (LPS), in mm.

    Returns
    -------
    Checker
        Accepts three numbers (:func:`read_numbers`: a list, tuple or array holding three); right
        when they match ``point`` within 0.001 mm (``np.allclose``, ``atol=1e-3``).
    """
    expected = np.asarray(point, dtype=float)

    def check(answer: Any) -> tuple[bool, str]:
        value = read_numbers(answer, 3, "three numbers: x, y, z in mm")
        if np.allclose(value, expected, atol=1e-3):
            return True, ""
        return False, "not the centre of that pixel"
    return check


def pixel_in_series(point: Iterable[float], datasets: Iterable[pydicom.Dataset], *, row: int,
                    column: int, k: int, other_affine: np.ndarray | None = None) -> Checker:
    """The LPS position of pixel (``row``, ``column``) of slice ``k`` (geometric order), within 1 µm.

    Like :func:`lps_position`, and it names the usual wrong ways: slice ``k`` of the list as
    given (no sorting), slice ``k`` in Instance Number order, row and column swapped, the two
    spacings of Pixel Spacing swapped, and the same voxel through another series' affine.

    Parameters
    ----------
    point : iterable of float
        The expected x, y, z (LPS, mm), from an independent reader (SimpleITK).
    datasets : iterable of pydicom.dataset.Dataset
        The series, in the order the learner has it.
    row, column, k : int
        The pixel asked for; ``k`` counts slices along the normal.
    other_affine : numpy.ndarray or None
        The 4x4 affine of another series the learner has seen, if any.

    Returns
    -------
    Checker
        Accepts three numbers (:func:`read_numbers`); right when they match ``point`` within
        0.001 mm. A wrong answer that one of the wrong ways gives is told which.
    """
    from workshop_helpers import geometry

    datasets = list(datasets)
    expected = np.asarray(point, dtype=float)

    def at(ds: pydicom.Dataset, r: int, c: int, swap_spacing: bool = False) -> np.ndarray:
        spacing = list(ds.PixelSpacing)[::-1] if swap_spacing else ds.PixelSpacing
        affine = geometry.plane_affine(ds.ImagePositionPatient, ds.ImageOrientationPatient, spacing)
        return (affine @ [c, r, 0, 1.0])[:3]

    by_number = sorted(datasets, key=lambda ds: int(ds.InstanceNumber))
    ordered = geometry.sort_slices(datasets)
    traps = [
        (at(datasets[k], row, column), f"that is slice {k} of the list as it was read; sort the "
                                       "slices by position first (geometry.sort_slices)"),
        (at(by_number[k], row, column), f"that is slice {k} in Instance Number order; Instance "
                                        "Numbers need not follow the geometry, positions do"),
        (at(ordered[k], column, row),
         "row and column swapped: the column index steps along the row direction (the first "
         "three numbers of IOP), by the column spacing"),
        (at(ordered[k], row, column, swap_spacing=True),
         "the two spacings swapped: Pixel Spacing is [row spacing, column spacing], and a step "
         "along a row (to the next column) is one column spacing"),
    ]
    if other_affine is not None:
        other = (np.asarray(other_affine, dtype=float) @ [column, row, k, 1.0])[:3]
        traps.append((other, "that is the same voxel of the other series; this one has its own "
                             "geometry: use its own attributes"))

    def check(answer: Any) -> tuple[bool, str]:
        value = read_numbers(answer, 3, "three numbers: x, y, z in mm")
        return judge(value, expected, traps, "not the centre of that pixel", atol=1e-3)
    return check


EDGES = {"left": ["left hand"], "right": ["right hand"], "top": ["upper"], "bottom": ["lower"]}

_EDGE_WORDS = re.compile(r"^(?:the\s+)?(.+?)(?:\s+(?:edge|side|border))?"
                         r"(?:\s+of\s+the\s+(?:image|picture|screen|display))?$")


def read_edge(answer: Any) -> str:
    """An edge of the displayed image: ``"left"``, ``"right"``, ``"top"`` or ``"bottom"``.

    Clear phrasings are read ("the left edge", "Left side", "upper edge of the image"); a single
    letter is not: "L" or "r" read like a patient direction (the patient's Left or Right), the
    very thing an edge of the screen is not.

    Examples
    --------
    >>> read_edge("The left edge"), read_edge("upper side of the image")
    ('left', 'top')
    >>> read_edge("L")
    Traceback (most recent call last):
    ...
    workshop_helpers.exercises.CannotRead: I cannot read this answer (expected an edge of the \
screen, as a word: "left", "right", "top" or "bottom". A single letter is ambiguous here: "L" and \
"R" name the patient's Left and Right)
    """
    expected = '"left", "right", "top" or "bottom"'
    if isinstance(answer, str) and len(answer.strip()) == 1 and answer.strip().isalpha():
        raise CannotRead(f"an edge of the screen, as a word: {expected}. A single letter is "
                         'ambiguous here: "L" and "R" name the patient\'s Left and Right')
    if not isinstance(answer, str):
        raise CannotRead(expected)
    text = re.sub(r"[\s_-]+", " ", answer.strip().lower()).strip(" .!")
    match = _EDGE_WORDS.match(text)
    return read_word(match[1] if match else text, EDGES, expected)


def edge_facing(letters: dict[str, str], letter: str = "L") -> Checker:
    """Which edge of the displayed image faces a patient direction (``letters``: geometry.orientation_letters).

    Parameters
    ----------
    letters : dict of str to str
        ``{"left": ..., "right": ..., "top": ..., "bottom": ...}``: the patient direction letters
        each edge faces, as :func:`workshop_helpers.geometry.orientation_letters` returns them.
    letter : str
        The patient direction asked for, one letter (``"L"``: the patient's left).

    Returns
    -------
    Checker
        Accepts ``"left"``, ``"right"``, ``"top"`` or ``"bottom"`` in any clear phrasing
        (:func:`read_edge`: "the left edge", "upper side", ...), and refuses a single letter as
        unreadable, kindly: "L" is a patient direction, not an edge. Right when the first letter
        that edge faces is ``letter``, otherwise it says what that edge faces.
    """

    def check(answer: Any) -> tuple[bool, str]:
        edge = read_edge(answer)
        faces = letters[edge]
        return faces[:1] == letter, ("" if faces[:1] == letter else f"the {edge} edge faces {faces}")
    return check
