"""The checkers of notebook 08, a small workstation (``notebooks/08_workstation.ipynb``)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from typing import Any

import pydicom

from workshop_helpers.exercises import CannotRead, NotAttempted

from .common import Checker


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
