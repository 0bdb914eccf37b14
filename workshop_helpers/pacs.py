"""A real PACS for the course: Orthanc, started as a user process on free ports.

:class:`Orthanc` writes a JSON configuration into a folder of ours (storage and index there),
starts ``/usr/sbin/Orthanc`` (Debian/Ubuntu package ``orthanc``) as a child process — never the
system service, which installing the package may have started on ports 4242/8042 — waits until
its REST API and a C-ECHO answer, and stops it by its process id (SIGTERM, then a knock on
each of its ports so that it exits in about a second: :func:`~workshop_helpers.servers.wait_waking`)
on exit, at interpreter exit,
and (on Linux) when the Python process that started it dies, even by ``kill -9`` (the child
asks the kernel for SIGTERM when the *thread* that started it ends, ``PR_SET_PDEATHSIG``: start
it from the main thread, as a notebook or a test does, not from a short-lived worker thread).

What the configuration says, and why (on a machine shared by a class, everything a
participant starts is theirs alone):

- ``DicomModalities``: the AEs of the course, ``{aet: (host, port)}``. Orthanc lets a *known*
  AE find, get, move and store; an unknown calling AE is refused at association time unless
  ``allow_unknown_aes=True`` (that sets Orthanc's ``DicomAlwaysAllow*``). Stock Orthanc is more
  open: its defaults ``DicomAlwaysAllowEcho`` and ``DicomAlwaysAllowStore`` true let any AE
  echo and store, and for an unknown AE's C-FIND it accepts the association, then aborts it.
  For a C-MOVE Orthanc opens a new association to the destination's host and port listed
  here, calling it by the destination's AE title; a destination it does not know gets status
  0xC000 with no comment.
- AE titles made at each start: :func:`new_title` gives ``ORTHANC-7QK2PX4M`` for the PACS
  and ``PACS-HELPER-…`` for the helper's own checks, and notebooks make their peers' titles
  the same way. They are in the configuration file only, never on a command line (which every
  user of the machine can read in ``/proc/<pid>/cmdline``).
- ``DicomCheckCalledAet``: an association that calls another AE title than ours is rejected;
  ``DicomCheckModalityHost``: a known AE title must also come from the host listed for it
  (Orthanc compares the caller's address with that entry: list IP addresses, ``127.0.0.1``).
- ``AuthenticationEnabled`` with one user (``learner``) whose password is made at each start
  (:attr:`Orthanc.auth`): every REST and DICOMweb request needs it, on 127.0.0.1 too, where
  ``RemoteAccessAllowed`` false lets in every user of the machine. :meth:`Orthanc.rest`, the
  DICOMweb client (``web.client(url, auth=orthanc.auth)``) and :meth:`Orthanc.link` use it.
- A Lua filter (``LuaScripts``: :mod:`workshop_helpers.orthanc_filter`, written next to the
  configuration, 0600), because Orthanc 1.10 has no setting for either check: it refuses (403)
  a request whose ``Host`` is not this Orthanc's on 127.0.0.1 or localhost (DNS rebinding: a
  web page whose own name now points at 127.0.0.1), and a POST, PUT or DELETE that a browser
  marks as sent by a page of another site (``Sec-Fetch-Site: cross-site`` or ``same-site``, or
  an ``Origin`` other than the request's Host): a browser attaches the password it has kept
  for Orthanc to such a request too. Python clients, Orthanc Explorer and the viewer on
  Orthanc's own origin pass; through jupyter-server-proxy (which forwards the browser's Host)
  any Host passes on a request that carries the proxy's ``X-Forwarded-Context`` for this port.
  It cannot tell apart two pages of the same origin: on a hub where every user's JupyterLab
  shares one domain, another participant's page is the same origin as the learner's.
- ``DeflatedTransferSyntaxAccepted`` false: a deflated data set (a small upload that inflates
  to gigabytes) is refused at association time.
- Files: the folder is made 0700, the configuration (which holds the password) and the log
  0600, and Orthanc runs with umask 077, so its storage and index are its owner's alone.
- ``dicomweb=True`` loads Orthanc's DICOMweb plugin (Debian/Ubuntu package ``orthanc-dicomweb``,
  found by :func:`dicomweb_plugin`): QIDO-RS, WADO-RS and STOW-RS (PS3.18) under
  ``/dicom-web/``, next to Orthanc's own REST API on the same HTTP port. WADO-URI stays off.
- Orthanc 1.10 has **no setting for the address it listens on**: its DICOM and HTTP ports are
  open on every network interface of the machine. ``RemoteAccessAllowed`` false refuses HTTP
  from elsewhere, and only known AEs get DICOM associations, but the ports are still reachable:
  use it on a trusted machine, and talk to it on 127.0.0.1 only (as everything here does).

Examples
--------
>>> config = orthanc_config("/tmp/pacs", "ORTHANC", 11112, 18042, {"WORKSTATION": ("127.0.0.1", 11113)},
...                         users={"learner": "secret"})
>>> config["DicomModalities"]
{'WORKSTATION': {'AET': 'WORKSTATION', 'Host': '127.0.0.1', 'Port': 11113}}
>>> config["RemoteAccessAllowed"], config["DicomCheckCalledAet"], config["DicomAlwaysAllowFind"]
(False, True, False)
>>> config["AuthenticationEnabled"], config["DicomCheckModalityHost"]
(True, True)
>>> web = orthanc_config("/tmp/pacs", "ORTHANC", 11112, 18042, plugins=["/p/libOrthancDicomWeb.so"])
>>> web["Plugins"], web["DicomWeb"]["Root"]
(['/p/libOrthancDicomWeb.so'], '/dicom-web/')
"""

