"""workshop_helpers.pacs: Orthanc (the real one) as a user process, its REST helpers, its end.

Needs /usr/sbin/Orthanc (Debian/Ubuntu package ``orthanc``): skipped with the reason where it is
missing, failed instead under ``WORKSHOP_REQUIRE_TOOLS=1``.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pydicom
import pytest
from conftest import assert_stopped, dataset_bytes, is_gone, require_dicomweb, require_orthanc
from pydicom.uid import DeflatedExplicitVRLittleEndian
from pynetdicom import AE
from pynetdicom.sop_class import CTImageStorage

from workshop_helpers import net, pacs, qr, servers, tools
from workshop_helpers.tools import ToolMissing


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_orthanc()
    folder = tmp_path_factory.mktemp("pacs")
    server = pacs.Orthanc(folder, modalities={"WORKSTATION": ("127.0.0.1", 11112)})
    with server:
        pid = server.pid
        yield server
    assert_stopped(server, pid)


def test_the_configuration_is_what_the_course_promises(server):
    config = json.loads(server.config_path.read_text())
    assert config["RemoteAccessAllowed"] is False and config["AuthenticationEnabled"] is True
    assert config["RegisteredUsers"] == {server.auth[0]: server.auth[1]} and len(server.auth[1]) >= 24
    assert config["DicomCheckCalledAet"] is True and config["DicomCheckModalityHost"] is True
    assert config["DeflatedTransferSyntaxAccepted"] is False
    assert config["DicomAet"] == server.aet and server.aet.startswith("ORTHANC-") and len(server.aet) == 16
    assert config["DicomPort"] == server.dicom_port and config["HttpPort"] == server.http_port
    assert config["StorageDirectory"].startswith(str(server.folder))
    assert config["IndexDirectory"].startswith(str(server.folder))
    assert config["DicomModalities"]["WORKSTATION"] == {"AET": "WORKSTATION",
                                                        "Host": "127.0.0.1", "Port": 11112}
    assert not any(v for k, v in config.items() if k.startswith("DicomAlwaysAllow"))


def test_it_answers_rest_and_c_echo_on_loopback(server):
    assert server.running and server.started_in is not None
    assert server.url == f"http://127.0.0.1:{server.http_port}"
    assert server.get("/system")["DicomAet"] == server.aet
    assert net.echo("127.0.0.1", server.dicom_port, called_ae=server.aet,
                    calling_ae="WORKSTATION", timeout=10).ok
    assert server.aet in repr(server) and str(server.pid) in repr(server)


def test_an_unknown_calling_ae_and_a_wrong_called_ae_are_refused(server):
    stranger = net.echo("127.0.0.1", server.dicom_port, called_ae=server.aet,
                        calling_ae="STRANGER", timeout=10)
    assert not stranger.ok and "calling AE title not recognised" in stranger.reason
    wrong = net.echo("127.0.0.1", server.dicom_port, called_ae="NOT-ORTHANC",
                     calling_ae="WORKSTATION", timeout=10)
    assert not wrong.ok and "called AE title not recognised" in wrong.reason


def test_upload_then_the_listings_and_the_file_served(server):
    for name in ("CT_small.dcm", "MR_small.dcm"):
        answer = server.upload(tools.testdata(name))
        assert answer["Status"] in ("Success", "AlreadyStored")
    assert len(server.patients()) == len(server.studies()) == len(server.series()) == 2
    uids = {server.tags("instances", i)["SOPInstanceUID"]: i for i in server.instances()}
    original = tools.testdata("CT_small.dcm").read_bytes()
    served = server.file(uids[pydicom.dcmread(tools.testdata("CT_small.dcm")).SOPInstanceUID])
    assert dataset_bytes(served) == dataset_bytes(original)
    assert pydicom.dcmread(io.BytesIO(served)) == pydicom.dcmread(io.BytesIO(original))
    ct = server.find("Study", {"PatientName": "*CT1"})
    assert [server.tags("studies", s)["PatientName"] for s in ct] == ["CompressedSamples^CT1"]


def test_course_data_is_the_phantom_and_pydicoms_ct_and_mr_all_stored(server, tmp_path):
    files = pacs.upload_course_data(server, tmp_path / "phantom", seed=10)
    assert [f.name for f in files[-2:]] == ["CT_small.dcm", "MR_small.dcm"] and len(files) == 10
    assert all(f.parent == tmp_path / "phantom" for f in files[:8])
    stored = {server.tags("instances", i)["SOPInstanceUID"] for i in server.instances()}
    assert {pydicom.dcmread(f, stop_before_pixels=True).SOPInstanceUID for f in files} <= stored
    again = pacs.upload_course_data(server, tmp_path / "again", seed=10)
    assert [pydicom.dcmread(f).SOPInstanceUID for f in again] == [pydicom.dcmread(f).SOPInstanceUID for f in files]


def test_a_modality_added_and_removed_through_the_rest_api(server):
    server.add_modality("ROUTER", "127.0.0.1", 11113)
    assert "ROUTER" in server.known_modalities()
    assert net.echo("127.0.0.1", server.dicom_port, called_ae=server.aet, calling_ae="ROUTER",
                    timeout=10).ok
    server.remove_modality("ROUTER")
    assert "ROUTER" not in server.known_modalities()
    assert not net.echo("127.0.0.1", server.dicom_port, called_ae=server.aet,
                        calling_ae="ROUTER", timeout=10).ok


def _status_without_credentials(url: str, authorization: str | None = None) -> int:
    request = urllib.request.Request(url)
    if authorization:
        request.add_header("Authorization", authorization)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_the_rest_api_needs_this_starts_password(server):
    assert _status_without_credentials(server.url + "/system") == 401
    assert _status_without_credentials(server.url + "/patients") == 401
    wrong = "Basic " + base64.b64encode(f"{server.auth[0]}:guess".encode()).decode()
    assert _status_without_credentials(server.url + "/system", wrong) == 401
    assert _status_without_credentials(server.url + "/system", server.authorization) == 200
    assert server.link().startswith(f"http://{server.auth[0]}:{server.auth[1]}@127.0.0.1:")


WAIT = 60   # seconds: a guard against a hang, not a measure of speed


def test_guessable_titles_are_refused_for_c_find_and_c_store(server):
    """Another user of the machine tries the course's fixed titles: no association.

    The waits are generous: a refusal comes at once, but a machine busy with other test runs
    has kept Orthanc from answering within 10 s.
    """
    ct = tools.testdata("CT_small.dcm")
    for called, calling in (("ORTHANC", "WORKSTATION"), (server.aet, "WORKSTATION-X"),
                            (server.aet, "PACS-HELPER"), ("ORTHANC", server.echo_aet)):
        # Refused: an A-ASSOCIATE-RJ, or (Orthanc, when busy) the connection closed unanswered.
        with pytest.raises(qr.AssociationRefused, match="rejected|closed the connection"):
            qr.find("127.0.0.1", server.dicom_port, {"PatientID": None}, level="STUDY",
                    calling_ae=calling, called_ae=called, timeout=WAIT)
        [sent] = net.send([ct], "127.0.0.1", server.dicom_port, called_ae=called,
                          calling_ae=calling, progress=False, timeout=WAIT)
        assert not sent.ok
    known = qr.find("127.0.0.1", server.dicom_port, {"PatientID": None}, level="STUDY",
                    calling_ae=server.echo_aet, called_ae=server.aet, timeout=WAIT)
    assert known.ok


def test_titles_made_at_each_start_are_valid_and_differ():
    titles = {pacs.new_title("WORKSTATION") for _ in range(20)}
    assert len(titles) == 20
    assert all(len(t) == 16 and t.startswith("WORKSTATION-") for t in titles)
    assert all(set(t[12:]) <= set(pacs.TITLE_CHARACTERS) for t in titles)
    assert pacs.new_title("A-VERY-LONG-BASE-NAME").startswith("A-VERY-LONG-")
    with pytest.raises(ValueError, match="capitals"):
        pacs.new_title("bad title")


def test_unknown_aes_may_be_let_in_per_service_as_stock_orthanc_does():
    stock = pacs.orthanc_config("/tmp/x", "PACS", 1, 2, allow_unknown_aes=("echo", "store"))
    assert {k: v for k, v in stock.items() if k.startswith("DicomAlwaysAllow")} == {
        "DicomAlwaysAllowEcho": True, "DicomAlwaysAllowStore": True, "DicomAlwaysAllowFind": False,
        "DicomAlwaysAllowGet": False, "DicomAlwaysAllowMove": False}
    assert all(v for k, v in pacs.orthanc_config("/tmp/x", "PACS", 1, 2, allow_unknown_aes=True).items()
               if k.startswith("DicomAlwaysAllow"))
    with pytest.raises(ValueError, match=r"services among .* not \['ecko'\]"):
        pacs.orthanc_config("/tmp/x", "PACS", 1, 2, allow_unknown_aes=["echo", "ecko"])


def test_a_deflated_transfer_syntax_is_refused(server):
    ae = AE(ae_title="WORKSTATION")
    ae.add_requested_context(CTImageStorage, [DeflatedExplicitVRLittleEndian])
    assoc = ae.associate("127.0.0.1", server.dicom_port, ae_title=server.aet)
    try:
        assert not assoc.is_established or not assoc.accepted_contexts
    finally:
        if assoc.is_established:
            assoc.release()


def test_its_folder_config_log_and_storage_are_its_owners_alone(server):
    server.upload(tools.testdata("MR_small.dcm"))
    assert stat.S_IMODE(server.folder.stat().st_mode) == 0o700
    for path in (server.config_path, server.log_path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    for path in (server.folder / "storage").rglob("*"):
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path
    assert server.auth[1] not in " ".join(psutil.Process(server.pid).cmdline())
    assert server.aet not in " ".join(psutil.Process(server.pid).cmdline())


def test_it_runs_with_nagles_algorithm_off_as_dcmtk_allows(server):
    # Debian's Orthanc uses the system's dcmtk, which disables Nagle only when TCP_NODELAY is set
    assert psutil.Process(server.pid).environ().get("TCP_NODELAY") == "1"


def test_it_closes_each_http_connection_after_its_answer(server):
    # an idle kept-alive connection (a requests.Session's) would hold up Orthanc's stop
    with socket.create_connection(("127.0.0.1", server.http_port), timeout=10) as sock:
        sock.sendall(f"GET /system HTTP/1.1\r\nHost: 127.0.0.1:{server.http_port}\r\n"
                     f"Authorization: {server.authorization}\r\n\r\n".encode())
        answer = b""
        while chunk := sock.recv(65536):  # b"" once Orthanc closed; a timeout if it kept it open
            answer += chunk
    head = answer.split(b"\r\n\r\n", 1)[0].lower().split(b"\r\n")
    assert head[0].startswith(b"http/1.1 200") and server.aet.encode() in answer
    assert b"connection: close" in head  # not "keep-alive" (Orthanc closes it 1 s later)


def test_a_rest_error_is_readable(server):
    with pytest.raises(pacs.OrthancError, match=r"answered 404 to GET /instances/nonexistent"):
        server.file("nonexistent")


def test_a_missing_binary_names_the_package(tmp_path):
    with pytest.raises(pacs.OrthancMissing, match=r"package 'orthanc'") as caught:
        pacs.Orthanc(tmp_path, program=str(tmp_path / "no-Orthanc-here")).start()
    assert isinstance(caught.value, ToolMissing)


def test_a_port_taken_gives_orthancs_own_words(tmp_path):
    require_orthanc()
    with socket.socket() as taken:
        taken.bind(("", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = pacs.Orthanc(tmp_path, dicom_port=port, http_port=pacs.free_port())
        with pytest.raises(pacs.OrthancError) as caught:
            server.start()
    text = str(caught.value)
    assert "Orthanc stopped at start" in text and str(tmp_path / "orthanc.log") in text
    assert "Orthanc has stopped" in text  # the last lines of its log
    assert not server.running


def test_stopped_by_pid_ports_free_and_stop_twice_is_safe(tmp_path):
    require_orthanc()
    server = pacs.Orthanc(tmp_path).start()
    pid = server.pid
    assert not pacs.port_is_free(server.dicom_port) and not pacs.port_is_free(server.http_port)
    server.stop()
    server.stop()
    assert_stopped(server, pid)
    assert server.log_tail(1).endswith("Orthanc has stopped")  # its own clean shutdown, not SIGKILL


def test_wait_waking_knocks_on_each_listening_port_until_the_process_ends():
    """A connection opened and closed on each port while the process lives; a port that
    refuses is left alone (knock says False)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(512)
        port = listener.getsockname()[1]
        free = pacs.free_port()
        proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(0.3)"])
        assert servers.wait_waking(proc, [port, free, 0], timeout=30) and proc.returncode == 0
        listener.setblocking(False)
        knocks = 0
        with contextlib.suppress(BlockingIOError):
            while True:
                listener.accept()[0].close()
                knocks += 1
    assert knocks >= 1
    assert not servers.knock(free)


