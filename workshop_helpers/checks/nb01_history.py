"""The checkers of notebook 01, an image before DICOM (``notebooks/01_history.ipynb``)."""

from __future__ import annotations

import math
import os
import struct
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from workshop_helpers.exercises import CannotRead, NotAttempted

from .common import Checker, judge, read_number, read_numbers, read_word

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
        return judge(value, expected, traps, "not the position of that voxel", atol=1e-3)
    return check