from __future__ import annotations

import atexit
import base64
import glob
import json
import os
import secrets
import shutil
import string
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import weakref
from collections.abc import Iterable
from pathlib import Path

from . import net, orthanc_filter, phantom, tools
from .servers import child_setup, free_port, port_is_free, wait_waking, write_private
from .tools import ToolMissing

__all__ = ["Orthanc", "OrthancError", "OrthancMissing", "DicomWebPluginMissing", "dicomweb_plugin",
           "free_port", "new_title", "orthanc_config", "orthanc_program", "port_is_free",
           "upload_course_data"]

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
USER = "learner"  # the one user of the REST API; its password is made at each start
TITLE_CHARACTERS = string.ascii_uppercase + string.digits
MIN_SUFFIX = 4  # random characters at least, after the base and a hyphen


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


def new_title(base: str) -> str:
    """An AE title made for this run: ``base``, a hyphen, then random capitals and digits.

    The title fills the 16 characters an AE title may have (PS3.5 6.2): ``ORTHANC-7QK2PX4M``
    (8 random characters, 36**8 = 2.8e12 possibilities), ``WORKSTATION-4Z8Q`` (4, 1.7
    million); a base longer than 11 characters is cut to keep 4. To get a C-FIND, C-MOVE or
    C-STORE in, another user of the machine would need both the PACS's title and one it knows.

    Parameters
    ----------
    base : str
        Capitals, digits, ``-`` or ``_`` (what a reader recognises: ``WORKSTATION``).

    Returns
    -------
    str
        The title, 16 characters.

    Raises
    ------
    ValueError
        For an empty base or one with other characters.

    Examples
    --------
    >>> title = new_title("ORTHANC")
    >>> len(title), title[:8], title != new_title("ORTHANC")
    (16, 'ORTHANC-', True)
    >>> new_title("PACS-HELPER")[:12]
    'PACS-HELPER-'
    """
    base = base.strip()
    if not base or any(c not in TITLE_CHARACTERS + "-_" for c in base):
        raise ValueError(f"an AE title's base is capitals, digits, '-' or '_', not {base!r}")
    base = base[:16 - 1 - MIN_SUFFIX]
    return base + "-" + "".join(secrets.choice(TITLE_CHARACTERS) for _ in range(15 - len(base)))


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


