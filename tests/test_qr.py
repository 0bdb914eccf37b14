"""workshop_helpers.qr against a real Orthanc: C-FIND, C-MOVE, C-GET, their errors, the CLI.

One Orthanc for the module (started by :class:`workshop_helpers.pacs.Orthanc`, stopped by its pid,
its ports checked free afterwards), holding a three-slice CT study made here plus pydicom's
CT_small.dcm and MR_small.dcm. Peers are real: Orthanc, our StorageSCP, dcmtk's findscu.
"""

from __future__ import annotations

import io
import json
import socket
from pathlib import Path
from types import SimpleNamespace

import pydicom
import pytest
from conftest import assert_stopped, dataset_bytes, make_ct, require_orthanc, run_dcmtk
from pydicom.uid import generate_uid

from workshop_helpers import net, pacs, qr, tools
from workshop_helpers.__main__ import main
from workshop_helpers.net import StorageSCP

H = "127.0.0.1"
STUDY = generate_uid(entropy_srcs=["test_qr study"])
SERIES = generate_uid(entropy_srcs=["test_qr series"])


def make_study(folder: Path, count: int = 3) -> list[Path]:
    """``count`` small CT slices (the tests' CT factory) in one study and series, seeded UIDs."""
    folder.mkdir(parents=True, exist_ok=True)
    return [tools.save_atomically(
                make_ct(i, patient_id="QR-TEST", study=STUDY, series=SERIES, seed=300,
                        PatientName="Test^QueryRetrieve", StudyDate="20240315",
                        SeriesDescription="QR test"),
                folder / f"slice{i}.dcm")
            for i in range(count)]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_orthanc()
    folder = tmp_path_factory.mktemp("qr")
    # fixed titles: these tests are about qr; test_pacs checks the titles made at each start
    server = pacs.Orthanc(folder / "pacs", aet="ORTHANC", modalities={"WORKSTATION": (H, 1)})
    with server:
        pid = server.pid
        for path in make_study(folder) + [tools.testdata("CT_small.dcm"),
                                          tools.testdata("MR_small.dcm")]:
            server.upload(path)
        yield server
    assert_stopped(server, pid)


def rest_values(server, level: str, keyword: str, ids=None) -> set[str]:
    plural = {"Patient": "patients", "Study": "studies", "Series": "series",
              "Instance": "instances"}[level]
    ids = getattr(server, plural)() if ids is None else ids
    return {server.tags(plural, i)[keyword] for i in ids}


def served_by_sop_uid(server) -> dict[str, bytes]:
    return {server.tags("instances", i)["SOPInstanceUID"]: server.file(i)
            for i in server.instances()}


PADDING = b"\xfc\xff\xfc\xff"  # (FFFC,FFFC) Data Set Trailing Padding


def assert_equal_to_what_orthanc_serves(server, files: list[Path], expected_count: int) -> None:
    """Each file's data set, byte for byte, is the one Orthanc serves for that instance.

    One allowed difference: Orthanc's sender (dcmtk) drops a trailing (FFFC,FFFC) Data Set
    Trailing Padding, which carries no meaning (PS3.5 7.6); pydicom's CT_small.dcm has one.
    """
    served = served_by_sop_uid(server)
    assert len(files) == expected_count
    assert len({pydicom.dcmread(p).SOPInstanceUID for p in files}) == expected_count
    for path in files:
        data = path.read_bytes()
        ds = pydicom.dcmread(io.BytesIO(data))
        original = served[ds.SOPInstanceUID]
        ours, theirs = dataset_bytes(data), dataset_bytes(original)
        assert theirs.startswith(ours), path
        rest = theirs[len(ours):]  # nothing, or exactly one padding element
        assert rest == b"" or (rest.startswith(PADDING)
                               and len(rest) == 12 + int.from_bytes(rest[8:12], "little")), path
        expected = pydicom.dcmread(io.BytesIO(original))
        if 0xFFFCFFFC in expected and 0xFFFCFFFC not in ds:
            del expected[0xFFFCFFFC]
        assert ds == expected
    assert not [p for p in files[0].parents[3].rglob("*.part")]


# ----------------------------------------------------------------------------- C-FIND

