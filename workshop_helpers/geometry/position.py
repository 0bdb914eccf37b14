"""Patient Position (0018,5100): how the patient lies on the table, and where the scanner's axes point.

- :data:`PATIENT_POSITIONS` — the eight defined terms of PS3.3 C.7.3.1.1.2 (HFS, FFS, ...);
- :func:`patient_position_axes` — what one of them means for the equipment axes, in LPS and in words.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .core import GeometryError

__all__ = [
    "PositionAxes", "PATIENT_POSITIONS", "patient_position_axes",
]


@dataclass(frozen=True)
class PositionAxes:
    """What a Patient Position (0018,5100) code means for the axes of the scanner.

    The *equipment* axes here are those of a CT gantry seen by someone standing at the foot of the
    table and looking into the gantry: ``x`` to that person's right, ``y`` down towards the floor,
    ``z`` away from them, into the gantry. The vectors say which patient direction (in LPS) each
    equipment axis points to.
    """

    code: str
    words: str
    x: tuple[float, float, float]
    y: tuple[float, float, float]
    z: tuple[float, float, float]

    @property
    def matrix(self) -> np.ndarray:
        """3x3 matrix whose columns are the equipment x, y, z axes in LPS."""
        return np.array([self.x, self.y, self.z], dtype=float).T

    def describe(self) -> str:
        """Plain words: which way each equipment axis points in the patient."""
        return (
            f"{self.code} ({self.words}): looking into the gantry from the foot of the table, "
            f"your right is the patient's {_direction_word(self.x)}, the floor is the patient's "
            f"{_direction_word(self.y)}, and into the gantry is the patient's "
            f"{_direction_word(self.z)}."
        )



def _direction_word(v) -> str:
    names = {(1, 0, 0): "left", (-1, 0, 0): "right", (0, 1, 0): "back (posterior)",
             (0, -1, 0): "front (anterior)", (0, 0, 1): "head (superior)",
             (0, 0, -1): "feet (inferior)"}
    return names.get(tuple(int(round(c)) for c in v), str(v))



# Patient Position defined terms of PS3.3 C.7.3.1.1.2. "Head first" means the head enters the
# gantry first; supine: face up; prone: face down; decubitus right: lying on the right side
# (the patient's right side down), decubitus left: the left side down.
PATIENT_POSITIONS: dict[str, PositionAxes] = {
    p.code: p
    for p in (
        PositionAxes("HFS", "head first, supine", (1, 0, 0), (0, 1, 0), (0, 0, 1)),
        PositionAxes("FFS", "feet first, supine", (-1, 0, 0), (0, 1, 0), (0, 0, -1)),
        PositionAxes("HFP", "head first, prone", (-1, 0, 0), (0, -1, 0), (0, 0, 1)),
        PositionAxes("FFP", "feet first, prone", (1, 0, 0), (0, -1, 0), (0, 0, -1)),
        PositionAxes("HFDR", "head first, decubitus right", (0, 1, 0), (-1, 0, 0), (0, 0, 1)),
        PositionAxes("HFDL", "head first, decubitus left", (0, -1, 0), (1, 0, 0), (0, 0, 1)),
        PositionAxes("FFDR", "feet first, decubitus right", (0, -1, 0), (-1, 0, 0), (0, 0, -1)),
        PositionAxes("FFDL", "feet first, decubitus left", (0, 1, 0), (1, 0, 0), (0, 0, -1)),
    )
}



def patient_position_axes(code: str) -> PositionAxes:
    r"""What a Patient Position (0018,5100) code means for the axes (PS3.3 C.7.3.1.1.2).

    Patient Position says how the patient lies on the table relative to the scanner. It does not
    change the patient coordinate system -- LPS is fixed to the patient's body -- but it changes
    where the scanner's own axes point in it, and so what an "axial" image of that scanner looks
    like: for HFS its rows run towards the patient's left and its columns to the back (Image
    Orientation (Patient) ``1\0\0\0\1\0``); for FFS the patient is turned end for end, so the
    rows run towards the patient's right (``-1\0\0\0\1\0``).

    Parameters
    ----------
    code : str
        One of HFS, FFS, HFP, FFP, HFDR, HFDL, FFDR, FFDL (case and spaces ignored).

    Returns
    -------
    PositionAxes
        ``.x``, ``.y``, ``.z``: the equipment axes (right of someone at the foot of the table
        looking into the gantry, the floor, into the gantry) as LPS unit vectors; ``.words`` and
        ``.describe()`` in plain words.

    Raises
    ------
    GeometryError
        For a code that is not one of the eight above.

    Examples
    --------
    >>> patient_position_axes("FFS").x
    (-1, 0, 0)
    >>> print(patient_position_axes("HFP").describe())  # doctest: +NORMALIZE_WHITESPACE
    HFP (head first, prone): looking into the gantry from the foot of the table, your right is
    the patient's right, the floor is the patient's front (anterior), and into the gantry is the
    patient's head (superior).
    """
    key = str(code).strip().upper()
    if key not in PATIENT_POSITIONS:
        raise GeometryError(
            f"Patient Position (0018,5100) {code!r} is not one of the terms this course knows: "
            f"{', '.join(PATIENT_POSITIONS)} (PS3.3 C.7.3.1.1.2)"
        )
    return PATIENT_POSITIONS[key]

