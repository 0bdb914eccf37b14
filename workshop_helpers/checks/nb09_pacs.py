"""The checkers of notebook 09, a real PACS (``notebooks/09_pacs.ipynb``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pydicom

from workshop_helpers.exercises import CannotRead, NotAttempted

from .common import Checker, read_number, read_uid


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