#: The codes PS3.4 gives each service (C.4.1.1.4, C.4.2.1.5, C.4.3.1.4), beside PS3.7's general ones.
STANDARD_CODES = {
    "find": {0x0000, 0xFE00, 0xFF00, 0xFF01, 0xA700, 0xA900, 0xC000, 0xCFFF},
    "move": {0x0000, 0xFE00, 0xFF00, 0xB000, 0xA701, 0xA702, 0xA801, 0xA900, 0xC000, 0xCFFF},
    "get": {0x0000, 0xFE00, 0xFF00, 0xB000, 0xA701, 0xA702, 0xA900, 0xC000, 0xCFFF},
}


@pytest.mark.parametrize("service", ["find", "move", "get"])
def test_status_words_are_the_standards_and_pynetdicoms(service):
    """Every one of the 65,536 codes qr puts into words is in pynetdicom's table for the service
    with the same category, and the words are net.status's; the standard's codes all have
    words; an A7xx or A9xx code the standard does not give the service has none."""
    import pynetdicom.status as theirs

    table = {"find": theirs.QR_FIND_SERVICE_CLASS_STATUS,
             "move": theirs.QR_MOVE_SERVICE_CLASS_STATUS,
             "get": theirs.QR_GET_SERVICE_CLASS_STATUS}[service]
    known = {**theirs.GENERAL_STATUS, **table}
    words = {code: qr.status_text(code, service) for code in range(0x10000)}
    worded = {code for code, text in words.items() if not text.startswith("status 0x")}
    assert worded <= known.keys(), sorted(hex(c) for c in worded - known.keys())
    assert ({hex(c): net.status.category(c, service) for c in worded}
            == {hex(c): known[c][0] for c in worded})
    assert all(words[c] == net.status.status_text(c, service) for c in worded)
    assert STANDARD_CODES[service] <= worded
    assert {0xA711, 0xA9FF} & worded == set()
    if service != "find":
        assert 0xA700 not in worded   # C-FIND's code; C-MOVE and C-GET have A701 and A702
    with pytest.raises(ValueError, match="find, move, get"):
        qr.status_text(0, "store")


def test_find_at_every_level_equals_what_the_rest_api_lists(server):
    port = server.dicom_port
    patients = qr.find(H, port, {"PatientID": None}, level="PATIENT", model="patient")
    assert patients.ok and {m.PatientID for m in patients.matches} == rest_values(
        server, "Patient", "PatientID")
    studies = qr.find(H, port, {"StudyInstanceUID": None}, level="STUDY")
    assert {m.StudyInstanceUID for m in studies.matches} == rest_values(
        server, "Study", "StudyInstanceUID")
    study_id = server.find("Study", {"StudyInstanceUID": STUDY})[0]
    series = qr.find(H, port, {"StudyInstanceUID": STUDY, "SeriesInstanceUID": None,
                               "Modality": None}, level="SERIES")
    rest_series = [s["ID"] for s in server.get(f"/studies/{study_id}/series")]
    assert {m.SeriesInstanceUID for m in series.matches} == rest_values(
        server, "Series", "SeriesInstanceUID", rest_series) == {SERIES}
    images = qr.find(H, port, ["QueryRetrieveLevel=IMAGE", f"StudyInstanceUID={STUDY}",
                               f"SeriesInstanceUID={SERIES}", "SOPInstanceUID"])
    rest_images = [i["ID"] for i in server.get(f"/series/{rest_series[0]}/instances")]
    assert {m.SOPInstanceUID for m in images.matches} == rest_values(
        server, "Instance", "SOPInstanceUID", rest_images)
    assert len(images.matches) == 3 and "SOPInstanceUID" in images.table()


@pytest.mark.parametrize("query", [
    {"PatientName": "Compressed*"}, {"PatientName": "*CT?"}, {"PatientName": "Test^Query*"},
    {"StudyDate": "20040101-20040630"}, {"StudyDate": "-20040301"},
    {"StudyDate": "20040801-"}, {"StudyDate": "20240315"}, {"PatientID": "NOBODY"},
])
def test_wildcards_and_date_ranges_match_as_orthanc_does(server, query):
    result = qr.find(H, server.dicom_port, {**query, "StudyInstanceUID": None,
                                            "StudyDate": query.get("StudyDate")},
                     level="STUDY")
    assert result.ok  # no match is a completed query too
    expected = rest_values(server, "Study", "StudyInstanceUID", server.find("Study", query))
    assert {m.StudyInstanceUID for m in result.matches} == expected


