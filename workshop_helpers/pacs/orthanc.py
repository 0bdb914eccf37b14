"""The :class:`Orthanc` process: started as a child of ours on free ports, asked, stopped.

Its REST API (:meth:`Orthanc.rest`, with the password made at each start), its DICOMweb root,
the OHIF Viewer's link, and the modalities it knows. Every Orthanc still running when the
interpreter exits is stopped then, by its process id.
"""

from __future__ import annotations

import atexit
import base64
import json
import os
import secrets
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import weakref
from collections.abc import Iterable
from pathlib import Path

from .. import net, orthanc_filter
from ..servers import child_setup, free_port, wait_waking, write_private
from ..tools import NO_NAGLE, PRIVATE_FILE, PRIVATE_FOLDER, ToolMissing
from .config import (
    DICOMWEB_PACKAGE,
    DICOMWEB_PLACES,
    DICOMWEB_ROOT,
    PACKAGE,
    PROGRAM,
    USER,
    DicomWebPluginMissing,
    OrthancError,
    OrthancMissing,
    _modality,
    dicomweb_plugin,
    new_title,
    orthanc_config,
    orthanc_program,
)

# Requests to 127.0.0.1 only, never through a proxy of the environment (which would see the
# password): an opener without ProxyHandler's defaults.
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))

# Debian's Orthanc uses the system's dcmtk (3.6.7), which leaves Nagle's algorithm on for DICOM
# unless TCP_NODELAY is set (Orthanc's own static builds turn it off when compiled): it runs with
# tools.NO_NAGLE. Measured here, 16 small images: C-MOVE 0.80 s with Nagle on, 0.10 s without;
# C-GET 0.94 s, 0.15.

# Every Orthanc still running when the interpreter exits is stopped then.
_RUNNING: weakref.WeakSet = weakref.WeakSet()


@atexit.register
def _stop_all() -> None:
    for server in list(_RUNNING):
        server.stop()


