"""Orthanc's own web page inside JupyterLab, through jupyter-server-proxy.

A real Jupyter server, started as ``make lab`` starts JupyterLab (a user process on 127.0.0.1;
conftest's ``jupyter_proxy``, one for the session), and a real Orthanc: the page and the REST API
answer under ``/proxy/<Orthanc's HTTP port>/``. The server has a random token, in its environment
(not on its command line, which every user of the machine can read in /proc); without it,
nothing passes.
"""

from __future__ import annotations

import secrets
import urllib.error
import urllib.request


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a 302 to the login page is an answer here
        return None


_OPEN = urllib.request.build_opener(_NoRedirect, urllib.request.ProxyHandler({})).open


def _get(url: str, token: str = "", authorization: str | None = None) -> tuple[int, bytes]:
    """GET with Jupyter's token in the query (the Authorization header goes on to Orthanc)."""
    request = urllib.request.Request(f"{url}?token={token}" if token else url,
                                     headers={"Authorization": authorization} if authorization else {})
    try:
        with _OPEN(request, timeout=10) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as exc:  # 403 refused, 302 to the login page
        return exc.code, b""


def test_orthanc_page_through_the_jupyter_proxy(orthanc, jupyter_proxy):
    token = jupyter_proxy.token
    proxied = f"{jupyter_proxy.base}/proxy/{orthanc.http_port}"
    login = getattr(orthanc.pacs, "authorization", None)  # Orthanc's password, if it has one
    status, page = _get(f"{proxied}/app/explorer.html", token, login)
    assert status == 200 and b"Orthanc" in page
    status, system = _get(f"{proxied}/system", token, login)
    assert status == 200 and f'"DicomPort" : {orthanc.port}'.encode() in system
    for wrong in ("", secrets.token_hex(24)):  # no token, or a guessed one: refused
        status, body = _get(f"{proxied}/system", wrong, login)
        assert status in (302, 401, 403) and b"DicomPort" not in body, (wrong, status)
