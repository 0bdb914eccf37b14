"""A real PACS for the course: Orthanc, started as a user process on free ports.

:class:`Orthanc` writes a JSON configuration into a folder of ours (storage and index there),
starts ``/usr/sbin/Orthanc`` (Debian/Ubuntu package ``orthanc``) as a child process — never the
system service, which installing the package may have started on ports 4242/8042 — waits until
its REST API and a C-ECHO answer, and stops it by its process id on exit, at interpreter exit,
and (on Linux) when the Python process that started it dies, even by ``kill -9`` (the child
asks the kernel for SIGTERM when the *thread* that started it ends, ``PR_SET_PDEATHSIG``: start
it from the main thread, as a notebook or a test does, not from a short-lived worker thread).

What the configuration says, and why:

- ``DicomModalities``: the AEs of the course, ``{aet: (host, port)}``. Orthanc lets a *known*
  AE find, get, move and store; an unknown calling AE is refused at association time unless
  ``allow_unknown_aes=True`` (that sets Orthanc's ``DicomAlwaysAllow*``). For a C-MOVE Orthanc
  opens a new association to the destination's host and port listed here, calling it by the
  destination's AE title; a destination it does not know gets status 0xC000 with no comment.
- ``DicomCheckCalledAet``: an association that calls another AE title than ours is rejected.
- ``RemoteAccessAllowed`` false, ``AuthenticationEnabled`` false: the REST API answers only
  requests from this machine, without a password.
- ``dicomweb=True`` loads Orthanc's DICOMweb plugin (Debian/Ubuntu package ``orthanc-dicomweb``,
  found by :func:`dicomweb_plugin`): QIDO-RS, WADO-RS and STOW-RS (PS3.18) under
  ``/dicom-web/``, next to Orthanc's own REST API on the same HTTP port. WADO-URI stays off.
- Orthanc 1.10 has **no setting for the address it listens on**: its DICOM and HTTP ports are
  open on every network interface of the machine. ``RemoteAccessAllowed`` false refuses HTTP
  from elsewhere, and only known AEs get DICOM associations, but the ports are still reachable:
  use it on a trusted machine, and talk to it on 127.0.0.1 only (as everything here does).

Examples
--------
>>> config = orthanc_config("/tmp/pacs", "ORTHANC", 11112, 18042, {"WORKSTATION": ("127.0.0.1", 11113)})
>>> config["DicomModalities"]
{'WORKSTATION': {'AET': 'WORKSTATION', 'Host': '127.0.0.1', 'Port': 11113}}
>>> config["RemoteAccessAllowed"], config["DicomCheckCalledAet"], config["DicomAlwaysAllowFind"]
(False, True, False)
>>> web = orthanc_config("/tmp/pacs", "ORTHANC", 11112, 18042, plugins=["/p/libOrthancDicomWeb.so"])
>>> web["Plugins"], web["DicomWeb"]["Root"]
(['/p/libOrthancDicomWeb.so'], '/dicom-web/')
"""

from __future__ import annotations

import atexit
import ctypes
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import weakref
from collections.abc import Iterable
from pathlib import Path

from . import net, phantom, tools
from .tools import ToolMissing

PACKAGE = "orthanc"  # the Debian/Ubuntu package
PROGRAM = "/usr/sbin/Orthanc"
DICOMWEB_PACKAGE = "orthanc-dicomweb"
# Where Debian and Ubuntu put the plugin: a link in Orthanc's plugin folder, the versioned
# library in /usr/lib/orthanc; /usr/local for one built from source.
DICOMWEB_PLACES = ("/usr/share/orthanc/plugins/libOrthancDicomWeb.so",
                   "/usr/lib/orthanc/libOrthancDicomWeb.so*",
                   "/usr/local/share/orthanc/plugins/libOrthancDicomWeb.so",
                   "/usr/local/lib/orthanc/libOrthancDicomWeb.so*")
DICOMWEB_ROOT = "/dicom-web/"


class OrthancMissing(ToolMissing):
    """Orthanc is not installed (Debian/Ubuntu package ``orthanc``)."""


class OrthancError(RuntimeError):
    """Orthanc did not start, stopped, or its REST API answered with an error."""


class DicomWebPluginMissing(ToolMissing):
    """Orthanc's DICOMweb plugin is not installed (Debian/Ubuntu package ``orthanc-dicomweb``)."""


