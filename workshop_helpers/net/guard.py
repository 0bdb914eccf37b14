"""What a storage SCP checks before it trusts a peer or a path: callers, Unix users, links, sizes.

On a machine shared by a class, every participant is a Unix user and every connection between
them comes from 127.0.0.1: the address says nothing about who is calling, and an AE title can
be read in any notebook. Linux knows better: each TCP socket has an owner, listed with the
socket's two addresses in ``/proc/net/tcp`` and ``/proc/net/tcp6`` (the ``uid`` column, see
``proc(5)``). :func:`socket_owner` finds the peer's socket there — its *local* address is the
address the connection came from — and a server refuses a peer that belongs to someone else.

The rest keeps a received instance inside its folder and its size bounded:
:func:`open_folder_below` walks down a storage folder without ever following a symbolic link,
and :func:`inflated_size_exceeds` tells whether a deflated data set grows beyond a limit.

Examples
--------
>>> import os, socket
>>> with socket.create_server(("127.0.0.1", 0)) as server:
...     client = socket.create_connection(server.getsockname())
...     peer, address = server.accept()
...     owner = socket_owner(address, peer.getsockname())
...     client.close(); peer.close()
>>> owner == os.geteuid() if os.path.exists("/proc/net/tcp") else owner is None
True
"""

from __future__ import annotations

import errno
import ipaddress
import os
import pwd
import sys
import zlib
from pathlib import Path

from pydicom.dataset import Dataset

from ..tools import PRIVATE_FOLDER, AtomicFile
from .storage import StoreRefused

#: The largest instance an SCP stores unless told otherwise (its data set, once inflated).
MAX_INSTANCE_BYTES = 1 << 30
#: Longer identifiers are no DICOM values (LO and UI hold 64 characters, PS3.5 6.2).
MAX_IDENTIFIER_BYTES = 1024
IDENTIFIERS = ((0x00080016, "SOP Class UID"), (0x00080018, "SOP Instance UID"),
               (0x00100020, "Patient ID"), (0x0020000D, "Study Instance UID"),
               (0x0020000E, "Series Instance UID"))

#: The calling AE titles a course SCP accepts unless told otherwise: those the course's helpers
#: call from (``net.send``/``net.echo``: WORKSHOP-SCU; ``qr``: WORKSTATION; Orthanc: ORTHANC;
#: ``pacs.Orthanc``'s check: PACS-HELPER), the notebooks' modalities and routers (CT01, MR01,
#: ROUTER, ROUTER2, ROUTER3) and dcmtk's defaults and the notebooks' dcmtk runs (STORESCU,
#: ECHOSCU, MOVESCU, GETSCU, FINDSCU, DCMTK).
COURSE_CALLING_AES = frozenset({
    "WORKSHOP-SCU", "WORKSTATION", "ORTHANC", "PACS-HELPER", "CT01", "MR01",
    "ROUTER", "ROUTER2", "ROUTER3", "STORESCU", "ECHOSCU", "MOVESCU", "GETSCU", "FINDSCU", "DCMTK",
})

_ADDED: set[str] = set()


def add_calling_ae(*titles: str) -> None:
    """Let the course's SCPs in this process accept these calling AE titles too.

    For titles the course's helpers make as they run (a router's own title, the title of a
    PACS made at its start), so that the SCPs of the same notebook accept them with no typing.

    Examples
    --------
    >>> add_calling_ae("ROUTER9")
    >>> "ROUTER9" in COURSE_CALLERS, "NOBODY" in COURSE_CALLERS
    (True, False)
    """
    _ADDED.update(t.strip() for t in titles)


class _CourseCallers:
    """The default of ``allowed_calling_aes``: :data:`COURSE_CALLING_AES` and those added since."""

    def __contains__(self, title: object) -> bool:
        return title in COURSE_CALLING_AES or title in _ADDED

    def __iter__(self):
        return iter(sorted(COURSE_CALLING_AES | _ADDED))

    def __repr__(self) -> str:
        return "COURSE_CALLERS"


#: What a course SCP accepts by default: :data:`COURSE_CALLING_AES` and :func:`add_calling_ae`'s.
COURSE_CALLERS = _CourseCallers()

_TABLES = ("/proc/net/tcp", "/proc/net/tcp6")


