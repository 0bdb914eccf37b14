"""The OHIF Viewer on the course's own Orthanc: served at ``/ohif/``, its links, what it asked.

The OHIF Viewer (Open Health Imaging Foundation) is the web viewer many hospitals and research
groups use. The course builds it once at set-up time from the npm package ``@ohif/app`` at the
version and digest pinned here (``make viewer``: :mod:`tooling.ohif_build`, the course's tooling,
fetches, trims and patches it into :data:`VIEWER`, ``build/ohif``). Nothing is downloaded when the
viewer is used. Without a build there is no viewer: :func:`unavailable` says why.

Orthanc serves the folder with its ServeFolders plugin at ``/ohif/``, next to ``/dicom-web/`` on
the same origin (no CORS), see :func:`serve_folders`; :func:`link` and :func:`links` say what the
learner sees, :func:`watch` and :func:`asked` what the viewer asked Orthanc.

Examples
--------
>>> serve_folders(Path("/srv/ohif"))["Folders"]
{'/ohif': '/srv/ohif'}
>>> SPEC
'@ohif/app@3.13.2'
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import urllib.parse
from pathlib import Path

__all__ = ["SPEC", "MOUNT", "VIEWER", "build_stamp", "link", "serve_folders",
           "serve_folders_plugin", "unavailable", "viewer_folder", "links", "watch", "asked"]

PACKAGE, VERSION = "@ohif/app", "3.13.2"
INTEGRITY = ("sha512-WZdxmpmG7rqFgW9ZJLcbgr3XCtLi1KDNPoMaeY5PPe6j4G4fjEjjkycZM6C6Zk2F87BKxFfpq+jd5x"
             "XZB9E8EA==")  # the npm registry's dist.integrity
SPEC = f"{PACKAGE}@{VERSION}"
ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"  # as tooling.publish.BUILD
#: The module that builds the viewer (the course's tooling, not installed with the package).
BUILDER = ROOT / "tooling" / "ohif_build.py"

MOUNT = "/ohif/"  # where Orthanc serves the viewer
VIEWER = BUILD / "ohif"  # the built viewer (no dot in any folder name: see serve_folders)
STAMP = "ohif-build.json"
PLUGIN = "/usr/share/orthanc/plugins/libServeFolders.so"  # Debian/Ubuntu package orthanc
BUILD_COMMAND = "python -m tooling.ohif_build"  # make viewer


def build_stamp() -> dict:
    """What a build is made of: the package, and the builder (its patches) as it is now.

    Written next to the viewer by :mod:`tooling.ohif_build`; a build whose stamp differs (another
    version, changed patches) is not served. Where the builder is not there (the package
    installed on its own), the package and its digest are what a build is checked against.
    """
    stamp = {"package": SPEC, "integrity": INTEGRITY}
    if BUILDER.is_file():
        stamp["builder"] = hashlib.sha256(BUILDER.read_bytes()).hexdigest()[:16]
    return stamp


def viewer_folder(folder: Path = VIEWER) -> Path | None:
    """The built viewer's folder, or None when there is no complete build of :data:`SPEC`."""
    return None if unavailable(folder) else Path(folder).resolve()


def serve_folders_plugin() -> str | None:
    """The ServeFolders plugin of the Debian/Ubuntu package ``orthanc``, or None."""
    return PLUGIN if os.path.isfile(PLUGIN) else None


def is_built(folder: Path = VIEWER) -> bool:
    """Whether ``folder`` holds a complete build of :data:`SPEC` by the builder as it is now."""
    try:
        built = json.loads((Path(folder) / STAMP).read_text())
    except (OSError, ValueError):
        return False
    if isinstance(built, dict) and not BUILDER.is_file():
        built.pop("builder", None)
    return built == build_stamp()


def unavailable(folder: Path = VIEWER, cache: Path = BUILD / "npm") -> str:
    """Why the viewer cannot be shown, or ``""`` when it can (built here, plugin installed).

    >>> unavailable(Path("/nowhere"), Path("/nowhere")).startswith("no OHIF Viewer")
    True
    """
    if not is_built(folder):
        cached = (Path(cache) / f"ohif-app-{VERSION}.tgz").exists()
        how = (f"`{BUILD_COMMAND}` builds it ({'from' if cached else 'with npm into'} {cache})"
               if cached or shutil.which("npm")
               else "it needs npm once to fetch it (Debian: apt-get install npm), then "
                    f"`{BUILD_COMMAND}`")
        return f"no OHIF Viewer {VERSION} built by {BUILDER.stem} in {folder}: {how}"
    if serve_folders_plugin() is None:
        return f"Orthanc's ServeFolders plugin is not installed ({PLUGIN}, package orthanc)"
    return ""