def dicomweb_plugin(places: Iterable[str] = DICOMWEB_PLACES) -> str | None:
    """Full path of Orthanc's DICOMweb plugin (``libOrthancDicomWeb.so``), or None.

    Parameters
    ----------
    places : iterable of str
        Paths or glob patterns, tried in order (default: where Debian/Ubuntu install it).

    Returns
    -------
    str or None
        The first readable file found, or None when there is none.

    Examples
    --------
    >>> dicomweb_plugin(["/nowhere/libOrthancDicomWeb.so"]) is None
    True
    """
    for place in places:
        for path in sorted(glob.glob(place)) if any(c in place for c in "*?[") else [place]:
            if os.path.isfile(path) and os.access(path, os.R_OK):
                return path
    return None


def orthanc_program() -> str | None:
    """Full path of the Orthanc binary, or None (``/usr/sbin`` is not on a user's PATH).

    Returns
    -------
    str or None
        ``Orthanc`` on PATH, else ``/usr/sbin/Orthanc`` if it is there, else None.

    Examples
    --------
    >>> orthanc_program() in (None, shutil.which("Orthanc") or PROGRAM)
    True
    """
    found = shutil.which("Orthanc")
    if found:
        return found
    return PROGRAM if os.access(PROGRAM, os.X_OK) else None


def free_port() -> int:
    """A TCP port free on *every* address (Orthanc listens on all of them), as the OS picks it.

    :func:`workshop_helpers.net.free_port` asked for every address (``""``).

    Returns
    -------
    int
        The port number.

    Examples
    --------
    >>> 1024 <= free_port() <= 65535
    True
    """
    return net.free_port("")


def port_is_free(port: int) -> bool:
    """True when nothing listens on ``port`` (on any address): a server could bind it now.

    Uses ``SO_REUSEADDR`` as servers do, so connections in TIME_WAIT do not count.

    Parameters
    ----------
    port : int
        The TCP port.

    Returns
    -------
    bool
        False when something holds it (or it cannot be bound at all).

    Examples
    --------
    >>> with socket.socket() as s:
    ...     s.bind(("", 0)); s.listen(); taken = s.getsockname()[1]
    ...     port_is_free(taken)
    False
    """
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("", port))
            s.listen()
        except OSError:
            return False
        return True


def orthanc_config(folder: str | os.PathLike, aet: str, dicom_port: int, http_port: int,
                   modalities: dict[str, tuple[str, int]] | None = None, *,
                   allow_unknown_aes: bool = False, name: str = "workshop-pacs",
                   plugins: list[str] | None = None) -> dict:
    """Orthanc's JSON configuration for a PACS of the course (a pure function).

    Parameters
    ----------
    folder : path
        Storage (``folder/storage``) and index (``folder/index``) go here.
    aet : str
        Orthanc's AE title; associations calling another one are rejected.
    dicom_port, http_port : int
        Where Orthanc listens (on all addresses: Orthanc 1.10 cannot bind one).
    modalities : dict
        ``{aet: (host, port)}``: the AEs that may find, get, move and store, and where Orthanc
        sends a C-MOVE to them.
    allow_unknown_aes : bool
        Let any calling AE title in (``DicomAlwaysAllow*`` true).
    name : str
        Orthanc's ``Name``, shown in its web page and REST API.
    plugins : list of str, optional
        Shared libraries Orthanc loads; the DICOMweb plugin's section (root ``/dicom-web/``,
        WADO-URI off) is written whether it is among them or not (Orthanc ignores it then).

    Returns
    -------
    dict
        Ready for ``json.dumps``.
    """
    folder = Path(folder)
    always = bool(allow_unknown_aes)
    return {
        "Name": name,
        "StorageDirectory": str(folder / "storage"),
        "IndexDirectory": str(folder / "index"),
        "StorageCompression": False,
        "Plugins": list(plugins or []),
        "HttpServerEnabled": True,
        "HttpPort": int(http_port),
        "RemoteAccessAllowed": False,
        "AuthenticationEnabled": False,
        "SslEnabled": False,
        "DicomServerEnabled": True,
        "DicomAet": aet,
        "DicomPort": int(dicom_port),
        "DicomCheckCalledAet": True,
        "DicomCheckModalityHost": False,
        "DicomAlwaysAllowEcho": always,
        "DicomAlwaysAllowStore": always,
        "DicomAlwaysAllowFind": always,
        "DicomAlwaysAllowGet": always,
        "DicomAlwaysAllowMove": always,
        "DicomModalities": {a: _modality(a, host, port)
                            for a, (host, port) in (modalities or {}).items()},
        "DicomModalitiesInDatabase": False,
        "DicomScpTimeout": 30,
        "DicomScuTimeout": 10,
        "DicomAssociationCloseDelay": 0,  # close the C-MOVE's store association at once
        "SaveJobs": False,
        "UnknownSopClassAccepted": False,
        "ExecuteLuaEnabled": False,
        # Host: the address written into BulkDataURIs and Retrieve URLs (else taken from the
        # request's Host header, which some clients send without the port)
        "DicomWeb": {"Enable": True, "Root": DICOMWEB_ROOT, "EnableWado": False, "Ssl": False,
                     "Host": f"127.0.0.1:{int(http_port)}"},
    }


