"""The OHIF Viewer for the course's own Orthanc: fetched once, trimmed, patched (``make viewer``).

The OHIF Viewer (Open Health Imaging Foundation) is the web viewer many hospitals and research
groups use. Its built form ships in the npm package ``@ohif/app`` (``package/dist/``); this module
takes it at set-up time with ``npm pack`` at the version and sha512 digest pinned in
:func:`asset` (the tarball is kept in ``build/npm/``, like the decks' JavaScript:
:func:`tooling.npm_assets.fetch`), leaves out what the basic viewer never loads
(:data:`DROP`) and writes the result to :data:`~workshop_helpers.ohif.VIEWER` (``build/ohif``).
Nothing is downloaded when the viewer is used. Without npm and without the cached tarball there
is no viewer: :func:`workshop_helpers.ohif.unavailable` says why.

Orthanc serves the folder with its ServeFolders plugin at ``/ohif/``, next to ``/dicom-web/`` on
the same origin (no CORS), see :func:`workshop_helpers.ohif.serve_folders`. The dist is built
for ``/``; each patch (``patch_*``, :func:`app_config`, :func:`spa_routes`) is a small function,
tested on its own, that makes it work under any prefix: ``/ohif/`` directly,
``/user/<name>/proxy/<port>/ohif/`` through jupyter-server-proxy on Binder. :mod:`workshop_helpers.ohif` serves it and says what
the learner sees; this module is the course's tooling (``python -m tooling.ohif_build``),
not part of the installed package.

Examples
--------
>>> patch_css_urls("src:url(/a34f.woff2) format('woff2')")
"src:url(a34f.woff2) format('woff2')"
>>> asset().spec
'@ohif/app@3.13.2'
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

from tooling.npm_assets import CACHE, Asset, fetch, unpack
from workshop_helpers.errors import switched_on
from workshop_helpers.ohif import (
    INTEGRITY,
    PACKAGE,
    SPEC,
    STAMP,
    VERSION,
    VIEWER,
    build_stamp,
    is_built,
)

__all__ = ["asset", "ROUTES", "ViewerError", "app_config", "build", "patch_css_urls",
           "patch_index", "patch_manifest", "patch_public_path", "patch_query_commas",
           "patch_study_list_address", "spa_routes", "main"]

# What the basic viewer never loads: onnxruntime (136 MB, the segmentation AI), the
# slide-microscopy viewer (20 MB), the hosting files of OHIF's own sites, the service worker,
# the Google Cloud configuration, the OpenID Connect client (and app-config.js: ours replaces it).
DROP = ("dist/ort/", "dist/dicom-microscopy-viewer/", "dist/_headers", "dist/_redirects",
        "dist/serve.json", "dist/sw.js", "dist/google.js", "dist/oidc-client.min.js",
        "dist/silent-refresh.html", "dist/app-config.js")
ROUTES = ("viewer", "segmentation", "tmtv", "usAnnotation", "dynamic-volume")
"""The viewer's own routes (its modes' ``routeName``): each gets a copy of ``index.html``."""
# What the page computes: the prefix of its own address up to and including /ohif/, starting
# with one slash: Orthanc serves //ohif/… too, and "//ohif/" would name another host.
_BASE_JS = ('location.pathname.slice(0,location.pathname.lastIndexOf("/ohif/")+6)'
            '.replace(/^\\/+/,"/")')
# A page opened at http://user:password@host/… keeps that address as its base, and fetch() then
# refuses every relative URL ("cannot be constructed from a URL that includes credentials"): the
# page reloads itself without them (the browser has them cached for the server by then).
# (Chrome's location.href leaves the credentials out, document.URL keeps them.)
_CLEAN_JS = '(/^\\w+:\\/\\/[^@/]*@/.test(document.URL)&&location.replace(location.href)),'
# The browser history of the app's router (React Router's createBrowserHistory), read and written
# through a map: the study list, the router's "/", is …/ohif/index.html in the address bar (see
# patch_study_list_address).
_HISTORY = "return getUrlBasedHistory(createBrowserLocation, createBrowserHref, null, options);"
_HISTORY_JS = """\
// The study list's address is …/ohif/index.html: Orthanc's ServeFolders serves no folder.
  const list = w => w.PUBLIC_URL + "index.html";
  return getUrlBasedHistory((w, g) => {
    const l = createBrowserLocation(w, g);
    return l.pathname === list(w) ? {...l, pathname: w.PUBLIC_URL} : l;
  }, (w, to) => createBrowserHref(w, to).replace(/^[^?#]*/, p => p === w.PUBLIC_URL ? list(w) : p),
  null, options);"""


def asset() -> Asset:
    """The npm package as :class:`tooling.npm_assets.Asset`."""
    return Asset(PACKAGE, VERSION, INTEGRITY, ("dist/", "LICENSE"), DROP)


class ViewerError(RuntimeError):
    """The viewer could not be built: what was expected, what was found."""


def _replace(text: str, old: str, new: str, what: str, count: int | None = 1) -> str:
    found = text.count(old)
    if found == 0 or (count is not None and found != count):
        raise ViewerError(f"{what}: expected {count or 'some'} of {old!r}, found {found} "
                          f"(another OHIF version than {VERSION}?)")
    return text.replace(old, new)


def patch_index(html: str) -> str:
    """``index.html`` for any prefix: ``PUBLIC_URL`` from the address, ``href``/``src`` relative.

    The dist sets ``window.PUBLIC_URL="/"`` (twice) and loads everything from absolute paths
    (``/app.bundle….js``, ``/assets/…``). The page is always opened in the viewer's folder
    (``…/ohif/index.html`` for the study list, ``…/ohif/viewer`` for a study), so paths relative
    to the page find the files, and the prefix the app needs for its router and chunks is the
    page's path up to ``/ohif/`` (the study list's address is ``…/ohif/index.html``:
    :func:`patch_study_list_address`). A page opened with credentials in its address
    (``http://learner:…@127.0.0.1:…``) first reloads itself without them: with them, the
    browser's ``fetch`` refuses every relative URL. The manifest is fetched with the
    page's credentials (``crossorigin="use-credentials"``; a manifest's default is none, and
    Orthanc answers 401 to a request without them).

    >>> page = patch_index('<script>window.PUBLIC_URL="/"</script><script src="/app.js"></script>'
    ...                    '<link rel="manifest" href="/manifest.json">')
    >>> page.count('lastIndexOf("/ohif/")'), page.count("location.replace"), 'src="app.js"' in page
    (1, 1, True)
    """
    html = _replace(html, 'window.PUBLIC_URL="/"', "window.PUBLIC_URL=" + _BASE_JS, "index.html",
                    None)
    html = html.replace("window.PUBLIC_URL=", _CLEAN_JS + "window.PUBLIC_URL=", 1)
    html = _replace(html, '<link rel="manifest" href="/manifest.json">',
                    '<link rel="manifest" href="/manifest.json" crossorigin="use-credentials">',
                    "index.html")
    return re.sub(r'((?:href|src)=")/(?!/)', r"\1", html)


def patch_study_list_address(js: str) -> str:
    """The study list at ``…/ohif/index.html``, in the address bar and on a reload.

    The study list is the router's ``/``, which React Router writes as the bare base,
    ``…/ohif/``. Orthanc's ServeFolders serves files only: it answers 404 for a folder, so a
    reload there found no viewer. The app's browser history (React Router's
    ``createBrowserHistory``, where the router reads and writes the address) is given a map:
    the address ``…/ohif/index.html`` reads as ``/``, and ``/`` is written (pushed, replaced,
    and in every link's ``href``) as ``…/ohif/index.html``. Every other route
    (``…/ohif/viewer?…``) is left as it is. ``…/ohif/`` typed by hand is still Orthanc's 404:
    no page of the viewer runs there.
    """
    return _replace(js, _HISTORY, _HISTORY_JS, "React Router's browser history")


def patch_public_path(js: str) -> str:
    """Webpack's public path (where a bundle loads its chunks, workers and WebAssembly from).

    Built as ``"/"``; in the page it becomes ``window.PUBLIC_URL``, in a worker (no ``window``)
    the folder of the worker's own script, which is the viewer's folder.

    >>> patch_public_path('__webpack_require__.p = "/";')[:60]
    '__webpack_require__.p = (typeof window!=="undefined"&&window'
    """
    return _replace(js, '__webpack_require__.p = "/";',
                    '__webpack_require__.p = (typeof window!=="undefined"&&window.PUBLIC_URL)'
                    '||self.location.href.replace(/[^/]*$/,"");', "webpack public path")


def patch_css_urls(css: str) -> str:
    """``url(/x.woff2)`` in a style sheet made relative to the sheet (which is in the viewer's folder)."""
    return re.sub(r"url\(/(?!/)", "url(", css)


def patch_manifest(text: str) -> str:
    """The web app manifest's icons relative to the manifest (``/assets/…`` -> ``assets/…``).

    >>> json.loads(patch_manifest('{"icons": [{"src": "/assets/a.png"}]}'))["icons"][0]["src"]
    'assets/a.png'
    """
    manifest = json.loads(text)
    for icon in manifest.get("icons", []):
        icon["src"] = icon["src"].lstrip("/")
    return json.dumps(manifest, indent=2)


def patch_query_commas(js: str) -> str:
    """Literal commas in query values (``includefield=0008103E,00080021``).

    dicomweb-client encodes every value with ``encodeURIComponent``, so a list of attributes
    goes out as ``0008103E%2C00080021``. Orthanc's DICOMweb plugin 1.7 splits ``includefield``
    at literal commas only (PS3.18 8.3.4.3 lists it comma-separated) and then returns no Study
    Description. A comma needs no escaping in a query (RFC 3986 3.4, a sub-delimiter).
    """
    return _replace(js, ".concat(encodeURIComponent(params[key]))",
                    '.concat(encodeURIComponent(params[key]).replace(/%2C/g, ","))',
                    "dicomweb-client's query string")


def app_config() -> str:
    """Our ``app-config.js``: one DICOMweb data source, Orthanc's, on the page's own server.

    Paths only (no host), computed from the page's address, so the same file works at
    ``http://127.0.0.1:PORT/ohif/`` and through a proxy. Orthanc writes absolute BulkDataURIs
    (``http://127.0.0.1:PORT/dicom-web/…``): ``bulkDataURI.transform`` makes them relative to
    the page's server too. No onboarding tour, no investigational-use dialog, nothing that
    points at another server.
    """
    return """\
// The OHIF Viewer on the course's Orthanc (written by tooling.ohif_build).
const base = window.PUBLIC_URL;                   // e.g. /ohif/ or /user/x/proxy/8042/ohif/
const server = base.slice(0, -"ohif/".length);   // Orthanc's root, seen from this page
window.config = {
  name: "workshop",
  routerBasename: base,
  extensions: [],
  modes: [],
  customizationService: {"ohif.tours": {$set: []}},
  investigationalUseDialog: {option: "never"},
  showStudyList: true,
  maxNumberOfWebWorkers: 2,
  showWarningMessageForCrossOrigin: false,
  showCPUFallbackMessage: true,
  showLoadingIndicator: true,
  defaultDataSourceName: "orthanc",
  dataSources: [{
    namespace: "@ohif/extension-default.dataSourcesModule.dicomweb",
    sourceName: "orthanc",
    configuration: {
      friendlyName: "The course's Orthanc",
      name: "orthanc",
      qidoRoot: server + "dicom-web",
      wadoRoot: server + "dicom-web",
      wadoUriRoot: server + "wado",
      qidoSupportsIncludeField: false,
      imageRendering: "wadors",
      thumbnailRendering: "wadors",
      enableStudyLazyLoad: true,
      supportsFuzzyMatching: false,
      supportsWildcard: true,
      omitQuotationForMultipartRequest: true,
      bulkDataURI: {
        enabled: true,
        transform: url => url.replace(/^https?:\\/\\/[^/]+\\/dicom-web\\//, server + "dicom-web/"),
      },
    },
  }],
};
"""


def spa_routes(folder: Path, routes=ROUTES) -> list[Path]:
    """Copies of ``index.html`` named after the viewer's routes (``viewer``, …).

    OHIF is a single-page application: ``/ohif/viewer?StudyInstanceUIDs=…`` is a route of its
    own router, not a file, and ServeFolders answers 404 for a missing file (it has no fallback
    to ``index.html``). It picks the MIME type from the text after the last dot of the file's
    whole path, so an extension-less file is served as ``text/html`` only when no folder above
    it has a dot in its name (:func:`build` checks that).
    """
    folder = Path(folder)
    return [Path(shutil.copyfile(folder / "index.html", folder / route)) for route in routes]


def _patch_file(path: Path, patch) -> None:
    path.write_text(patch(path.read_text(encoding="utf-8")), encoding="utf-8")


def build(dest: Path = VIEWER, cache: Path = CACHE) -> Path:
    """Fetch (or take from ``cache``), trim, patch and write the viewer to ``dest``; returns ``dest``.

    The new viewer is written next to ``dest`` and swapped in when complete, so a failed build
    leaves the previous one (or none) in place.
    """
    dest = Path(dest).resolve()
    _check_no_dots(dest)
    package = asset()
    tarball = fetch(package, cache)
    dest.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="ohif-", dir=dest.parent))
    try:
        unpack(package, tarball, work)
        dist = work / "dist"
        _patch_file(dist / "index.html", patch_index)
        _patch_file(dist / "app.bundle.css", patch_css_urls)
        _patch_file(dist / "manifest.json", patch_manifest)
        bundles = [p for p in dist.glob("*.js") if '__webpack_require__.p = "/";'
                   in p.read_text(encoding="utf-8", errors="replace")]
        if not any(p.name.startswith("app.bundle.") for p in bundles):
            raise ViewerError(f"no app bundle with a webpack public path in {SPEC}")
        for path in bundles:
            _patch_file(path, patch_public_path)
        routers = [p for p in dist.glob("*.js")
                   if _HISTORY in p.read_text(encoding="utf-8", errors="replace")]
        if len(routers) != 1:
            raise ViewerError(f"expected React Router's browser history in one bundle, "
                              f"found {len(routers)}")
        _patch_file(routers[0], patch_study_list_address)
        clients = [p for p in dist.glob("*.js") if "encodeURIComponent(params[key])"
                   in p.read_text(encoding="utf-8", errors="replace")]
        if len(clients) != 1:
            raise ViewerError(f"expected dicomweb-client in one bundle, found {len(clients)}")
        _patch_file(clients[0], patch_query_commas)
        (dist / "app-config.js").write_text(app_config(), encoding="utf-8")
        spa_routes(dist)
        shutil.move(str(work / "LICENSE"), dist / "LICENSE")
        (dist / STAMP).write_text(json.dumps(build_stamp()) + "\n")
        os.chmod(dist, 0o755)
        old = work / "old"
        if dest.exists():
            dest.rename(old)
        dist.rename(dest)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return dest


def _check_no_dots(path: Path) -> None:
    dotted = [part for part in Path(path).resolve().parts if "." in part]
    if dotted:
        raise ViewerError(f"{path}: a folder name with a dot ({dotted[0]!r}) breaks the MIME "
                          "types Orthanc's ServeFolders gives extension-less files (it reads "
                          "them from the last dot of the whole path); build elsewhere")


def main(argv: list[str] | None = None) -> int:
    """``python -m tooling.ohif_build``: build the viewer; without npm, say why and go on."""
    parser = argparse.ArgumentParser(prog="python -m tooling.ohif_build",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--dest", type=Path, default=VIEWER)
    parser.add_argument("--cache", type=Path, default=CACHE)
    args = parser.parse_args(argv)
    if is_built(args.dest):
        print(f"OHIF Viewer {VERSION} is in {args.dest}")
        return 0
    try:
        folder = build(args.dest, args.cache)
    except (RuntimeError, OSError) as exc:  # PublishError (no npm, wrong digest), ViewerError
        print(f"no OHIF Viewer: {exc}", file=sys.stderr)
        return 1 if switched_on("WORKSHOP_REQUIRE_TOOLS") else 0
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    print(f"OHIF Viewer {VERSION} in {folder}: {size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
