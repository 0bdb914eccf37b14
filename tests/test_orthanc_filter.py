"""The course's Orthanc refuses what a browser sends for another site, and foreign Host headers.

A real Orthanc (with its DICOMweb plugin and, where built, the OHIF Viewer) started by
:class:`workshop_helpers.pacs.Orthanc`, which loads :mod:`workshop_helpers.orthanc_filter`'s Lua
filter. Every request below carries the right password: what is refused is refused by the filter
(403), not by the authentication (401). Through jupyter-server-proxy: the session's real Jupyter
server (conftest's ``jupyter_proxy``, as in test_lab_proxy).
"""

from __future__ import annotations

import http.server
import json
import stat
import threading
import urllib.error
import urllib.request

import pydicom
import pytest
from conftest import _unavailable, assert_stopped, headless_chromium, require_dicomweb, wait_for
from pydicom.uid import generate_uid

from workshop_helpers import orthanc_filter, pacs, tools, web

EVIL = "http://evil.example"
# What a browser adds to a request that a page of another site makes it send.
FOREIGN = [{"Origin": EVIL, "Sec-Fetch-Site": "cross-site"},
           {"Origin": EVIL},  # a browser without Fetch Metadata
           {"Sec-Fetch-Site": "cross-site"},
           {"Sec-Fetch-Site": "same-site", "Origin": "http://sub.127.0.0.1.nip.example"},
           {"Origin": "null"}]  # a sandboxed frame, or a redirect from another site

_OPEN = urllib.request.build_opener(urllib.request.ProxyHandler({})).open


def _send(url: str, method: str = "GET", headers: dict | None = None,
          body: bytes | None = None) -> tuple[int, bytes]:
    if body is None and method in ("POST", "PUT"):
        body = b"{}"
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with _OPEN(request, timeout=30) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_dicomweb()
    folder = tmp_path_factory.mktemp("filter")
    server = pacs.Orthanc(folder / "pacs", modalities={"WORKSTATION": ("127.0.0.1", 1)},
                          dicomweb=True, viewer=True)
    with server:
        pid = server.pid
        server.upload(tools.testdata("CT_small.dcm"))
        yield server
    assert_stopped(server, pid)


def _with_password(server, headers: dict | None = None) -> dict:
    return {"Authorization": server.authorization, **(headers or {})}


def _unchanged(server, patients: list[str]) -> None:
    assert server.running, server.log_tail()
    assert server.patients() == patients
    assert "WORKSTATION" in server.known_modalities()


def test_the_filter_is_a_private_file_listed_in_the_configuration(server):
    config = json.loads(server.config_path.read_text())
    lua = server.folder / orthanc_filter.FILE_NAME
    assert config["LuaScripts"] == [str(lua)]
    assert stat.S_IMODE(lua.stat().st_mode) == 0o600
    assert f'"127.0.0.1:{server.http_port}"' in lua.read_text()


@pytest.mark.parametrize("foreign", FOREIGN, ids=lambda h: ",".join(f"{k}={v}" for k, v in h.items()))
def test_a_state_change_from_another_site_is_refused(server, foreign):
    patients = server.patients()
    assert patients
    attempts = [("POST", "/tools/shutdown"), ("DELETE", f"/patients/{patients[0]}"),
                ("PUT", "/modalities/WORKSTATION"), ("PUT", "/tools/log-level"),
                ("POST", "/tools/find")]
    for method, path in attempts:
        status, _ = _send(server.url + path, method, _with_password(server, foreign))
        assert status == 403, (method, path, status)
    status, _ = _send(server.dicomweb_url + "/studies", "POST",
                      _with_password(server, {**foreign, "Content-Type": "application/dicom"}))
    assert status == 403
    _unchanged(server, patients)
    assert server.get("/modalities/WORKSTATION/configuration")["Port"] == 1
    assert "refused" in server.log_tail(40)


