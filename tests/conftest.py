"""Shared fixtures and helpers: the real peers (dcmtk, dciodvfy, Orthanc), test data, scratch space.

A test that needs dcmtk, dciodvfy or Orthanc asks for the fixture (or calls
:func:`require_orthanc`). Where the tool is absent (a learner's laptop) the test is skipped with
the reason; under CI (``WORKSHOP_REQUIRE_TOOLS=1``, set by ``.ci/run``) it fails instead, so the
interop tests always run there. The same goes for a small tmpfs (``small_tmpfs``), which needs
the right to mount (root, as in CI containers).

Plain helpers that test modules import (``from conftest import make_ct``): the one CT-data
factory (:func:`make_ct`, :func:`write_cts`), :func:`dataset_bytes`, :func:`stored_files`,
:func:`free_port` and :func:`dcmtk_storescp`. One Jupyter server with jupyter-server-proxy serves
the session's tests that go through it (``jupyter_proxy``).
"""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import shutil
import struct
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid

from workshop_helpers import net, pacs, tools
from workshop_helpers.errors import switched_on
from workshop_helpers.net import free_port

__all__ = ["NODELAY", "make_ct", "write_cts", "dataset_offset", "dataset_bytes", "stored_files",
           "free_port", "dcmtk_storescp", "run_dcmtk", "require_orthanc", "require_dicomweb",
           "is_gone", "assert_stopped", "headless_chromium", "browser_requests",
           "console_errors", "wait_until", "wait_for"]

#: dcmtk's programs with Nagle's algorithm off (see notebook 07): fast on 127.0.0.1.
NODELAY = {**os.environ, "TCP_NODELAY": "1"}


def _unavailable(message: str) -> None:
    if switched_on("WORKSHOP_REQUIRE_TOOLS"):
        pytest.fail(message + " but WORKSHOP_REQUIRE_TOOLS=1 says it must be there", pytrace=False)
    pytest.skip(message)


def _missing(what: str) -> None:
    _unavailable(f"{what} is not installed")


def require_orthanc() -> None:
    """Skip (fail under CI) unless Orthanc is installed."""
    if pacs.orthanc_program() is None:
        _missing("Orthanc (Debian/Ubuntu package 'orthanc')")


def require_dicomweb() -> None:
    """Skip (fail under CI) unless Orthanc and its DICOMweb plugin are installed."""
    require_orthanc()
    if pacs.dicomweb_plugin() is None:
        _missing("Orthanc's DICOMweb plugin (package 'orthanc-dicomweb')")


def _state(stat: Path) -> str:
    try:
        return stat.read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return "X"


def is_gone(pid: int) -> bool:
    """No such process, or only a zombie left for its (new) parent to reap.

    Every thread counts: the main thread of a dying multi-threaded process (Orthanc) can be a
    zombie while its other threads still run and hold its sockets open.
    """
    stats = [Path(f"/proc/{pid}/stat"), *Path(f"/proc/{pid}/task").glob("*/stat")]
    return all(_state(stat) in ("Z", "X") for stat in stats)


def assert_stopped(server: pacs.Orthanc, pid: int) -> None:
    """The Orthanc ``server`` (once ``pid``) is gone, with every thread, and its ports are free."""
    assert not server.running and server.pid is None
    assert is_gone(pid)
    assert pacs.port_is_free(server.dicom_port) and pacs.port_is_free(server.http_port)


# ----------------------------------------------------------------------------- test data

