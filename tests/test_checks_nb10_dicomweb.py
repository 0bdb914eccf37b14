"""Notebook 10's checkers (:mod:`workshop_helpers.checks.nb10_dicomweb`), and
:func:`workshop_helpers.web.call`'s one-line error: every right form accepted, wrong values refused, wrong forms unreadable."""

from __future__ import annotations

import pydicom
import pytest
from verdicts import assert_verdicts
from verdicts import orthanc_web_fixture as orthanc_web_fixture

from workshop_helpers import checks, tools


def test_10_mr_study_asks_the_pacs(orthanc_web):
    mr = pydicom.dcmread(tools.testdata("MR_small.dcm"), stop_before_pixels=True)
    ct = pydicom.dcmread(tools.testdata("CT_small.dcm"), stop_before_pixels=True)
    uid = str(mr.StudyInstanceUID)
    assert_verdicts(checks.mr_study(orthanc_web), accepted=[uid, mr.StudyInstanceUID, f" {uid} "],
                    refused=[str(ct.StudyInstanceUID), "1.2.3", uid + ".1"],
                    unreadable=[123, 1.2, None, [uid], "the MR one", ""])
    ok, message = checks.mr_study(orthanc_web)(str(ct.StudyInstanceUID))
    assert not ok and "CT" in message



def _derived(source, description="my derived series", image_type=("DERIVED", "SECONDARY"), series=True):
    import copy

    from pydicom.uid import generate_uid

    ds = copy.deepcopy(source)
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    if series:
        ds.SeriesInstanceUID = generate_uid()
    ds.ImageType, ds.SeriesDescription = list(image_type), description
    return ds


def test_10_stored_over_dicomweb_reads_what_orthanc_holds_and_how_it_came(orthanc_web, tmp_path):
    from workshop_helpers import web

    dicomweb = web.client(orthanc_web.dicomweb_url, auth=orthanc_web.auth)
    source = pydicom.dcmread(tools.testdata("CT_small.dcm"))
    earlier = _derived(source)
    assert web.store(dicomweb, [earlier]).ok            # stored before the exercise began
    check = checks.stored_over_dicomweb(orthanc_web, "my derived series", source.SOPInstanceUID)
    right, no_series, primary, other_name = (_derived(source), _derived(source, series=False),
                                             _derived(source, image_type=("ORIGINAL", "PRIMARY")),
                                             _derived(source, "inverted"))
    assert web.store(dicomweb, [right, no_series, primary, other_name]).ok
    uploaded = _derived(source)                          # through Orthanc's REST API, not STOW-RS
    uploaded.save_as(tmp_path / "up.dcm")
    orthanc_web.upload(tmp_path / "up.dcm")
    never = _derived(source)                             # never stored at all
    assert_verdicts(check, accepted=[str(right.SOPInstanceUID), right.SOPInstanceUID, f" {right.SOPInstanceUID}"],
                    refused=[str(source.SOPInstanceUID), str(earlier.SOPInstanceUID),
                             str(no_series.SOPInstanceUID), str(primary.SOPInstanceUID),
                             str(other_name.SOPInstanceUID), str(uploaded.SOPInstanceUID),
                             str(never.SOPInstanceUID)],
                    unreadable=[123, None, right, [str(right.SOPInstanceUID)], "my derived series"])
    with pytest.raises(AssertionError, match="RestApi"):
        check(str(uploaded.SOPInstanceUID))


def test_web_call_says_url_and_status_in_one_line(orthanc_web):
    from workshop_helpers import errors, web

    dicomweb = web.client(orthanc_web.dicomweb_url, auth=orthanc_web.auth)
    assert web.call(dicomweb.search_for_studies, search_filters={"PatientID": "NOBODY"}) == []
    with pytest.raises(web.WebError, match=r"GET http://127\.0\.0\.1:\d+/dicom-web/studies/1\.2\.3/metadata -> 404"):
        web.call(dicomweb.retrieve_study_metadata, "1.2.3")
    errors.full_tracebacks(False)
    try:
        web.call(dicomweb.retrieve_study_metadata, "1.2.3")
    except web.WebError as exc:
        assert len(exc._render_traceback_()) == 1
    finally:
        errors.full_tracebacks(None)
