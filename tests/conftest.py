"""Shared fixtures: the real peers (dcmtk, dciodvfy, Orthanc) and scratch space.

A test that needs dcmtk, dciodvfy or Orthanc asks for the fixture. Where the tool is absent (a
learner's laptop) the test is skipped with the reason; under CI (``WORKSHOP_REQUIRE_TOOLS=1``, set
by ``.ci/run``) it fails instead, so the interop tests always run there. The same goes for a small
tmpfs (``small_tmpfs``), which needs the right to mount (root, as in CI containers).
"""

from __future__ import annotations

import os
import subprocess
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

@pytest.fixture
def orthanc(tmp_path):
    """Orthanc (the real one, :class:`workshop_helpers.pacs.Orthanc`) on free ports; stopped by
    its pid afterwards.

    Yields a namespace with ``port`` (DICOM), ``http_port``, ``aet`` ("ORTHANC"), ``storage``,
    ``log`` (its log file), ``pid`` and ``pacs`` (the :class:`~workshop_helpers.pacs.Orthanc`).
    The REST API answers 127.0.0.1 only (``RemoteAccessAllowed`` false); the called AE title is
    checked; any calling AE title is accepted here (``allow_unknown_aes``).
    """
    from workshop_helpers import pacs

    if pacs.orthanc_program() is None:
        _missing("Orthanc")
    home = tmp_path / "orthanc"
    server = pacs.Orthanc(home, aet="ORTHANC", allow_unknown_aes=True)
    try:
        server.start()
    except pacs.OrthancError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield SimpleNamespace(port=server.dicom_port, http_port=server.http_port, aet=server.aet,
                              storage=home / "storage", log=server.log_path, pid=server.pid,
                              pacs=server)
    finally:
        server.stop()


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

