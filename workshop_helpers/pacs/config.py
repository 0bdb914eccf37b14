"""Orthanc's configuration for the course, and finding Orthanc and its DICOMweb plugin.

:func:`orthanc_config` writes what the package's docstring explains (known AEs only, checked AE
titles and hosts, a password made at each start, the Lua filter, no deflate);
:func:`new_title` makes the AE titles; :func:`orthanc_program` and :func:`dicomweb_plugin` find
the binary and the plugin. The errors raised when they are missing are here too.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import string
from collections.abc import Iterable
from pathlib import Path

from ..tools import ToolMissing

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
        # one request per connection: at stop, Orthanc 1.10's HTTP server waits for an idle
        # kept-alive connection (a requests.Session's) to time out, 1 s; on 127.0.0.1 a new
        # connection per request costs well under a millisecond
        "KeepAlive": False,
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