def is_loopback(host: str) -> bool:
    """True for an address of this machine's loopback (127.0.0.0/8, ::1, ::ffff:127.x.y.z).

    Examples
    --------
    >>> is_loopback("127.0.3.7"), is_loopback("::ffff:127.0.0.1"), is_loopback("10.0.0.1")
    (True, True, False)
    """
    try:
        address = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_loopback


def _normal(host: str, port: int) -> tuple[str, int]:
    address = ipaddress.ip_address(host.split("%")[0])
    address = getattr(address, "ipv4_mapped", None) or address
    return str(address), int(port)


def _decode(field: str) -> tuple[str, int]:
    """``0100007F:1F90`` (the kernel's words in host byte order, the port big-endian) -> address."""
    host, port = field.split(":")
    raw = bytes.fromhex(host)
    if sys.byteorder == "little":
        raw = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
    return _normal(str(ipaddress.ip_address(raw)), int(port, 16))


def socket_owner(peer: tuple, ours: tuple) -> int | None:
    """The Unix user id that owns the peer's end of a TCP connection made on this machine (Linux).

    Parameters
    ----------
    peer : tuple
        The peer's address as ``accept()`` gave it: ``(host, port, ...)``.
    ours : tuple
        Our end of the same connection: ``sock.getsockname()``.

    Returns
    -------
    int or None
        The uid in the row of ``/proc/net/tcp`` or ``tcp6`` whose local address is ``peer`` and
        whose remote address is ``ours``; None where there is no such table (not Linux) or no
        such row (the peer has closed already, or is on another machine).
    """
    want_local, want_remote = _normal(*peer[:2]), _normal(*ours[:2])
    for table in _TABLES:
        try:
            with open(table, encoding="ascii") as f:
                next(f, None)  # the header
                for line in f:
                    fields = line.split()
                    if (len(fields) > 7 and _decode(fields[1]) == want_local
                            and _decode(fields[2]) == want_remote):
                        return int(fields[7])
        except FileNotFoundError:
            continue
    return None


def can_tell_owners() -> bool:
    """True where :func:`socket_owner` can work (Linux with ``/proc/net/tcp``)."""
    return os.path.exists(_TABLES[0])


def user_name(uid: int | None) -> str:
    """``alice (uid 1001)``, or ``uid 1001`` for a uid without a name, or ``an unknown user``.

    Examples
    --------
    >>> user_name(0)
    'root (uid 0)'
    >>> user_name(None)
    'an unknown user'
    """
    if uid is None:
        return "an unknown user"
    try:
        return f"{pwd.getpwuid(uid).pw_name} (uid {uid})"
    except KeyError:
        return f"uid {uid}"


def stranger(peer: tuple, ours: tuple) -> str | None:
    """Why a peer on this machine is refused (its socket is another Unix user's), or None.

    Judged on a system that lists socket owners: a loopback peer, and a peer whose socket is in
    this machine's list (a program here that connected to one of the machine's other addresses,
    where a server listens on more than 127.0.0.1). A peer of another machine returns None.

    Parameters
    ----------
    peer, ours : tuple
        The two ends of the connection (see :func:`socket_owner`).

    Returns
    -------
    str or None
        One sentence naming the peer and its owner, or None.
    """
    if not can_tell_owners():
        return None
    owner = socket_owner(peer, ours)
    if owner is None and not is_loopback(str(peer[0])):
        return None  # no socket of this machine's: another machine's
    me = os.geteuid()
    if owner == me:
        return None
    who = user_name(owner) if owner is not None else "a socket that is gone"
    return (f"{peer[0]}:{peer[1]} belongs to {who}, not to {user_name(me)}: only programs of "
            "the same Unix user may connect")


# --------------------------------------------------------------------------- paths

class LinkRefused(OSError):
    """A symbolic link (or a file) stood where a folder of the storage was expected."""


