"""The checkers of notebook 10, DICOMweb (``notebooks/10_dicomweb.ipynb``)."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pydicom

from .common import Checker, read_uid


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
