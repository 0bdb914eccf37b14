"""Where a notebook's files come from and go: pydicom's test files, private scratch folders.

:func:`testdata` finds a test file that pydicom ships (never downloading one);
:func:`scratch_folder` gives a notebook a fresh folder of its own, and :func:`private_files`
makes what the process writes its Unix user's alone (:data:`PRIVATE_FOLDER`, :data:`PRIVATE_FILE`);
:func:`folder_problem` says why a folder is not its user's alone (a server refuses to store there).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
from pathlib import Path

try:
    import grp
    import pwd
except ImportError:  # Windows: no Unix owners
    grp = pwd = None

from pydicom.data import get_testdata_file

#: Permissions of the folders and files the course makes: its user's alone.
PRIVATE_FOLDER, PRIVATE_FILE = 0o700, 0o600


def testdata(name: str) -> Path:
    """Path of a test file that pydicom ships (``CT_small.dcm``, ``MR_small.dcm``, ...).

    Only files inside the installed pydicom package are used; nothing is downloaded.

    Parameters
    ----------
    name : str
        The file name, as pydicom's documentation lists it.

    Returns
    -------
    pathlib.Path
        Where it is.

    Raises
    ------
    FileNotFoundError
        When pydicom does not ship a file of that name.

    Examples
    --------
    >>> testdata("CT_small.dcm").name
    'CT_small.dcm'
    """
    try:
        p = get_testdata_file(name, download=False)
    except Exception:  # pydicom raises different things for "not here"
        p = None
    if not p:
        raise FileNotFoundError(f"pydicom does not ship a test file called {name!r}")
    return Path(p)


def scratch_folder(name: str, root: str | os.PathLike = "scratch") -> Path:
    """A fresh, empty folder ``root/name`` for what a notebook writes.

    It is removed and made again on every call, so "Restart & Run All" works twice in a row.
    Only folders below ``root`` are ever removed. The folder is its Unix user's alone (0700;
    ``root`` loses its group and other permissions if it is the user's), and so is what this
    process writes from then on (:func:`private_files`).

    Parameters
    ----------
    name : str
        The folder's name below ``root`` (a notebook's name, e.g. ``"07_network"``).
    root : str or os.PathLike
        Where scratch folders live (default ``scratch``, relative to the working folder).

    Returns
    -------
    pathlib.Path
        The new, empty folder (an absolute path).

    Raises
    ------
    ValueError
        When ``name`` would lead outside ``root`` (``..``, an absolute path).

    Examples
    --------
    >>> import tempfile
    >>> p = scratch_folder("demo", root=tempfile.mkdtemp())
    >>> p.is_dir(), list(p.iterdir())
    (True, [])
    """
    private_files()
    base = Path(root).resolve()
    target = (base / name).resolve()
    if base not in target.parents:
        raise ValueError(f"scratch folder {name!r} would lie outside {base}")
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True, mode=PRIVATE_FOLDER)
    os.chmod(target, PRIVATE_FOLDER)
    with contextlib.suppress(OSError):  # a root the learner made: theirs to share or not
        if base.stat().st_uid == os.geteuid():
            os.chmod(base, base.stat().st_mode & ~0o077)
    return target


def private_files() -> int:
    """From now on, what this process (and what it starts) writes is its Unix user's alone.

    Sets the umask to 077: new folders ``rwx------`` (0700), new files ``rw-------`` (0600),
    so that on a machine shared by a class no other participant can read or change them. The
    course's scratch folders call it (:func:`scratch_folder`).

    Returns
    -------
    int
        The umask that was in force before.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> before = private_files()
    >>> path = Path(tempfile.mkdtemp()) / "note.txt"
    >>> _ = path.write_text("mine")
    >>> oct(path.stat().st_mode & 0o777)
    '0o600'
    """
    return os.umask(0o777 & ~PRIVATE_FOLDER)


def _own_group(gid: int) -> bool:
    """Whether ``gid`` is the user's private group (their primary group, named as they are).

    ``mkdir`` under umask 002 makes group-writable folders that only their user can write.
    """
    try:
        user, group = pwd.getpwuid(os.geteuid()), grp.getgrgid(gid)
    except KeyError:
        return False
    return (gid == user.pw_gid and group.gr_name == user.pw_name
            and not set(group.gr_mem) - {user.pw_name})


def folder_problem(folder: str | os.PathLike) -> str | None:
    """Why another Unix user could change what is in ``folder``, or ``None`` (also if missing).

    A symbolic link, a folder another user owns, or one others may write in (a user's private
    group excepted) lets someone else swap what a server stored there after it said Success.

    Examples
    --------
    >>> import tempfile
    >>> folder_problem(tempfile.mkdtemp()) is None      # made 0700 for its user
    True
    >>> import os; os.chmod(d := tempfile.mkdtemp(), 0o777); folder_problem(d)
    'may be written by others (mode 777)'
    """
    try:
        info = os.lstat(folder)
    except FileNotFoundError:
        return None
    if pwd is None:
        return None
    if stat.S_ISLNK(info.st_mode):
        return "is a symbolic link"
    if info.st_uid != os.geteuid():
        return f"belongs to another user (uid {info.st_uid})"
    if info.st_mode & 0o002 or (info.st_mode & 0o020 and not _own_group(info.st_gid)):
        return f"may be written by others (mode {info.st_mode & 0o777:o})"
    return None