def test_a_foreign_host_is_refused_even_for_a_get(server):
    patients = server.patients()
    for host in ("evil.example", f"evil.example:{server.http_port}", "127.0.0.2",
                 f"127.0.0.1:{server.http_port + 1}", f"10.0.0.1:{server.http_port}"):
        headers = _with_password(server, {"Host": host})
        for method, path in (("GET", "/system"), ("GET", "/patients"),
                             ("GET", "/dicom-web/studies"), ("GET", "/ohif/index.html"),
                             ("POST", "/tools/shutdown"), ("DELETE", f"/patients/{patients[0]}")):
            status, body = _send(server.url + path, method, headers)
            assert status == 403 and b"DicomAet" not in body, (host, method, path, status)
    _unchanged(server, patients)


def test_gets_and_same_origin_requests_still_work(server):
    port = server.http_port
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}", "127.0.0.1"):
        status, body = _send(server.url + "/system", "GET", _with_password(server, {"Host": host}))
        assert status == 200 and server.aet.encode() in body, host
    # a GET from another site is not refused (the browser does not let that site read it)
    status, _ = _send(server.url + "/patients", "GET", _with_password(server, FOREIGN[0]))
    assert status == 200
    for origin, host in ((f"http://127.0.0.1:{port}", f"127.0.0.1:{port}"),
                         (f"http://localhost:{port}", f"localhost:{port}")):
        same = {"Origin": origin, "Host": host, "Sec-Fetch-Site": "same-origin",
                "Content-Type": "application/json"}
        body = json.dumps({"Level": "Patient", "Query": {}}).encode()
        status, answer = _send(server.url + "/tools/find", "POST", _with_password(server, same), body)
        assert status == 200 and json.loads(answer) == server.patients(), (origin, answer)
    status, _ = _send(server.url + "/tools/find", "POST",
                      _with_password(server, {"Sec-Fetch-Site": "none"}),
                      json.dumps({"Level": "Study", "Query": {}}).encode())
    assert status == 200


def test_the_packages_own_calls_still_work(server, tmp_path):
    assert server.find("Patient", {}) == server.patients()
    server.add_modality("FILTER-CHECK", "127.0.0.1", 2)
    assert "FILTER-CHECK" in server.known_modalities()
    server.remove_modality("FILTER-CHECK")
    assert "FILTER-CHECK" not in server.known_modalities()
    ds = pydicom.dcmread(tools.testdata("CT_small.dcm"))
    ds.SeriesInstanceUID = generate_uid(entropy_srcs=["test_orthanc_filter series"])
    ds.SOPInstanceUID = generate_uid(entropy_srcs=["test_orthanc_filter instance"])
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    client = web.client(server.dicomweb_url, auth=server.auth)
    result = web.store(client, [ds])  # STOW-RS: a POST, from Python
    assert result.ok and result.stored == [ds.SOPInstanceUID], result.message()
    found = client.search_for_instances(search_filters={"SOPInstanceUID": ds.SOPInstanceUID})
    assert web.uids(found, "SOPInstanceUID") == {ds.SOPInstanceUID}
    path = tmp_path / "ct.dcm"
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.save_as(path)
    assert server.upload(path)["Status"] == "Success"


# ----------------------------------------------------------------------------- jupyter-server-proxy

def test_through_the_proxy_gets_and_same_origin_posts_pass_cross_site_posts_do_not(server, jupyter_proxy):
    base, token = jupyter_proxy.base, jupyter_proxy.token
    proxied = f"{base}/proxy/{server.http_port}"
    patients = server.patients()
    # the proxy forwards the browser's Host (the Jupyter server's), not Orthanc's
    for path in ("/system", "/patients", "/dicom-web/studies", "/app/explorer.html"):
        status, body = _send(f"{proxied}{path}?token={token}", "GET", _with_password(server))
        assert status == 200 and body, (path, status)
    find = json.dumps({"Level": "Patient", "Query": {}}).encode()
    same = {"Origin": base, "Sec-Fetch-Site": "same-origin", "Content-Type": "application/json"}
    status, answer = _send(f"{proxied}/tools/find?token={token}", "POST",
                           _with_password(server, same), find)
    assert status == 200 and json.loads(answer) == patients
    for foreign in FOREIGN:
        for method, path in (("POST", "/tools/shutdown"), ("DELETE", f"/patients/{patients[0]}"),
                             ("POST", "/tools/find")):
            status, _ = _send(f"{proxied}{path}?token={token}", method,
                              _with_password(server, foreign))
            assert status == 403, (foreign, method, path, status)
    _unchanged(server, patients)


