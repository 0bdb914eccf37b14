"""Notebook 09's checkers (:mod:`workshop_helpers.checks.nb09_pacs`): every right form accepted, wrong values refused, wrong forms unreadable."""

from __future__ import annotations

import pytest
from verdicts import assert_verdicts
from verdicts import orthanc_web_fixture as orthanc_web_fixture

from workshop_helpers import checks
from workshop_helpers.exercises import NotAttempted


def test_09_move_destination():
    check = checks.move_destination("VIEWER", 4000, 4242)
    assert_verdicts(check, accepted=[("VIEWER", "127.0.0.1", 4242), ["VIEWER", "localhost", "4242"]],
                    refused=[("VIEWER", "127.0.0.1", 4000), ("PACS", "127.0.0.1", 4242),
                             ("VIEWER", "10.0.0.1", 4242)],
                    unreadable=[("VIEWER", 4242), "VIEWER:4242", ("VIEWER", "127.0.0.1", "port")])



def test_09_series_finder_wants_two_baseline_queries(orthanc_web):
    from workshop_helpers import qr

    titles = {"calling_ae": orthanc_web.echo_aet, "called_ae": orthanc_web.aet}
    port = orthanc_web.dicom_port

    def two_steps(patient_id, modality):
        studies = qr.find("127.0.0.1", port, {"PatientID": patient_id, "StudyInstanceUID": ""},
                          level="STUDY", **titles)
        return {s.SeriesInstanceUID for study in studies.matches
                for s in qr.find("127.0.0.1", port, {"StudyInstanceUID": study.StudyInstanceUID,
                                                     "Modality": modality, "SeriesInstanceUID": ""},
                                 level="SERIES", **titles).matches}

    def as_list(patient_id, modality):
        return sorted(two_steps(patient_id, modality))

    def relational(patient_id, modality):
        return qr.find("127.0.0.1", port, {"PatientID": patient_id, "Modality": modality,
                                           "SeriesInstanceUID": ""}, level="SERIES", **titles)

    def any_modality(patient_id, modality):
        return two_steps(patient_id, "*")

    def one_patient(patient_id, modality):
        return two_steps("1CT1", modality)

    check = checks.series_finder(orthanc_web, ["PHANTOM01", "1CT1", "4MR1"])
    assert_verdicts(check, accepted=[two_steps, as_list],
                    refused=[relational, any_modality, one_patient, lambda p, m: set()],
                    unreadable=[{"1.2.3"}, "1.2.3", None, lambda p, m: "1.2.3", lambda p, m: None])
    with pytest.raises(AssertionError, match=r"qr did not send your query: .*relational query"):
        check(relational)
    with pytest.raises(NotAttempted):
        check(lambda p, m: ...)