def test_return_keys_come_back_with_the_values_orthanc_stores(server):
    result = qr.find(H, server.dicom_port, {"PatientName": "*CT1", "StudyDate": None,
                                            "PatientID": None, "StudyInstanceUID": None},
                     level="STUDY")
    (match,) = result.matches
    (study_id,) = server.find("Study", {"PatientName": "*CT1"})
    tags = server.tags("studies", study_id)
    assert (match.StudyDate, match.PatientID) == (tags["StudyDate"], tags["PatientID"])
    assert "1 match(es)" in result.message() and "Success" in result.message()
    assert json.loads(result.to_json())[0]["00080020"]["Value"] == [tags["StudyDate"]]


def test_a_query_at_the_wrong_level_is_explained_before_asking(server):
    with pytest.raises(qr.QueryLevelError, match="Study Root model has no PATIENT level"):
        qr.find(H, server.dicom_port, {"PatientID": None}, level="PATIENT")
    with pytest.raises(qr.QueryLevelError, match="Modality is a SERIES attribute"):
        qr.find(H, server.dicom_port, {"Modality": "CT"}, level="STUDY")
    with pytest.raises(qr.QueryLevelError, match="no QueryRetrieveLevel"):
        qr.find(H, server.dicom_port, {"PatientID": None})
    with pytest.raises(qr.QueryLevelError, match="needs the StudyInstanceUID"):
        qr.get(H, server.dicom_port, {"StudyInstanceUID": "1.2*"}, "unused", level="STUDY")


def test_a_query_without_the_unique_keys_above_is_named_relational(server):
    """A SERIES query by PatientID (no StudyInstanceUID) is not baseline (PS3.4 C.4.1.2.1)."""
    relational = {"PatientID": "QR-TEST", "Modality": "CT", "SeriesInstanceUID": None}
    with pytest.raises(qr.QueryLevelError, match=r"names one STUDY by its StudyInstanceUID.*"
                                                 r"relational query.*ask at STUDY level first"):
        qr.find(H, server.dicom_port, relational, level="SERIES")
    with pytest.raises(qr.QueryLevelError, match=r"found '1\.2\\1\.3'"):   # a list is not one study
        qr.find(H, server.dicom_port, {"StudyInstanceUID": "1.2\\1.3", "SeriesInstanceUID": None},
                level="SERIES")
    with pytest.raises(qr.QueryLevelError, match=r"found '1\.2\*'"):
        qr.find(H, server.dicom_port, {"StudyInstanceUID": "1.2*", "SeriesInstanceUID": None},
                level="SERIES")
    with pytest.raises(qr.QueryLevelError, match=r"an IMAGE query .* SeriesInstanceUID"):
        qr.find(H, server.dicom_port, {"StudyInstanceUID": STUDY, "SOPInstanceUID": None},
                level="IMAGE")
    anyway = qr.find(H, server.dicom_port, relational, level="SERIES", relational=True)
    studies = qr.find(H, server.dicom_port, {"PatientID": "QR-TEST", "StudyInstanceUID": None},
                      level="STUDY")
    two_steps = {m.SeriesInstanceUID for study in studies.matches
                 for m in qr.find(H, server.dicom_port, {"StudyInstanceUID": study.StudyInstanceUID,
                                                         "Modality": "CT", "SeriesInstanceUID": None},
                                  level="SERIES").matches}
    assert {m.SeriesInstanceUID for m in anyway.matches} == two_steps == {SERIES}


def test_stock_orthanc_lets_anyone_echo_and_store_and_aborts_their_c_find(tmp_path):
    """Orthanc's defaults (DicomAlwaysAllowEcho/Store true): the abort is told in words."""
    with pacs.Orthanc(tmp_path / "stock", allow_unknown_aes=("echo", "store")) as stock:
        port = stock.dicom_port
        assert net.echo(H, port, called_ae=stock.aet, calling_ae="STRANGER", timeout=10).ok
        [sent] = net.send([tools.testdata("CT_small.dcm")], H, port, called_ae=stock.aet,
                          calling_ae="STRANGER", progress=False, timeout=10)
        assert sent.ok
        with pytest.raises(qr.AssociationRefused, match=r"accepted the association, then aborted"
                                                        r" it after our C-FIND.*'STRANGER'"):
            qr.find(H, port, {"StudyInstanceUID": None}, level="STUDY", calling_ae="STRANGER",
                    called_ae=stock.aet, timeout=10)
        assert "Rejected Find request" in stock.log_tail(5)