def test_the_viewer_through_the_proxy_still_loads(server, jupyter_proxy):
    if server.viewer_missing:
        _unavailable(server.viewer_missing)
    base, token = jupyter_proxy.base, jupyter_proxy.token
    proxied = f"{base}/proxy/{server.http_port}"
    status, page = _send(f"{proxied}/ohif/index.html?token={token}", "GET", _with_password(server))
    assert status == 200 and b"<html" in page.lower()
    study = server.tags("studies", server.studies()[0])["StudyInstanceUID"]
    status, body = _send(f"{proxied}/dicom-web/studies/{study}/series?token={token}", "GET",
                         _with_password(server, {"Accept": "application/dicom+json"}))
    assert status == 200 and json.loads(body)


# ----------------------------------------------------------------------------- a real browser

@pytest.fixture(scope="module")
def chrome():
    """A headless chromium (Debian's, through Selenium) with its network log."""
    with headless_chromium(logs=("performance",)) as driver:   # leaving the block quits it
        driver.set_script_timeout(30)
        yield driver


@pytest.fixture
def other_site():
    """A page on 127.0.0.1 at another port (another origin): yields its port; stopped after."""

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the handler's name in http.server
            body = b"<!doctype html><title>another site</title><p>another site"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(10)


FETCH = """const [url, method, body, mode, done] = arguments;
fetch(url, {method, body, mode, credentials: 'include',
            headers: mode === 'no-cors' ? {} : {'Content-Type': 'application/json'}})
  .then(r => r.text().then(t => done([r.status, t])), e => done([0, String(e)]));"""


def _sent_headers(driver, path: str) -> list[dict]:
    """The headers chromium sent with each request whose URL ends with ``path``."""
    ids, headers = set(), []
    events = [json.loads(e["message"])["message"] for e in driver.get_log("performance")]
    for message in events:
        if message["method"] == "Network.requestWillBeSent":
            if message["params"]["request"]["url"].endswith(path):
                ids.add(message["params"]["requestId"])
    for message in events:
        if (message["method"] == "Network.requestWillBeSentExtraInfo"
                and message["params"]["requestId"] in ids):
            headers.append({k.lower(): v for k, v in message["params"]["headers"].items()})
    return headers


def test_in_a_browser_orthancs_own_page_may_post_another_site_may_not(server, chrome, other_site):
    find = json.dumps({"Level": "Patient", "Query": {}})
    patients = server.patients()
    chrome.get(server.link("/app/explorer.html"))  # the link with the password, as a learner has
    chrome.get(server.url + "/app/explorer.html")  # the browser keeps the password for the origin
    chrome.get_log("performance")
    status, text = chrome.execute_async_script(FETCH, server.url + "/tools/find", "POST", find,
                                               "cors")
    assert status == 200 and json.loads(text) == patients
    sent = _sent_headers(chrome, "/tools/find")
    assert sent and sent[-1]["sec-fetch-site"] == "same-origin"
    assert sent[-1]["origin"] == server.url and sent[-1]["authorization"] == server.authorization

    # Another origin: 127.0.0.1 at another port is the same site, localhost another site.
    # chromium sends the kept password with the first (the attack is real), not the second
    # (its third-party rules); when it does send it, the filter refuses.
    with_password = []
    for page in (f"http://127.0.0.1:{other_site}/", f"http://localhost:{other_site}/"):
        chrome.get(page)
        chrome.get_log("performance")
        chrome.execute_async_script(FETCH, server.url + "/tools/shutdown", "POST", "", "no-cors")
        sent = _sent_headers(chrome, "/tools/shutdown")
        assert sent and sent[-1]["origin"] == page.rstrip("/"), sent
        assert sent[-1]["sec-fetch-site"] in ("same-site", "cross-site")
        if sent[-1].get("authorization") == server.authorization:
            with_password.append(page)
            assert _wait_log(server, "refused (Sec-Fetch-Site " + sent[-1]["sec-fetch-site"])
    assert with_password, "chromium sent the password to no request of another origin"
    _unchanged(server, patients)


def _wait_log(server, text: str, seconds: float = 10) -> bool:
    return wait_for(lambda: text in server.log_path.read_text(errors="replace"), seconds, 0.1)
