"""Orthanc's own web page inside JupyterLab, through jupyter-server-proxy (issue 10).

A real Jupyter server, started as ``make lab`` starts JupyterLab (a user process on 127.0.0.1),
and a real Orthanc: the page and the REST API answer under ``/proxy/<Orthanc's HTTP port>/``.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from conftest import free_port

from workshop_helpers import tools


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return answer.status, answer.read()


def test_orthanc_page_through_the_jupyter_proxy(orthanc, tmp_path):
    port = free_port()
    jupyter = Path(sys.executable).with_name("jupyter")
    with open(tmp_path / "server.log", "w") as log:
        server = subprocess.Popen(
            [str(jupyter), "server", "--no-browser", "--allow-root", f"--port={port}",
             "--ServerApp.ip=127.0.0.1", "--ServerApp.token=", "--ServerApp.password=",
             "--ServerApp.port_retries=0"],
            stdout=subprocess.DEVNULL, stderr=log, cwd=tmp_path)
    try:
        end = time.monotonic() + 60
        while True:  # until the server answers (bounded)
            try:
                _get(f"http://127.0.0.1:{port}/api")
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < end, (
                    (tmp_path / "server.log").read_text()[-2000:])
                time.sleep(0.2)
        status, page = _get(f"http://127.0.0.1:{port}/proxy/{orthanc.http_port}/app/explorer.html")
        assert status == 200 and b"Orthanc" in page
        status, system = _get(f"http://127.0.0.1:{port}/proxy/{orthanc.http_port}/system")
        assert status == 200 and f'"DicomPort" : {orthanc.port}'.encode() in system
    finally:
        tools.stop_process(server)
