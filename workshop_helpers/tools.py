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

import functools
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "ToolMissing",
    "dcmtk_tool",
    "dciodvfy_tool",
    "has_dcmtk",
    "has_dciodvfy",
    "run_tool",
    "Validation",
    "validate_file",
    "testdata",
    "scratch_folder",
    "save_atomically",
    "environment_report",
]


class ToolMissing(RuntimeError):
    """A command-line tool the course uses is not installed on this machine."""


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
    """True when dcmtk's programs are installed (checked with ``dcmdump``)."""
    return _dcmtk_tool("dcmdump") is not None


def has_dciodvfy() -> bool:
    """True when ``dciodvfy`` is installed."""
    return bool(_candidate_paths("dciodvfy"))


def run_tool(args: list[str], timeout: float = 60, env: dict | None = None,
             check: bool = False) -> subprocess.CompletedProcess:
    """Run a command-line tool and capture its text output.

    ``args[0]`` may be a bare dcmtk program name (``"dcmdump"``); it is resolved with
    :func:`dcmtk_tool` so that pynetdicom's look-alikes are never called by mistake.
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
    """What ``dciodvfy`` said about one file."""

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

    Raises
    ------
    FileNotFoundError
        When pydicom does not ship a file of that name.

    Examples
    --------
    >>> testdata("CT_small.dcm").name
    'CT_small.dcm'
    """
    from pydicom.data import get_testdata_file

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
    Only folders below ``root`` are ever removed.

    Examples
    --------
    >>> import tempfile
    >>> p = scratch_folder("demo", root=tempfile.mkdtemp())
    >>> p.is_dir(), list(p.iterdir())
    (True, [])
    """
    base = Path(root).resolve()
    target = (base / name).resolve()
    if base not in target.parents:
        raise ValueError(f"scratch folder {name!r} would lie outside {base}")
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    return target


def stop_process(proc: subprocess.Popen, grace: float = 10) -> None:
    """Stop a child process by its id: SIGTERM, then SIGKILL after ``grace`` seconds; reap it.

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


def save_atomically(ds, path: str | os.PathLike) -> Path:
    """Write the dataset ``ds`` as a DICOM file at ``path``, never half-written.

    It goes to a temporary file in the same folder first and is renamed into place only when
    complete; on any error the temporary file is removed and the error is raised again, and an
    existing file at ``path`` is left as it was.

    Examples
    --------
    >>> import tempfile, pydicom
    >>> ds = pydicom.dcmread(testdata("CT_small.dcm"))
    >>> out = save_atomically(ds, Path(tempfile.mkdtemp()) / "ct.dcm")
    >>> sorted(p.name for p in out.parent.iterdir())
    ['ct.dcm']
    """
    import tempfile

    import pydicom

    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            pydicom.dcmwrite(f, ds, enforce_file_format=True)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path


def environment_report() -> list[tuple[str, str, str]]:
    """What this environment has: ``(name, version or 'missing', note)`` rows.

    Used by the welcome notebook and ``python -m workshop_helpers env``.
    """
    from importlib.metadata import PackageNotFoundError, version

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