def _modality(aet: str, host: str, port: int) -> dict:
    return {"AET": aet, "Host": host, "Port": int(port)}


def knock(port: int, host: str = "127.0.0.1") -> bool:
    """Open a TCP connection to ``host:port`` and close it at once; False when it is refused.

    Parameters
    ----------
    port : int
        The port.
    host : str
        The address (the course's servers: 127.0.0.1).

    Returns
    -------
    bool
        False when nothing listens there any more (connection refused), True otherwise.

    Examples
    --------
    >>> knock(free_port())
    False
    """
    try:
        with socket.create_connection((host, port), timeout=0.2):
            return True
    except ConnectionRefusedError:
        return False
    except OSError:  # a timeout or a reset: something is still there
        return True


def wait_waking(proc: subprocess.Popen, ports: Iterable[int], timeout: float = 20) -> bool:
    """Wait until an Orthanc that got SIGTERM has exited, waking its listeners meanwhile.

    Orthanc 1.10 looks at its stop flag only between two waits for a new connection, and
    both waits are fixed in its code, not in its configuration: CivetWeb's HTTP listener polls
    in slices of 2 s (``SOCKET_TIMEOUT_QUANTUM``), the DICOM server in slices of 1 s
    (``ASC_receiveAssociation(..., DUL_NOBLOCK, 1)``). After SIGTERM it stops the HTTP server,
    then the DICOM server: up to 3 s of waiting (3.5 s measured, with the jobs engine's and the
    index's threads). A connection opened and closed at once ends such a wait; Orthanc then
    sees the flag and goes on with its normal shutdown (its log says "Orthanc has stopped").
    ``benchmarks/orthanc_stop.py`` measures both ways.

    Parameters
    ----------
    proc : subprocess.Popen
        The Orthanc process, already sent SIGTERM.
    ports : iterable of int
        Its HTTP and DICOM ports (on 127.0.0.1); each is knocked on until it refuses.
    timeout : float
        Seconds to wait in all.

    Returns
    -------
    bool
        True when the process has exited, False after ``timeout``.
    """
    listening = [p for p in ports if p]
    end = time.monotonic() + timeout
    while True:
        listening = [p for p in listening if knock(p)]
        try:
            proc.wait(0.02)
            return True
        except subprocess.TimeoutExpired:
            if time.monotonic() > end:
                return False


# Every Orthanc still running when the interpreter exits is stopped then.
_RUNNING: weakref.WeakSet = weakref.WeakSet()