CHILD = """
import sys, time
from workshop_helpers import pacs
server = pacs.Orthanc(sys.argv[1]).start()
print(server.pid, server.dicom_port, server.http_port, flush=True)
time.sleep(600)
"""


def test_orthanc_goes_when_the_process_that_started_it_is_killed(tmp_path):
    require_orthanc()
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root)}
    parent = subprocess.Popen([sys.executable, "-c", CHILD, str(tmp_path)],
                              stdout=subprocess.PIPE, text=True, env=env)
    pid = None
    try:
        line = parent.stdout.readline()
        assert line, "the child did not start Orthanc"
        pid, dicom_port, http_port = map(int, line.split())
        parent.kill()  # like a kernel that dies: no atexit, no finally
        parent.wait()
        end = time.monotonic() + 60  # a bound, not a measurement
        while not is_gone(pid) and time.monotonic() < end:
            time.sleep(0.1)
        assert is_gone(pid)
        assert pacs.port_is_free(dicom_port) and pacs.port_is_free(http_port)
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        parent.stdout.close()
        if pid is not None and not is_gone(pid):
            os.kill(pid, signal.SIGKILL)


# ----------------------------------------------------------------------------- the DICOMweb plugin

def test_with_the_dicomweb_plugin_dicom_web_studies_answers(tmp_path):
    require_dicomweb()
    with pacs.Orthanc(tmp_path, dicomweb=True) as server:
        pid = server.pid
        config = json.loads(server.config_path.read_text())
        assert config["Plugins"] == [pacs.dicomweb_plugin()]
        assert "dicom-web" in server.get("/plugins")
        assert server.dicomweb_url == f"http://127.0.0.1:{server.http_port}/dicom-web"
        assert json.loads(server.rest("GET", "/dicom-web/studies")) == []
        server.upload(tools.testdata("CT_small.dcm"))
        studies = json.loads(server.rest("GET", "/dicom-web/studies"))
        uid = pydicom.dcmread(tools.testdata("CT_small.dcm")).StudyInstanceUID
        assert [s["0020000D"]["Value"] for s in studies] == [[uid]]
    assert_stopped(server, pid)


