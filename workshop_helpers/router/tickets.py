"""The router's memory on disk: tickets, written atomically and deleted only when unchanged.

A *ticket* is a small JSON file that names one stored instance (its identifiers and its path
relative to the router's folder) and a random ``version``; a :class:`TicketFolder` is a folder of
them (an inbox, an outbox or the dead letters of one destination). Names on disk come from
:func:`ticket_name` and :func:`folder_name`: readable, one-to-one, safe on any file system.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import threading
import uuid
from pathlib import Path
from typing import NamedTuple

from .. import tools
from ..net import safe_path_part

__all__ = ["Ticket", "TicketFolder", "ticket_name", "folder_name"]


# --------------------------------------------------------------------------- names on disk

def _digest(text: str, length: int) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:length]


def ticket_name(sop_instance_uid: str) -> str:
    """The file name of an instance's ticket: the UID made safe (:func:`~.net.safe_path_part`).

    Distinct UIDs get distinct names, as distinct values do in the StorageSCP's folders.

    Parameters
    ----------
    sop_instance_uid : str
        The instance's SOP Instance UID.

    Returns
    -------
    str
        ``<safe UID>.json``.

    Examples
    --------
    >>> ticket_name("1.2.840.99.1")
    '1.2.840.99.1.json'
    >>> ticket_name("../../etc")
    '_._.._etc~74ccf3c5b4c19a81.json'
    """
    return safe_path_part(sop_instance_uid, "NO_SOP_INSTANCE_UID") + ".json"


def folder_name(text: str) -> str:
    """A readable folder name for ``text``, one-to-one (:func:`~.net.safe_path_part`).

    Parameters
    ----------
    text : str
        E.g. a destination's name, ``AE@host:port``.

    Returns
    -------
    str
        A name safe on any file system, with a short hash when anything had to be replaced.

    Examples
    --------
    >>> folder_name("PACS")
    'PACS'
    >>> folder_name("PACS@127.0.0.1:104")
    'PACS_127.0.0.1_104~22c27502d8658010'
    """
    return safe_path_part(text, "UNNAMED")


def _series_folder(key: tuple[str, str, str]) -> str:
    return f"{safe_path_part(key[2], 'NO_SERIES_UID', 40)}~{_digest(chr(0).join(key), 12)}"


# --------------------------------------------------------------------------- tickets

class Ticket(NamedTuple):
    """One ticket as read from disk: its file, the exact bytes read and the decoded data.

    Parameters
    ----------
    file : pathlib.Path
        The ticket's file.
    raw : bytes
        Its bytes as read (a ticket is deleted only while it still holds them).
    data : dict
        The decoded JSON: the instance's identifiers, its ``path`` and a ``version``.
    """

    file: Path
    raw: bytes
    data: dict

    @property
    def name(self) -> str:
        """The ticket's file name (see :func:`ticket_name`)."""
        return self.file.name


