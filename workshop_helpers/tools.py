"""The real tools around the course: dcmtk, dciodvfy, pydicom's test files, scratch folders.

dcmtk's command-line programs are the reference for what a DICOM file contains and how it is
dumped; ``dciodvfy`` (from David Clunie's dicom3tools) is the validator. Neither is a Python
package: they come from the Debian packages ``dcmtk`` and ``dicom3tools`` (Binder installs both
from ``binder/apt.txt``).

Beware: pynetdicom installs console scripts called ``storescu``, ``storescp`` and ``echoscu``
into the virtual environment, and they shadow dcmtk's programs of the same names.
:func:`dcmtk_tool` therefore checks that a program really is dcmtk's before returning it.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import re
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import BinaryIO

import pydicom
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset

__all__ = [
    "ToolMissing",
    "CommandError",
    "dcmtk_tool",
    "dciodvfy_tool",
    "has_dcmtk",
    "has_dciodvfy",
    "run_tool",
    "Validation",
    "validate_file",
    "testdata",
    "scratch_folder",
    "stop_process",
    "AtomicFile",
    "atomic_file",
    "save_atomically",
    "make_folders",
    "fsync_folder",
    "environment_report",
]


class ToolMissing(RuntimeError):
    """A command-line tool the course uses is not installed on this machine."""


class CommandError(Exception):
    """A command of ``python -m workshop_helpers`` could not do its work.

    :func:`workshop_helpers.__main__.main` prints ``<command>: <message>`` as one line on
    stderr and exits with ``status``: 1 when the work could not be done, 2 for bad input (as
    argparse does for a bad command line), or a status the command documents.

    Parameters
    ----------
    message : str
        What failed, naming the file, peer or value.
    status : int
        The exit status (default 1).

    Examples
    --------
    >>> error = CommandError("no files in /data", status=2)
    >>> str(error), error.status
    ('no files in /data', 2)
    """

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


def _candidate_paths(name: str) -> list[Path]:
    """Every executable called ``name`` on PATH, in PATH order, plus /usr/bin."""
    seen: list[Path] = []
    dirs = os.environ.get("PATH", "").split(os.pathsep) + ["/usr/bin", "/usr/local/bin"]
    for d in dirs:
        if not d:
            continue
        p = Path(d) / name
        if p.is_file() and os.access(p, os.X_OK) and p not in seen:
            seen.append(p)
    return seen


@functools.cache
def _dcmtk_tool(name: str) -> str | None:
    venv_bin = Path(sys.prefix) / "bin"
    for p in _candidate_paths(name):
        if p.parent == venv_bin:  # pynetdicom's look-alikes live here
            continue
        try:
            out = subprocess.run(
                [str(p), "--version"], capture_output=True, text=True, timeout=10
            )
        except (OSError, subprocess.SubprocessError):
            continue
        if "dcmtk" in (out.stdout + out.stderr).lower():
            return str(p)
    return None


def dcmtk_tool(name: str) -> str:
    """Full path of dcmtk's program ``name`` (``dcmdump``, ``storescp``, ...).

    Parameters
    ----------
    name : str
        The program's name, without a folder.

    Returns
    -------
    str
        Its full path (never pynetdicom's look-alike in the virtual environment).

    Raises
    ------
    ToolMissing
        When no program of that name on this machine says it is dcmtk's.

    Examples
    --------
    >>> dcmtk_tool("dcmdump")  # doctest: +SKIP
    '/usr/bin/dcmdump'
    """
    path = _dcmtk_tool(name)
    if path is None:
        raise ToolMissing(
            f"dcmtk's {name!r} is not installed (Debian/Ubuntu: apt-get install dcmtk; "
            "macOS: brew install dcmtk). On Binder it is always there."
        )
    return path


def dciodvfy_tool() -> str:
    """Full path of ``dciodvfy``, the validator from dicom3tools.

    Returns
    -------
    str
        The first ``dciodvfy`` on PATH (or in /usr/bin, /usr/local/bin).

    Raises
    ------
    ToolMissing
        When dciodvfy is not on PATH.
    """
    for p in _candidate_paths("dciodvfy"):
        return str(p)
    raise ToolMissing(
        "dciodvfy is not installed (Debian/Ubuntu: apt-get install dicom3tools). "
        "On Binder it is always there."
    )


def has_dcmtk() -> bool:
    """Whether dcmtk's programs are installed (checked with ``dcmdump``).

    Returns
    -------
    bool
        True when a ``dcmdump`` on this machine says it is dcmtk's.
    """
    return _dcmtk_tool("dcmdump") is not None


def has_dciodvfy() -> bool:
    """Whether ``dciodvfy`` is installed.

    Returns
    -------
    bool
        True when ``dciodvfy`` is on PATH (or in /usr/bin, /usr/local/bin).
    """
    return bool(_candidate_paths("dciodvfy"))


def run_tool(args: list[str | os.PathLike | int], timeout: float = 60,
             env: dict[str, str] | None = None, check: bool = False
             ) -> subprocess.CompletedProcess:
    """Run a command-line tool and capture its text output.

    Parameters
    ----------
    args : list
        The program and its arguments (paths and numbers are turned into text). A bare name
        (``"dcmdump"``) is found with :func:`dcmtk_tool`, so pynetdicom's look-alikes are
        never called by mistake; ``"dciodvfy"`` with :func:`dciodvfy_tool`.
    timeout : float
        Seconds before the program is stopped.
    env : dict, optional
        Environment variables to add to (or change in) this process's environment.
    check : bool
        Raise when the program exits with a status other than 0.

    Returns
    -------
    subprocess.CompletedProcess
        ``returncode``, ``stdout`` and ``stderr`` (text).

    Raises
    ------
    ToolMissing
        When the program is not installed.
    subprocess.TimeoutExpired
        When it runs longer than ``timeout``.
    subprocess.CalledProcessError
        With ``check``, when it fails.

    Examples
    --------
    >>> run_tool(["dcmdump", "--version"]).returncode  # doctest: +SKIP
    0
    """
    prog = args[0]
    if os.sep not in prog and prog != "dciodvfy":
        prog = dcmtk_tool(prog)
    elif prog == "dciodvfy":
        prog = dciodvfy_tool()
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    return subprocess.run(
        [prog, *map(str, args[1:])], capture_output=True, text=True,
        timeout=timeout, env=full_env, check=check,
    )


@dataclass
class Validation:
    """What ``dciodvfy`` said about one file.

    Attributes
    ----------
    path : str
        The file.
    errors, warnings : list of str
        dciodvfy's ``Error -`` and ``Warning -`` lines.
    output : str
        Everything it printed.
    """

    path: str
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    output: str = ""

    @property
    def ok(self) -> bool:
        """True when dciodvfy reported no error."""
        return not self.errors

    def __str__(self) -> str:
        head = f"{self.path}: {len(self.errors)} error(s), {len(self.warnings)} warning(s)"
        return "\n".join([head, *self.errors, *self.warnings])


_LINE = re.compile(r"^(Error|Warning)\s*-\s*(.*)$")


def validate_file(path: str | os.PathLike) -> Validation:
    """Validate one DICOM file with ``dciodvfy`` and sort its messages.

    Parameters
    ----------
    path : str or os.PathLike
        The DICOM file.

    Returns
    -------
    Validation
        Its errors and warnings, one line each, and the whole output.

    Raises
    ------
    ToolMissing
        When dciodvfy is not installed.
    """
    out = run_tool(["dciodvfy", str(path)], timeout=120)
    text = out.stdout + out.stderr
    result = Validation(str(path), output=text)
    for line in text.splitlines():
        m = _LINE.match(line.strip())
        if m:
            (result.errors if m.group(1) == "Error" else result.warnings).append(line.strip())
    return result


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
    >>> before = private_files()
    >>> path = Path(tempfile.mkdtemp()) / "note.txt"
    >>> _ = path.write_text("mine")
    >>> oct(path.stat().st_mode & 0o777)
    '0o600'
    """
    return os.umask(0o077)


#: Permissions of the folders and files the course makes: its user's alone.
PRIVATE_FOLDER, PRIVATE_FILE = 0o700, 0o600


def stop_process(proc: subprocess.Popen, grace: float = 10) -> None:
    """Stop a child process by its id: SIGTERM, then SIGKILL after ``grace`` seconds; reap it.

    Parameters
    ----------
    proc : subprocess.Popen
        A process this one started (nothing happens if it has already ended).
    grace : float
        Seconds it gets to end after SIGTERM.

    Examples
    --------
    >>> proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    >>> stop_process(proc)
    >>> proc.poll() is not None
    True
    """
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class AtomicFile:
    """A file that appears under its final name only complete and on disk, or not at all.

    The bytes go to a new file in ``folder``; :meth:`commit` makes them durable (every byte
    written — a buffered write raises rather than write short —, ``fdatasync``, the size
    checked), renames the file into place atomically and fsyncs the folder that holds the new
    name; :meth:`discard` forgets it. Until :meth:`commit` returns, the target is untouched.

    Where the system allows (Linux: ``O_TMPFILE``) the file has no name at all until it is
    complete and synced, so nobody can see it half-written and a process that dies leaves
    nothing behind. Elsewhere it is ``folder/name`` until then.

    Use :func:`atomic_file` when the name is known before writing. This class is for a writer
    that learns where the file goes only from its bytes: the storage SCP streams an instance
    into it as it arrives and reads the identifiers back (:attr:`path`) before it commits.

    Parameters
    ----------
    folder : str or os.PathLike
        An existing folder on the file system of the target.
    name : str
        The temporary name in ``folder`` (unique among concurrent writers).

    Raises
    ------
    OSError
        When the file cannot be made (a missing folder, no permission).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> file = AtomicFile(folder, "1.part")
    >>> file.write(b"DICM")
    >>> file.commit(folder / "a" / "x.dcm")
    >>> sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))
    ['a', 'a/x.dcm']
    """

    def __init__(self, folder: str | os.PathLike, name: str) -> None:
        self.temp = Path(folder) / name
        self._anonymous = True
        try:
            fd = os.open(folder, os.O_TMPFILE | os.O_WRONLY, PRIVATE_FILE)
        except AttributeError:  # no O_TMPFILE on this system
            fd = None
        except OSError as exc:  # not on this file system (EISDIR on old kernels)
            if exc.errno not in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL):
                raise
            fd = None
        if fd is None:
            self._anonymous = False
            fd = os.open(self.temp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE)
        self.file: BinaryIO = open(fd, "wb")  # noqa: SIM115 - closed by commit/discard

    @property
    def anonymous(self) -> bool:
        """True while the file has no name (``O_TMPFILE``)."""
        return self._anonymous

    @property
    def path(self) -> Path:
        """Where the bytes written so far can be read (after :meth:`flush`)."""
        return Path(f"/proc/self/fd/{self.file.fileno()}") if self._anonymous else self.temp

    @property
    def size(self) -> int:
        """How many bytes were written."""
        return self.file.tell()

    def write(self, data: bytes | bytearray | memoryview) -> None:
        """Append ``data``; raises OSError on a full disk (never writes short)."""
        self.file.write(data)

    def flush(self) -> None:
        """Hand what was written to the operating system, so that it can be read back."""
        self.file.flush()

    def commit(self, target: str | os.PathLike, *, folder_fd: int | None = None) -> None:
        """Make the file durable and put it at ``target``, making missing folders.

        Parameters
        ----------
        target : str or os.PathLike
            The final path, on the same file system; an existing file there is replaced.
        folder_fd : int, optional
            An open folder: ``target`` is then a name in it, and no path is looked up again
            (nothing on the way can be swapped for a symbolic link meanwhile).

        Raises
        ------
        OSError
            When anything fails; the file is discarded then and ``target`` is as it was.
        """
        target = Path(target)
        try:
            self.file.flush()
            fd = self.file.fileno()
            _sync(fd)
            if os.fstat(fd).st_size != self.file.tell():
                raise OSError(f"{self.temp} has {os.fstat(fd).st_size} bytes, "
                              f"{self.file.tell()} were written")
            if self._anonymous:  # complete and on disk: now it may have a name
                _link_anonymous(fd, self.temp)
                self._anonymous = False
            self.file.close()
            if folder_fd is not None:
                os.replace(self.temp, target.name, dst_dir_fd=folder_fd)
                os.fsync(folder_fd)
                return
            make_folders(target.parent)
            os.replace(self.temp, target)
            fsync_folder(target.parent)
        except BaseException:
            self.discard()
            raise

    def discard(self) -> None:
        """Forget the file (safe to call twice)."""
        try:
            self.file.close()
        except OSError:
            pass
        if not self._anonymous:
            self.temp.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike) -> Iterator[BinaryIO]:
    """Write a file that is either complete at ``path`` or not there at all.

    The block writes into a binary file in the same folder (see :class:`AtomicFile`); when the
    block ends normally the file is synced and renamed to ``path`` and the folder synced. When
    the block raises, the file is removed, the error goes on, and a file that was at ``path``
    before is left as it was.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write; its folder must exist.

    Yields
    ------
    BinaryIO
        An open binary file to write to.

    Raises
    ------
    FileNotFoundError
        When the folder of ``path`` does not exist.
    OSError
        When the disk refuses (full, read-only); nothing is left behind then.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "note.txt"
    >>> with atomic_file(path) as f:
    ...     _ = f.write(b"complete or absent")
    >>> path.read_bytes(), [p.name for p in path.parent.iterdir()]
    (b'complete or absent', ['note.txt'])
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise FileNotFoundError(f"cannot write {path}: the folder {path.parent} does not exist")
    file = AtomicFile(path.parent, f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.part")
    try:
        yield file.file
    except BaseException:
        file.discard()
        raise
    file.commit(path)


def save_atomically(ds: Dataset, path: str | os.PathLike) -> Path:
    """Write the dataset ``ds`` as a DICOM file at ``path``, never half-written.

    A DICOM file (PS3.10: preamble, ``DICM``, File Meta Information) written by pydicom through
    :func:`atomic_file`: on any error nothing is left and an existing file at ``path`` is as it was.

    Parameters
    ----------
    ds : pydicom.dataset.Dataset
        The data set, with the File Meta Information pydicom needs (or can add).
    path : str or os.PathLike
        Where to write; the folder must exist.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ValueError
        What pydicom raises for a data set it cannot write as a file (no transfer syntax to
        encode it in, a value its VR cannot hold).
    OSError
        When the disk refuses.

    Examples
    --------
    >>> import tempfile, pydicom
    >>> ds = pydicom.dcmread(testdata("CT_small.dcm"))
    >>> out = save_atomically(ds, Path(tempfile.mkdtemp()) / "ct.dcm")
    >>> sorted(p.name for p in out.parent.iterdir())
    ['ct.dcm']
    """
    path = Path(path)
    with atomic_file(path) as f:
        pydicom.dcmwrite(f, ds, enforce_file_format=True)
    return path


def make_folders(folder: str | os.PathLike) -> None:
    """``mkdir -p`` that also fsyncs the parent of every folder it makes, so the names last.

    The folders it makes are their user's alone (0700).

    Parameters
    ----------
    folder : str or os.PathLike
        The folder to make, with any missing parents.

    Raises
    ------
    OSError
        When a folder cannot be made (a file in the way, no permission).

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> make_folders(root / "a" / "b"); (root / "a" / "b").is_dir()
    True
    """
    folder = Path(folder)
    if folder.is_dir():
        return
    make_folders(folder.parent)
    try:
        folder.mkdir(mode=PRIVATE_FOLDER)
    except FileExistsError:
        if not folder.is_dir():
            raise
        return
    fsync_folder(folder.parent)


def fsync_folder(folder: str | os.PathLike) -> None:
    """Flush a folder's entries (new names, renames) to disk: ``fsync`` on the folder itself.

    Parameters
    ----------
    folder : str or os.PathLike
        An existing folder.

    Raises
    ------
    OSError
        When the folder cannot be opened.

    Examples
    --------
    >>> import tempfile
    >>> fsync_folder(tempfile.mkdtemp())
    """
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync(fd: int) -> None:
    """fdatasync where there is one: the data and the size, not the times (POSIX)."""
    (getattr(os, "fdatasync", None) or os.fsync)(fd)


def _link_anonymous(fd: int, path: Path) -> None:
    """Give the unnamed (O_TMPFILE) file ``fd`` the name ``path`` (open(2), O_TMPFILE).

    ``linkat`` must follow the ``/proc/self/fd`` link (AT_SYMLINK_FOLLOW); Python calls
    ``linkat`` rather than ``link`` only when a directory descriptor is given.
    """
    root = os.open("/", os.O_RDONLY)
    try:
        os.link(f"/proc/self/fd/{fd}", path, src_dir_fd=root, follow_symlinks=True)
    finally:
        os.close(root)


def environment_report() -> list[tuple[str, str, str]]:
    """What this environment has: Python, the course's packages, dcmtk and dciodvfy.

    Used by the welcome notebook and ``python -m workshop_helpers env``.

    Returns
    -------
    list of tuple of str
        ``(name, version or 'missing', note)`` rows; the note says where it is or how to
        install it.
    """
    rows: list[tuple[str, str, str]] = [("python", sys.version.split()[0], sys.executable)]
    for pkg in ("pydicom", "pynetdicom", "numpy", "matplotlib", "ipywidgets", "pillow"):
        try:
            rows.append((pkg, version(pkg), "Python package"))
        except PackageNotFoundError:
            rows.append((pkg, "missing", "pip install -r binder/requirements.txt"))
    if has_dcmtk():
        v = run_tool(["dcmdump", "--version"]).stdout.splitlines()
        rows.append(("dcmtk", v[0].split()[2] if v and len(v[0].split()) > 2 else "?",
                     str(Path(dcmtk_tool("dcmdump")).parent)))
    else:
        rows.append(("dcmtk", "missing", "apt-get install dcmtk"))
    if has_dciodvfy():
        rows.append(("dciodvfy", "installed", dciodvfy_tool()))
    else:
        rows.append(("dciodvfy", "missing", "apt-get install dicom3tools"))
    return rows