def orthanc_config(folder: str | os.PathLike, aet: str, dicom_port: int, http_port: int,
                   modalities: dict[str, tuple[str, int]] | None = None, *,
                   allow_unknown_aes: bool | Iterable[str] = False, name: str = "workshop-pacs",
                   plugins: list[str] | None = None,
                   users: dict[str, str] | None = None,
                   serve_folders: dict | None = None,
                   lua_scripts: list[str] | None = None) -> dict:
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
    allow_unknown_aes : bool or iterable of str
        Let any calling AE title in: True for every service (``DicomAlwaysAllow*`` true), or
        the services named, e.g. ``("echo", "store")`` as in Orthanc's own defaults.
    name : str
        Orthanc's ``Name``, shown in its web page and REST API.
    plugins : list of str, optional
        Shared libraries Orthanc loads; the DICOMweb plugin's section (root ``/dicom-web/``,
        WADO-URI off) is written whether it is among them or not (Orthanc ignores it then).
    users : dict, optional
        ``{user: password}`` of the REST API (and DICOMweb); authentication is on when given.
    serve_folders : dict, optional
        The ServeFolders plugin's section (:func:`workshop_helpers.ohif.serve_folders`).
    lua_scripts : list of str, optional
        Lua files Orthanc runs at start (:mod:`workshop_helpers.orthanc_filter`'s filter).

    Returns
    -------
    dict
        Ready for ``json.dumps``.
    """
    folder = Path(folder)
    services = ("echo", "store", "find", "get", "move")
    if isinstance(allow_unknown_aes, bool):
        allowed = set(services) if allow_unknown_aes else set()
    else:
        allowed = {str(a).lower() for a in allow_unknown_aes}
        if allowed - set(services):
            raise ValueError(f"allow_unknown_aes names services among {services}, "
                             f"not {sorted(allowed - set(services))}")
    return {
        "Name": name,
        "StorageDirectory": str(folder / "storage"),
        "IndexDirectory": str(folder / "index"),
        "StorageCompression": False,
        "Plugins": list(plugins or []),
        **({"ServeFolders": serve_folders} if serve_folders else {}),
        "HttpServerEnabled": True,
        "HttpPort": int(http_port),
        "RemoteAccessAllowed": False,
        "AuthenticationEnabled": bool(users),
        "RegisteredUsers": dict(users or {}),
        "SslEnabled": False,
        "DicomServerEnabled": True,
        "DicomAet": aet,
        "DicomPort": int(dicom_port),
        "DicomCheckCalledAet": True,
        "DicomCheckModalityHost": True,
        "DeflatedTransferSyntaxAccepted": False,
        **{f"DicomAlwaysAllow{name.capitalize()}": name in allowed for name in services},
        "DicomModalities": {a: _modality(a, host, port)
                            for a, (host, port) in (modalities or {}).items()},
        "DicomModalitiesInDatabase": False,
        "DicomScpTimeout": 30,
        "DicomScuTimeout": 10,
        "DicomAssociationCloseDelay": 0,  # close the C-MOVE's store association at once
        "SaveJobs": False,
        "UnknownSopClassAccepted": False,
        "ExecuteLuaEnabled": False,  # no Lua sent through the REST API; LuaScripts still run
        "LuaScripts": list(lua_scripts or []),
        # Host: the address written into BulkDataURIs and Retrieve URLs (else taken from the
        # request's Host header, which some clients send without the port)
        "DicomWeb": {"Enable": True, "Root": DICOMWEB_ROOT, "EnableWado": False, "Ssl": False,
                     "Host": f"127.0.0.1:{int(http_port)}"},
    }


def _modality(aet: str, host: str, port: int) -> dict:
    return {"AET": aet, "Host": host, "Port": int(port)}


# Requests to 127.0.0.1 only, never through a proxy of the environment (which would see the
# password): an opener without ProxyHandler's defaults.
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))

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
        from . import ohif  # noqa: PLC0415 - only for an Orthanc that serves the viewer

        self.viewer_missing = ("" if not self.viewer else ohif.unavailable() if self.dicomweb
                               else "the OHIF Viewer needs dicomweb=True")
        if not self.viewer or self.viewer_missing:
            return [], None
        return [ohif.serve_folders_plugin()], ohif.serve_folders(ohif.viewer_folder())

    def viewer_link(self, study: str | None = None, proxy: str | None = None) -> str:
        """The OHIF Viewer's link (:func:`workshop_helpers.ohif.link`): a study or the list.

        With the password in it for a browser on this machine; with ``proxy`` (the Jupyter
        server's base URL) a path through jupyter-server-proxy, where the browser asks once for
        :attr:`auth`. Raises :class:`~workshop_helpers.tools.ToolMissing` with
        :attr:`viewer_missing`.
        """
        from . import ohif  # noqa: PLC0415 - as in _viewer

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
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.chmod(self.folder, 0o700)
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
        fd = os.open(self.log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "ab") as log:
            log.write(f"--- {time.strftime('%H:%M:%S')} {program} {self.config_path}\n".encode())
            log.flush()
            self._proc = subprocess.Popen(
                [program, str(self.config_path)], stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, cwd=self.folder, preexec_fn=child_setup)
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
    files = phantom.write_series(folder, rows=48, columns=64, slices=8, seed=seed)
    files += [tools.testdata("CT_small.dcm"), tools.testdata("MR_small.dcm")]
    for path in files:
        orthanc.upload(path)
    return files