class TicketFolder:
    """A folder of tickets, written atomically and deleted only when unchanged.

    Parameters
    ----------
    folder : str or os.PathLike
        Where the tickets are (created when the first one is written).
    tmp : str or os.PathLike
        Where tickets are written before ``os.replace`` moves them in (same file system).
    lock : threading.RLock or None
        Shared by every folder of one router: a rewrite and a compare-and-delete never interleave.

    Examples
    --------
    A worker read version 1, a corrected re-send wrote version 2 meanwhile: version 2 stays.

    >>> import tempfile, threading
    >>> from pathlib import Path
    >>> root = Path(tempfile.mkdtemp())
    >>> box = TicketFolder(root / "outbox", root / "tmp", threading.RLock())
    >>> box.put("1.2.3.json", {"path": "a.dcm"})
    >>> first = box.tickets()[0]
    >>> box.put("1.2.3.json", {"path": "a.dcm"})
    >>> box.remove_if_unchanged(first), box.count()
    (False, 1)
    >>> box.remove_if_unchanged(box.tickets()[0]), box.count()
    (True, 0)
    >>> import shutil; shutil.rmtree(root)
    """

    def __init__(self, folder: str | os.PathLike, tmp: str | os.PathLike,
                 lock: threading.RLock | None) -> None:
        self.folder, self.tmp, self.lock = Path(folder), Path(tmp), lock

    def put(self, name: str, data: dict) -> None:
        """Write (or replace) ticket ``name`` with ``data`` and a new random ``version``."""
        self.install(name, self.prepare(data))

    def prepare(self, data: dict) -> Path:
        """Write ``data`` and a new random ``version`` to a temporary file, flushed to disk."""
        tools.make_folders(self.tmp)
        tmp = self.tmp / f"{uuid.uuid4().hex}.part"
        with open(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY,
                          tools.PRIVATE_FILE), "wb") as f:
            f.write(json.dumps({**data, "version": uuid.uuid4().hex}, indent=1).encode())
            f.flush()
            os.fsync(f.fileno())
        return tmp

    def stage(self, ticket: Ticket) -> Path:
        """Make ``ticket`` (of another folder) ready for :meth:`install` here, without copying.

        A second name for its file (a hard link in ``tmp``): the ticket's bytes are already on
        disk, so nothing is written again. Where a file system has no hard links, or the ticket
        is gone meanwhile, a copy of its data is :meth:`prepare` d instead.
        """
        tools.make_folders(self.tmp)
        tmp = self.tmp / f"{uuid.uuid4().hex}.part"
        try:
            os.link(ticket.file, tmp)
        except OSError:
            return self.prepare(ticket.data)
        return tmp

    def install(self, name: str, tmp: Path, sync: bool = True) -> None:
        """Move a :meth:`prepare` d or :meth:`stage` d file in as ticket ``name`` (atomically).

        With ``sync=False`` its name lasts only after the caller's :meth:`sync`: one for many
        tickets.
        """
        with self.lock:
            tools.make_folders(self.folder)
            os.replace(tmp, self.folder / name)
            # Two hard links to one file (the same ticket queued twice, after a crash between
            # queueing and the inbox's removal): os.replace does nothing and leaves tmp.
            tmp.unlink(missing_ok=True)
        if sync:
            self.sync()

    def sync(self) -> None:
        """Make the names of the tickets installed so far last (fsync the folder)."""
        tools.fsync_folder(self.folder)

    def tickets(self, limit: int | None = None) -> list[Ticket]:
        """The tickets, oldest first (at most ``limit``); unreadable ones are skipped."""
        try:
            entries = [e for e in os.scandir(self.folder) if e.name.endswith(".json")]
        except FileNotFoundError:
            return []
        entries.sort(key=lambda e: (_mtime(e), e.name))
        found = (self._read(Path(e.path)) for e in entries)
        return list(itertools.islice((t for t in found if t is not None), limit))

    def count(self) -> int:
        """How many tickets there are."""
        with contextlib.suppress(FileNotFoundError):
            return sum(1 for e in os.scandir(self.folder) if e.name.endswith(".json"))
        return 0

    def remove_if_unchanged(self, ticket: Ticket) -> bool:
        """Delete ``ticket`` if its file still holds the bytes it was read with (True)."""
        with self.lock:
            if _read_bytes(ticket.file) != ticket.raw:
                return False
            ticket.file.unlink()
        return True

    def move_if_unchanged(self, ticket: Ticket, other: TicketFolder, data: dict) -> bool:
        """Replace ``ticket`` by ``data`` in ``other`` if it is unchanged here (True)."""
        tmp = other.prepare(data)
        with self.lock:
            if _read_bytes(ticket.file) != ticket.raw:
                tmp.unlink()
                return False
            tools.make_folders(other.folder)
            os.replace(tmp, other.folder / ticket.name)
            ticket.file.unlink()
        tools.fsync_folder(other.folder)
        return True

    def remove_folder_if_empty(self) -> None:
        """Remove the folder when no ticket is left (an inbox of a finished series)."""
        with self.lock, contextlib.suppress(OSError):
            self.folder.rmdir()

    def _read(self, file: Path) -> Ticket | None:
        raw = _read_bytes(file)
        try:
            return Ticket(file, raw, json.loads(raw)) if raw is not None else None
        except ValueError:
            return None


def _read_bytes(file: Path) -> bytes | None:
    try:
        return file.read_bytes()
    except FileNotFoundError:
        return None


def _mtime(entry: os.DirEntry) -> float:
    try:
        return entry.stat().st_mtime
    except FileNotFoundError:
        return 0.0
