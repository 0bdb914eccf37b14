"""dcmtk's own tools as peers: the real ``storescp`` for tests, benchmarks and notebook 07."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .. import tools
from .scp import NetError, free_port
from .scu import echo


@contextmanager
def dcmtk_storescp(folder: str | os.PathLike, ae_title: str = "STORESCP", port: int = 0,
                   args: Iterable[str] = (), startup: float = 10) -> Iterator[int]:
    """Run dcmtk's ``storescp`` (the real one, not pynetdicom's look-alike) while in the block.

    It runs with ``TCP_NODELAY=1`` (see notebook 07) and is always stopped, by its process id,
    at the end of the block.

    Parameters
    ----------
    folder : str or os.PathLike
        Where it stores what it receives (``-od``); made if missing.
    ae_title : str
        Its AE title (``-aet``).
    port : int
        The port to listen on; 0: a free one, tried again if another process takes it first.
    args : iterable of str
        More of dcmtk's flags, e.g. ``["+xa"]`` to accept every transfer syntax.
    startup : float
        Seconds it has to answer a C-ECHO.

    Yields
    ------
    int
        The port it listens on.

    Raises
    ------
    workshop_helpers.tools.ToolMissing
        When dcmtk is not installed.
    NetError
        When it does not answer a C-ECHO within ``startup`` seconds.
    """
    program = tools.dcmtk_tool("storescp")
    Path(folder).mkdir(parents=True, exist_ok=True)
    for attempt in range(5):
        chosen = port or free_port()
        proc = subprocess.Popen([program, "-aet", ae_title, "-od", str(folder), *args, str(chosen)],
                                env={**os.environ, **tools.NO_NAGLE},
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            error = _wait_until_answering(proc, chosen, ae_title, startup)
            if error is None:
                yield chosen
                return
            if port or "already in use" not in error or attempt == 4:
                raise NetError(f"dcmtk storescp did not start on port {chosen}: {error}")
        finally:
            tools.stop_process(proc)


def _wait_until_answering(proc: subprocess.Popen, port: int, ae_title: str, startup: float
                          ) -> str | None:
    """None once ``proc`` answers a C-ECHO; else why not (what it said, or a timeout)."""
    end = time.monotonic() + startup
    while not echo("127.0.0.1", port, called_ae=ae_title, timeout=2).ok:
        if proc.poll() is not None:
            return proc.stderr.read().decode(errors="replace").strip() or "it exited"
        if time.monotonic() > end:
            return f"no answer to C-ECHO within {startup:g} s"
        time.sleep(0.01)  # storescp listens some 10 ms after it was started
    return None