def test_without_the_plugin_there_is_no_dicom_web_root(server):
    assert json.loads(server.config_path.read_text())["Plugins"] == []
    with pytest.raises(pacs.OrthancError, match=r"answered 404 to GET /dicom-web/studies"):
        server.rest("GET", "/dicom-web/studies")


def test_a_missing_plugin_names_the_package(tmp_path):
    require_orthanc()
    assert pacs.dicomweb_plugin([str(tmp_path / "libOrthancDicomWeb.so*")]) is None
    server = pacs.Orthanc(tmp_path, plugin=str(tmp_path / "libOrthancDicomWeb.so"))
    with pytest.raises(pacs.DicomWebPluginMissing, match=r"package 'orthanc-dicomweb'") as caught:
        server.start()
    assert isinstance(caught.value, ToolMissing) and not server.running


def test_the_plugin_is_found_where_debian_puts_it(tmp_path):
    versioned = tmp_path / "lib" / "libOrthancDicomWeb.so.1.7"
    versioned.parent.mkdir()
    versioned.write_bytes(b"")
    places = [str(tmp_path / "share" / "libOrthancDicomWeb.so"),
              str(tmp_path / "lib" / "libOrthancDicomWeb.so*")]
    assert pacs.dicomweb_plugin(places) == str(versioned)


