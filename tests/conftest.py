"""Shared fixtures: the real peers (dcmtk, dciodvfy, Orthanc) and scratch space.

A test that needs dcmtk, dciodvfy or Orthanc asks for the fixture. Where the tool is absent (a
learner's laptop) the test is skipped with the reason; under CI (``WORKSHOP_REQUIRE_TOOLS=1``, set
by ``.ci/run``) it fails instead, so the interop tests always run there. The same goes for a small
tmpfs (``small_tmpfs``), which needs the right to mount (root, as in CI containers).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from types import SimpleNamespace

import pytest

from workshop_helpers import tools


def _unavailable(message: str) -> None:
    if os.environ.get("WORKSHOP_REQUIRE_TOOLS", "") not in ("", "0"):
        pytest.fail(message + " but WORKSHOP_REQUIRE_TOOLS=1 says it must be there", pytrace=False)
    pytest.skip(message)


def _missing(what: str) -> None:
    _unavailable(f"{what} is not installed")


@pytest.fixture(scope="session")
def dcmtk():
    """A function ``dcmtk(name) -> full path`` of a dcmtk program (never pynetdicom's look-alike)."""
    if not tools.has_dcmtk():
        _missing("dcmtk")
    return tools.dcmtk_tool


@pytest.fixture(scope="session")
def dciodvfy():
    """A function ``dciodvfy(path) -> tools.Validation``."""
    if not tools.has_dciodvfy():
        _missing("dciodvfy (dicom3tools)")
    return tools.validate_file


# ----------------------------------------------------------------------------- Orthanc

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _orthanc_program() -> str | None:
    found = shutil.which("Orthanc")
    if found:
        return found
    return "/usr/sbin/Orthanc" if os.access("/usr/sbin/Orthanc", os.X_OK) else None


def _answers_echo(port: int, aet: str) -> bool:
    """A C-ECHO with plain pynetdicom (not the code under test)."""
    from pynetdicom import AE
    from pynetdicom.sop_class import Verification

    ae = AE(ae_title="FIXTURE")
    ae.acse_timeout = ae.dimse_timeout = ae.network_timeout = ae.connection_timeout = 2
    ae.add_requested_context(Verification)
    assoc = ae.associate("127.0.0.1", port, ae_title=aet)
    if not assoc.is_established:
        return False
    try:
        status = assoc.send_c_echo()
        return getattr(status, "Status", None) == 0
    finally:
        assoc.release()


@pytest.fixture
def orthanc(tmp_path):
    """Orthanc (the real one) as a storage SCP on free ports; stopped by its pid afterwards.

    Yields a namespace with ``port`` (DICOM), ``http_port``, ``aet`` ("ORTHANC"), ``storage`` and
    ``log`` (its log file). The REST API listens on 127.0.0.1 only (``RemoteAccessAllowed``
    false); the called AE title is checked.
    """
    program = _orthanc_program()
    if program is None:
        _missing("Orthanc")
    home = tmp_path / "orthanc"
    home.mkdir()
    ns = SimpleNamespace(port=_free_port(), http_port=_free_port(), aet="ORTHANC",
                         storage=home / "storage", log=home / "orthanc.log")
    config = {
        "Name": "workshop-test", "StorageDirectory": str(ns.storage),
        "IndexDirectory": str(home / "index"), "DicomServerEnabled": True,
        "DicomAet": ns.aet, "DicomPort": ns.port, "DicomCheckCalledAet": True,
        "HttpPort": ns.http_port, "RemoteAccessAllowed": False, "AuthenticationEnabled": False,
        "Plugins": [], "StorageCompression": False, "DicomScpTimeout": 30,
    }
    (home / "orthanc.json").write_text(json.dumps(config, indent=2))
    with open(ns.log, "wb") as log:
        proc = subprocess.Popen([program, str(home / "orthanc.json")], stdout=log,
                                stderr=subprocess.STDOUT, cwd=home)
    try:
        end = time.monotonic() + 30
        while not _answers_echo(ns.port, ns.aet):
            if proc.poll() is not None or time.monotonic() > end:
                pytest.fail(f"Orthanc did not answer C-ECHO on port {ns.port}:\n"
                            + ns.log.read_text(errors="replace")[-2000:], pytrace=False)
            time.sleep(0.1)
        ns.pid = proc.pid
        yield ns
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# ----------------------------------------------------------------------------- a disk that runs full

@pytest.fixture
def small_tmpfs(tmp_path):
    """A fresh 2 MiB tmpfs (a disk that runs full), unmounted afterwards; needs the right to mount."""
    mountpoint = tmp_path / "tmpfs"
    mountpoint.mkdir()
    try:
        out = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs",
                              str(mountpoint)], capture_output=True, text=True, timeout=30)
    except FileNotFoundError:
        out = SimpleNamespace(returncode=1, stderr="no mount command")
    if out.returncode != 0:
        _unavailable(f"cannot mount a tmpfs here ({out.stderr.strip() or 'not permitted'})")
    try:
        yield mountpoint
    finally:
        if subprocess.run(["umount", str(mountpoint)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(mountpoint)], capture_output=True)
        assert not os.path.ismount(mountpoint)

