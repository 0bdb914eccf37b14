"""The package interoperates at least as well as dcmtk: what dcmtk sends and accepts, it does too.

Each case is checked against the real dcmtk (storescu, storescp): pydicom's test files whose
File Meta names another SOP Instance than their data set, files without File Meta, and a
retired Storage SOP Class.
"""

from __future__ import annotations

import pydicom
import pytest
from conftest import dataset_bytes, dcmtk_storescp, run_dcmtk, stored_files
from pydicom.data import get_testdata_file
from pydicom.uid import ImplicitVRLittleEndian

from workshop_helpers.net import StorageSCP, send

#: File Meta's Media Storage SOP Instance UID differs from the data set's SOP Instance UID.
META_DIFFERS = ["rtplan.dcm", "rtdose.dcm", "rtdose_1frame.dcm", "badVR.dcm"]
#: No preamble, no File Meta: a bare data set (implicit, explicit little and big endian).
NO_META = ["rtstruct.dcm", "ExplVR_LitEndNoMeta.dcm", "ExplVR_BigEndNoMeta.dcm"]
ULTRASOUND_RETIRED = "1.2.840.10008.5.1.4.1.1.6"  # Ultrasound Image Storage (Retired)


def _testfile(name: str):
    path = get_testdata_file(name)
    assert path, f"pydicom's test file {name} is missing"
    return path


@pytest.mark.parametrize("name", META_DIFFERS)
def test_affected_uids_come_from_the_data_set_as_with_dcmtk(name, dcmtk, tmp_path):
    path = _testfile(name)
    data_set = pydicom.dcmread(path, stop_before_pixels=True)
    assert data_set.SOPInstanceUID != data_set.file_meta.MediaStorageSOPInstanceUID
    with dcmtk_storescp(dcmtk, tmp_path / "dcmtk") as port:
        [result] = send([path], port=port, called_ae="STORESCP")
    assert result.ok, str(result)   # dcmtk's storescp answered 0xA900 when the File Meta's UID went
    [stored] = list((tmp_path / "dcmtk").iterdir())
    assert pydicom.dcmread(stored).SOPInstanceUID == data_set.SOPInstanceUID
    assert dataset_bytes(stored) == dataset_bytes(path)   # the data set as it is in the file


@pytest.mark.parametrize("name", META_DIFFERS)
def test_our_scp_takes_what_dcmtk_storescu_sends_of_these_files(name, dcmtk, tmp_path):
    path = _testfile(name)
    with StorageSCP(tmp_path / "ours", ae_title="WORKSHOP") as scp:
        out = run_dcmtk(dcmtk, "storescu", "-R", "-aec", "WORKSHOP", "127.0.0.1", scp.port, path)
    assert out.returncode == 0, out.stderr
    [arrival] = scp.received
    assert arrival.sop_instance_uid == pydicom.dcmread(path, stop_before_pixels=True).SOPInstanceUID


@pytest.mark.parametrize("name", NO_META)
def test_files_without_file_meta_go_as_dcmtk_storescu_sends_them(name, dcmtk, tmp_path):
    """Ours and dcmtk's storescu send the same data set in the same transfer syntax."""
    path = _testfile(name)
    with dcmtk_storescp(dcmtk, tmp_path / "from_ours") as port:
        [result] = send([path], port=port, called_ae="STORESCP")
    assert result.ok and "no File Meta" in result.reason, str(result)
    with dcmtk_storescp(dcmtk, tmp_path / "from_dcmtk") as port:   # -R: propose only what the
        out = run_dcmtk(dcmtk, "storescu", "-R", "-aec", "STORESCP",  # file needs (RT Ion Plan is
                        "127.0.0.1", port, path)                    # not in its default list)
    assert out.returncode == 0, out.stderr
    [ours] = list((tmp_path / "from_ours").iterdir())
    [theirs] = list((tmp_path / "from_dcmtk").iterdir())
    a, b = pydicom.dcmread(ours), pydicom.dcmread(theirs)
    assert a == b   # the same elements and values (file meta aside)
    if a.file_meta.TransferSyntaxUID == b.file_meta.TransferSyntaxUID:
        assert dataset_bytes(ours) == dataset_bytes(theirs)
    else:   # dcmtk's storescu turns implicit VR into explicit VR; ours sends the file as it is
        assert a.file_meta.TransferSyntaxUID == ImplicitVRLittleEndian


def test_a_file_that_is_no_data_set_is_still_refused(tmp_path):
    junk = tmp_path / "notes.dcm"
    junk.write_text("not DICOM at all\n" * 20)
    [result] = send([junk], port=1, called_ae="X", timeout=2)
    assert not result.ok and result.permanent and "not a DICOM file" in result.reason


@pytest.fixture
def retired_ultrasound(tmp_path):
    """A data set of the retired Ultrasound Image Storage class (what older US machines send)."""
    ds = pydicom.dcmread(_testfile("CT_small.dcm"))
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = ULTRASOUND_RETIRED
    ds.Modality = "US"
    del ds[0xFFFCFFFC]   # Data Set Trailing Padding: dcmtk's storescu leaves it out
    path = tmp_path / "us_retired.dcm"
    ds.save_as(path, enforce_file_format=True)
    return path


def test_retired_ultrasound_class_is_accepted_as_dcmtk_storescp_accepts_it(retired_ultrasound, dcmtk,
                                                                          tmp_path):
    with dcmtk_storescp(dcmtk, tmp_path / "dcmtk") as port:
        dcmtk_out = run_dcmtk(dcmtk, "storescu", "-R", "-aec", "STORESCP", "127.0.0.1", port,
                              retired_ultrasound)
    assert dcmtk_out.returncode == 0, dcmtk_out.stderr   # dcmtk accepts it ...
    with StorageSCP(tmp_path / "ours", ae_title="WORKSHOP") as scp:
        out = run_dcmtk(dcmtk, "storescu", "-R", "-aec", "WORKSHOP", "127.0.0.1", scp.port,
                        retired_ultrasound)
    assert out.returncode == 0, out.stderr                # ... and so does ours
    [stored] = stored_files(scp.folder)
    assert pydicom.dcmread(stored).SOPClassUID == ULTRASOUND_RETIRED
    assert dataset_bytes(stored) == dataset_bytes(retired_ultrasound)


def test_an_unknown_sop_class_is_still_refused(dcmtk, tmp_path):
    ds = pydicom.dcmread(_testfile("CT_small.dcm"))
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.999999"
    path = tmp_path / "unknown.dcm"
    ds.save_as(path, enforce_file_format=True)
    with StorageSCP(tmp_path / "ours", ae_title="WORKSHOP") as scp:
        [result] = send([path], port=scp.port, called_ae="WORKSHOP")
    assert not result.ok and "no presentation context" in result.reason
