"""The checkers of the notebooks' exercises, one factory per exercise, with unit tests.

Each factory takes what the notebook knows (a data set, a file, a server) and returns a checker for
:class:`workshop_helpers.exercises.Exercise`. The expected answer is computed here, out of the
learner's sight, from the effect that was asked for (the file on disk, the pixels, the UIDs, what a
server received). A checker accepts every reasonable form of a right answer, raises
:class:`~workshop_helpers.exercises.CannotRead` ("I cannot read this answer (expected ...)") for
an answer of the wrong type or form, and fails with a reason ("Not yet: ...") for a wrong value.

Examples
--------
>>> check = patient_position_tag()
>>> check("0018,5100")[0], check(0x00185100)[0]
(True, True)
>>> check("(0018,0051)")[0]
False
"""

from __future__ import annotations

import math
import numbers
import os
import random
import re
import struct
import time
from collections.abc import Callable, Iterable
from io import BytesIO
from pathlib import Path
from typing import Any

import numpy as np
import pydicom
from PIL import Image
from pydicom.datadict import dictionary_VR, keyword_for_tag, tag_for_keyword
from pydicom.tag import Tag

from workshop_helpers.exercises import CannotRead, NotAttempted

Checker = Callable[[Any], "bool | tuple[bool, str]"]


# --- reading answers -----------------------------------------------------------------------------

def read_number(answer: Any, expected: str = "a number") -> float:
    """A number from an int, float, NumPy scalar, one-element array or numeric string.

    Examples
    --------
    >>> read_number("0.4375"), read_number(np.float32(2)), read_number(np.array([3]))
    (0.4375, 2.0, 3.0)
    >>> read_number("many")
    Traceback (most recent call last):
    ...
    workshop_helpers.exercises.CannotRead: I cannot read this answer (expected a number)
    """
    if isinstance(answer, bool) or answer is None:
        raise CannotRead(expected)
    if isinstance(answer, str):
        try:
            return float(answer.strip())
        except ValueError:
            raise CannotRead(expected) from None
    if isinstance(answer, numbers.Real):
        return float(answer)
    if isinstance(answer, np.ndarray) and answer.size == 1 and answer.dtype.kind in "iuf":
        return float(answer.reshape(-1)[0])
    raise CannotRead(expected)


