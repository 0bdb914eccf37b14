"""What keeps a :class:`~workshop_helpers.router.Router` honest when things go wrong.

- :class:`FolderLock`: one router per folder. A second one refuses before it touches anything
  (an advisory ``flock`` on ``.router/lock``, released by the system when a process dies); so
  does a router given a folder another user could change (:func:`check_private`).
- :func:`send_each`: forward on one association and hear of each instance as its answer comes,
  so a ticket is settled the moment its destination answered — after a crash, at most the one
  instance that was on the wire is sent again.
- :class:`Retry`: the bounded, growing delay of a loop that must not die of an ``OSError``
  (no file descriptor left, a full disk) and must not spin either.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path

from ..net import Timeouts, send
from ..net.scu import OnResult
from ..tools import PRIVATE_FILE, PRIVATE_FOLDER, folder_problem

try:
    import fcntl
except ImportError:  # Windows: no advisory locks of this kind; one router per folder is on you
    fcntl = None

__all__ = ["FolderLock", "FolderRefused", "FolderBusy", "FolderNotPrivate", "Retry", "send_each"]


class FolderRefused(RuntimeError):
    """The router will not work in this folder (see its two kinds below)."""


class FolderBusy(FolderRefused):
    """Another router already works in this folder."""


class FolderNotPrivate(FolderRefused):
    """The folder is a symbolic link, or another user owns it or may write in it."""


def check_private(folder: Path) -> None:
    """Refuse a folder that another Unix user could change under the router, if it exists.

    Whoever owns the router's folder or its ``.router`` (or may write in it) could swap the
    tickets, the stored instances or the lock for links to the router's user's own files; a
    symbolic link could point anywhere. Raises :class:`FolderNotPrivate` naming the folder
    (the test is :func:`workshop_helpers.tools.folder_problem`).
    """
    problem = folder_problem(folder)
    if problem:
        raise FolderNotPrivate(f"{folder} {problem}: the router works only in a folder of your "
                               "own (make one, e.g. mkdir -m 700 router, and give it with -od)")


class FolderLock:
    """An exclusive, advisory lock on a folder (``folder/lock``), held while a router runs.

    Parameters
    ----------
    folder : str or os.PathLike
        The router's state folder (made, 0700, if missing).

    Examples
    --------
    >>> import os, tempfile
    >>> folder = os.path.join(tempfile.mkdtemp(), ".router")   # in a folder of one's own
    >>> first = FolderLock(folder).acquire()
    >>> FolderLock(folder).acquire()  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    workshop_helpers.router.FolderBusy: another Router (process ...) already works in ...
    >>> first.release()
    >>> FolderLock(folder).acquire().release()
    """

    def __init__(self, folder: str | os.PathLike) -> None:
        self.folder = Path(folder)
        self.path = self.folder / "lock"
        self._fd: int | None = None

    def acquire(self) -> FolderLock:
        """Take the lock or raise :class:`FolderBusy` saying who holds it; returns ``self``."""
        if self._fd is not None or fcntl is None:
            return self
        check_private(self.folder.parent)   # the router's folder, then its .router
        check_private(self.folder)
        self.folder.mkdir(parents=True, exist_ok=True, mode=PRIVATE_FOLDER)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, PRIVATE_FILE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            os.close(fd)
            raise FolderBusy(f"another Router (process {holder}) already works in "
                             f"{self.folder.parent}: stop it first, or give this one a folder "
                             "of its own") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        """Let the lock go (safe to call twice)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


class Retry:
    """A bounded, doubling delay: ``first``, ``2 * first`` ... up to ``most`` seconds.

    Examples
    --------
    >>> r = Retry(0.5, 2)
    >>> [r.failed() for _ in range(4)]
    [0.5, 1.0, 2, 2]
    >>> r.succeeded(); r.attempts
    0
    """

    def __init__(self, first: float, most: float) -> None:
        self.first, self.most = first, most
        self.attempts = 0
        self.next_try = 0.0

    def failed(self) -> float:
        """Count a failure; returns the delay before the next try."""
        self.attempts += 1
        delay = min(self.most, self.first * 2 ** (self.attempts - 1))
        self.next_try = time.monotonic() + delay
        return delay

    def succeeded(self) -> None:
        """Start again from the first delay."""
        self.attempts, self.next_try = 0, 0.0

    @property
    def due(self) -> bool:
        """True when the delay has passed."""
        return time.monotonic() >= self.next_try


def send_each(paths: Sequence[Path], host: str, port: int, called_ae: str, calling_ae: str,
              timeout: float | Timeouts, on_result: OnResult) -> None:
    """C-STORE the files ``paths``; ``on_result(index, result)`` as each is answered.

    :func:`~workshop_helpers.net.send` with its ``on_result``, without a progress bar: for a
    caller that must act on each answer before the next instance goes (the router deletes an
    instance's ticket right after its Success). Every path gets exactly one call.

    Parameters
    ----------
    paths : sequence of pathlib.Path
        DICOM files (not folders: ``index`` is the place in ``paths``).
    host, port, called_ae, calling_ae : str, int, str, str
        The destination and our AE title.
    timeout : float or Timeouts
        As for :func:`~workshop_helpers.net.send`.
    on_result : callable
        Called with the index in ``paths`` and the :class:`~workshop_helpers.net.SendResult`.
    """
    send(list(paths), host, port, called_ae, calling_ae=calling_ae, timeout=timeout,
         progress=False, on_result=on_result)
