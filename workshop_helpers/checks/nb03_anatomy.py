"""The checkers of notebook 03, the anatomy of a DICOM file (``notebooks/03_anatomy.ipynb``)."""

from __future__ import annotations

import os
import struct
from collections.abc import Iterable
from io import BytesIO
from pathlib import Path
from typing import Any

import pydicom
from pydicom.datadict import tag_for_keyword

from workshop_helpers.exercises import CannotRead, NotAttempted

from .common import Checker, judge, read_number, read_word


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
        return judge(value, expected, traps.items(), f"byte {value:g} is not where the data set starts",
                     atol=0, rtol=0)
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
    from workshop_helpers.uids import mint_uid

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
