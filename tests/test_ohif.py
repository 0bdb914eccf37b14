"""The OHIF Viewer on the learner's own Orthanc (workshop_helpers.ohif, pacs.Orthanc(viewer=True)),
built by the course's tooling (tooling.ohif_build).

Each patch of the dist on its own: what it changes, and — where Node.js is installed — what the
patched JavaScript computes (the page's prefix directly and through jupyter-server-proxy, the
DICOMweb roots, a BulkDataURI, a query with a list). Then the viewer built by ``make lab`` /
``make test`` (``python -m tooling.ohif_build``): trimmed, nothing absolute left, nothing
pointing at another server.

Then a real browser (Debian's chromium through Selenium, WebGL2 from SwiftShader): Orthanc with
the viewer and a phantom series stored by STOW-RS; the study list shows the patient and the
study's description, the viewer draws the image (canvas pixels not uniform), the next slice
changes the picture, the viewer asked Orthanc for QIDO-RS, metadata and frames, and no request
left 127.0.0.1. The same through jupyter-server-proxy (``/proxy/PORT/ohif/``, as on Binder):
Orthanc's 401 and its challenge reach the browser, and once it has the password, the viewer and
the study list work under that prefix. Reloading the study list or the viewer, and going back and
forward between them, show them again, directly and through the proxy: the study list's address
is ``…/ohif/index.html`` (ServeFolders serves no folder). Every wait is for a condition, with a
deadline. Skipped with the reason without chromium, the built viewer or Orthanc; under
``WORKSHOP_REQUIRE_TOOLS=1`` that fails instead.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from conftest import (
    _unavailable,
    browser_requests,
    headless_chromium,
    require_dicomweb,
    wait_until,
)

from tooling import ohif_build
from workshop_helpers import ohif, pacs, phantom, tools, web

pytestmark = pytest.mark.timeout(600)

# Shapes of the dist's own text (OHIF 3.13.2), short.
INDEX = ('<link rel="manifest" href="/manifest.json"><link rel="icon" href="/assets/favicon.ico">'
         '<script>console.time("scriptToView"),window.PUBLIC_URL="/"</script>'
         '<script src="/app-config.js"></script><script>function f(n){return import(n)}'
         'window.PUBLIC_URL="/"</script><script defer src="/app.bundle.0f61.js"></script>'
         '<link href="/app.bundle.css" rel="stylesheet"><a href="//ohif.org/">x</a>')
QUERY = ("function q(params){var queryString='?';Object.keys(params).forEach(function(key,index){"
         "if(index!==0){queryString+='&';}"
         'queryString += "".concat(key, "=").concat(encodeURIComponent(params[key]));'
         "});return queryString;}")


def _node(script: str):
    node = shutil.which("node")
    if node is None:
        _unavailable("Node.js (Debian package nodejs) is not installed")
    done = subprocess.run([node, "-e", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _page_prefix(path: str, script: str) -> dict:
    """Run ``script`` (the page's first script) with ``location`` at ``path``."""
    return _node(f"""
const location = {{pathname: {json.dumps(path.split("?")[0])}, href: "http://h" + {json.dumps(path)},
                  search: "", hash: "", replace: u => {{ throw new Error("reload " + u); }}}};
const document = {{URL: location.href}}, window = {{}}, console = {{time: () => 0}};
const history = {{replaceState: (s, t, u) => {{ location.pathname = u; }}}};
{script.replace("window.PUBLIC_URL=", "window.PUBLIC_URL=", 1)}
process.stdout.write(JSON.stringify({{base: window.PUBLIC_URL, path: location.pathname}}));""")


# ----------------------------------------------------------------------------- the patches

def test_the_page_loads_its_files_relative_to_itself_and_names_its_prefix():
    page = ohif_build.patch_index(INDEX)
    assert 'src="app-config.js"' in page and 'src="app.bundle.0f61.js"' in page
    assert 'href="assets/favicon.ico"' in page and 'href="app.bundle.css"' in page
    assert 'href="//ohif.org/"' in page  # another host's link is not made local
    assert '<link rel="manifest" href="manifest.json" crossorigin="use-credentials">' in page
    assert 'PUBLIC_URL="/"' not in page
    first = page.split("<script>")[1].split("</script>")[0]
    assert _page_prefix("/ohif/viewer?StudyInstanceUIDs=1.2", first)["base"] == "/ohif/"
    proxied = _page_prefix("/user/ann/proxy/8042/ohif/viewer", first)
    assert proxied["base"] == "/user/ann/proxy/8042/ohif/"
    # The study list keeps its address, …/ohif/index.html (a reload there finds the page).
    assert _page_prefix("/ohif/index.html", first) == {"base": "/ohif/", "path": "/ohif/index.html"}
    # Opened with credentials in the address, the page reloads without them.
    with pytest.raises(AssertionError, match="reload"):
        _node(f"""const location = {{pathname: "/ohif/viewer", href: "http://127.0.0.1:1/ohif/viewer",
            replace: u => {{ throw new Error("reload " + u); }}}};
            const document = {{URL: "http://learner:pw@127.0.0.1:1/ohif/viewer"}};
            const window = {{}}, console = {{time: () => 0}}; {first}""")


def test_a_page_opened_at_a_doubled_slash_loads_its_chunks_from_its_own_server():
    # Orthanc serves //ohif/index.html too; a prefix "//ohif/" would be another host's address
    # (http://ohif/...), and the page's chunks would run code from there with its credentials.
    first = ohif_build.patch_index(INDEX).split("<script>")[1].split("</script>")[0]
    assert _page_prefix("//ohif/index.html", first)["base"] == "/ohif/"
    assert _page_prefix("///ohif/viewer", first)["base"] == "/ohif/"
    assert _page_prefix("/user/ann/proxy/8042//ohif/viewer", first)["base"] == "/user/ann/proxy/8042//ohif/"


def test_every_bundle_finds_its_chunks_under_the_prefix_in_the_page_and_in_a_worker():
    built = ohif_build.patch_public_path('(() => {\n__webpack_require__.p = "/";\n})();')
    assert '"/";' not in built
    script = f"const __webpack_require__ = {{}}; {built} process.stdout.write(JSON.stringify(__webpack_require__.p));"
    in_page = _node("const window = {PUBLIC_URL: '/user/ann/proxy/8042/ohif/'};" + script)
    in_worker = _node("const self = {location: {href: 'http://h/ohif/compute.bundle.0f.js'}};" + script)
    assert (in_page, in_worker) == ("/user/ann/proxy/8042/ohif/", "http://h/ohif/")
    with pytest.raises(ohif_build.ViewerError, match="webpack public path"):
        ohif_build.patch_public_path("no public path here")


def test_fonts_and_icons_are_found_next_to_the_sheet_and_the_manifest():
    assert ohif_build.patch_css_urls("a{src:url(/a34f.woff2)}b{src:url(//cdn.example/x)}") == (
        "a{src:url(a34f.woff2)}b{src:url(//cdn.example/x)}")
    manifest = json.loads(ohif_build.patch_manifest(json.dumps(
        {"icons": [{"src": "/assets/android-chrome-36x36.png"}], "start_url": "./index.html"})))
    assert manifest["icons"][0]["src"] == "assets/android-chrome-36x36.png"


def test_a_list_in_a_query_keeps_its_commas():
    before = _node(QUERY + "process.stdout.write(JSON.stringify(q({includefield: '0008103E,00080021', limit: 5})));")
    after = _node(ohif_build.patch_query_commas(QUERY)
                  + "process.stdout.write(JSON.stringify(q({includefield: '0008103E,00080021', "
                    "PatientName: 'A B&C'})));")
    assert before == "?includefield=0008103E%2C00080021&limit=5"
    assert after == "?includefield=0008103E,00080021&PatientName=A%20B%26C"


def test_the_data_source_is_the_pages_own_orthanc_and_nothing_else():
    config = ohif_build.app_config()
    assert "http" not in config.replace("https?:", "")  # no server named, only a pattern
    got = _node(f"""const window = {{PUBLIC_URL: "/user/ann/proxy/8042/ohif/"}};
{config}
const c = window.config.dataSources[0].configuration;
process.stdout.write(JSON.stringify({{router: window.config.routerBasename, qido: c.qidoRoot,
  wado: c.wadoRoot, uri: c.wadoUriRoot, include: c.qidoSupportsIncludeField,
  render: [c.imageRendering, c.thumbnailRendering], quote: c.omitQuotationForMultipartRequest,
  tours: window.config.customizationService["ohif.tours"],
  bulk: c.bulkDataURI.transform("http://127.0.0.1:8042/dicom-web/studies/1/bulk/7FE00010")}}));""")
    assert got == {"router": "/user/ann/proxy/8042/ohif/", "qido": "/user/ann/proxy/8042/dicom-web",
                   "wado": "/user/ann/proxy/8042/dicom-web", "uri": "/user/ann/proxy/8042/wado",
                   "include": False, "render": ["wadors", "wadors"], "quote": True,
                   "tours": {"$set": []},
                   "bulk": "/user/ann/proxy/8042/dicom-web/studies/1/bulk/7FE00010"}


def test_the_routes_are_copies_of_the_page(tmp_path):
    (tmp_path / "index.html").write_text("<html>page</html>")
    made = ohif_build.spa_routes(tmp_path)
    assert [p.name for p in made] == list(ohif_build.ROUTES) and "viewer" in ohif_build.ROUTES
    assert {p.read_text() for p in made} == {"<html>page</html>"}
    assert ohif.serve_folders(tmp_path)["Extensions"][""] == "text/html"


def test_a_folder_with_a_dot_in_its_path_is_refused(tmp_path):
    with pytest.raises(ohif_build.ViewerError, match="a folder name with a dot"):
        ohif_build.build(tmp_path / ".cache" / "ohif", cache=tmp_path / "npm")


def test_an_orthanc_without_dicomweb_serves_no_viewer_and_says_why(tmp_path):
    require_dicomweb()
    with pacs.Orthanc(tmp_path / "orthanc", viewer=True) as server:
        assert server.viewer_missing == "the OHIF Viewer needs dicomweb=True"
        assert "ServeFolders" not in json.loads(server.config_path.read_text())
        assert ohif.links(server) == "no OHIF Viewer: the OHIF Viewer needs dicomweb=True"
        with pytest.raises(tools.ToolMissing, match="needs dicomweb"):
            server.viewer_link()


def test_without_a_build_the_viewer_is_unavailable_and_says_how(tmp_path):
    reason = ohif.unavailable(tmp_path / "ohif", tmp_path / "npm")
    assert reason.startswith("no OHIF Viewer 3.13.2") and "python -m tooling.ohif_build" in reason
    assert "ServeFolders" not in pacs.orthanc_config(tmp_path, "A", 1, 2)  # served when asked only


# ----------------------------------------------------------------------------- the built viewer

@pytest.fixture(scope="module")
def viewer() -> Path:
    reason = ohif.unavailable()
    if reason:
        _unavailable(reason)
    return ohif.viewer_folder()


def test_the_built_viewer_is_trimmed_and_has_nothing_absolute_left(viewer):
    files = [p for p in viewer.rglob("*") if p.is_file()]
    size = sum(p.stat().st_size for p in files)
    assert size < 55e6, f"{size / 1e6:.1f} MB"
    assert not (viewer / "ort").exists() and not (viewer / "dicom-microscopy-viewer").exists()
    page = (viewer / "index.html").read_text()
    assert not [m for m in ('href="/', 'src="/', 'PUBLIC_URL="/"') if m in page]
    assert all((viewer / route).read_text() == page for route in ohif_build.ROUTES)
    assert "url(/" not in (viewer / "app.bundle.css").read_text()
    assert '"/assets' not in (viewer / "manifest.json").read_text()
    scripts = {p.name: p.read_text(errors="replace") for p in viewer.glob("*.js")}
    assert not [n for n, text in scripts.items() if '__webpack_require__.p = "/";' in text]
    assert sum('.replace(/%2C/g, ",")' in text for text in scripts.values()) == 1
    assert scripts["app-config.js"] == ohif_build.app_config()
    assert not [part for part in viewer.parts if "." in part]


# ----------------------------------------------------------------------------- a real browser

@pytest.fixture(scope="module")
def chrome():
    """A headless chromium with WebGL2 (SwiftShader) and its console and network logs."""
    with headless_chromium("--enable-unsafe-swiftshader") as driver:   # leaving the block quits it
        yield driver


@pytest.fixture(scope="module")
def pacs_with_viewer(viewer, tmp_path_factory):
    """Orthanc serving the viewer, with a 64 x 64 x 8 phantom stored by STOW-RS; stopped by its pid."""
    require_dicomweb()
    folder = tmp_path_factory.mktemp("ohif")
    server = pacs.Orthanc(folder / "orthanc", dicomweb=True, viewer=True)
    server.start()
    try:
        assert server.viewer_missing == ""
        series = phantom.make_series(rows=64, columns=64, slices=8, seed=23,
                                     extra_attributes={"StudyDescription": "VIEWER CHECK"})
        assert web.store(web.client(server.dicomweb_url, auth=server.auth), series).ok
        yield server, series[0].StudyInstanceUID
    finally:
        pid = server.pid
        server.stop()
        assert pid is not None and server.pid is None


def test_orthancs_dicomweb_plugin_needs_the_literal_commas(pacs_with_viewer):
    server, study = pacs_with_viewer
    found = {}
    for comma in ("%2C", ","):  # what dicomweb-client sends, and what patch_query_commas makes
        answer = json.loads(server.rest("GET", f"/dicom-web/studies?StudyInstanceUID={study}"
                                               f"&includefield=00081030{comma}00080060"))
        found[comma] = "00081030" in answer[0]  # Study Description
    assert found == {"%2C": False, ",": True}


# The viewport's pixels: a sample of grey levels (WebGL canvases are read through a 2D copy).
PIXELS = """const c = document.querySelector('.cornerstone-canvas');
if (!c || !c.width) return null;
const x = document.createElement('canvas'); x.width = c.width; x.height = c.height;
const g = x.getContext('2d'); g.drawImage(c, 0, 0);
const d = g.getImageData(0, 0, x.width, x.height).data, grey = [];
for (let i = 0; i < d.length; i += 4 * 31) grey.push(d[i]);
return grey;"""


def test_the_viewer_shows_the_learners_study_from_their_own_orthanc(chrome, pacs_with_viewer):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    server, study = pacs_with_viewer
    chrome.get("about:blank")
    chrome.get_log("browser"), chrome.get_log("performance")
    said = ohif.links(server, study)
    assert said.count(f"/ohif/viewer?StudyInstanceUIDs={study}") == 2 and server.auth[1] in said
    mark = ohif.watch(server)
    chrome.get(server.viewer_link())  # the study list
    wait_until(lambda: "PHANTOM" in chrome.find_element(By.TAG_NAME, "body").text, 60,
          "the study list to show the phantom's patient")
    assert "VIEWER CHECK" in chrome.find_element(By.TAG_NAME, "body").text  # includefield worked

    chrome.get(server.viewer_link(study))
    first = wait_until(lambda: (g := chrome.execute_script(PIXELS)) and len(set(g)) > 3 and g, 90,
                  "the viewer to draw an image (canvas pixels not uniform)")
    viewport = chrome.find_element(By.CSS_SELECTOR, ".cornerstone-canvas")
    ActionChains(chrome).move_to_element(viewport).perform()
    chrome.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_DOWN)  # OHIF: next image
    wait_until(lambda: (g := chrome.execute_script(PIXELS)) and len(set(g)) > 3 and g != first, 30,
          "the next slice to change the picture")

    urls = [u for u in browser_requests(chrome) if not u.startswith(("data:", "blob:"))]
    hosts = {urllib.parse.urlsplit(u).hostname for u in urls}
    assert hosts == {"127.0.0.1"}, sorted(u for u in urls if "127.0.0.1" not in u)[:5]
    paths = [urllib.parse.urlsplit(u).path for u in urls]
    assert any(p.endswith("/dicom-web/studies") for p in paths)  # QIDO-RS
    assert any(p.endswith("/metadata") for p in paths)  # WADO-RS metadata
    assert any("/frames/" in p for p in paths)  # WADO-RS frames
    errors = [e["message"] for e in chrome.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors[:3]
    seen = ohif.asked(server, mark)  # the same, from Orthanc's side
    assert seen["QIDO-RS"] and seen["metadata"] and seen["frames"] and seen["viewer"], seen
    assert any(f"/studies/{study}/series/" in line for line in seen["frames"])


def test_through_jupyter_server_proxy_the_browser_asks_once_then_the_viewer_works(
        chrome, pacs_with_viewer, jupyter_proxy):
    server, study = pacs_with_viewer
    base, token = jupyter_proxy.base, jupyter_proxy.token
    path = server.viewer_link(study, proxy="/")
    assert path.startswith(f"/proxy/{server.http_port}/ohif/viewer?") and "@" not in path
    # Without Orthanc's password the proxy passes on Orthanc's 401 and its challenge: the
    # browser asks for a user and password (what the learner sees on Binder).
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{base}{path}&token={token}", timeout=10)
    assert refused.value.code == 401
    assert refused.value.headers["WWW-Authenticate"].startswith("Basic ")
    chrome.get(f"{base}/lab?token={token}")  # logged in to Jupyter (its cookie)
    chrome.get_log("browser"), chrome.get_log("performance")
    user, password = server.auth  # typed at the browser's prompt: here, in the address
    chrome.get(f"{base.replace('//', f'//{user}:{password}@')}{path}")
    wait_until(lambda: (g := chrome.execute_script(PIXELS)) and len(set(g)) > 3, 90,
          "the viewer to draw an image through the proxy")
    chrome.get(base + server.viewer_link(proxy="/"))  # the study list, credentials cached
    wait_until(lambda: "VIEWER CHECK" in chrome.find_element("tag name", "body").text, 60,
          "the study list through the proxy")
    urls = [u for u in browser_requests(chrome) if not u.startswith(("data:", "blob:"))]
    assert {urllib.parse.urlsplit(u).hostname for u in urls} == {"127.0.0.1"}
    assert any(f"/proxy/{server.http_port}/dicom-web/" in u for u in urls)
    errors = [e["message"] for e in chrome.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors[:3]


# ------------------------------------------------------------------------ the study list's address

# React Router's browser history as the dist has it (the lines the patch touches), short.
HISTORY = """function createBrowserHistory(options) {
  function createBrowserLocation(window, globalHistory) {
    const {pathname, search} = window.location;
    return {pathname, search, hash: "", state: null, key: "default"};
  }
  function createBrowserHref(window, to) {
    return typeof to === "string" ? to : to.pathname + (to.search || "") + (to.hash || "");
  }
  return getUrlBasedHistory(createBrowserLocation, createBrowserHref, null, options);
}"""


def test_the_router_reads_and_writes_the_study_list_as_index_html():
    patched = ohif_build.patch_study_list_address(HISTORY)
    got = _node(f"""const getUrlBasedHistory = (read, write) => ({{read, write}});
{patched}
const out = {{}};
for (const base of ["/ohif/", "/user/ann/proxy/8042/ohif/"]) {{
  const h = createBrowserHistory({{}}), w = {{PUBLIC_URL: base}};
  const at = (pathname, search = "") => h.read({{...w, location: {{pathname, search}}}}).pathname;
  out[base] = {{read: [at(base + "index.html", "?sortBy=x"), at(base + "viewer", "?a=1")],
    write: [h.write(w, {{pathname: base, search: "?datasources=orthanc"}}), h.write(w, base + "#x"),
            h.write(w, {{pathname: base + "viewer", search: "?StudyInstanceUIDs=1.2"}})]}};
}}
process.stdout.write(JSON.stringify(out));""")
    for base in ("/ohif/", "/user/ann/proxy/8042/ohif/"):
        assert got[base] == {"read": [base, base + "viewer"],
                             "write": [base + "index.html?datasources=orthanc",
                                       base + "index.html#x",
                                       base + "viewer?StudyInstanceUIDs=1.2"]}
    with pytest.raises(ohif_build.ViewerError, match="browser history"):
        ohif_build.patch_study_list_address("no router here")


def test_the_built_viewer_has_the_study_list_at_index_html(viewer):
    scripts = [p.read_text(errors="replace") for p in viewer.glob("*.js")]
    patched = ohif_build.patch_study_list_address(ohif_build._HISTORY)
    assert sum(patched in text for text in scripts) == 1


def _walk_back_and_forth(chrome, study_list: str) -> list[str]:
    """Open the study list at ``study_list``, then the study in the viewer, going back and
    forward and reloading at every step; the addresses the browser showed, in order."""
    from selenium.webdriver.common.by import By

    seen = []

    def shows(what: str, seconds: float = 90) -> None:
        if what == "list":
            wait_until(lambda: chrome.find_elements(
                By.XPATH, "//tr[.//*[text()='VIEWER CHECK']]"), seconds, "the study list")
        else:
            wait_until(lambda: (g := chrome.execute_script(PIXELS)) and len(set(g)) > 3,
                       seconds, "the viewer to draw the study")
        seen.append(urllib.parse.urlsplit(chrome.current_url).path)

    chrome.get(study_list)
    shows("list")
    chrome.refresh()
    shows("list")
    chrome.find_element(By.XPATH, "//tr//*[text()='VIEWER CHECK']").click()  # the row opens
    wait_until(lambda: chrome.find_elements(By.XPATH, "//button[.='Basic Viewer']"), 30,
               "the study's viewer button")[0].click()
    shows("viewer")
    chrome.back()
    shows("list")
    chrome.forward()
    shows("viewer")
    chrome.refresh()
    shows("viewer")
    chrome.find_element(By.CSS_SELECTOR, "[data-cy=return-to-work-list]").click()
    shows("list")
    chrome.refresh()
    shows("list")
    chrome.back()
    shows("viewer")
    return seen


def _steps(mount: str) -> list[str]:
    """The addresses :func:`_walk_back_and_forth` should see under ``mount`` (``…/ohif/``)."""
    study_list, viewer = mount + "index.html", mount + "viewer"
    return [study_list, study_list, viewer, study_list, viewer, viewer, study_list, study_list,
            viewer]


def test_reloading_and_going_back_show_the_study_list_and_the_viewer_again(
        chrome, pacs_with_viewer):
    server, _ = pacs_with_viewer
    chrome.get("about:blank")
    chrome.get_log("browser")
    mark = ohif.watch(server)
    seen = _walk_back_and_forth(chrome, server.viewer_link())  # the link ohif.links prints
    assert seen == _steps("/ohif/")
    errors = [e["message"] for e in chrome.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors[:3]  # an answer 404 would be one
    asked = [line.split()[1] for line in ohif.asked(server, mark)["viewer"]]
    assert "/ohif/index.html" in asked and "/ohif/" not in asked and "/ohif" not in asked


def test_through_jupyter_server_proxy_reloading_and_going_back_work_too(
        chrome, pacs_with_viewer, jupyter_proxy):
    server, _ = pacs_with_viewer
    base, token = jupyter_proxy.base, jupyter_proxy.token
    chrome.get(f"{base}/lab?token={token}")  # logged in to Jupyter (its cookie)
    chrome.get_log("browser")
    user, password = server.auth  # typed at the browser's prompt: here, in the address
    mount = f"/proxy/{server.http_port}/ohif/"
    seen = _walk_back_and_forth(
        chrome, base.replace("//", f"//{user}:{password}@") + server.viewer_link(proxy="/"))
    assert seen == _steps(mount)
    errors = [e["message"] for e in chrome.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors[:3]


def test_binder_builds_the_viewer_as_make_lab_does():
    """Binder runs binder/postBuild after installing binder/apt.txt: the same build command as
    ``make viewer`` (which ``make lab`` runs), and the package that ships ServeFolders."""
    root = Path(ohif_build.__file__).resolve().parent.parent
    make = (root / "Makefile").read_text()
    viewer_rule = make.split("\nviewer:", 1)[1].split("\n\n", 1)[0]
    assert "\t$(PY) -m tooling.ohif_build" in viewer_rule.splitlines()
    assert "\nlab: viewer\n" in make
    steps = [line for line in (root / "binder" / "postBuild").read_text().splitlines()
             if line and not line.startswith("#")]
    assert "python -m tooling.ohif_build" in steps
    assert steps.index("python -m tooling.ohif_build") > steps.index(
        "pip install --no-deps --no-build-isolation -e .")
    packages = (root / "binder" / "apt.txt").read_text().split()
    assert {"orthanc", "orthanc-dicomweb"} <= set(packages)  # ServeFolders is in orthanc