def test_a_calling_ae_the_pacs_does_not_know_is_refused_readably(server):
    with pytest.raises(qr.AssociationRefused) as caught:
        qr.find(H, server.dicom_port, {"PatientID": None}, level="STUDY",
                calling_ae="STRANGER", timeout=10)
    text = str(caught.value)
    assert "calling AE title not recognised" in text and "'STRANGER'" in text
    assert "DicomModalities" in text


# ----------------------------------------------------------------------------- C-MOVE

def test_move_brings_every_instance_of_the_study_to_our_storage_scp(server, tmp_path):
    with StorageSCP(tmp_path, ae_title="MOVE-HERE") as scp:
        server.add_modality("MOVE-HERE", H, scp.port)
        result = qr.move(H, server.dicom_port, {"StudyInstanceUID": STUDY}, "MOVE-HERE",
                         level="STUDY", receiver=scp, timeout=20)
    assert result.ok, result.message()
    assert (result.completed, result.failed, result.warning) == (3, 0, 0)
    assert_equal_to_what_orthanc_serves(server, result.files, 3)
    assert "3 completed, 0 failed, 0 warning" in result.message()


def test_move_to_a_third_ae(server, tmp_path):
    with StorageSCP(tmp_path, ae_title="THIRD") as third:
        server.add_modality("THIRD", H, third.port)
        result = qr.move(H, server.dicom_port, {"PatientID": "1CT1"}, "THIRD",
                         level="PATIENT", model="patient", timeout=20)
        assert third.wait_for(1, timeout=20)
        arrivals = list(third.received)
    assert result.ok and result.completed == 1 and result.files == []
    assert [a.calling_ae for a in arrivals] == ["ORTHANC"]  # the PACS stores, not the requester
    files = [a.path for a in arrivals]
    assert_equal_to_what_orthanc_serves(server, files, 1)


def test_move_to_an_unknown_destination_names_the_likely_cause(server):
    result = qr.move(H, server.dicom_port, {"StudyInstanceUID": STUDY}, "NOWHERE",
                     level="STUDY", timeout=20)
    assert not result.ok and result.status == 0xC000 and result.completed == 0
    text = result.message()
    assert "'NOWHERE'" in text and "DicomModalities" in text and "0xA801" in text
    with pytest.raises(qr.QueryRetrieveError, match="NOWHERE"):
        result.raise_for_status()


def test_move_to_our_scp_that_refuses_says_what_our_scp_said(server, tmp_path):
    def refuse(arrival):
        raise OSError(28, "No space left on device (refused on purpose)")

    with StorageSCP(tmp_path, ae_title="REFUSER", on_arrival=refuse) as scp:
        server.add_modality("REFUSER", H, scp.port)
        result = qr.move(H, server.dicom_port, {"StudyInstanceUID": STUDY}, "REFUSER",
                         level="STUDY", receiver=scp, timeout=20)
    assert not result.ok and result.completed == 0
    assert "our storage SCP 'REFUSER' refused" in result.message()


def test_our_associations_send_each_pdu_at_once(tmp_path):
    """TCP_NODELAY from the first PDU: an identifier never waits for the peer's delayed ACK."""
    from pynetdicom import evt
    from pynetdicom.sop_class import Verification

    from workshop_helpers.qr import services

    nodelay = []

    def sent(event) -> None:
        sock = event.assoc.dul.socket.socket
        nodelay.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

    with StorageSCP(tmp_path, ae_title="STORE", allowed_calling_aes=["WORKSTATION"]) as scp:
        ae = services._ae("WORKSTATION", net.Timeouts.of(10))
        ae.add_requested_context(Verification)
        assoc = services._associate(ae, H, scp.port, "STORE", handlers=[(evt.EVT_PDU_SENT, sent)])
        assert assoc.send_c_echo().Status == 0x0000
        assoc.release()
    assert len(nodelay) >= 3 and all(nodelay), nodelay  # A-ASSOCIATE-RQ, P-DATA, A-RELEASE-RQ


