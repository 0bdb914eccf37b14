"""The checkers of notebook 07, a tiny SCP and SCU (``notebooks/07_network.ipynb``)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pydicom

from workshop_helpers.exercises import CannotRead, NotAttempted

from .common import Checker, read_number


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
