"""The checkers of notebook 05, UIDs (``notebooks/05_uids.ipynb``)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import numpy as np
import pydicom

from workshop_helpers.exercises import CannotRead

from .common import Checker, read_folder


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
        the root, or the root with part of the organisation's own suffix, is told so.
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
        if text.startswith(expected + ".") and str(uid).startswith(text + "."):
            return False, ("that goes past the root into the organisation's own suffix: where "
                           "does its root end?")
        return False, "not the root of that UID"
    return check