# ----------------------------------------------------------------------------- C-GET

def test_get_brings_every_instance_durably(server, tmp_path):
    result = qr.get(H, server.dicom_port, {"StudyInstanceUID": STUDY}, tmp_path,
                    level="STUDY", timeout=20)
    assert result.ok, result.message()
    assert (result.completed, result.failed, result.warning) == (3, 0, 0)
    assert_equal_to_what_orthanc_serves(server, result.files, 3)
    assert all(p.is_relative_to(tmp_path / "QR-TEST") for p in result.files)


def test_get_receives_to_disk_with_memory_bounded_by_a_piece(tmp_path, monkeypatch):
    """An 8 MB instance: the file is complete, Python's peak stays below 4 MB, no spool is left."""
    import tempfile
    import tracemalloc

    from pynetdicom import _config

    require_orthanc()
    spool = tmp_path / "spool"   # where pynetdicom's NamedTemporaryFile puts the data set
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    big = tools.save_atomically(make_ct(0, patient_id="QR-BIG", size=2048, seed=301),
                                tmp_path / "big.dcm")
    server = pacs.Orthanc(tmp_path / "pacs", aet="ORTHANC", modalities={"WORKSTATION": (H, 1)})
    with server:
        pid = server.pid
        server.upload(big)
        study = str(pydicom.dcmread(big, stop_before_pixels=True).StudyInstanceUID)
        tracemalloc.start()
        try:
            result = qr.get(H, server.dicom_port, {"StudyInstanceUID": study}, tmp_path / "got",
                            level="STUDY", timeout=30)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert result.ok and result.completed == 1, result.message()
        assert_equal_to_what_orthanc_serves(server, result.files, 1)
    assert_stopped(server, pid)
    assert big.stat().st_size > 8_000_000 and peak < 4_000_000, peak   # in memory whole: > 8 MB
    assert list(spool.iterdir()) == []                  # the spooled file was moved or removed
    assert _config.STORE_RECV_CHUNKED_DATASET is False  # the process-wide option is as it was


def test_get_without_role_selection_fails_and_says_why(server, tmp_path):
    result = qr.get(H, server.dicom_port, {"StudyInstanceUID": STUDY}, tmp_path,
                    level="STUDY", role_selection=False, timeout=20)
    assert not result.ok and result.completed == 0 and result.failed == 3
    assert result.files == [] and "role selection" in result.message()
    assert "Refused" in result.status_text or "Warning" in result.status_text


# ----------------------------------------------------------------------------- CLI

@pytest.fixture
def cli(capsys):
    """``cli(*args)`` runs ``main(args)`` in this process: ``returncode``, ``stdout``, ``stderr``."""
    def run(*args: str) -> SimpleNamespace:
        capsys.readouterr()
        code = main(list(args))
        out = capsys.readouterr()
        return SimpleNamespace(returncode=code, stdout=out.out, stderr=out.err)
    return run


def test_findscu_cli_prints_json_and_tables(server, cli):
    port = str(server.dicom_port)
    out = cli("findscu", "-aet", "WORKSTATION", "-aec", "ORTHANC", "-S",
              "-k", "QueryRetrieveLevel=STUDY", "-k", "PatientName=Compressed*",
              "-k", "0020,000d", "--json", "-to", "10", "-ta", "10", "-td", "10", H, port)
    assert out.returncode == 0, out.stderr
    found = {m["0020000D"]["Value"][0] for m in json.loads(out.stdout)}
    assert found == rest_values(server, "Study", "StudyInstanceUID",
                                server.find("Study", {"PatientName": "Compressed*"}))
    table = cli("findscu", "-P", "-k", "QueryRetrieveLevel=PATIENT", "-k", "PatientID=NOBODY",
                H, port)
    assert table.returncode == 0 and "0 match(es)" in table.stdout