def make_ct(n: int = 0, *, patient_id: str = "NET^TEST", study: str | None = None,
            series: str | None = None, sop: str | None = None, size: int = 32, seed: int = 0,
            **attributes) -> Dataset:
    """A small, valid CT image made with pydicom: the one CT factory of the tests.

    UIDs and pixels follow from ``seed`` and ``n`` (slice ``n`` of series ``seed``);
    ``attributes`` (keyword=value) are set last, e.g. ``StudyDate="20240315"``.
    """
    rng = np.random.default_rng(seed + n)
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = CTImageStorage
    ds.SOPClassUID = CTImageStorage
    ds.SOPInstanceUID = (sop if sop is not None
                         else generate_uid(entropy_srcs=["net-test", str(seed), str(n)]))
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.PatientName = "NET^TEST"
    ds.PatientID = patient_id
    ds.StudyInstanceUID = study or generate_uid(entropy_srcs=["net-study", str(seed)])
    ds.SeriesInstanceUID = series or generate_uid(entropy_srcs=["net-series", str(seed)])
    ds.Modality = "CT"
    ds.InstanceNumber = n + 1
    ds.Rows = ds.Columns = size
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
    ds.RescaleIntercept, ds.RescaleSlope = -1024, 1
    ds.PixelData = rng.integers(-1000, 2000, (size, size), dtype=np.int16).tobytes()
    for keyword, value in attributes.items():
        setattr(ds, keyword, value)
    return ds


def write_cts(folder: Path, count: int, seed: int = 0, **kw) -> list[Path]:
    """``count`` slices of :func:`make_ct` written as ``folder/ct_<seed>_<n>.dcm``."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for n in range(count):
        p = folder / f"ct_{seed}_{n:04d}.dcm"
        make_ct(n=n, seed=seed, **kw).save_as(p, enforce_file_format=True)
        out.append(p)
    return out


def dataset_offset(source: Path | bytes) -> int:
    """Where the data set starts in a Part 10 file (or its bytes): after (0002,0000)'s group.

    Of a file only the first 144 bytes are read (some files here are 400 MB).
    """
    if isinstance(source, bytes):
        head = source[:144]
    else:
        with open(source, "rb") as f:
            head = f.read(144)
    assert head[128:132] == b"DICM", "not a DICOM Part 10 file"
    assert head[132:136] == b"\x02\x00\x00\x00", "no (0002,0000) group length first"
    return 144 + struct.unpack("<I", head[140:144])[0]


def dataset_bytes(source: Path | bytes) -> bytes:
    """The data set part of a file or of its bytes (everything after the File Meta Information)."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    return data[dataset_offset(data):]


def stored_files(folder: Path) -> list[Path]:
    """Every ``*.dcm`` below ``folder``, sorted."""
    return sorted(Path(folder).rglob("*.dcm"))


# ----------------------------------------------------------------------------- dcmtk

def dcmtk_storescp(dcmtk, folder: Path, aet: str = "STORESCP", port: int = 0):
    """dcmtk's storescp on a free (or given) port, stopped on exit (needs the dcmtk fixture)."""
    assert dcmtk("storescp")
    return net.dcmtk_storescp(folder, aet, port)


def run_dcmtk(dcmtk, name: str, *args, timeout: float = 60, text: bool = True,
              check: bool = False) -> subprocess.CompletedProcess:
    """Run dcmtk's program ``name`` (found by the dcmtk fixture) with TCP_NODELAY.

    Output is text, or bytes with ``text=False`` (a dump in a data set's own character set);
    ``check=True`` fails the test with the program's stderr when its status is not 0.
    """
    out = subprocess.run([dcmtk(name), *map(str, args)], capture_output=True, text=text,
                         timeout=timeout, env=NODELAY)
    if check and out.returncode:
        err = out.stderr if text else out.stderr.decode(errors="replace")
        pytest.fail(f"{name} {' '.join(map(str, args))}: status {out.returncode}: {err}")
    return out


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
    require_orthanc()
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


def headless_chromium(*extra: str, logs: tuple[str, ...] = ("browser", "performance")):
    """Debian's chromium, headless, driven by Selenium: the browser every browser test uses.

    Skips (fails under ``WORKSHOP_REQUIRE_TOOLS=1``) without Selenium, chromium or chromedriver.
    ``extra`` adds switches (``--disable-gpu``; ``--enable-unsafe-swiftshader`` for WebGL2);
    ``logs`` are the logs kept (console, network). No background traffic: the switches keep it
    from calling Google's hosts. The caller quits it (which stops chromedriver).
    """
    try:   # Selenium is a test dependency: a laptop without it skips the browser tests
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _unavailable("Selenium is not installed")
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if binary is None or driver_path is None:
        _unavailable("chromium and chromium-driver (Debian packages) are not installed")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                "--window-size=1400,1000", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", *extra):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {log: "ALL" for log in logs})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(60)
    return driver