@atexit.register
def _stop_all() -> None:
    for server in list(_RUNNING):
        server.stop()


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the child gets SIGTERM when the thread that started it dies (kernel killed)."""
    if _PRCTL is not None:
        _PRCTL(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _load_prctl():
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl  # loaded once, before any fork
    except (OSError, AttributeError):
        return None


_PRCTL = _load_prctl()


class Orthanc:
    """Orthanc as a child process of ours, configured for the course.

    Parameters
    ----------
    folder : path
        Where the configuration (``orthanc.json``), the log (``orthanc.log``), the storage and
        the index go; created if missing.
    aet : str
        Orthanc's AE title (called AE titles are checked).
    modalities : dict
        ``{aet: (host, port)}``, the AEs Orthanc knows (see :func:`orthanc_config`).
    dicom_port, http_port : int
        0 (the default) picks free ports.
    allow_unknown_aes : bool
        Accept any calling AE title (by default only those in ``modalities`` and ``echo_aet``).
    echo_aet : str
        The AE title this helper uses to C-ECHO Orthanc while it starts; it is added to the
        modalities (host 127.0.0.1, port 1: nothing listens there, a C-MOVE to it fails).
    start_timeout : float
        Seconds to wait for Orthanc to answer before giving up with its log.
    program : str, optional
        The Orthanc binary (default: found on PATH or ``/usr/sbin/Orthanc``).
    dicomweb : bool
        Load the DICOMweb plugin: QIDO-RS, WADO-RS, STOW-RS at :attr:`dicomweb_url`.
    plugin : str, optional
        The plugin's path (default: :func:`dicomweb_plugin`).

    Raises
    ------
    OrthancMissing
        When the binary is not there (install the Debian/Ubuntu package ``orthanc``).
    DicomWebPluginMissing
        When ``dicomweb=True`` and the plugin is not there (package ``orthanc-dicomweb``).
    OrthancError
        When Orthanc does not answer in time; the message ends with the last lines of its log.

    Examples
    --------
    >>> import tempfile
    >>> if orthanc_program() is None:
    ...     print(1)   # doctest: +SKIP
    ... else:
    ...     with tempfile.TemporaryDirectory() as d, Orthanc(d) as pacs:
    ...         print(len(pacs.studies()))
    0
    """

    def __init__(self, folder: str | os.PathLike, aet: str = "ORTHANC",
                 modalities: dict[str, tuple[str, int]] | None = None, *,
                 dicom_port: int = 0, http_port: int = 0, allow_unknown_aes: bool = False,
                 echo_aet: str = "PACS-HELPER", start_timeout: float = 30,
                 program: str | None = None, dicomweb: bool = False,
                 plugin: str | None = None) -> None:
        self.folder = Path(folder).resolve()
        self.aet = aet
        self.modalities = dict(modalities or {})
        self.echo_aet = echo_aet
        self.allow_unknown_aes = allow_unknown_aes
        self._ports = (int(dicom_port), int(http_port))
        self.start_timeout = start_timeout
        self.program = program
        self.dicomweb = bool(dicomweb or plugin)
        self.plugin = plugin
        self.config_path = self.folder / "orthanc.json"
        self.log_path = self.folder / "orthanc.log"
        self.dicom_port = 0
        self.http_port = 0
        self.started_in: float | None = None  # seconds from Popen to the first C-ECHO answered
        self._proc: subprocess.Popen | None = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ life cycle
    @property
    def pid(self) -> int | None:
        """The process id of the running Orthanc (None when stopped)."""
        return self._proc.pid if self._proc is not None and self._proc.poll() is None else None

    @property
    def running(self) -> bool:
        """True while our Orthanc process lives."""
        return self.pid is not None

    @property
    def url(self) -> str:
        """The REST API's base URL (``http://127.0.0.1:<http_port>``)."""
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def dicomweb_url(self) -> str:
        """The DICOMweb root (``http://127.0.0.1:<http_port>/dicom-web``), without a final ``/``."""
        return self.url + DICOMWEB_ROOT.rstrip("/")

    def _plugins(self) -> list[str]:
        if not self.dicomweb:
            return []
        path = self.plugin or dicomweb_plugin()
        if path is None or not os.path.isfile(path):
            looked = path or ", ".join(DICOMWEB_PLACES)
            raise DicomWebPluginMissing(
                f"Orthanc's DICOMweb plugin is not installed (looked for {looked}); install "
                f"the Debian/Ubuntu package '{DICOMWEB_PACKAGE}' "
                f"(apt-get install {DICOMWEB_PACKAGE})")
        return [path]

    def start(self) -> Orthanc:
        """Write the configuration, start Orthanc and wait until it answers; returns ``self``.

        When a free port was taken by someone else between choosing and listening, it tries
        again with other ports (three times in all).
        """
        with self._lock:
            if self._proc is not None:
                return self
            program = self.program or orthanc_program()
            if program is None or not os.access(program, os.X_OK):
                raise OrthancMissing(
                    f"Orthanc is not installed (looked for {program or PROGRAM} and on PATH); "
                    f"install the Debian/Ubuntu package '{PACKAGE}' (apt-get install {PACKAGE})")
            plugins = self._plugins()
            self.folder.mkdir(parents=True, exist_ok=True)
            fixed = any(self._ports)
            for attempt in range(1 if fixed else 3):
                try:
                    self._start_once(program, plugins)
                    break
                except OrthancError:
                    if fixed or attempt == 2 or not self._port_taken():
                        raise
            _RUNNING.add(self)
            return self

    def _start_once(self, program: str, plugins: list[str]) -> None:
        self.dicom_port = self._ports[0] or free_port()
        self.http_port = self._ports[1] or free_port()
        while self.http_port == self.dicom_port:
            self.http_port = free_port()
        modalities = {self.echo_aet: ("127.0.0.1", 1), **self.modalities}
        config = orthanc_config(self.folder, self.aet, self.dicom_port, self.http_port,
                                modalities, allow_unknown_aes=self.allow_unknown_aes,
                                plugins=plugins)
        self.config_path.write_text(json.dumps(config, indent=2))
        began = time.monotonic()
        with open(self.log_path, "ab") as log:
            log.write(f"--- {time.strftime('%H:%M:%S')} {program} {self.config_path}\n".encode())
            log.flush()
            self._proc = subprocess.Popen(
                [program, str(self.config_path)], stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, cwd=self.folder, preexec_fn=_die_with_parent)
        try:
            self._wait_until_ready(began)
        except BaseException:
            self._terminate()
            raise
        self.started_in = time.monotonic() - began

    def _wait_until_ready(self, began: float) -> None:
        end = began + self.start_timeout
        rest_ok = False
        while True:
            if self._proc.poll() is not None:
                raise OrthancError(f"Orthanc stopped at start (exit code {self._proc.returncode})"
                                   f"; its log {self.log_path} ends with:\n{self.log_tail()}")
            if not rest_ok:
                rest_ok = self._answers_rest()
            if rest_ok and self._answers_echo() and self._answers_dicomweb():
                return
            if time.monotonic() > end:
                raise OrthancError(
                    f"Orthanc did not answer on HTTP port {self.http_port} and C-ECHO on port "
                    f"{self.dicom_port} within {self.start_timeout:g} s; its log "
                    f"{self.log_path} ends with:\n{self.log_tail()}")
            time.sleep(0.05)

    def _answers_rest(self) -> bool:
        try:
            return "Version" in self.get("/system", timeout=2)
        except (OSError, OrthancError, ValueError):
            return False

    def _answers_dicomweb(self) -> bool:
        if not self.dicomweb:
            return True
        try:
            self.rest("GET", DICOMWEB_ROOT + "studies?limit=1", timeout=2)
            return True
        except OrthancError as exc:
            if "answered 404" in str(exc):  # the REST API is up, the plugin is not there
                raise OrthancError(f"Orthanc answers, but not under {DICOMWEB_ROOT}: its "
                                   f"DICOMweb plugin did not load; its log {self.log_path} "
                                   f"ends with:\n{self.log_tail()}") from None
            return False
        except OSError:
            return False

    def _answers_echo(self) -> bool:
        try:
            return net.echo("127.0.0.1", self.dicom_port, called_ae=self.aet,
                        calling_ae=self.echo_aet, timeout=2).ok
        except Exception:  # noqa: BLE001 - not ready yet, whatever the reason
            return False

    def _port_taken(self) -> bool:
        text = self.log_tail(30).lower()
        return "address already in use" in text or "bind" in text

    def stop(self) -> None:
        """Stop Orthanc by its pid: SIGTERM, wake its listeners, wait up to 20 s (safe twice).

        Only an Orthanc that has not exited 20 s after SIGTERM is killed (SIGKILL).
        """
        with self._lock:
            self._terminate()
            _RUNNING.discard(self)

    def _terminate(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
            if not wait_waking(proc, (self.http_port, self.dicom_port), timeout=20):
                proc.kill()
                proc.wait()

    def __enter__(self) -> Orthanc:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = (f"pid {self.pid}, DICOM 127.0.0.1:{self.dicom_port}, {self.url}"
                 if self.running else "stopped")
        return f"<Orthanc {self.aet!r} {state}, folder {self.folder}>"

    def log_tail(self, lines: int = 20) -> str:
        """The last ``lines`` lines of Orthanc's log (what it printed)."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    # ------------------------------------------------------------------ REST API
    def rest(self, method: str, path: str, body: bytes | None = None,
             content_type: str = "application/json", timeout: float = 30) -> bytes:
        """One request to Orthanc's REST API on 127.0.0.1; returns the body.

        Raises :class:`OrthancError` with Orthanc's answer when the status is not 2xx.
        """
        request = urllib.request.Request(self.url + path, data=body, method=method)
        if body is not None:
            request.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace").strip()
            raise OrthancError(f"Orthanc's REST API answered {exc.code} to {method} {path}: "
                               f"{detail[:500]}") from None

    def get(self, path: str, timeout: float = 30):
        """GET ``path`` and decode the JSON answer."""
        return json.loads(self.rest("GET", path, timeout=timeout))

    def patients(self) -> list[str]:
        """Orthanc's ids of the patients it stores (its own ids, not PatientID)."""
        return self.get("/patients")

    def studies(self) -> list[str]:
        """Orthanc's ids of the studies."""
        return self.get("/studies")

    def series(self) -> list[str]:
        """Orthanc's ids of the series."""
        return self.get("/series")

    def instances(self) -> list[str]:
        """Orthanc's ids of the instances."""
        return self.get("/instances")

    def tags(self, level: str, orthanc_id: str) -> dict:
        """The main DICOM tags of one resource, e.g. ``tags("studies", id)["StudyInstanceUID"]``."""
        info = self.get(f"/{level}/{orthanc_id}")
        tags = dict(info.get("MainDicomTags", {}))
        tags.update(info.get("PatientMainDicomTags", {}))
        return tags

    def find(self, level: str, query: dict) -> list[str]:
        """Orthanc's own matching (REST ``/tools/find``): ids at ``level`` whose tags match.

        ``level`` is Patient, Study, Series or Instance; ``query`` like
        ``{"PatientName": "DOE*", "StudyDate": "20240101-20241231"}``.
        """
        body = json.dumps({"Level": level, "Query": query}).encode()
        return json.loads(self.rest("POST", "/tools/find", body))

    def file(self, instance_id: str) -> bytes:
        """The DICOM file Orthanc stores for an instance, as bytes."""
        return self.rest("GET", f"/instances/{instance_id}/file")

    def upload(self, path) -> dict:
        """Store a DICOM file through the REST API; returns Orthanc's answer (``ID``, ``Status``)."""
        return json.loads(self.rest("POST", "/instances", Path(path).read_bytes(),
                                    "application/dicom"))

    def add_modality(self, aet: str, host: str, port: int) -> None:
        """Make ``aet`` known to Orthanc (may find/get/move/store; C-MOVE goes to host:port)."""
        body = json.dumps(_modality(aet, host, port)).encode()
        self.rest("PUT", f"/modalities/{aet}", body)
        self.modalities[aet] = (host, int(port))

    def remove_modality(self, aet: str) -> None:
        """Forget ``aet`` (Orthanc then refuses it, and answers a C-MOVE to it with 0xC000)."""
        self.rest("DELETE", f"/modalities/{aet}")
        self.modalities.pop(aet, None)

    def known_modalities(self) -> list[str]:
        """The names of the modalities Orthanc knows now (REST ``/modalities``)."""
        return self.get("/modalities")


def upload_course_data(orthanc: Orthanc, folder: str | os.PathLike, seed: int = 10) -> list[Path]:
    """Write the course's small phantom CT series and upload it, with pydicom's CT and MR test files.

    Parameters
    ----------
    orthanc : Orthanc
        A started server.
    folder : str or os.PathLike
        Where the phantom series is written (one file per slice).
    seed : int
        Seed of the phantom's UIDs and noise (:func:`phantom.write_series`), so the UIDs the text
        discusses come out the same on every run.

    Returns
    -------
    list of pathlib.Path
        The files uploaded: the 8 slices of a 64 x 48 phantom, then ``CT_small.dcm`` and
        ``MR_small.dcm``.
    """
    files = phantom.write_series(folder, shape=(64, 48, 8), seed=seed)
    files += [tools.testdata("CT_small.dcm"), tools.testdata("MR_small.dcm")]
    for path in files:
        orthanc.upload(path)
    return files
