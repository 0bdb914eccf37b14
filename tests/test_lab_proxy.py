"""Orthanc's own web page inside JupyterLab, through jupyter-server-proxy.

A real Jupyter server, started as ``make lab`` starts JupyterLab (a user process on 127.0.0.1),
and a real Orthanc: the page and the REST API answer under ``/proxy/<Orthanc's HTTP port>/``.
The server gets a random token, in its environment (not on its command line, which every user
of the machine can read in /proc); without it, nothing passes.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from conftest import free_port

from workshop_helpers import tools


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a 302 to the login page is an answer here
        return None


_OPEN = urllib.request.build_opener(_NoRedirect).open


def _get(url: str, token: str = "", authorization: str | None = None) -> tuple[int, bytes]:
    """GET with Jupyter's token in the query (the Authorization header goes on to Orthanc)."""
    request = urllib.request.Request(f"{url}?token={token}" if token else url,
                                     headers={"Authorization": authorization} if authorization else {})
    try:
        with _OPEN(request, timeout=10) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as exc:  # 403 refused, 302 to the login page
        return exc.code, b""


def test_orthanc_page_through_the_jupyter_proxy(orthanc, tmp_path):
    port = free_port()
    token = secrets.token_hex(24)
    jupyter = Path(sys.executable).with_name("jupyter")
    with open(tmp_path / "server.log", "w") as log:
        server = subprocess.Popen(
            [str(jupyter), "server", "--no-browser", "--allow-root", f"--port={port}",
             "--ServerApp.ip=127.0.0.1", "--ServerApp.port_retries=0"],
            env={**os.environ, "JUPYTER_TOKEN": token},
            stdout=subprocess.DEVNULL, stderr=log, cwd=tmp_path)
    try:
        end = time.monotonic() + 60
        while True:  # until the server answers (bounded)
            try:
                _get(f"http://127.0.0.1:{port}/api", token)
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < end, (
                    (tmp_path / "server.log").read_text()[-2000:])
                time.sleep(0.2)
        proxied = f"http://127.0.0.1:{port}/proxy/{orthanc.http_port}"
        login = getattr(orthanc.pacs, "authorization", None)  # Orthanc's password, if it has one
        status, page = _get(f"{proxied}/app/explorer.html", token, login)
        assert status == 200 and b"Orthanc" in page
        status, system = _get(f"{proxied}/system", token, login)
        assert status == 200 and f'"DicomPort" : {orthanc.port}'.encode() in system
        for wrong in ("", secrets.token_hex(24)):  # no token, or a guessed one: refused
            status, body = _get(f"{proxied}/system", wrong, login)
            assert status in (302, 401, 403) and b"DicomPort" not in body, (wrong, status)
    finally:
        tools.stop_process(server)