def read_numbers(answer: Any, count: int, expected: str) -> np.ndarray:
    """``count`` numbers from a list, tuple or array (of any shape holding exactly ``count``)."""
    if isinstance(answer, (str, bytes, dict)) or answer is None:
        raise CannotRead(expected)
    try:
        values = np.asarray(answer, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise CannotRead(expected) from None
    if values.size != count:
        raise CannotRead(f"{expected}; this has {values.size}")
    return values


SUFFIXES = frozenset({"endian", "edge", "side", "level", "ie", "entity"})


def read_word(answer: Any, choices: dict[str, Iterable[str]], expected: str) -> str:
    """One of ``choices`` (canonical word -> other spellings), whatever the case and spaces.

    A known word may be followed by one of :data:`SUFFIXES` ("little endian", "study level");
    anything else around it makes the answer unreadable, and an answer that names two of the
    choices ("little or big") says so.

    Examples
    --------
    >>> read_word(" Little-Endian", {"little": ["<"], "big": [">"]}, '"little" or "big"')
    'little'
    >>> read_word("little or big", {"little": ["<"], "big": [">"]}, '"little" or "big"')
    Traceback (most recent call last):
    ...
    workshop_helpers.exercises.CannotRead: I cannot read this answer (expected one answer, \
"little" or "big"; this names little and big)
    """
    if not isinstance(answer, str):
        raise CannotRead(expected)
    spellings = {canonical: canonical for canonical in choices}
    spellings.update({o.lower(): canonical for canonical, others in choices.items() for o in others})
    word = re.sub(r"[\s_-]+", " ", answer.strip().lower())
    words = word.split(" ")
    if word in spellings:
        return spellings[word]
    if len(words) == 2 and words[0] in spellings and words[1] in SUFFIXES:
        return spellings[words[0]]
    named = list(dict.fromkeys(spellings[w] for w in words if w in spellings))
    if len(named) > 1:
        raise CannotRead(f"one answer, {expected}; this names {' and '.join(named)}")
    raise CannotRead(expected)


_TAG_TEXT = re.compile(r"^\(?\s*(?:0x)?([0-9a-f]{4})\s*[, ]?\s*(?:0x)?([0-9a-f]{4})\s*\)?$", re.I)


def read_tag(answer: Any) -> int:
    """A tag as an int, from any of the ways a learner may write one.

    Accepted: ``"(0018,5100)"``, ``"0018,5100"``, ``"00185100"``, ``0x00185100``,
    ``(0x0018, 0x5100)``, a pydicom ``Tag`` or a ``DataElement`` (its tag).

    Examples
    --------
    >>> hex(read_tag("(0018, 5100)")), hex(read_tag("0x00185100")), hex(read_tag((0x18, 0x5100)))
    ('0x185100', '0x185100', '0x185100')
    """
    expected = 'a tag such as "(gggg,eeee)"'
    if isinstance(answer, bool):
        raise CannotRead(expected)
    if isinstance(answer, pydicom.DataElement):
        return int(answer.tag)
    if isinstance(answer, (int, np.integer)):
        if 0 <= int(answer) <= 0xFFFFFFFF:
            return int(answer)
        raise CannotRead(expected)
    if isinstance(answer, tuple) and len(answer) == 2 and all(isinstance(v, int) for v in answer):
        return int(Tag(answer))
    if isinstance(answer, str):
        text = answer.strip()
        if re.fullmatch(r"0x[0-9a-fA-F]{1,8}", text):
            return int(text, 16)
        match = _TAG_TEXT.match(text)
        if match:
            return int(match[1] + match[2], 16)
    raise CannotRead(expected)


def read_folder(answer: Any) -> Path:
    """A folder from a ``Path`` or a string."""
    if isinstance(answer, (str, os.PathLike)) and Path(answer).is_dir():
        return Path(answer)
    raise CannotRead("a folder: a pathlib.Path, or a string naming one")


def _close(value: float, expected: float, rel: float = 0.0, abs_: float = 1e-9) -> bool:
    return math.isclose(value, expected, rel_tol=rel, abs_tol=abs_)


# --- 00 welcome ----------------------------------------------------------------------------------

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
        if _close(value, expected, abs_=1e-6):
            return True, ""
        for trap, why in traps:
            if _close(value, trap, abs_=1e-6):
                return False, why
        return False, ("that is higher than any value in hu" if value > expected else
                       "some values of hu are higher")
    return check


# --- 01 history ----------------------------------------------------------------------------------

BYTE_ORDERS = {"little": ["<", "little endian", "le", "intel"], "big": [">", "big endian", "be", "motorola"]}


def byte_order_rule(header_path: str | os.PathLike) -> Checker:
    """A function ``first4 -> "little" | "big"``, tried on an Analyze header and on its mirror image.

    A guessed word is right half the time; a rule is tried on both byte orders: on the first four
    bytes of ``header_path`` (read when the answer is checked) and on ``sizeof_hdr`` = 348 written
    the other way round.

    Parameters
    ----------
    header_path : str or os.PathLike
        The Analyze header file (``.hdr``) the exercise is about.

    Returns
    -------
    Checker
        Accepts a callable that takes 4 bytes and returns a word :func:`read_word` reads as
        ``"little"`` or ``"big"`` (:data:`BYTE_ORDERS`); right when it names the order in which
        the bytes read 348, for both inputs. A function that returns ``...`` is not attempted yet.
    """
    path = Path(header_path)

    def check(answer: Any) -> tuple[bool, str]:
        if not callable(answer):
            raise CannotRead('a function: it takes the first four bytes and returns "little" or "big"')
        first4 = path.read_bytes()[:4]
        order = next((o for o in ("little", "big") if int.from_bytes(first4, o) == 348), None)
        assert order, f"{path.name} is not an Analyze header: its first four bytes are not 348 either way"
        other = "big" if order == "little" else "little"
        for name, data, expected in ((path.name, first4, order),
                                     (f"a {other}-endian header", (348).to_bytes(4, other), other)):
            result = answer(data)
            if result is Ellipsis:
                raise NotAttempted
            word = read_word(result, BYTE_ORDERS, 'your function to return "little" or "big"')
            if word != expected:
                return False, f"for {name} ({data.hex(' ')}) your function says {word!r}"
        return True, f"right for all 2 headers tried: {path.name} ({order}) and one in the {other} order"
    return check


def promised_bytes(header_path: str | os.PathLike) -> Checker:
    """The bytes of pixel data an Analyze header promises: the product of ``dim``, times ``bitpix / 8``.

    The header is read here with :mod:`struct` alone (``sizeof_hdr`` at offset 0 gives the byte
    order, ``dim`` is 8 int16 at offset 40, ``bitpix`` an int16 at offset 72), not with
    :mod:`workshop_helpers.legacy`. The ``.img`` beside it may be shorter (a copy cut short): its
    size on disk is not the answer.

    Parameters
    ----------
    header_path : str or os.PathLike
        The Analyze header (``.hdr``), read when the checker is made.

    Returns
    -------
    Checker
        Accepts a number (:func:`read_number`); right when it equals the promised number of
        bytes. The size of the ``.img`` on disk, a count of values (``bitpix`` left out), a count
        of bits and a number that is not whole are each told apart.
    """
    path = Path(header_path)
    raw = path.read_bytes()[:348]
    order = "<" if struct.unpack_from("<i", raw, 0)[0] == 348 else ">"
    dim = struct.unpack_from(f"{order}8h", raw, 40)
    bitpix = struct.unpack_from(f"{order}h", raw, 72)[0]
    values = math.prod(dim[1:dim[0] + 1])
    expected = values * bitpix // 8
    image = path.with_suffix(".img")
    on_disk = image.stat().st_size if image.exists() else None

    def check(answer: Any) -> tuple[bool, str]:
        value = read_number(answer, "a number of bytes")
        if value == expected:
            return True, ""
        if value != int(value):
            return False, "a number of bytes is a whole number"
        if value == on_disk:
            return False, (f"that is the size of {image.name} on disk; the question is what the "
                           "header promises (dim and bitpix)")
        if value == values:
            return False, "that counts values; bitpix says how many bits each one takes"
        if value == values * bitpix:
            return False, "that counts bits; 8 bits make a byte"
        if value == 0:
            return False, "dim[0] says how many of the values after it count; the unused ones are 0"
        return False, f"{value:g} bytes is not what dim and bitpix promise"
    return check


def ras_position(lps_point: Iterable[float], sform: np.ndarray | None = None,
                 index: Iterable[int] = (10, 5, 0)) -> Checker:
    """A position in RAS (NIfTI) given the same point in LPS (ITK, DICOM).

    Parameters
    ----------
    lps_point : iterable of float
        The point's x, y, z in LPS, in mm.
    sform : numpy.ndarray or None
        The 4 x 4 matrix the learner has, if any: then i and j swapped, and the first voxel
        (the matrix's last column), are told apart.
    index : iterable of int
        The voxel asked for, (i, j, k).

    Returns
    -------
    Checker
        Accepts three numbers (:func:`read_numbers`: a list, tuple or array holding three); right
        when they are ``(-x, -y, z)`` within 0.001 mm (``np.allclose``, ``atol=1e-3``). The LPS
        point itself is told apart.
    """
    lps = np.asarray(lps_point, dtype=float)
    expected = lps * [-1, -1, 1]
    traps = [(lps, "that is the point in LPS (as DICOM and ITK give it); NIfTI's x and y point the "
                   "other way")]
    if sform is not None:
        i, j, k = index
        matrix = np.asarray(sform, dtype=float)
        traps += [((matrix @ [j, i, k, 1.0])[:3], "i and j swapped: i counts columns, j rows"),
                  (matrix[:3, 3], "that is voxel (0, 0, 0): the last column of the matrix")]

    def check(answer: Any) -> tuple[bool, str]:
        value = read_numbers(answer, 3, "three numbers (x, y, z) in mm")
        if np.allclose(value, expected, atol=1e-3):
            return True, ""
        for trap, why in traps:
            if np.allclose(value, trap, atol=1e-3):
                return False, why
        return False, "not the position of that voxel"
    return check


# --- 02 space ------------------------------------------------------------------------------------

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
        origin = np.array(ds.ImagePositionPatient, dtype=float)
        iop = np.array(ds.ImageOrientationPatient, dtype=float)
        row_spacing, column_spacing = (float(v) for v in ds.PixelSpacing)
        if swap_spacing:
            row_spacing, column_spacing = column_spacing, row_spacing
        return origin + c * column_spacing * iop[:3] + r * row_spacing * iop[3:]

    by_number = sorted(datasets, key=lambda ds: int(ds.InstanceNumber))
    traps = [
        (at(datasets[k], row, column), f"that is slice {k} of the list as it was read; sort the "
                                       "slices by position first (geometry.sort_slices)"),
        (at(by_number[k], row, column), f"that is slice {k} in Instance Number order; Instance "
                                        "Numbers need not follow the geometry, positions do"),
        (at(geometry.sort_slices(datasets)[k], column, row),
         "row and column swapped: the column index steps along the row direction (the first "
         "three numbers of IOP), by the column spacing"),
        (at(geometry.sort_slices(datasets)[k], row, column, swap_spacing=True),
         "the two spacings swapped: Pixel Spacing is [row spacing, column spacing], and a step "
         "along a row (to the next column) is one column spacing"),
    ]
    if other_affine is not None:
        other = (np.asarray(other_affine, dtype=float) @ [column, row, k, 1.0])[:3]
        traps.append((other, "that is the same voxel of the other series; this one has its own "
                             "geometry: use its own attributes"))

    def check(answer: Any) -> tuple[bool, str]:
        value = read_numbers(answer, 3, "three numbers: x, y, z in mm")
        if np.allclose(value, expected, atol=1e-3):
            return True, ""
        for trap, why in traps:
            if np.allclose(value, trap, atol=1e-3) and not np.allclose(trap, expected, atol=1e-3):
                return False, why
        return False, "not the centre of that pixel"
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


# --- 03 anatomy ----------------------------------------------------------------------------------

def byte_count(expected: int) -> Checker:
    """A number of bytes (an offset or a length): a whole number.

    Parameters
    ----------
    expected : int
        The right number of bytes.

    Returns
    -------
    Checker
        Accepts a number (:func:`read_number`); right when it equals ``expected``.
    """

    def check(answer: Any) -> bool:
        return read_number(answer, "a number of bytes") == expected
    return check


def data_set_start(path: str | os.PathLike) -> Checker:
    """The byte offset where a DICOM file's data set begins, read from the file's own bytes.

    The file meta information starts at byte 132 (after the 128-byte preamble and ``DICM``,
    PS3.10 7.1) with File Meta Information Group Length (0002,0000): 12 bytes in Explicit VR
    Little Endian, whose 4-byte value (bytes 140-143) counts the meta information after it.

    Parameters
    ----------
    path : str or os.PathLike
        The DICOM file, read when the checker is made.

    Returns
    -------
    Checker
        Accepts a number (:func:`read_number`); right when it equals 144 plus the group length.
        The usual slips are named: the group length alone, the 12 bytes of its own element left
        out, the preamble and prefix left out.
    """
    head = Path(path).read_bytes()[:144]
    assert head[128:132] == b"DICM" and head[132:136] == b"\x02\x00\x00\x00", f"{path}: no group length at 132"
    group_length = struct.unpack_from("<I", head, 140)[0]
    expected = 144 + group_length
    traps = {group_length: "that is the group length alone: where does the meta information start?",
             132 + group_length: "the group length counts the bytes after its own element, which "
                                 "is 12 bytes long",
             12 + group_length: "the meta information does not start at byte 0: the preamble and "
                                "DICM come first",
             16 + group_length: "the preamble (128 bytes) comes before DICM"}

    def check(answer: Any) -> tuple[bool, str]:
        value = read_number(answer, "a number of bytes")
        if value == expected:
            return True, ""
        return False, traps.get(value, f"byte {value:g} is not where the data set starts")
    return check


def _explicit_vr_ui_element_size(uid: str) -> int:
    """Bytes of a UI element holding ``uid``, as pydicom encodes it (Explicit VR Little Endian)."""
    ds = pydicom.Dataset()
    ds.SOPInstanceUID = uid
    buffer = BytesIO()
    ds.save_as(buffer, implicit_vr=False, little_endian=True)
    return len(buffer.getvalue())


def ui_element_size(uids: Iterable[str] = ()) -> Checker:
    """A function ``uid -> bytes`` of a UI element in Explicit VR: tried on odd and even UIDs.

    The function is called with ``uids`` and with fresh random UIDs of odd and of even length; each
    expected size is what pydicom writes for that element (PS3.5 7.1.2: 8 bytes of tag, VR and
    length; 6.2: a UI value is padded with one NUL to an even length).

    Parameters
    ----------
    uids : iterable of str
        UIDs to try the function on; three short ones of odd and even length are added, and
        random UIDs (:func:`workshop_helpers.uids.mint_uid`) until there are six or more of both
        parities.

    Returns
    -------
    Checker
        Accepts a callable; right when, for every UID tried, it returns a number
        (:func:`read_number`) equal to the bytes pydicom writes for a SOP Instance UID element
        holding that UID in Explicit VR Little Endian. A function that returns ``...`` is not
        attempted yet (:class:`~workshop_helpers.exercises.NotAttempted`).
    """
    from .uids import mint_uid

    tests = [str(uid) for uid in uids] + ["1.2", "2.25.0", "1.2.840.10008.1.2.1"]
    while {len(uid) % 2 for uid in tests} != {0, 1} or len(tests) < 6:
        tests.append(mint_uid())

    def check(answer: Any) -> tuple[bool, str]:
        if not callable(answer):
            raise CannotRead("a function: it takes a UID (a string) and returns a number of bytes")
        for uid in tests:
            result = answer(uid)
            if result is Ellipsis:
                raise NotAttempted
            value = read_number(result, "your function to return a number of bytes")
            if value != _explicit_vr_ui_element_size(uid):
                return False, (f"for {uid!r} ({len(uid)} characters) your function says {value:g} "
                               "bytes")
        return True, f"right for all {len(tests)} UIDs tried, of odd and of even length"
    return check


LEVELS = {"patient": ["patient level"], "study": ["study level"], "series": ["series level"],
          "instance": ["image", "instance level", "image level", "sop instance"]}


def information_level(keyword: str) -> Checker:
    """The level (patient, study, series, instance) of an attribute, as browser.level_of says.

    Parameters
    ----------
    keyword : str
        The attribute's DICOM keyword, e.g. ``"PatientAge"``.

    Returns
    -------
    Checker
        Accepts ``"patient"``, ``"study"``, ``"series"`` or ``"instance"`` or another spelling in
        :data:`LEVELS` (``"image"``, ``"study level"``, ...; :func:`read_word`); right when it is
        :func:`workshop_helpers.browser.level_of` of that attribute. A wrong level gets a question
        that points back to the module, never the answer.
    """
    from workshop_helpers import browser

    expected = browser.level_of(tag_for_keyword(keyword), keyword)
    why = {"patient": "a patient-level attribute is the same in every study of that patient; is this one?",
           "study": "which module holds it, and which entity is that module about?",
           "series": "it is not about one acquisition; which module holds it?",
           "instance": "it is not about one image; which module holds it?"}

    def check(answer: Any) -> tuple[bool, str]:
        level = read_word(answer, LEVELS, '"patient", "study", "series" or "instance"')
        return (True, "") if level == expected else (False, why[level])
    return check


# --- 04 from an empty dump -----------------------------------------------------------------------

def fixed_dump_lines(values: dict[str, str]) -> Checker:
    """Dump lines that hold exactly ``values`` (keyword -> value), each with the dictionary's VR.

    Parameters
    ----------
    values : dict of str to str
        Keyword -> the value its line must hold, e.g. ``{"PatientName": "DOE^JANE"}``.

    Returns
    -------
    Checker
        Accepts a string of dump lines; right when :func:`workshop_helpers.dump.read_dump` reads
        it and it holds exactly the keywords of ``values``, each with its dictionary VR and its
        value written as given (for PN, trailing ``^`` do not count, in the answer or in
        ``values``). A line it cannot read is a wrong answer, with the reader's message.
    """
    from workshop_helpers import dump

    def check(answer: Any) -> tuple[bool, str]:
        if not isinstance(answer, str):
            raise CannotRead("a string of dump lines, one element per line")
        try:
            ds = dump.read_dump(answer)
        except Exception as exc:  # DumpSyntaxError and friends: say where
            return False, str(exc)
        found = {e.keyword or str(e.tag) for e in ds}
        extra, missing = found - set(values), set(values) - found
        assert not missing, "missing: " + ", ".join(sorted(missing))
        assert not extra, (f"only the {len(values)} lines, please; also found: "
                           + ", ".join(sorted(extra)))
        for keyword, value in values.items():
            element = ds[keyword]
            assert element.VR == dictionary_VR(keyword), f"{keyword} has the VR {dictionary_VR(keyword)}"
            written = str(element.value)
            if element.VR == "DA" and not re.fullmatch(r"\d{8}", written):
                return False, f"{keyword} is a date (DA): eight digits, YYYYMMDD (PS3.5 Table 6.2-1)"
            if element.VR == "PN":   # PS3.5 6.2: trailing empty components may be written or omitted
                written, value = written.rstrip("^"), value.rstrip("^")
            assert written == value, f"{keyword} should be {value}, not {element.value}"
        return True, ""
    return check


def read_keywords(answer: Any, allowed: Iterable[str]) -> set[str]:
    """Keywords from a set, list or tuple of strings, whatever their case."""
    allowed = list(allowed)
    expected = ('a set of keywords, written like {"PatientID", "Modality"}, chosen from '
                + ", ".join(allowed))   # an example of the form, never of the answer
    if isinstance(answer, (str, bytes)) or not isinstance(answer, Iterable):
        raise CannotRead(expected)
    by_lower = {k.lower(): k for k in allowed}
    found = set()
    for item in answer:
        if not isinstance(item, str) or item.strip().lower() not in by_lower:
            raise CannotRead(expected + f"; {item!r} is not one of them")
        found.add(by_lower[item.strip().lower()])
    return found


def shared_uids(a: pydicom.Dataset, b: pydicom.Dataset,
                keywords: Iterable[str] = ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID")
                ) -> Checker:
    """Which of ``keywords`` two data sets have, with the same value.

    Parameters
    ----------
    a, b : pydicom.dataset.Dataset
        The two data sets to compare.
    keywords : iterable of str
        The candidates; by default the Study, Series and SOP Instance UIDs.

    Returns
    -------
    Checker
        Accepts a set, list or tuple of keywords from ``keywords``, in any case
        (:func:`read_keywords`); right when they are exactly those present in both data sets with
        the same value.
    """
    keywords = tuple(keywords)
    expected = {k for k in keywords if k in a and k in b and a[k].value == b[k].value}

    def check(answer: Any) -> tuple[bool, str]:
        found = read_keywords(answer, keywords)
        if found == expected:
            return True, ""
        wrong = sorted(found - expected)
        return False, (f"{', '.join(wrong)} differ(s) or is missing in one of them"
                       if wrong else "one more is shared")
    return check


def transfer_syntax(path: str | os.PathLike) -> Checker:
    """The Transfer Syntax UID of a file: the UID, or its name.

    Parameters
    ----------
    path : str or os.PathLike
        The DICOM file; its Transfer Syntax UID is read when the checker is made.

    Returns
    -------
    Checker
        Accepts a string: right when it is the file's Transfer Syntax UID (spaces and a trailing NUL
        forgiven) or its name in any case. Another transfer syntax is named.
    """
    expected = pydicom.dcmread(path, stop_before_pixels=True).file_meta.TransferSyntaxUID

    def check(answer: Any) -> tuple[bool, str]:
        if not isinstance(answer, str):
            raise CannotRead("a UID (a string such as \"1.2.840.10008.1.2\") or its name")
        text = answer.strip().rstrip("\0")
        if text == expected or text.lower() == expected.name.lower():
            return True, ""
        known = _transfer_syntax_named(text)
        return False, f"that is {known.name}" if known else "not the file's transfer syntax"
    return check


def _transfer_syntax_named(text: str) -> pydicom.uid.UID | None:
    """The transfer syntax whose UID or name (any case) ``text`` is, or None (and no warning)."""
    return next((uid for uid in pydicom.uid.AllTransferSyntaxes
                 if text == uid or text.lower() == uid.name.lower()), None)


def _dicom_files(*folders: Path) -> list[Path]:
    """The files of ``folders`` (not their sub-folders), each once."""
    found = {p.resolve(): p for folder in folders for p in Path(folder).iterdir() if p.is_file()}
    return sorted(found.values())


def _sop_instance_uid(path: Path) -> str | None:
    """The SOP Instance UID of a DICOM file; None for a file that is not DICOM or has none."""
    try:
        uid = pydicom.dcmread(path, stop_before_pixels=True).get("SOPInstanceUID")
    except Exception:  # not a DICOM file: it holds no UID
        return None
    return None if uid is None else str(uid)


def _jpeg_image_data(data: bytes) -> bytes:
    """The compressed image of a JPEG: its tables, frame header and scans, without APPn and COM.

    Application segments (JFIF's APP0, Exif's APP1) and comments describe the picture and may be
    dropped or rewritten by a tool that keeps the image itself unchanged - dcmtk's ``img2dcm``
    drops JFIF's APP0 (PS3.5 8.2.1 leaves the choice open). Padding after the end is ignored.
    """
    kept, i = [], 2
    while i + 4 <= len(data) and data[i] == 0xFF:
        marker = data[i + 1]
        if marker == 0xDA:  # start of scan: the entropy-coded data and everything after it
            kept.append(data[i:].rstrip(b"\0"))
            break
        end = i + 2 + int.from_bytes(data[i + 2:i + 4], "big")
        if not (0xE0 <= marker <= 0xEF or marker == 0xFE):
            kept.append(data[i:end])
        i = end
    return b"".join(kept)


def picture_in_series(picture: str | os.PathLike, series_file: str | os.PathLike,
                      out: str | os.PathLike) -> Checker:
    """The transfer syntax of ``out``: ``picture`` as a Secondary Capture in ``series_file``'s series.

    Checks the file on disk when the answer comes: a Secondary Capture Image (PS3.4 B.5) in the
    study and series of ``series_file`` with a SOP Instance UID that no other file in its folder or
    in ``series_file``'s folder has, holding the picture - a
    baseline JPEG's compressed image unchanged in JPEG Baseline (Process 1) (its APPn and comment
    segments may go, as ``img2dcm`` drops JFIF's APP0), any other picture uncompressed in
    Explicit VR Little Endian with the same pixels - and an answer that names its transfer syntax.

    Parameters
    ----------
    picture : str or os.PathLike
        The picture to store: a JPEG file, or another image file Pillow opens.
    series_file : str or os.PathLike
        A DICOM file of the series the picture joins.
    out : str or os.PathLike
        The DICOM file the learner writes.

    Returns
    -------
    Checker
        Accepts a string, a transfer syntax UID or its name; checks ``out`` as above when called,
        and is right when the answer is ``out``'s Transfer Syntax UID (spaces and a trailing NUL
        forgiven) or its name in any case.
    """
    picture, series_file, out = Path(picture), Path(series_file), Path(out)

    def check(answer: Any) -> tuple[bool, str]:
        if not isinstance(answer, str):
            raise CannotRead('a transfer syntax UID (a string such as "1.2.840.10008.1.2") or its name')
        assert out.is_file(), f"there is no {out.name} yet"
        try:
            ds = pydicom.dcmread(out)
        except Exception as exc:
            return False, f"{out.name} is not a DICOM file pydicom can read: {exc}"
        series = pydicom.dcmread(series_file, stop_before_pixels=True)
        assert ds.get("SOPClassUID") == pydicom.uid.SecondaryCaptureImageStorage, \
            f"{out.name} is not a Secondary Capture Image"
        for keyword in ("StudyInstanceUID", "SeriesInstanceUID"):
            assert ds.get(keyword) == series.get(keyword), \
                f"{out.name} is not in the series of {series_file.name} ({keyword} differs)"
        for other in _dicom_files(out.parent, series_file.parent):
            if other.resolve() != out.resolve():
                assert _sop_instance_uid(other) != ds.SOPInstanceUID, \
                    f"a new object needs its own UID; {out.name} has the one of {other.name}"
        data = picture.read_bytes()
        syntax = ds.file_meta.TransferSyntaxUID
        if data[:2] == b"\xff\xd8":  # a JPEG: it goes in unchanged (PS3.5 A.4, 8.2.1)
            assert syntax == pydicom.uid.JPEGBaseline8Bit, \
                f"a baseline JPEG goes in unchanged as JPEG Baseline (Process 1), not {syntax.name}"
            frame = next(pydicom.encaps.generate_frames(ds.PixelData, number_of_frames=1))
            assert _jpeg_image_data(frame) == _jpeg_image_data(data), \
                f"{out.name} does not hold the compressed image of {picture.name} (re-compressed?)"
        else:
            image = Image.open(picture)
            pixels = np.asarray(image.convert("RGB" if ds.SamplesPerPixel == 3 else "L"))
            assert np.array_equal(ds.pixel_array, pixels), \
                f"the pixels of {out.name} are not those of {picture.name}"
        text = answer.strip().rstrip("\0")
        if text == syntax or text.lower() == syntax.name.lower():
            return True, ""
        known = _transfer_syntax_named(text)
        return False, (f"that is {known.name}, not the transfer syntax of {out.name}"
                       if known else f"not the transfer syntax of {out.name}")
    return check


# --- 05 UIDs -------------------------------------------------------------------------------------

def valid_uids(candidates: Iterable[str]) -> Checker:
    """Exactly the valid candidates (uids.validate), in any order, as a list, tuple or set.

    Parameters
    ----------
    candidates : iterable of str
        The UIDs the learner sorts.

    Returns
    -------
    Checker
        Accepts an iterable (not a string) of candidates copied exactly; right when, as a set, they
        are the candidates in which :func:`workshop_helpers.uids.validate` finds no problem.
    """
    from workshop_helpers import uids

    candidates = list(candidates)
    expected = {c for c in candidates if not uids.validate(c)}

    def check(answer: Any) -> tuple[bool, str]:
        if isinstance(answer, str) or not isinstance(answer, Iterable):
            raise CannotRead("a list of the valid candidates (strings)")
        found = [str(a) for a in answer]
        strangers = [a for a in found if a not in candidates]
        if strangers:
            raise CannotRead(f"candidates copied exactly; {strangers[0]!r} is not one of them")
        if set(found) == expected:
            return True, ""
        return False, f"{len(expected)} of the {len(candidates)} are valid"
    return check


def is_uuid_uid(uid: str) -> bool:
    """True for a UID under 2.25 as PS3.5 B.2 defines it: 2.25, then a 128-bit UUID as one integer.

    Examples
    --------
    >>> is_uuid_uid("2.25.329800735698586629295641978511506172918"), is_uuid_uid("2.25.0")
    (True, True)
    >>> is_uuid_uid("2.25.01"), is_uuid_uid("2.25." + str(2**128)), is_uuid_uid("2.25.1.2")
    (False, False, False)
    """
    match = re.fullmatch(r"2\.25\.(0|[1-9][0-9]*)", str(uid))
    return bool(match) and int(match[1]) < 2**128


def new_uid_store(original: pydicom.Dataset, flipped_pixels: np.ndarray) -> Checker:
    """A folder holding the original and the flipped image, each under its own valid UID.

    The original keeps its UID; the flipped one gets a new UID under 2.25 (PS3.5 B.2), the root
    the task names: a learner owns no other root here.

    Parameters
    ----------
    original : pydicom.dataset.Dataset
        The original image; its pixels and SOP Instance UID are read when the checker is made.
    flipped_pixels : numpy.ndarray
        The pixels of the flipped image.

    Returns
    -------
    Checker
        Accepts a folder (:func:`read_folder`); right when it holds exactly two files with two
        different SOP Instance UIDs, each valid (:func:`workshop_helpers.uids.validate`) and equal
        to the file meta's Media Storage SOP Instance UID; one with the original's pixels and UID,
        the other with ``flipped_pixels`` and a UID that :func:`is_uuid_uid` accepts, other
        than the nil UUID ``2.25.0``.
    """
    from workshop_helpers import uids

    original_pixels = original.pixel_array.copy()
    original_uid = str(original.SOPInstanceUID)

    def check(answer: Any) -> tuple[bool, str]:
        folder = read_folder(answer)
        files = sorted(p for p in folder.iterdir() if p.is_file())
        assert len(files) == 2, f"the folder holds {len(files)} file(s), not 2"
        found = [pydicom.dcmread(p) for p in files]
        sop = {str(ds.SOPInstanceUID) for ds in found}
        assert len(sop) == 2, "both files have the same SOP Instance UID"
        for ds in found:
            problems = uids.validate(ds.SOPInstanceUID)
            assert not problems, f"{ds.SOPInstanceUID}: " + "; ".join(problems)
            assert ds.SOPInstanceUID == ds.file_meta.MediaStorageSOPInstanceUID, \
                "the file meta (MediaStorageSOPInstanceUID) and the data set disagree"
        by_pixels = {("original" if np.array_equal(ds.pixel_array, original_pixels) else
                      "flipped" if np.array_equal(ds.pixel_array, flipped_pixels) else "other"): ds
                     for ds in found}
        assert set(by_pixels) == {"original", "flipped"}, \
            "the store must hold the original image and the flipped one"
        assert str(by_pixels["original"].SOPInstanceUID) == original_uid, \
            "the original keeps its UID: only the new image needs a new one"
        new_uid = str(by_pixels["flipped"].SOPInstanceUID)
        assert is_uuid_uid(new_uid), (f"{new_uid} is not under 2.25: a root you do not own is not "
                                      "yours to add to; 2.25 is followed by a 128-bit number "
                                      "(PS3.5 B.2)")
        assert new_uid != "2.25.0", ("2.25.0 is the nil UUID: valid by the rules, but the same "
                                     "for everyone who types it - a UUID comes from a generator")
        return True, ""
    return check


def org_root(uid: str) -> Checker:
    """The organisation root of a UID (uids.explain); a trailing dot is forgiven.

    Parameters
    ----------
    uid : str
        The UID whose root is asked for.

    Returns
    -------
    Checker
        Accepts a string; right when, without spaces around it and trailing dots, it is
        :func:`workshop_helpers.uids.explain`'s root of ``uid``. The whole UID, or only the start of
        the root, is told so.
    """
    from workshop_helpers import uids

    expected = uids.explain(uid).root

    def check(answer: Any) -> tuple[bool, str]:
        if not isinstance(answer, str):
            raise CannotRead('a UID root as a string, such as "1.2.826.0.1.3680043"')
        text = answer.strip().rstrip(".")
        if text == expected:
            return True, ""
        if text == str(uid):
            return False, "that is the whole UID; the root is the organisation's part at its start"
        if expected.startswith(text + "."):
            return False, "that is only the start of the root: which organisation under it?"
        return False, "not the root of that UID"
    return check


# --- 06 private tags -----------------------------------------------------------------------------

def private_finder(ds: pydicom.Dataset, group: int, creator: str, offset: int, trials: int = 8,
                   seed: int | None = None) -> Checker:
    """A function ``ds -> value`` that finds ``creator``'s element at ``offset`` through its creator.

    The function is run on ``ds`` and on ``trials`` data sets made at check time, each with new
    random values, in which ``creator`` holds a random block — never the one it holds in ``ds`` —
    while other creators (those of ``ds``, and one whose name only starts like ``creator``'s) take
    the rest, including ``creator``'s slot in ``ds``. A fixed tag, a value typed in, or a search by
    a part of the name gives a wrong value in these, so passing shows that the function reads the
    private creator elements, picks the exact name, and takes ``offset`` in that creator's block.
    It does not show more than that: e.g. that the function would look in another group.
    ``seed`` makes the data sets reproducible (for tests); by default nobody can predict them.

    Parameters
    ----------
    ds : pydicom.dataset.Dataset
        The data set the learner looks at; ``creator`` holds a block in ``group`` there.
    group : int
        The odd group of the private block, e.g. ``0x0019``.
    creator : str
        The Private Creator whose element is asked for.
    offset : int
        The element's offset in the block (0x00 to 0xFF).
    trials : int
        How many fresh data sets to try besides ``ds``.
    seed : int or None
        Seed of the random data sets; ``None`` draws them from the system's randomness.

    Returns
    -------
    Checker
        Accepts a callable; right when, on ``ds`` and on each fresh data set, it returns the value
        of ``creator``'s element at ``offset`` (a number, or a ``DataElement`` holding one; read
        with :func:`read_number`). A function that returns ``...`` is not attempted yet
        (:class:`~workshop_helpers.exercises.NotAttempted`); for a wrong value it says whose element
        that value is, if anyone's.
    """
    from workshop_helpers import private

    rng = random.Random(seed) if seed is not None else random.SystemRandom()
    home = ds.private_block(group, creator).block_start >> 8
    alike = creator + " SYSTEMS"
    others = [c for c in ds.private_creators(group) if c != creator]

    def fresh(trial: int) -> tuple[pydicom.Dataset, dict[str, int]]:
        free = [slot for slot in range(0x10, 0x100) if slot not in (home, 0x10)]
        rng.shuffle(free)
        low, high = sorted((free.pop(), free.pop()))   # the near name before, then after, the real one
        places = {creator: low, alike: high} if trial % 2 else {creator: high, alike: low}
        for name, slot in zip(rng.sample(others, len(others)), [*dict.fromkeys([home, 0x10]), *free],
                              strict=False):
            places[name] = slot                          # other creators on the old places
        data = pydicom.Dataset()
        for name, slot in places.items():
            private.add_at_slot(data, group, name, slot, offset, "DS", f"{rng.uniform(1, 900):.2f}")
        return data, places

    def returned(fn: Any, data: pydicom.Dataset) -> float:
        got = fn(data)
        if got is Ellipsis:
            raise NotAttempted
        if isinstance(got, pydicom.DataElement):
            got = got.value
        try:
            return read_number(got)
        except CannotRead:
            raise CannotRead(f"a function that returns the element's value, a number (it returned "
                             f"{type(got).__name__} {got!r:.40})") from None

    def check(fn: Any) -> tuple[bool, str]:
        if not callable(fn):
            raise CannotRead(f"a function that takes a data set and returns {creator}'s value at "
                             f"offset {offset:#04x}: def ...(ds): ...")
        cases = [(ds, {c: ds.private_block(group, c).block_start >> 8
                       for c in ds.private_creators(group)})]
        cases += [fresh(trial) for trial in range(trials)]
        for data, where in cases:
            expected = float(data.private_block(group, creator)[offset].value)
            value = returned(fn, data)
            if value == expected:
                continue
            place = f"a data set where {creator!r} holds block ({group:04X},{where[creator]:02X}xx)"
            holder = next((name for name, slot in where.items()
                           if value == float(data.private_block(group, name)[offset].value)), None)
            if holder is None:
                return False, f"in {place}, your function returned {value:g}, which is not there at all"
            return False, (f"in {place}, your function returned {value:g}: offset {offset:#04x} of "
                           f"{holder!r}'s block ({group:04X},{where[holder]:02X}{offset:02X}) - "
                           "a fixed tag or a name that only looks alike")
        return True, f"right in {len(cases)} data sets, with {creator!r} in {len(cases)} different blocks"
    return check


def block_size(ds: pydicom.Dataset, creator: str) -> Checker:
    """How many elements the private block of ``creator`` holds (a whole number).

    Parameters
    ----------
    ds : pydicom.dataset.Dataset
        The data set holding the private block.
    creator : str
        The Private Creator; its block is looked up in the first odd group from (0009,xxxx) on
        where ``creator`` is a Private Creator.

    Returns
    -------
    Checker
        Accepts a number (:func:`read_number`); right when it equals the number of elements whose
        element number lies in the block (``xx00`` to ``xxFF``), the creator element not counted.
        One too many (the creator counted) and the number of creators are each told apart.
    """
    group = next(g for g in range(0x0009, 0xFFFF, 2) if creator in ds.private_creators(g))
    start = ds.private_block(group, creator).block_start
    expected = sum(1 for e in ds if e.tag.group == group and start <= e.tag.element <= start + 0xFF)
    creators = sum(1 for e in ds if e.tag.is_private_creator)
    traps = {expected + 1: "the creator element does not count",
             creators: "that is how many private creators (blocks) the data set has"}

    def check(answer: Any) -> tuple[bool, str]:
        value = read_number(answer, "a number of elements")
        if value == expected:
            return True, ""
        return False, traps.get(value, f"the block of {creator!r} does not hold {value:g} elements")
    return check


def _assert_private_blocks_whole(ds: pydicom.Dataset) -> None:
    """Every private element has its creator, and every creator its block's elements (PS3.5 7.8.1)."""
    blocks = {(e.tag.group, e.tag.element >> 8) for e in ds if e.tag.is_private and e.tag.element > 0xFF}
    creators = {(e.tag.group, e.tag.element) for e in ds if e.tag.is_private_creator}
    for group, slot in sorted(blocks - creators):
        raise AssertionError(f"({group:04X},{slot:02X}xx) has no private creator at ({group:04X},00"
                             f"{slot:02X}): an orphan element nobody can read (PS3.5 7.8.1)")
    for group, slot in sorted(creators - blocks):
        raise AssertionError(f"the private creator at ({group:04X},00{slot:02X}) is left without "
                             "its elements: a creator is private data too")


def kept_only(source: pydicom.Dataset, private_values: list[str], needles: Iterable[str]) -> Checker:
    """``source`` de-identified (PS3.15 E, Basic Profile), keeping exactly ``private_values``.

    The answer is the data set, or the :class:`~workshop_helpers.deid.DeidResult` that holds it.

    The effects of the profile are checked on the answer: the same SOP Class and pixels as
    ``source`` (it was made from ``source``), new valid UIDs in place of each of ``source``'s
    (PS3.15 E.3.9), the identifiers ``needles`` gone everywhere, Patient Identity Removed YES with
    the Basic Profile's code (113100) and, as private data stays, the Retain Safe Private Option's
    (113111, PS3.15 E.3.10). A data set made by hand with these marks but not from ``source``
    fails on the pixels or the UIDs.

    Parameters
    ----------
    source : pydicom.dataset.Dataset
        The data set to de-identify; its SOP Class, pixels and UIDs are read when the checker is
        made.
    private_values : list of str
        The values of the private data elements (not the Private Creators) that must remain, in
        the order of their tags.
    needles : iterable of str
        The identifiers planted in ``source`` that must be gone everywhere
        (:func:`workshop_helpers.deid.find_values`).

    Returns
    -------
    Checker
        Accepts a ``pydicom.Dataset`` or a :class:`~workshop_helpers.deid.DeidResult`; right when
        every effect above holds, each Study, Series, SOP Instance and Frame of Reference UID that
        ``source`` has is replaced by another valid one, a Media Storage SOP Instance UID in the
        file meta (if any) is the new SOP Instance UID, and the private data elements left hold
        exactly ``private_values``, each in the block of a private creator that is still there
        (no orphans, no creator without elements).
    """
    from workshop_helpers import deid, uids

    needles = list(needles)
    source_pixels = source.PixelData
    source_uids = {k: str(source[k].value) for k in
                   ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID", "FrameOfReferenceUID")
                   if k in source}
    sop_class = str(source.SOPClassUID)

    def check(answer: Any) -> tuple[bool, str]:
        if isinstance(answer, deid.DeidResult):
            answer = answer.dataset
        if not isinstance(answer, pydicom.Dataset):
            raise CannotRead("a pydicom Dataset: the .dataset of deid.deidentify's result")
        assert str(answer.get("PatientIdentityRemoved", "")) == "YES", \
            "this data set was not de-identified (Patient Identity Removed is not YES)"
        assert str(answer.get("SOPClassUID", "")) == sop_class and \
            answer.get("PixelData") == source_pixels, "this was not made from the data set to de-identify: " \
            "its SOP Class or its pixels differ"
        for keyword, old in source_uids.items():
            new = str(answer.get(keyword, ""))
            assert new and new != old and not uids.validate(new), \
                f"{keyword} should be a new valid UID in place of the original's (PS3.15 E.3.9)"
        meta = getattr(answer, "file_meta", None)
        if meta is not None and "MediaStorageSOPInstanceUID" in meta:
            assert meta.MediaStorageSOPInstanceUID == answer.SOPInstanceUID, \
                "the file meta still names another SOP Instance UID"
        privates = [e.value for e in answer if e.tag.is_private and e.tag.element > 0xFF]
        assert privates == private_values, \
            f"the private values left are {privates}; only {private_values} should be"
        _assert_private_blocks_whole(answer)
        left = deid.find_values(answer, needles)
        assert not left, "some planted identifiers are still there"
        codes = {str(item.get("CodeValue", "")) for item in
                 answer.get("DeidentificationMethodCodeSequence", [])}
        assert {"113100", "113111"} <= codes, ("the De-identification Method Code Sequence should "
                                                "name the Basic Profile and the Retain Safe Private "
                                                "Option (113100, 113111)")
        return True, ""
    return check


# --- 07 network ----------------------------------------------------------------------------------

def instances_from(scp: Any, calling_ae: str) -> Checker:
    """A function ``count_from(received, calling_ae)``: how many different instances came from an AE.

    Parameters
    ----------
    scp : workshop_helpers.net.StorageSCP
        The storage SCP; its records of arrivals (``scp.received``) are read when the checker is
        called.
    calling_ae : str
        The calling AE title the learner sent from.

    Returns
    -------
    Checker
        Accepts a callable. It is called with ``list(scp.received)`` and ``calling_ae`` and must
        return the number of different SOP Instance UIDs that came from ``calling_ae``; then with
        made-up arrivals (an instance sent twice, one sent by two callers, a caller that sent
        nothing), so a constant or a count of arrivals fails. It fails (``AssertionError``) when
        nothing has arrived from ``calling_ae`` yet. A function that returns ``...`` is not
        attempted yet (:class:`~workshop_helpers.exercises.NotAttempted`).
    """
    from workshop_helpers.net import Arrival

    def arrival(ae: str, uid: str, duplicate: bool) -> Arrival:
        return Arrival(time.time(), ae, "P", "1.2", "1.2.3", uid, "1.2.840.10008.5.1.4.1.1.2",
                       "1.2.840.10008.1.2.1", Path(f"{uid}.dcm"), 100, duplicate)

    made_up = [arrival("CT01", "1.1", False), arrival("CT01", "1.2", False), arrival("CT01", "1.1", True),
               arrival("MR02", "1.3", False), arrival("MR02", "1.1", True), arrival("CT01", "1.4", False)]
    cases = [(made_up, "CT01", 3), (made_up, "MR02", 2), (made_up, "NOBODY", 0)]

    def check(fn: Any) -> tuple[bool, str]:
        if not callable(fn):
            raise CannotRead("a function count_from(received, calling_ae) that returns a number")
        def gives(received: list, ae: str, want: int, where: str) -> None:
            got = fn(list(received), ae)
            if got is Ellipsis:
                raise NotAttempted
            value = read_number(got, "your function to return a number of instances")
            assert value == want, (f"for {ae} in {where} it gives {value:g}; {want} different "
                                   f"instance(s) came from {ae}")

        for received, ae, want in cases:
            gives(received, ae, want, "made-up arrivals")
        real = list(scp.received)
        expected = len({x.sop_instance_uid for x in real if x.calling_ae == calling_ae})
        assert expected, f"nothing has arrived from {calling_ae} yet: send first"
        gives(real, calling_ae, expected, "scp.received")
        return True, ""
    return check


def stored_by(files: Iterable[str | os.PathLike], listing: Iterable[str] = ()) -> Checker:
    """The :class:`~workshop_helpers.net.StorageSCP` that received and stored every one of ``files``.

    The effect is checked, not a report: for each file (made fresh for the exercise, so its SOP
    Instance UID exists nowhere else) the SCP must have an arrival with that UID, and the file
    it wrote must be inside its folder, hold that instance with the same transfer syntax (a JPEG
    stays JPEG) and the same pixel data bytes. The SCP must have been started (it has its
    listening port) and have counted at least one association, and each arrival and stored file
    must be younger than this checker. What this proves: the SCP object's own records say it ran
    and received these instances after the exercise began, and its folder holds them. It does
    not prove more against a learner who sets those records by hand.

    Parameters
    ----------
    files : iterable of str or os.PathLike
        The DICOM files to be sent; read when the checker is made.
    listing : iterable of str
        Transfer syntax UIDs the SCP must name in a list of its own (``transfer_syntaxes=``): an
        SCP left at the default, which accepts every transfer syntax but the deflated ones, does
        not count, so the learner must start the SCP the exercise asks for.

    Returns
    -------
    Checker
        Accepts a :class:`~workshop_helpers.net.StorageSCP`; right when everything above holds.
        A file that is not compressed may be stored in another transfer syntax; one that is
        compressed must keep its own.
    """
    from workshop_helpers.net import StorageSCP

    originals = [pydicom.dcmread(f) for f in files]
    listing = [pydicom.uid.UID(str(uid)) for uid in listing]
    every_compressed = {str(t) for t in pydicom.uid.AllTransferSyntaxes if t.is_compressed}
    began = time.time() - 1.0   # file times may be rounded down to the second

    def check(scp: Any) -> tuple[bool, str]:
        if not isinstance(scp, StorageSCP):
            raise CannotRead("the StorageSCP that received the files (not the report of net.send)")
        accepted = set(map(str, scp.transfer_syntaxes))
        if listing and accepted >= every_compressed:   # the default: no list of its own
            return False, (f"{scp.ae_title} accepts every transfer syntax but the deflated ones (no "
                           "transfer_syntaxes list of its own): start the SCP the exercise asks for")
        absent = [uid.name for uid in listing if str(uid) not in accepted]
        if absent:
            return False, f"{scp.ae_title}'s transfer_syntaxes do not list {', '.join(absent)}"
        assert scp.port > 0 and scp.associations > 0, \
            (f"{scp.ae_title} was never started, or accepted no association: start it, then send to "
             f"its port, calling it by its AE title, {scp.ae_title}")
        arrivals = {a.sop_instance_uid: a for a in list(scp.received) if a.time >= began}
        missing = [ds for ds in originals if ds.SOPInstanceUID not in arrivals]
        early = {a.sop_instance_uid for a in list(scp.received) if a.time < began}
        if missing and all(ds.SOPInstanceUID in early for ds in missing):
            return False, (f"{scp.ae_title} received them before this exercise was set up: run the "
                           "exercise's cells in order, then send again")
        if missing:
            names = ", ".join(f"{ds.SOPClassUID.name} in {ds.file_meta.TransferSyntaxUID.name}"
                              for ds in missing)
            return False, f"{len(missing)} of {len(originals)} never reached {scp.ae_title}: {names}"
        for ds in originals:
            path = Path(arrivals[ds.SOPInstanceUID].path)
            assert path.is_file() and scp.folder in path.resolve().parents, \
                f"{scp.ae_title} has no stored file for {ds.SOPInstanceUID}"
            assert path.stat().st_mtime >= began, f"{path.name} was there before the exercise began"
            stored = pydicom.dcmread(path)
            assert stored.SOPInstanceUID == ds.SOPInstanceUID, f"{path.name} holds another instance"
            assert stored.file_meta.TransferSyntaxUID == ds.file_meta.TransferSyntaxUID or \
                not ds.file_meta.TransferSyntaxUID.is_compressed, \
                f"{path.name} was stored in another transfer syntax"
            assert stored.PixelData == ds.PixelData, f"{path.name} does not hold the pixels that were sent"
        return True, f"{scp.ae_title} stored all {len(originals)} ({len(originals)} files on disk)"
    return check


# --- 08 workstation ------------------------------------------------------------------------------

def calling_ae_seen(scp: Any, files: Iterable[str | os.PathLike]) -> Checker:
    """The calling AE title under which ``scp`` received the instances of ``files``.

    The expected title is read from what the SCP stored, for these instances only: its record of
    each arrival and the Sending Application Entity Title (0002,0017) in the File Meta of each file
    it wrote (PS3.10 7.1); both must agree on one title.

    Parameters
    ----------
    scp : workshop_helpers.net.StorageSCP
        The SCP (the PACS) that received the files; read when the checker is called.
    files : iterable of str or os.PathLike
        The DICOM files that were sent; their SOP Instance UIDs are read when the checker is made.

    Returns
    -------
    Checker
        Accepts a string; right when, without spaces around it, it is that one title. It fails
        (``AssertionError``) when the SCP has not received every instance of ``files``, or its
        records and files name more than one title.
    """
    wanted = {str(pydicom.dcmread(f, stop_before_pixels=True).SOPInstanceUID) for f in files}

    def expected() -> str:
        arrivals = [a for a in list(scp.received) if a.sop_instance_uid in wanted]
        assert {a.sop_instance_uid for a in arrivals} == wanted, \
            f"{len(wanted)} instances were sent, the PACS has only some of them: run the cells above"
        recorded = {a.calling_ae for a in arrivals}
        written = {str(pydicom.dcmread(a.path, stop_before_pixels=True).file_meta
                       .get("SendingApplicationEntityTitle", "")).strip() for a in arrivals}
        assert len(recorded) == 1 and written == recorded, \
            f"the PACS recorded {sorted(recorded)} and wrote {sorted(written)}: not one sender"
        return recorded.pop()

    def check(answer: Any) -> tuple[bool, str]:
        if not isinstance(answer, str):
            raise CannotRead("an AE title, a string")
        title = expected()
        if answer.strip() == title:
            return True, ""
        return False, f"{answer.strip()!r} is not the calling AE title in the PACS's records and files"
    return check


def trigger(cases: Iterable[tuple[int, float, bool]] | None = None) -> Checker:
    """A function ``series -> bool``: complete at 16 instances or after 3 s of silence.

    The cases sit on both sides of both limits (15/16 instances, 2.9/3.1 s).

    Parameters
    ----------
    cases : iterable of tuple of (int, float, bool) or None
        ``(instances, seconds since the last arrival, complete?)`` for each case; ``None`` takes
        nine cases around the limits.

    Returns
    -------
    Checker
        Accepts a callable; for each case it is called with a
        :class:`~workshop_helpers.router.Series` holding that many files whose last arrival was
        that many seconds ago, and is right when ``bool`` of every result is the expected one. A
        function that returns ``...`` is not attempted yet
        (:class:`~workshop_helpers.exercises.NotAttempted`).
    """
    from workshop_helpers import router

    cases = list(cases or [(16, 0.0, True), (20, 0.1, True), (15, 0.0, False), (5, 0.0, False),
                           (15, 2.9, False), (5, 3.1, True), (5, 3.5, True), (0, 10.0, True),
                           (1, 2.5, False)])

    def check(fn: Any) -> bool:
        if not callable(fn):
            raise CannotRead("a function that takes a series and returns True or False")
        for count, quiet, expected in cases:
            series = router.Series("P", "1.2", "1.2.3", files=[f"f{i}" for i in range(count)],
                                   last_arrival=time.monotonic() - quiet)
            got = fn(series)
            if got is Ellipsis:
                raise NotAttempted
            assert bool(got) == expected, (
                f"{count} instance(s), {quiet} s quiet: expected {expected}, got {bool(got)}")
        return True
    return check


# --- 09 PACS -------------------------------------------------------------------------------------

def _series_uids(value: Any) -> set[str]:
    """Series Instance UIDs from what a finder returned: UIDs, data sets, or a FindResult."""
    if value is Ellipsis:
        raise NotAttempted
    items = getattr(value, "matches", value)
    if value is None or isinstance(items, (str, bytes)) or not isinstance(items, Iterable):
        raise CannotRead("your function to return the Series Instance UIDs (a set or list of strings)")
    uids = set()
    for item in items:
        uid = item.get("SeriesInstanceUID", "") if isinstance(item, pydicom.Dataset) else item
        uids.add(read_uid(uid, "Series Instance UIDs (strings of digits and dots)"))
    return uids


def series_finder(server: Any, patient_ids: Iterable[str], modalities: Iterable[str] = ("CT", "MR")
                  ) -> Checker:
    """A function ``find_series(patient_id, modality)`` that finds a patient's series of one modality.

    The portable way is two baseline C-FINDs (PS3.4 C.4.1.2.1): the patient's studies, then the
    series of each study, by its StudyInstanceUID, that match the modality. A single SERIES query
    by PatientID is relational; :func:`workshop_helpers.qr.find` refuses it with the reason, and
    this checker passes that reason on.

    Parameters
    ----------
    server : workshop_helpers.pacs.Orthanc
        The PACS; what it holds is read at check time through its REST API (not DICOM).
    patient_ids : iterable of str
        The patients to ask about.
    modalities : iterable of str
        The modalities to ask about (one the PACS lacks for a patient makes a case with no
        series, so a function that ignores the modality fails).

    Returns
    -------
    Checker
        Accepts a callable; it is called for every patient and modality and must return
        exactly the Series Instance UIDs the PACS holds for them (a set, list or tuple of
        strings, data sets with SeriesInstanceUID, or a ``qr.FindResult``).
    """
    from workshop_helpers import qr

    cases = [(p, m) for p in patient_ids for m in modalities]

    def held(patient_id: str, modality: str) -> set[str]:
        ids = server.find("Series", {"PatientID": patient_id, "Modality": modality})
        return {server.tags("series", i)["SeriesInstanceUID"] for i in ids}

    def check(answer: Any) -> tuple[bool, str]:
        if not callable(answer):
            raise CannotRead("a function find_series(patient_id, modality) that returns UIDs")
        for patient_id, modality in cases:
            try:
                found = _series_uids(answer(patient_id, modality))
            except qr.QueryLevelError as exc:
                raise AssertionError(f"qr did not send your query: {exc}") from None
            expected = held(patient_id, modality)
            assert found == expected, (
                f"find_series({patient_id!r}, {modality!r}) gives {len(found)} series; the PACS "
                f"holds {len(expected)} {modality} series of {patient_id}")
        return True, ""
    return check


def move_destination(ae_title: str, stale_port: int, port: int) -> Checker:
    """The PACS entry a C-MOVE destination needs: ``(AE title, host, port)`` with the live port.

    Parameters
    ----------
    ae_title : str
        The AE title of the move destination (the viewer).
    stale_port : int
        The port the PACS has on record for it, where nothing listens.
    port : int
        The port where the destination's storage SCP listens.

    Returns
    -------
    Checker
        Accepts a tuple or list of three values ``(AE title, host, port)``; right when the AE title
        (spaces around it forgiven) is ``ae_title``, the host is ``"127.0.0.1"`` or
        ``"localhost"`` and the port (:func:`read_number`) is ``port``. ``stale_port`` is told
        apart.
    """

    def check(answer: Any) -> tuple[bool, str]:
        if not isinstance(answer, (tuple, list)) or len(answer) != 3:
            raise CannotRead("three values: (AE title, host, port)")
        ae, host, answer_port = answer
        value = read_number(answer_port, "a port number as the third value")
        assert str(ae).strip() == ae_title, \
            "the entry is named by the move destination's AE title (print(viewer) shows it)"
        assert str(host).strip() in ("127.0.0.1", "localhost"), "the viewer runs on this machine: 127.0.0.1"
        assert value != stale_port, \
            "that is the port the PACS already has - and nothing listens there (look at the viewer)"
        assert value == port, "the port where the viewer's storage SCP listens (print(viewer))"
        return True, ""
    return check


# --- 10 DICOMweb ---------------------------------------------------------------------------------

def read_uid(answer: Any, expected: str) -> str:
    """A UID from a string (a pydicom ``UID`` is one), spaces and a trailing NUL forgiven."""
    if not isinstance(answer, str):
        raise CannotRead(expected)
    text = answer.strip().rstrip("\0")
    if not re.fullmatch(r"[0-9]+(\.[0-9]+)*", text):
        raise CannotRead(expected)
    return text


def mr_study(server: Any, host: str = "127.0.0.1") -> Checker:
    """The Study Instance UID of the one study on ``server`` (a pacs.Orthanc) that holds an MR series.

    The expected UID is asked at check time over DIMSE (a STUDY-level C-FIND on
    ModalitiesInStudy MR), not over DICOMweb as the learner is asked to.

    Parameters
    ----------
    server : workshop_helpers.pacs.Orthanc
        The PACS; its ``dicom_port`` is asked, from its own helper AE title (``echo_aet``).
    host : str
        The address where ``server`` listens.

    Returns
    -------
    Checker
        Accepts a UID string (:func:`read_uid`); right when it is the Study Instance UID that the
        C-FIND finds. It fails (``AssertionError``) when the C-FIND finds not exactly one study, and
        for another study it names its modalities.
    """
    from workshop_helpers import qr

    def check(answer: Any) -> tuple[bool, str]:
        uid = read_uid(answer, "a Study Instance UID, a string of digits and dots")
        titles = {"calling_ae": server.echo_aet, "called_ae": server.aet}
        result = qr.find(host, server.dicom_port, {"ModalitiesInStudy": "MR", "StudyInstanceUID": None},
                         level="STUDY", **titles)
        expected = {str(m.StudyInstanceUID) for m in result.matches}
        assert len(expected) == 1, f"the PACS should hold exactly one MR study; C-FIND found {len(expected)}"
        if uid in expected:
            return True, ""
        others = qr.find(host, server.dicom_port, {"StudyInstanceUID": uid, "ModalitiesInStudy": None},
                         level="STUDY", **titles).matches
        if others:
            return False, f"that study holds {others[0].get('ModalitiesInStudy', '?')}, not MR"
        return False, "the PACS has no study with that UID"
    return check


def stored_over_dicomweb(server: Any, description: str, original_sop: str) -> Checker:
    """The SOP Instance UID of a derived instance stored in ``server`` (a pacs.Orthanc) over STOW-RS.

    Orthanc's REST API (not DICOMweb) says what it holds: an instance with that UID that was not
    there when this checker was made (so not ``original_sop``, nor one stored earlier), with Series
    Description ``description``, DERIVED as the first value of Image Type, and a Series Instance
    UID that no instance present before had. Orthanc records how each instance came in
    (``/instances/{id}/metadata/Origin``): ``RestApi`` for an upload through its REST API,
    ``DicomProtocol`` for C-STORE, ``Plugins`` for one stored by a plugin - and the DICOMweb
    plugin is the only plugin the course loads, so ``Plugins`` is STOW-RS.

    Parameters
    ----------
    server : workshop_helpers.pacs.Orthanc
        The PACS; the instances and series it holds are listed when the checker is made.
    description : str
        The Series Description the derived instance must have.
    original_sop : str
        The SOP Instance UID of the instance it was derived from.

    Returns
    -------
    Checker
        Accepts a UID string (:func:`read_uid`); right when Orthanc holds a new instance with that
        UID that meets every condition above.
    """
    before_ids = set(server.instances())
    before_series = {server.tags("series", i).get("SeriesInstanceUID") for i in server.series()}

    def check(answer: Any) -> tuple[bool, str]:
        uid = read_uid(answer, "a SOP Instance UID, a string of digits and dots")
        assert uid != str(original_sop), \
            "that is the original instance: give your copy a new SOP Instance UID"
        ids = server.find("Instance", {"SOPInstanceUID": uid})
        assert ids, f"Orthanc does not have an instance {uid!r}: was the store refused?"
        assert ids[0] not in before_ids, \
            "that instance was in the PACS before the exercise: store a new one"
        origin = server.rest("GET", f"/instances/{ids[0]}/metadata/Origin").decode().strip()
        assert origin == "Plugins", \
            f"Orthanc received it through {origin}, not through DICOMweb: use web.store (STOW-RS)"
        ds = pydicom.dcmread(BytesIO(server.file(ids[0])), stop_before_pixels=True)
        assert ds.get("SeriesDescription") == description, \
            f"its Series Description is {ds.get('SeriesDescription')!r}"
        assert list(ds.get("ImageType", []))[:1] == ["DERIVED"], \
            f"its Image Type is {list(ds.get('ImageType', []))}"
        assert ds.SeriesInstanceUID not in before_series, \
            "it is in a series that was there before: it needs a new Series Instance UID too"
        return True, ""
    return check