def test_findscu_cli_refused_and_wrong_level_one_line_no_traceback(server, cli):
    port = str(server.dicom_port)
    refused = cli("findscu", "-aet", "STRANGER", "-k", "QueryRetrieveLevel=STUDY", H, port)
    wrong = cli("findscu", "-S", "-k", "QueryRetrieveLevel=PATIENT", H, port)
    for out in (refused, wrong):
        assert out.returncode == 1 and "Traceback" not in out.stderr
        assert len(out.stderr.strip().splitlines()) == 1 and out.stderr.startswith("findscu: ")
    assert "STRANGER" in refused.stderr and "PATIENT" in wrong.stderr


def test_getscu_and_movescu_cli_fetch_the_study(server, tmp_path, cli):
    port = str(server.dicom_port)
    got = cli("getscu", "-k", "QueryRetrieveLevel=STUDY", "-k", f"StudyInstanceUID={STUDY}",
              "-od", str(tmp_path / "get"), "-td", "20", H, port)
    assert got.returncode == 0, got.stderr
    assert "3 completed, 0 failed" in got.stdout
    assert_equal_to_what_orthanc_serves(server, sorted((tmp_path / "get").rglob("*.dcm")), 3)
    listen = pacs.free_port()
    server.add_modality("MOVESCU", H, listen)
    moved = cli("movescu", "-aet", "WORKSTATION", "-aem", "MOVESCU", "+P", str(listen),
                "-k", "QueryRetrieveLevel=STUDY", "-k", f"StudyInstanceUID={STUDY}",
                "-od", str(tmp_path / "move"), "-to", "10", "-ta", "10", "-td", "20", H, port)
    assert moved.returncode == 0, moved.stderr
    assert_equal_to_what_orthanc_serves(server, sorted((tmp_path / "move").rglob("*.dcm")), 3)
    assert pacs.port_is_free(listen)


def test_movescu_cli_unknown_destination_one_line(server, tmp_path, cli):
    out = cli("movescu", "-aem", "NOWHERE", "-k", "QueryRetrieveLevel=STUDY",
              "-k", f"StudyInstanceUID={STUDY}", "-od", str(tmp_path), H, str(server.dicom_port))
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    assert "NOWHERE" in out.stderr and "0xC000" in out.stderr


# ----------------------------------------------------------------------------- dcmtk agrees

def test_dcmtk_findscu_and_getscu_see_what_we_see(server, dcmtk, tmp_path):
    port = str(server.dicom_port)
    ours = qr.find(H, server.dicom_port, {"PatientName": "*", "StudyInstanceUID": None,
                                          "StudyDate": None}, level="STUDY")
    out = run_dcmtk(dcmtk, "findscu", "-S", "-aet", "WORKSTATION", "-aec", "ORTHANC",
                    "-k", "QueryRetrieveLevel=STUDY", "-k", "PatientName=*",
                    "-k", "StudyInstanceUID", "-k", "StudyDate", "-X",
                    "-od", tmp_path, "-to", "10", "-ta", "10", "-td", "10", H, port)
    assert out.returncode == 0, out.stderr
    theirs = [pydicom.dcmread(p) for p in sorted(tmp_path.glob("rsp*.dcm"))]
    assert ({(m.StudyInstanceUID, m.StudyDate) for m in theirs}
            == {(m.StudyInstanceUID, m.StudyDate) for m in ours.matches})
    (tmp_path / "dcmtk").mkdir()
    got = run_dcmtk(dcmtk, "getscu", "-S", "-aet", "WORKSTATION", "-aec", "ORTHANC",
                    "-k", "QueryRetrieveLevel=STUDY", "-k", f"StudyInstanceUID={STUDY}",
                    "-od", tmp_path / "dcmtk", "-to", "10", "-ta", "10", "-td", "20", H, port)
    assert got.returncode == 0, got.stderr
    mine = qr.get(H, server.dicom_port, {"StudyInstanceUID": STUDY}, tmp_path / "ours",
                  level="STUDY")
    dcmtk_files = {pydicom.dcmread(p).SOPInstanceUID: p for p in (tmp_path / "dcmtk").iterdir()}
    assert len(dcmtk_files) == len(mine.files) == 3
    for path in mine.files:
        ds = pydicom.dcmread(path)
        assert ds == pydicom.dcmread(dcmtk_files[ds.SOPInstanceUID])
