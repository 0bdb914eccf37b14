"""The JavaScript that the decks and the site load, from the npm registry, pinned.

Nothing is loaded from another host when a page is viewed. The JavaScript that a page needs
(reveal.js, require.js, jQuery, MathJax, the widget manager that draws saved widgets) is taken at
build time from the npm registry with ``npm pack``, at the versions and sha512 digests pinned in
:data:`ASSETS` (the digests npm's registry publishes as ``dist.integrity``), and copied next to
the pages (:func:`vendor`). The tarballs are kept in ``build/npm/`` (:data:`CACHE`), so a second
build needs no network at all. :mod:`tooling.publish` builds the pages; :mod:`tooling.ohif_build`
fetches the OHIF Viewer's package the same way.

Examples
--------
>>> ASSETS["reveal.js"].spec
'reveal.js@4.6.1'
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CACHE", "PublishError", "Asset", "ASSETS", "fetch", "unpack", "vendor"]

#: Where the npm tarballs are kept between builds.
CACHE = Path(__file__).resolve().parent.parent / "build" / "npm"


class PublishError(RuntimeError):
    """A deck, the site or a pinned npm package could not be made: what was expected, what was found."""


@dataclass(frozen=True)
class Asset:
    """An npm package whose files a page loads: name, version, sha512 digest, the files kept.

    ``keep`` are path prefixes inside the package (``dist/``); ``drop`` are prefixes left out.
    """

    package: str
    version: str
    integrity: str
    keep: tuple[str, ...]
    drop: tuple[str, ...] = ()

    @property
    def spec(self) -> str:
        """``package@version``, as npm takes it."""
        return f"{self.package}@{self.version}"


ASSETS: dict[str, Asset] = {
    # reveal.js 4: the layout nbconvert's reveal template expects (dist/reveal.js, plugin/notes).
    "reveal.js": Asset("reveal.js", "4.6.1",
                       "sha512-1CW0auaXNPmwmvQ7TwpszwVxMi2Xr5cTS3J3EBC/HHgbPF32Dn7aiu/LKWDOGjMbaD"
                       "wKQiGmfqcoGQ74HUHCMw==",
                       ("dist/", "plugin/notes/", "LICENSE"), ("dist/reveal.esm",)),
    "requirejs": Asset("requirejs", "2.3.7",
                       "sha512-DouTG8T1WanGok6Qjg2SXuCMzszOo0eHeH9hDZ5Y4x8Je+9JB38HdTLT4/VA8OaUhB"
                       "a0JPVHJ0pyBkM1z+pDsw==", ("require.js", "README.md")),
    "jquery": Asset("jquery", "3.7.1",
                    "sha512-m4avr8yL8kmFN8psrbFFFmB/If14iN5o9nw/NgnnM+kybDJpRsAynV2BsfpTYrTRysYUdAD"
                    "VD7CkUUizgkpLfg==", ("dist/jquery.min.js", "LICENSE.txt")),
    # The widget manager of static pages, the release that goes with ipywidgets 8.1.2.
    "html-manager": Asset("@jupyter-widgets/html-manager", "1.0.10",
                          "sha512-DbOIr+JovS2Nb78Dk1pgPXzk5ylL+lz2qlXydMLw8/e1o8wv/MPJxa2SXhDOUa2H"
                          "SFZZJK5qCsdI+5NENjCyqg==", ("dist/", "LICENSE"), ("dist/embed.js",)),
    # MathJax 2 for the decks (the reveal template calls MathJax.Hub), only what CommonHTML needs.
    "mathjax2": Asset("mathjax", "2.7.9",
                      "sha512-NOGEDTIM9+MrsqnjPEjVGNx4q0GQxqm61yQwSK+/5S59i26wId5IC5gNu9/bu8+CCVl5p"
                      "9G2IHcAl/wJa+5+BQ==",
                      ("MathJax.js", "config/TeX-AMS_CHTML-full.js", "config/Safe.js", "extensions/", "jax/element/",
                       "jax/input/TeX/", "jax/output/CommonHTML/", "fonts/HTML-CSS/TeX/woff/",
                       "LICENSE")),
    # MathJax 3 for the site (what Sphinx's mathjax extension configures).
    "mathjax3": Asset("mathjax", "3.2.2",
                      "sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZG"
                      "JvtRZM1vO+geW0OhGw==",
                      ("es5/tex-chtml-full.js", "es5/output/chtml/fonts/woff-v2/", "LICENSE")),
    # axe-core: the accessibility audit of tests/test_real_browser.py (not loaded by any page).
    "axe-core": Asset("axe-core", "4.14.1",
                      "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNt"
                      "uFooJpZe37OgudVGtQ==", ("axe.min.js", "LICENSE")),
}
"""What the pages load, pinned: name -> :class:`Asset`."""


def _digest(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(Path(path).read_bytes()).digest()).decode()


def fetch(asset: Asset, cache: Path = CACHE) -> Path:
    """The package's tarball, checked against the pinned sha512 digest.

    From ``cache``, or else ``npm pack`` (the npm registry).
    """
    cache = Path(cache)
    tarball = cache / (asset.package.lstrip("@").replace("/", "-") + f"-{asset.version}.tgz")
    if not tarball.exists():
        if shutil.which("npm") is None:
            raise PublishError(f"{asset.spec} is not in {cache} and there is no npm to fetch it "
                               "(install Node.js and npm, e.g. the Debian package npm)")
        cache.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(["npm", "pack", "--silent", "--pack-destination", str(cache),
                               asset.spec], capture_output=True, text=True, timeout=300)
        if done.returncode != 0 or not tarball.exists():
            raise PublishError(f"npm pack {asset.spec} failed: {done.stderr.strip()[-500:]}")
    found = _digest(tarball)
    if found != asset.integrity:
        tarball.unlink()
        raise PublishError(f"{tarball.name}: expected digest {asset.integrity}, found {found}")
    return tarball


def unpack(asset: Asset, tarball: Path, dest: Path) -> list[Path]:
    """Copy the files of ``asset.keep`` (less ``asset.drop``) from the npm tarball to ``dest``."""
    written = []
    with tarfile.open(tarball) as archive:
        for member in archive.getmembers():
            name = member.name.removeprefix("package/")
            if (not member.isfile() or ".." in Path(name).parts
                    or not name.startswith(asset.keep) or name.startswith(asset.drop)):
                continue
            target = Path(dest) / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive.extractfile(member).read())
            written.append(target)
    if not written:
        raise PublishError(f"{tarball.name} has none of {asset.keep}")
    return written


def vendor(names: list[str], dest: Path, cache: Path = CACHE) -> dict[str, Path]:
    """Copy the named :data:`ASSETS` to ``dest/<name>/``; returns name -> folder."""
    folders = {}
    for name in names:
        folder = Path(dest) / name
        if folder.exists():
            shutil.rmtree(folder)
        unpack(ASSETS[name], fetch(ASSETS[name], cache), folder)
        folders[name] = folder
    return folders