def serve_folders(folder: Path = VIEWER) -> dict:
    """The ``ServeFolders`` section of Orthanc's configuration: the viewer at :data:`MOUNT`.

    ``.wasm`` gets ``application/wasm`` (browsers compile WebAssembly while it streams only with
    that type), fonts and ``.mjs`` theirs, a file with no extension (the routes of
    :func:`tooling.ohif_build.spa_routes`) ``text/html``; browsers may cache files (their names carry a hash).

    >>> serve_folders(Path("/srv/ohif"))["Folders"]
    {'/ohif': '/srv/ohif'}
    """
    return {"Folders": {MOUNT.rstrip("/"): str(folder)}, "AllowCache": True, "GenerateETag": True,
            "Extensions": {"": "text/html", ".wasm": "application/wasm", ".woff2": "font/woff2",
                           ".woff": "font/woff", ".mjs": "text/javascript", ".ico": "image/x-icon",
                           ".map": "application/json", ".txt": "text/plain"}}


def link(orthanc, study: str | None = None, proxy: str | None = None) -> str:
    """The viewer's address on ``orthanc`` (a started :class:`~workshop_helpers.pacs.Orthanc`).

    Orthanc asks every request for its user and password (HTTP Basic authentication, made at
    each start), the viewer's files and DICOMweb alike. What the learner sees:

    - On their own machine (``make lab``): the link carries them
      (``http://learner:<password>@127.0.0.1:<port>/ohif/…``). Clicking it opens the viewer with
      no question; the page reloads itself once without them in the address (the browser keeps
      them for this server, and sends them with the viewer's own requests).
    - Through JupyterLab's proxy (Binder: ``proxy="/user/<name>/"``, from the environment's
      ``JUPYTERHUB_SERVICE_PREFIX``): the link has no password; the browser asks once for the
      user ``learner`` and the password the notebook prints, then keeps them until it closes.

    Parameters
    ----------
    orthanc : pacs.Orthanc
        Started with the viewer.
    study : str, optional
        A Study Instance UID: the link opens it in the viewer (else the study list, at
        ``/ohif/index.html``: ServeFolders serves files, and ``/ohif/`` is a folder).
    proxy : str, optional
        The Jupyter server's base URL (``/`` or ``/user/<name>/``): a path through
        jupyter-server-proxy, without credentials (the browser asks for them once); by default a
        full ``http://learner:<password>@127.0.0.1:<port>/ohif/…`` link for a browser on this
        machine.
    """
    path = MOUNT + (f"viewer?StudyInstanceUIDs={urllib.parse.quote(study)}" if study
                    else "index.html")
    if proxy is not None:
        return f"{proxy.rstrip('/')}/proxy/{orthanc.http_port}{path}"
    return orthanc.link(path)


def links(orthanc, study: str | None = None) -> str:
    """What the learner clicks, in words: the link on this machine and the path in JupyterLab.

    The JupyterLab path starts at ``JUPYTERHUB_SERVICE_PREFIX`` (Binder's ``/user/<name>/``) or
    ``/``. Without the viewer: why (:attr:`~workshop_helpers.pacs.Orthanc.viewer_missing`).
    """
    if not orthanc.viewer or orthanc.viewer_missing:
        return f"no OHIF Viewer: {orthanc.viewer_missing or 'Orthanc was started without it'}"
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/")
    return (f"on this machine: {link(orthanc, study)}\n"
            f"in JupyterLab (Binder): {link(orthanc, study, prefix)}\n"
            f"  the browser asks once: user {orthanc.auth[0]}, password {orthanc.auth[1]}")


def watch(orthanc) -> int:
    """Have Orthanc log every HTTP request it answers; returns where its log ends now.

    Orthanc 1.10 logs ``(http) GET /dicom-web/…`` (the path, not the query) once its log
    category ``http`` is ``verbose`` (REST ``PUT /tools/log-level-http``).
    """
    orthanc.rest("PUT", "/tools/log-level-http", b"verbose", "text/plain")
    return orthanc.log_path.stat().st_size


def asked(orthanc, since: int = 0) -> dict[str, list[str]]:
    """The requests Orthanc logged after ``since`` (from :func:`watch`), by kind.

    ``QIDO-RS`` (searches: a path ending in ``/studies``, ``/series`` or ``/instances``),
    ``metadata`` and ``frames`` (WADO-RS), ``viewer`` (its own files under ``/ohif/``), ``other``.
    """
    with open(orthanc.log_path, "rb") as log:
        log.seek(since)
        lines = re.findall(r"\(http\) ([A-Z]+ \S+)", log.read().decode(errors="replace"))
    kinds: dict[str, list[str]] = {k: [] for k in ("QIDO-RS", "metadata", "frames", "viewer",
                                                    "other")}
    for line in lines:
        path = line.split(" ", 1)[1]
        kind = ("viewer" if path.startswith(MOUNT) else "frames" if "/frames/" in path
                else "metadata" if path.endswith("/metadata")
                else "QIDO-RS" if re.search(r"/(studies|series|instances)$", path) else "other")
        kinds[kind].append(line)
    return kinds