# ----------------------------------------------------------------------------- another user

NOBODY = 65534


def _as_nobody(*args, timeout: float = 30) -> subprocess.CompletedProcess:
    """Run a program as the Unix user nobody (another participant of a shared machine)."""
    return subprocess.run([str(a) for a in args], user=NOBODY, group=NOBODY, extra_groups=[],
                          env={"PATH": "/usr/bin:/bin", "TCP_NODELAY": "1"}, cwd="/",
                          capture_output=True, text=True, timeout=timeout)


def test_another_user_of_the_machine_gets_nothing_from_our_orthanc(dcmtk):
    """User B (nobody) against user A's Orthanc, on 127.0.0.1, as in a class on one machine:
    files, the REST API, DICOMweb and DICOM with the course's guessable titles are all refused."""
    require_dicomweb()
    if os.geteuid() != 0:
        pytest.skip("acting as another Unix user (nobody) needs root")
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("curl is not installed")
    shared = Path(tempfile.mkdtemp(prefix="pacs-class-"))  # under /tmp, where nobody may look
    try:
        shared.chmod(0o755)
        ct = shared / "ct.dcm"
        shutil.copy(tools.testdata("CT_small.dcm"), ct)
        ct.chmod(0o644)
        with pacs.Orthanc(shared / "a", modalities={"WORKSTATION": ("127.0.0.1", 1)},
                          dicomweb=True) as a:
            a.upload(tools.testdata("MR_small.dcm"))
            patient = a.patients()[0]
            for path in (a.config_path, a.log_path, a.folder / "storage", a.folder / "index"):
                assert _as_nobody("cat" if path.is_file() else "ls", path).returncode != 0, path
            cmdline = _as_nobody("cat", f"/proc/{a.pid}/cmdline").stdout
            assert a.aet not in cmdline and a.auth[1] not in cmdline and "orthanc.json" in cmdline
            for method, path in (("GET", "/patients"), ("DELETE", f"/patients/{patient}"),
                                 ("POST", "/tools/shutdown"), ("PUT", "/tools/log-level"),
                                 ("PUT", "/modalities/WORKSTATION"), ("GET", "/dicom-web/studies")):
                answer = _as_nobody(curl, "-s", "--noproxy", "*", "-o", "/dev/null", "-w", "%{http_code}",
                                    "-X", method, "-d", "{}", a.url + path)
                assert answer.stdout == "401", (method, path, answer.stdout, answer.stderr)
            for calling, called in (("WORKSTATION", "ORTHANC"), ("PACS-HELPER", a.aet),
                                    ("ROUTER", a.aet), ("ORTHANC", a.aet)):
                port = a.dicom_port
                tries = [("echoscu", "-aet", calling, "-aec", called, "127.0.0.1", port),
                         ("storescu", "-aet", calling, "-aec", called, "127.0.0.1", port, ct),
                         ("findscu", "-S", "-aet", calling, "-aec", called, "-k", "QueryRetrieveLevel=STUDY",
                          "-k", "StudyInstanceUID", "127.0.0.1", port),
                         ("getscu", "-S", "-aet", calling, "-aec", called, "-od", "/tmp", "-k",
                          "QueryRetrieveLevel=PATIENT", "-k", "PatientID=4MR1", "127.0.0.1", port),
                         ("movescu", "-S", "-aet", calling, "-aec", called, "-aem", calling, "-k",
                          "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=1.2", "127.0.0.1", port)]
                for name, *args in tries:
                    done = _as_nobody(dcmtk(name), *args)
                    assert done.returncode != 0 and "Association Rejected" in done.stderr, (name, calling, called)
            assert a.running and a.patients() == [patient] and len(a.instances()) == 1
            assert set(a.known_modalities()) == {"WORKSTATION", a.echo_aet}
    finally:
        shutil.rmtree(shared, ignore_errors=True)