class Orthanc:
    """Orthanc as a child process of ours, configured for the course.

    Parameters
    ----------
    folder : path
        Where the configuration (``orthanc.json``), the log (``orthanc.log``), the storage and
        the index go; created if missing.
    aet : str, optional
        Orthanc's AE title (called AE titles are checked); by default one made for this
        object, ``new_title("ORTHANC")``.
    modalities : dict
        ``{aet: (host, port)}``, the AEs Orthanc knows (see :func:`orthanc_config`).
    dicom_port, http_port : int
        0 (the default) picks free ports.
    allow_unknown_aes : bool or iterable of str
        Accept any calling AE title, for every service or for those named (see
        :func:`orthanc_config`); by default only those in ``modalities`` and ``echo_aet``.
    echo_aet : str, optional
        The AE title this helper (and the exercise checks) call Orthanc from, by default
        ``new_title("PACS-HELPER")``; it is added to the modalities (host 127.0.0.1, port 1:
        nothing listens there, a C-MOVE to it fails).
    start_timeout : float
        Seconds to wait for Orthanc to answer before giving up with its log.
    program : str, optional
        The Orthanc binary (default: found on PATH or ``/usr/sbin/Orthanc``).
    dicomweb : bool
        Load the DICOMweb plugin: QIDO-RS, WADO-RS, STOW-RS at :attr:`dicomweb_url`.
    plugin : str, optional
        The plugin's path (default: :func:`dicomweb_plugin`).
    viewer : bool
        With ``dicomweb``, also serve the OHIF Viewer at ``/ohif/`` when it is built here
        (:mod:`workshop_helpers.ohif`); :attr:`viewer_missing` says why it is not, and
        :meth:`viewer_link` gives the learner's link.

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

    def __init__(self, folder: str | os.PathLike, aet: str | None = None,
                 modalities: dict[str, tuple[str, int]] | None = None, *,
                 dicom_port: int = 0, http_port: int = 0,
                 allow_unknown_aes: bool | Iterable[str] = False,
                 echo_aet: str | None = None, start_timeout: float = 30,
                 program: str | None = None, dicomweb: bool = False,
                 plugin: str | None = None, viewer: bool = False) -> None:
        self.folder = Path(folder).resolve()
        self.aet = aet or new_title("ORTHANC")
        self.modalities = dict(modalities or {})
        self.echo_aet = echo_aet or new_title("PACS-HELPER")
        self._password = ""  # made at each start
        self.allow_unknown_aes = allow_unknown_aes
        self._ports = (int(dicom_port), int(http_port))
        self.start_timeout = start_timeout
        self.program = program
        self.dicomweb = bool(dicomweb or plugin)
        self.plugin = plugin
        self.viewer = bool(viewer)
        self.viewer_missing = ""  # why the viewer is not served, when asked for (set at start)
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
    def auth(self) -> tuple[str, str]:
        """``(user, password)`` of the REST API and DICOMweb, as ``requests`` takes it.

        The password is made at each start and kept in the 0600 configuration file only.
        """
        return USER, self._password

    @property
    def authorization(self) -> str:
        """The ``Authorization`` header's value for :attr:`auth` (HTTP Basic, RFC 7617)."""
        token = base64.b64encode(f"{USER}:{self._password}".encode()).decode()
        return f"Basic {token}"

    def link(self, path: str = "/app/explorer.html") -> str:
        """A link to ``path`` with the user and password in it, for a browser on this machine.

        Parameters
        ----------
        path : str
            The page, e.g. ``/app/explorer.html`` (Orthanc's own web page).

        Returns
        -------
        str
            ``http://learner:<password>@127.0.0.1:<http_port><path>``.
        """
        password = urllib.parse.quote(self._password, safe="")
        return f"http://{USER}:{password}@127.0.0.1:{self.http_port}{path}"

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

    def _viewer(self) -> tuple[list[str], dict | None]:
        from .. import ohif  # noqa: PLC0415 - only for an Orthanc that serves the viewer

        self.viewer_missing = (ohif.unavailable() if self.dicomweb
                               else "the OHIF Viewer needs dicomweb=True")
        if self.viewer_missing:
            return [], None
        # unavailable() just found the plugin and a complete build: no second look.
        return [ohif.PLUGIN], ohif.serve_folders(ohif.VIEWER.resolve())

    def viewer_link(self, study: str | None = None, proxy: str | None = None) -> str:
        """The OHIF Viewer's link (:func:`workshop_helpers.ohif.link`): a study or the list.

        With the password in it for a browser on this machine; with ``proxy`` (the Jupyter
        server's base URL) a path through jupyter-server-proxy, where the browser asks once for
        :attr:`auth`. Raises :class:`~workshop_helpers.tools.ToolMissing` with
        :attr:`viewer_missing`.
        """
        from .. import ohif  # noqa: PLC0415 - as in _viewer

        if not self.viewer or self.viewer_missing:
            raise ToolMissing(self.viewer_missing or "started without viewer=True")
        return ohif.link(self, study, proxy)

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
            plugins, folders = self._plugins(), None
            if self.viewer:
                extra, folders = self._viewer()
                plugins += extra
            self.folder.mkdir(parents=True, exist_ok=True, mode=PRIVATE_FOLDER)
            os.chmod(self.folder, PRIVATE_FOLDER)
            fixed = any(self._ports)
            for attempt in range(1 if fixed else 3):
                try:
                    self._start_once(program, plugins, folders)
                    break
                except OrthancError:
                    if fixed or attempt == 2 or not self._port_taken():
                        raise
            _RUNNING.add(self)
            return self

    def _start_once(self, program: str, plugins: list[str], folders: dict | None = None) -> None:
        self.dicom_port = self._ports[0] or free_port()
        self.http_port = self._ports[1] or free_port()
        while self.http_port == self.dicom_port:
            self.http_port = free_port()
        modalities = {self.echo_aet: ("127.0.0.1", 1), **self.modalities}
        self._password = secrets.token_urlsafe(24)
        lua = orthanc_filter.write_filter(self.folder, self.http_port)
        config = orthanc_config(self.folder, self.aet, self.dicom_port, self.http_port,
                                modalities, allow_unknown_aes=self.allow_unknown_aes,
                                plugins=plugins, users={USER: self._password},
                                serve_folders=folders, lua_scripts=[str(lua)])
        write_private(self.config_path, json.dumps(config, indent=2))
        began = time.monotonic()
        fd = os.open(self.log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE)
        os.fchmod(fd, PRIVATE_FILE)
        with os.fdopen(fd, "ab") as log:
            log.write(f"--- {time.strftime('%H:%M:%S')} {program} {self.config_path}\n".encode())
            log.flush()
            self._proc = subprocess.Popen(
                [program, str(self.config_path)], stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, cwd=self.folder, preexec_fn=child_setup,
                env={**os.environ, **NO_NAGLE})
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
            time.sleep(0.02)  # Orthanc answers about 0.1 s after it was started

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
        """One request to Orthanc's REST API on 127.0.0.1, with our credentials; returns the body.

        Raises :class:`OrthancError` with Orthanc's answer when the status is not 2xx.
        """
        request = urllib.request.Request(self.url + path, data=body, method=method)
        request.add_header("Authorization", self.authorization)
        if body is not None:
            request.add_header("Content-Type", content_type)
        try:
            with _NO_PROXY.open(request, timeout=timeout) as response:
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
