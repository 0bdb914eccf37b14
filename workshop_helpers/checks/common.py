"""What every checker shares: reading an answer (a number, a word, a tag, a folder) kindly.

A reader returns the value or raises :class:`~workshop_helpers.exercises.CannotRead`
("I cannot read this answer (expected ...)"). :func:`judge` then tells a value that is right
from the usual wrong answers ("traps"), each with its own reason.
"""

from __future__ import annotations

import math
import numbers
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pydicom
from pydicom.tag import Tag

from workshop_helpers.exercises import CannotRead

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


def read_uid(answer: Any, expected: str) -> str:
    """A UID from a string (a pydicom ``UID`` is one), spaces and a trailing NUL forgiven."""
    if not isinstance(answer, str):
        raise CannotRead(expected)
    text = answer.strip().rstrip("\0")
    if not re.fullmatch(r"[0-9]+(\.[0-9]+)*", text):
        raise CannotRead(expected)
    return text


def _close(value: float, expected: float, rel: float = 0.0, abs_: float = 1e-9) -> bool:
    return math.isclose(value, expected, rel_tol=rel, abs_tol=abs_)


# --- judging a value -----------------------------------------------------------------------------

def judge(value: Any, expected: Any, traps: Iterable[tuple[Any, str]], otherwise: str, *, atol: float,
          rtol: float = 1e-5) -> tuple[bool, str]:
    """Right when ``value`` is ``expected``; else the reason of the first trap it falls into.

    Values are compared with ``np.allclose(a, b, rtol=rtol, atol=atol)`` (numbers or arrays). A
    trap that is itself close to the right answer is never named.

    Parameters
    ----------
    value, expected : number or array
        The learner's answer, read, and the right one.
    traps : iterable of (value, reason)
        The usual wrong answers, each with what to tell a learner who gives it, in the order tried.
    otherwise : str
        The reason for a wrong answer that is none of the traps.
    atol, rtol : float
        The absolute and relative tolerance (``rtol=0``: absolute only).

    Returns
    -------
    tuple of (bool, str)
        ``(True, "")``, or ``(False, reason)``.

    Examples
    --------
    >>> traps = [(3, "that is the index of the largest value")]
    >>> judge(7.0, 7, traps, "not the largest value", atol=1e-6)
    (True, '')
    >>> judge(3, 7, traps, "not the largest value", atol=1e-6)
    (False, 'that is the index of the largest value')
    """
    def close(a: Any, b: Any) -> bool:
        return bool(np.allclose(a, b, rtol=rtol, atol=atol))

    if close(value, expected):
        return True, ""
    named = (why for trap, why in traps if close(value, trap) and not close(trap, expected))
    return False, next(named, otherwise)
