"""The real tools around the course: dcmtk, dciodvfy, the processes a notebook starts.

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
import subprocess
import sys
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path


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


#: The environment a dcmtk program (or Debian's Orthanc, built on the system's dcmtk 3.6.7) needs
#: to send each PDU at once: dcmtk leaves Nagle's algorithm on unless ``TCP_NODELAY`` is set, and
#: each small message then waits about 40 ms for a delayed ACK (notebook 07 measures it).
NO_NAGLE = {"TCP_NODELAY": "1"}


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
    >>> import subprocess, sys
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