def browser_requests(driver) -> list[str]:
    """Every URL the browser asked for since its performance log was last read."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def console_errors(driver, tolerated: tuple[str, ...] = ()) -> list[str]:
    """The browser console's errors since it was last read, but for those naming ``tolerated``."""
    return [e["message"] for e in driver.get_log("browser")
            if e["level"] == "SEVERE" and not any(t in e["message"] for t in tolerated)]


def wait_for(condition, timeout: float = 30, interval: float = 0.02) -> bool:
    """Poll ``condition()`` until it is true (True) or ``timeout`` seconds passed (False)."""
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            return False
        time.sleep(interval)
    return True


def wait_until(condition, seconds: float, what: str):
    """``condition()``'s first true value, polled; the test fails after ``seconds`` without it."""
    value = None

    def holds() -> bool:
        nonlocal value
        value = condition()
        return bool(value)

    if not wait_for(holds, seconds, 0.2):
        pytest.fail(f"waited {seconds:.0f} s for {what}")
    return value


# ----------------------------------------------------------------------------- a Jupyter server

_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@pytest.fixture(scope="session")
def jupyter_proxy(tmp_path_factory):
    """A Jupyter server with jupyter-server-proxy, as the course's JupyterLab has it: one a session.

    A user process on 127.0.0.1 at a free port (``make lab`` starts JupyterLab so), with a random
    token in its environment (not on its command line, which every user of the machine can read
    in /proc) and its own workspaces and settings folders (two test runs side by side, or a
    learner's lab, would otherwise write the same ``~/.jupyter/lab`` files); stopped by its pid
    when the session ends. Orthanc's pages answer under ``base + "/proxy/<its HTTP port>/"``.

    Yields a namespace with ``base`` (``http://127.0.0.1:PORT``), ``token``, ``port``, ``pid``
    and ``log`` (its log file). Skips (fails under ``WORKSHOP_REQUIRE_TOOLS=1``) without the
    ``jupyter`` command or jupyter-server-proxy.
    """
    jupyter = Path(sys.executable).with_name("jupyter")
    if not jupyter.is_file() or importlib.util.find_spec("jupyter_server_proxy") is None:
        _missing("Jupyter Server with jupyter-server-proxy (binder/requirements.txt)")
    folder = tmp_path_factory.mktemp("jupyter")
    port, token = free_port(), secrets.token_hex(24)
    log = folder / "server.log"
    with open(log, "w") as stderr:
        process = subprocess.Popen(
            [str(jupyter), "server", "--no-browser", "--allow-root", f"--port={port}",
             "--ServerApp.ip=127.0.0.1", "--ServerApp.port_retries=0",
             f"--LabApp.workspaces_dir={folder / 'workspaces'}",
             f"--LabApp.user_settings_dir={folder / 'settings'}"],
            env={**os.environ, "JUPYTER_TOKEN": token},
            stdout=subprocess.DEVNULL, stderr=stderr, cwd=folder)
    base = f"http://127.0.0.1:{port}"
    try:
        def answers() -> bool:
            if process.poll() is not None:
                pytest.fail(f"the Jupyter server stopped with status {process.returncode}:\n"
                            + log.read_text(errors="replace")[-2000:], pytrace=False)
            try:
                with _NO_PROXY.open(f"{base}/api?token={token}", timeout=2) as answer:
                    return answer.status == 200
            except OSError:
                return False

        wait_until(answers, 120, "the Jupyter server to answer")
        yield SimpleNamespace(base=base, token=token, port=port, pid=process.pid, log=log)
    finally:
        tools.stop_process(process)