def open_folder_below(root: str | os.PathLike, parts: list[str] | tuple[str, ...],
                      mode: int = PRIVATE_FOLDER) -> int:
    """Open (making what is missing) ``root/parts...`` without following any symbolic link.

    Each part is opened with ``O_NOFOLLOW | O_DIRECTORY`` relative to the one above, so a link
    planted anywhere below ``root`` is refused rather than followed (``root`` itself is trusted).

    Parameters
    ----------
    root : str or os.PathLike
        The storage folder.
    parts : sequence of str
        Folder names below it, each one path part.
    mode : int
        Permissions of folders made here (the umask applies too).

    Returns
    -------
    int
        A file descriptor of the deepest folder (close it with ``os.close``).

    Raises
    ------
    LinkRefused
        When a part is a symbolic link or not a folder.
    OSError
        When a folder cannot be made.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> os.close(open_folder_below(root, ["a", "b"])); (root / "a" / "b").is_dir()
    True
    >>> (root / "link").symlink_to(tempfile.mkdtemp())
    >>> open_folder_below(root, ["link", "c"])
    Traceback (most recent call last):
    ...
    workshop_helpers.net.guard.LinkRefused: link is a symbolic link or not a folder: not followed
    """
    flags = os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for part in parts:
            try:
                os.mkdir(part, mode, dir_fd=fd)
            except FileExistsError:
                pass
            try:
                below = os.open(part, flags, dir_fd=fd)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
                    raise LinkRefused(f"{part} is a symbolic link or not a folder: "
                                      "not followed") from None
                raise
            os.close(fd)
            fd = below
        return fd
    except BaseException:
        os.close(fd)
        raise


def commit_below(file: AtomicFile, folder: Path, path: Path) -> None:
    """Commit ``file`` at ``path`` (below ``folder``) without following a symbolic link.

    Raises
    ------
    LinkRefused
        When a link or a file stands where a folder should be; ``file`` is discarded then.
    """
    parts = path.relative_to(folder).parts
    try:
        fd = open_folder_below(folder, parts[:-1])
    except BaseException:
        file.discard()
        raise
    try:
        file.commit(parts[-1], folder_fd=fd)
    finally:
        os.close(fd)


def is_real_folder(path: str | os.PathLike) -> bool:
    """True when ``path`` is a folder and not a symbolic link to one (``lstat``)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return False
    return (st.st_mode & 0o170000) == 0o040000


# --------------------------------------------------------------------------- sizes

def too_large(limit: int) -> StoreRefused:
    """The refusal of an instance over ``limit`` bytes: 0xA700 Out of Resources (PS3.4 B.2.3)."""
    return StoreRefused(0xA700, f"over the {limit:,} bytes this SCP stores per instance")


def check_identifiers(ids: Dataset) -> Dataset:
    """``ids``, once each identifier is seen to be no longer than :data:`MAX_IDENTIFIER_BYTES`.

    Raises
    ------
    StoreRefused
        0xC000 naming the identifier and its length (a value read lazily by pydicom is not
        read here: its length is enough).
    """
    for tag, name in IDENTIFIERS:
        length = getattr(ids.get_item(tag, keep_deferred=True), "length", 0) or 0
        if length > MAX_IDENTIFIER_BYTES:
            raise StoreRefused(0xC000, f"{name} of {length:,} bytes: not a DICOM value (PS3.5 6.2)")
    return ids


def inflated_size_exceeds(path: str | os.PathLike, offset: int, limit: int) -> bool:
    """True when the deflated data set in ``path`` (from ``offset``) inflates to over ``limit`` bytes.

    Inflated piece by piece, never more than 1 MiB at once, and stopped as soon as the limit is
    passed: a small "zip bomb" costs no memory and at most ``limit`` bytes of work.

    Examples
    --------
    >>> import tempfile
    >>> z = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    >>> path = Path(tempfile.mkdtemp()) / "d"
    >>> _ = path.write_bytes(z.compress(bytes(10_000_000)) + z.flush())
    >>> inflated_size_exceeds(path, 0, 1_000_000), inflated_size_exceeds(path, 0, 20_000_000)
    (True, False)
    """
    inflater, total = zlib.decompressobj(-zlib.MAX_WBITS), 0
    with open(path, "rb") as f:
        f.seek(offset)
        while chunk := f.read(64 * 1024):
            while chunk and not inflater.eof:
                total += len(inflater.decompress(chunk, 1 << 20))
                chunk = inflater.unconsumed_tail
                if total > limit:
                    return True
            if inflater.eof:
                break
    return False
