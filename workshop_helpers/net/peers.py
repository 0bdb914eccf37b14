"""dcmtk's own tools as peers: the real ``storescp`` for tests, benchmarks and notebook 07."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

from .scp import NetError, free_port
from .scu import echo


@contextmanager
def dcmtk_storescp(folder, ae_title: str = "STORESCP", port: int = 0, args: Iterable[str] = (),
                   startup: float = 10):
    """Run dcmtk's ``storescp`` (the real one, not pynetdicom's look-alike) while in the block.

    Yields the port it listens on (``port=0``: a free one). It runs with ``TCP_NODELAY=1`` (see
    notebook 07) and is always stopped at the end of the block.

    Raises
    ------
    workshop_helpers.tools.ToolMissing
        When dcmtk is not installed.
    NetError
        When it does not answer a C-ECHO within ``startup`` seconds.
    """
    from .. import tools

    program = tools.dcmtk_tool("storescp")
    Path(folder).mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    proc = subprocess.Popen([program, "-aet", ae_title, "-od", str(folder), *args, str(port)],
                            env={**os.environ, "TCP_NODELAY": "1"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        end = time.monotonic() + startup
        while not echo("127.0.0.1", port, called_ae=ae_title, timeout=2).ok:
            if proc.poll() is not None or time.monotonic() > end:
                err = proc.stderr.read().decode(errors="replace") if proc.poll() is not None else ""
                raise NetError(f"dcmtk storescp did not start on port {port}: {err.strip()}")
            time.sleep(0.05)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
