"""The checkers of notebook 06, private tags (``notebooks/06_private_tags.ipynb``)."""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import Any

import pydicom

from workshop_helpers.exercises import CannotRead, NotAttempted

from .common import Checker, judge, read_number


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
        return judge(value, expected, traps.items(),
                     f"the block of {creator!r} does not hold {value:g} elements", atol=0, rtol=0)
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
