"""workshop_helpers.publish: vendored assets, deck links, the site's sources, page checks.

Building the real decks and site is ``make slides`` / ``make site`` (run by ``make test`` before
the unit tests); tests/test_real_browser.py opens what they built. Here: the parts on their own.
"""

from __future__ import annotations

import io
import re
import tarfile

import nbformat
import pytest

from workshop_helpers import publish
from workshop_helpers.publish import (
    ASSETS,
    Asset,
    PublishError,
    course_notebooks,
    jupyterlab_slug,
    page_problems,
    relink,
    site_conf,
    site_index,
    unpack,
)


def _tarball(path, files: dict[str, bytes]):
    with tarfile.open(path, "w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def test_notebooks_in_course_order():
    names = [p.name for p in course_notebooks()]
    assert names == sorted(names) and names[0] == "00_welcome.ipynb"
    assert all(re.fullmatch(r"\d\d_\w+\.ipynb", n) for n in names)


def test_every_asset_is_pinned_to_a_version_and_a_digest():
    for asset in ASSETS.values():
        assert re.fullmatch(r"\d+\.\d+\.\d+", asset.version), asset
        assert asset.integrity.startswith("sha512-") and len(asset.integrity) == 95, asset
        assert asset.keep


def test_unpack_keeps_only_the_listed_files(tmp_path):
    tgz = _tarball(tmp_path / "p.tgz", {"package/dist/a.js": b"a", "package/dist/a.esm.js": b"e",
                                        "package/src/b.js": b"b", "package/../evil.js": b"x"})
    asset = Asset("p", "1.0.0", "sha512-", ("dist/", "../"), ("dist/a.esm",))
    written = unpack(asset, tgz, tmp_path / "out")
    assert [p.relative_to(tmp_path / "out").as_posix() for p in written] == ["dist/a.js"]
    assert not (tmp_path / "evil.js").exists()
    with pytest.raises(PublishError, match="has none of"):
        unpack(Asset("p", "1.0.0", "sha512-", ("lib/",)), tgz, tmp_path / "out2")


def test_fetch_refuses_a_tarball_with_another_digest(tmp_path):
    asset = ASSETS["requirejs"]
    fake = _tarball(tmp_path / f"requirejs-{asset.version}.tgz", {"package/require.js": b"//"})
    with pytest.raises(PublishError, match="expected digest"):
        publish.fetch(asset, tmp_path)
    assert not fake.exists()  # never used again


def test_fetch_takes_a_good_tarball_from_the_cache_without_npm(tmp_path, monkeypatch):
    tgz = _tarball(tmp_path / "x-1.0.0.tgz", {"package/x.js": b"x"})
    asset = Asset("x", "1.0.0", publish._digest(tgz), ("x.js",))
    monkeypatch.setenv("PATH", "")  # no npm to be found
    assert publish.fetch(asset, tmp_path) == tgz


def test_relink_points_decks_at_decks_and_the_site_glossary():
    text = "[07](07_network.ipynb), [PACS](glossary.md#PACS), [x](https://a/b.ipynb)"
    assert relink(text) == ("[07](07_network.slides.html), [PACS](../site/glossary.html#PACS), "
                            "[x](https://a/b.ipynb)")


def test_jupyterlab_slug_reaches_every_glossary_heading_the_notebooks_link_to():
    glossary = publish.NOTEBOOKS / "glossary.md"
    if not glossary.exists():
        pytest.skip("notebooks/glossary.md is not written yet")
    headings = {jupyterlab_slug(line.lstrip("#")) for line in glossary.read_text().splitlines()
                if line.startswith("#")}
    linked = set()
    for path in course_notebooks():
        for cell in nbformat.read(path, as_version=4).cells:
            linked |= set(re.findall(r"glossary\.md#([\w-]+)", cell.source))
    assert linked, "no notebook links to the glossary"
    assert linked <= headings, f"no heading for {sorted(linked - headings)}"


def test_site_index_lists_every_notebook_in_order_then_the_glossary():
    titles = [(p.stem, publish.notebook_title(p)) for p in course_notebooks()]
    text = site_index(titles, ["glossary"])
    toctree = text.split("```{toctree}")[1]
    assert [line for line in toctree.splitlines() if re.match(r"\d\d_", line)] == [
        p.stem for p in course_notebooks()]
    assert text.rindex("glossary") > text.rindex(titles[-1][0])
    assert ".ipynb)" in text  # myst-nb turns these into links to the pages


def test_site_conf_loads_nothing_from_another_host():
    conf: dict = {}
    exec(site_conf(), conf)
    assert conf["nb_execution_mode"] == "off"
    assert not re.search(r"https?://", conf["mathjax_path"] + " ".join(conf["nb_ipywidgets_js"]))
    assert conf["myst_heading_slug_func"] == "workshop_helpers.publish.jupyterlab_slug"


def test_page_problems_finds_remote_css_and_missing_files(tmp_path):
    (tmp_path / "s.css").write_text("@import url(https://fonts.example/css?f=Lato); a{}")
    (tmp_path / "a.html").write_text('<link rel="stylesheet" href="s.css"><a href="gone.html">x</a>'
                                     '<a href="#here">y</a><p id="here">')
    assert page_problems([tmp_path / "a.html"], tmp_path) == [
        "a.html: s.css loads https://fonts.example/css?f=Lato from another host",
        "a.html: link to missing gone.html"]
    (tmp_path / "s.css").write_text("a{}")
    (tmp_path / "gone.html").write_text("")
    assert page_problems([tmp_path / "a.html"], tmp_path) == []


def test_a_deck_has_speaker_notes_and_loads_only_its_own_copies(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Title", metadata={"slideshow": {"slide_type": "slide"}}),
        nbformat.v4.new_markdown_cell("Say this aloud.",
                                      metadata={"slideshow": {"slide_type": "notes"}}),
        nbformat.v4.new_markdown_cell("$x^2$, [next](01_history.ipynb)",
                                      metadata={"slideshow": {"slide_type": "slide"}}),
        nbformat.v4.new_markdown_cell("NOT-ON-A-SLIDE", metadata={"slideshow": {"slide_type": "skip"}}),
    ])
    for cell in nb.cells:
        cell.source = relink(cell.source)
    body, _ = publish._slides_exporter(tmp_path / "templates").from_notebook_node(nb)
    assert re.search(r'<aside class="notes">\s*.*Say this aloud', body, re.S)
    assert body.count("<section") >= 2 and "NOT-ON-A-SLIDE" not in body
    assert "mermaid" not in body
    (tmp_path / "deck.html").write_text(body)
    problems = page_problems([tmp_path / "deck.html"], tmp_path, anchors=False)
    assert problems and all("missing" in p for p in problems)  # vendor/ is not copied here
    assert "deck.html: loads missing vendor/reveal.js/dist/reveal.css" in problems
    assert any("01_history.slides.html" in p for p in problems)


def test_the_built_site_and_decks_have_no_problems():
    """What ``make site`` and ``make slides`` built (``make test`` builds them first): every
    notebook has its page and its deck, every local link and anchor resolves, no ``.ipynb``
    link, nothing loaded from another host (the browser test opens them with no network)."""
    from conftest import _unavailable

    site, slides = publish.BUILD / "site", publish.BUILD / "slides"
    if not (site / "index.html").exists() or not (slides / "index.html").exists():
        _unavailable("build/site and build/slides are not built (make slides site)")
    stems = [p.stem for p in course_notebooks()]
    pages = sorted(site.glob("*.html"))
    assert {f"{s}.html" for s in stems} | {"index.html", "search.html"} <= {p.name for p in pages}
    if (publish.NOTEBOOKS / "glossary.md").exists():
        assert (site / "glossary.html").exists()
    assert page_problems(pages, site) == []
    decks = [slides / f"{s}.slides.html" for s in stems]
    assert all(d.exists() for d in decks)
    assert page_problems(decks, slides, anchors=False) == []
