"""Servers we start as child processes: free ports, private files, a stop that wakes them.

Used by :mod:`workshop_helpers.pacs` for Orthanc: ports free on every address (Orthanc 1.10
listens on all of them), files only their owner may read (the configuration holds a password),
a child that ends with its parent, and a SIGTERM followed by knocks on its ports so that it
exits in about a second instead of three and a half.

Examples
--------
>>> port = free_port()
>>> port_is_free(port), knock(port)
(True, False)
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from . import net
from .tools import PRIVATE_FILE, private_files


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
    ``benchmarks/orthanc_stop.py`` measures both ways (3.5 s and 1.0 s).

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


def child_setup() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Make the child's files its owner's alone (umask 077); on Linux, end it with its parent.

    Linux sends the child SIGTERM when the *thread* that started it dies (even by ``kill -9``):
    start it from the main thread, as a notebook or a test does.
    """
    private_files()
    if _PRCTL is not None:
        _PRCTL(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def write_private(path: Path, text: str) -> None:
    """Write ``text`` into ``path`` readable and writable by its owner only (0600)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    os.fchmod(fd, PRIVATE_FILE)  # an older file of ours may have had other bits
    with os.fdopen(fd, "w") as f:
        f.write(text)


def _load_prctl():
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl  # loaded once, before any fork
    except (OSError, AttributeError):
        return None


_PRCTL = _load_prctl()
