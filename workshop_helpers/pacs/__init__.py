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

Where each part is
------------------
- :mod:`.config`: :func:`orthanc_config`, :func:`new_title`, finding the program
  (:func:`orthanc_program`) and the DICOMweb plugin (:func:`dicomweb_plugin`), the errors;
- :mod:`.orthanc`: the :class:`Orthanc` process, its REST API and the modalities it knows;
- :mod:`.course_data`: :func:`upload_course_data`, the course's series in a started Orthanc.

Every name is importable from here: ``from workshop_helpers import pacs``, then
``pacs.Orthanc(...)``.

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

from ..servers import free_port, port_is_free
from .config import (  # noqa: F401 - the constants are public too, though not in __all__
    DICOMWEB_PACKAGE,
    DICOMWEB_PLACES,
    DICOMWEB_ROOT,
    MIN_SUFFIX,
    PACKAGE,
    PROGRAM,
    TITLE_CHARACTERS,
    USER,
    DicomWebPluginMissing,
    OrthancError,
    OrthancMissing,
    dicomweb_plugin,
    new_title,
    orthanc_config,
    orthanc_program,
)
from .course_data import upload_course_data
from .orthanc import Orthanc

__all__ = ["Orthanc", "OrthancError", "OrthancMissing", "DicomWebPluginMissing", "dicomweb_plugin",
           "free_port", "new_title", "orthanc_config", "orthanc_program", "port_is_free",
           "upload_course_data"]

