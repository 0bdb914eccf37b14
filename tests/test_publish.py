"""tooling.publish and tooling.npm_assets: vendored assets, deck links, the site's sources, page checks.

Building the real decks and site is ``make slides`` / ``make site`` (run by ``make test`` before
the unit tests); tests/test_real_browser.py opens what they built. Here: the parts on their own.
"""

from __future__ import annotations

import html
import io
import re
import tarfile

import nbformat
import pytest

from tooling import npm_assets, publish, site_pages
from tooling.npm_assets import ASSETS, Asset, PublishError
from tooling.publish import (
    course_notebooks,
    jupyterlab_slug,
    page_problems,
    relink,
    site_conf,
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
    written = npm_assets.unpack(asset, tgz, tmp_path / "out")
    assert [p.relative_to(tmp_path / "out").as_posix() for p in written] == ["dist/a.js"]
    assert not (tmp_path / "evil.js").exists()
    with pytest.raises(PublishError, match="has none of"):
        npm_assets.unpack(Asset("p", "1.0.0", "sha512-", ("lib/",)), tgz, tmp_path / "out2")


def test_fetch_refuses_a_tarball_with_another_digest(tmp_path):
    asset = ASSETS["requirejs"]
    fake = _tarball(tmp_path / f"requirejs-{asset.version}.tgz", {"package/require.js": b"//"})
    with pytest.raises(PublishError, match="expected digest"):
        npm_assets.fetch(asset, tmp_path)
    assert not fake.exists()  # never used again


def test_fetch_takes_a_good_tarball_from_the_cache_without_npm(tmp_path, monkeypatch):
    tgz = _tarball(tmp_path / "x-1.0.0.tgz", {"package/x.js": b"x"})
    asset = Asset("x", "1.0.0", npm_assets._digest(tgz), ("x.js",))
    monkeypatch.setenv("PATH", "")  # no npm to be found
    assert npm_assets.fetch(asset, tmp_path) == tgz


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


def test_landing_page_lists_every_notebook_with_its_time_and_objectives_then_the_glossary():
    entries = [site_pages.overview(p) for p in course_notebooks()]
    cfg = site_pages.Settings("https://github.com/ann/course", "Ann Example")
    text = site_pages.landing_page(entries, cfg, publish.TITLE, ["glossary"])
    toctree = text.split("```{toctree}")[1]
    assert [line for line in toctree.splitlines() if re.match(r"\d\d_", line)] == [
        p.stem for p in course_notebooks()]
    assert text.rindex("glossary") > text.rindex(entries[-1].doc)
    assert "setup" in toctree.splitlines()
    for entry in entries:  # every notebook states its time and at least two objectives
        assert entry.minutes and len(entry.objectives) >= 2, entry
        section = text.split(f"({entry.doc}.ipynb)")[1].split("### ")[0]
        assert f"about {entry.minutes} minutes" in section
        if entry.optional:
            assert f"plus about {entry.optional} optional" in section
        assert all(objective in section for objective in entry.objectives)
    assert f"about {sum(e.minutes for e in entries)} minutes" in text
    assert any(e.optional for e in entries)
    assert f"optional and add about {sum(e.optional or 0 for e in entries)} minutes" in text
    assert "By Ann Example" in text and "MIT" in text and "CC BY 4.0" in text


def test_the_site_leaves_out_instructor_notes_and_jupyterlab_only_text():
    source = nbformat.read(course_notebooks()[3], as_version=4)
    assert any("instructor-notes" in c.metadata.get("tags", []) for c in source.cells)
    v4 = nbformat.v4
    html = ('<div><b>… Area</b><br>' + site_pages._NOT_ATTEMPTED + '</div>',
            '<div><b>… nothing solved yet: 0 of 3 exercises</b><br>… Area</div>')
    source.cells += [v4.new_code_cell("ex.check(...)", outputs=[
        v4.new_output("display_data", data={"text/html": h, "text/plain": "x"}) for h in html]),
        v4.new_code_cell("tag_browser()", outputs=[v4.new_output("display_data", data={
            "application/vnd.jupyter.widget-view+json": {"model_id": "1"}, "text/plain": "VBox"})])]
    site = site_pages.for_the_site(source)
    assert not [c for c in site.cells if "instructor-notes" in c.metadata.get("tags", [])
                or c.metadata.get("slideshow", {}).get("slide_type") == "notes"]
    assert len(site.cells) == len(source.cells) - 1
    shown = " ".join(o["data"].get("text/html", "") for c in site.cells[-2:] for o in c.outputs)
    assert "run the cell again" not in shown and "0 of 3" not in shown
    assert "3 exercises on this page" in shown and "setup.html" in shown
    assert "answer only when the notebook runs" in shown  # the widget's caption


def test_a_tag_or_the_slide_type_alone_makes_a_cell_instructor_notes_for_site_and_deck():
    v4 = nbformat.v4
    closed = "<details><summary>For the instructor</summary>Say this.</details>"
    tagged = v4.new_markdown_cell(closed, metadata={"tags": ["instructor-notes"]})
    notes = v4.new_markdown_cell(closed, metadata={"slideshow": {"slide_type": "notes"}})
    prose = v4.new_markdown_cell(closed, metadata={"slideshow": {"slide_type": "slide"}})
    site = site_pages.for_the_site(v4.new_notebook(cells=[tagged, notes, prose]))
    assert [c.metadata for c in site.cells] == [prose.metadata]
    opened = [publish.open_notes(c.source, c).startswith("<details open>")
              for c in (tagged, notes, prose)]
    assert opened == [True, True, False]


def test_the_exercise_texts_the_site_replaces_are_the_ones_exercises_shows(capsys, monkeypatch):
    from workshop_helpers import exercises

    monkeypatch.delenv("WORKSHOP_STRICT_EXERCISES", raising=False)
    exercises.registry.clear()
    exercises.Exercise("Two plus two", lambda answer: answer == 4).check(...)
    exercises.summary()
    assert exercises.show_solution() is False
    shown = capsys.readouterr().out
    exercises.registry.clear()
    assert site_pages._NOT_ATTEMPTED in shown
    assert site_pages._SUMMARY.search(shown)
    assert "Solution not run\n" + site_pages._SOLUTION_NOT_RUN in shown


def test_settings_name_a_github_repository_that_the_badge_and_citation_follow(tmp_path):
    cfg = site_pages.settings()
    assert cfg.repository.startswith("https://github.com/") and cfg.author
    readme = (publish.ROOT / "README.md").read_text()
    citation = (publish.ROOT / "CITATION.cff").read_text()
    assert site_pages.readme_badge(cfg.repository) in readme, (
        "README.md's Binder badge differs from pyproject.toml's [tool.workshop] repository: "
        "run python -m tooling.publish links")
    assert f'repository-code: "{cfg.repository}"' in citation
    for name, text in (("README.md", readme), ("CITATION.cff", citation),
                       ("pyproject.toml", (publish.ROOT / "pyproject.toml").read_text())):
        (tmp_path / name).write_text(text)
    assert site_pages.update_links("https://github.com/ann/course", tmp_path) == [
        "README.md", "CITATION.cff"]
    assert "https://mybinder.org/v2/gh/ann/course/HEAD?urlpath=lab/tree/notebooks/00_welcome" \
        in (tmp_path / "README.md").read_text()
    assert 'repository-code: "https://github.com/ann/course"' in (
        tmp_path / "CITATION.cff").read_text()
    assert site_pages.update_links("https://github.com/ann/course", tmp_path) == []
    bad = tmp_path / "pyproject.toml"
    bad.write_text('[tool.workshop]\nrepository = "gitlab.com/x/y"\nauthor = "A"\n')
    with pytest.raises(ValueError, match="repository must be https://github.com/OWNER/REPO"):
        site_pages.settings(bad)
    bad.write_text('[tool.other]\nrepository = "https://github.com/a/b"\n')
    with pytest.raises(ValueError, match=r"\[tool.workshop\] needs repository and author"):
        site_pages.settings(bad)


def test_tidy_page_gives_controls_their_visible_text_as_name():
    page = ('<div id="pst-primary-sidebar" class="bd-sidebar-primary bd-sidebar">'
            '<button class="btn search-button-field search-button__button" title="Search" '
            'aria-label="Search"><span>Search</span><kbd>Ctrl</kbd></button>'
            '<summary aria-label="Toggle hidden content"><span>Show code cell source</span>')
    tidy = site_pages.tidy_page(page)
    assert "aria-label" not in tidy.replace('aria-label="The course"', "")
    assert 'role="region" aria-label="The course"' in tidy


def test_the_deck_index_names_each_deck_by_title_with_its_time(tmp_path):
    notebooks = course_notebooks()
    decks = [tmp_path / f"{p.stem}.slides.html" for p in notebooks]
    page = publish.deck_index(notebooks, decks, publish.TITLE)
    for path, deck in zip(notebooks, decks, strict=True):
        about = site_pages.overview(path)
        link = f'<a href="{deck.name}">{html.escape(about.title)}</a>'
        assert f"{link} <small>(about {about.minutes} minutes" in page


def test_site_conf_loads_nothing_from_another_host():
    conf: dict = {}
    exec(site_conf(), conf)
    assert conf["nb_execution_mode"] == "off"
    assert not re.search(r"https?://", conf["mathjax_path"] + " ".join(conf["nb_ipywidgets_js"]))
    assert conf["myst_heading_slug_func"] == "tooling.publish.jupyterlab_slug"
    assert "sphinx_copybutton" in conf["extensions"]
    options = conf["html_theme_options"]
    assert options["launch_buttons"]["binderhub_url"] == "https://mybinder.org"
    assert options["repository_url"] == site_pages.settings().repository
    assert options["use_download_button"] and conf["html_copy_source"]


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
    # A link to a notebook is a problem unless the notebook is there to download.
    (tmp_path / "b.html").write_text('<a href="_sources/01.ipynb">download</a>')
    assert page_problems([tmp_path / "b.html"], tmp_path) == [
        "b.html: links to a notebook file _sources/01.ipynb"]
    (tmp_path / "_sources").mkdir()
    (tmp_path / "_sources" / "01.ipynb").write_text("{}")
    assert page_problems([tmp_path / "b.html"], tmp_path) == []


def test_a_deck_has_speaker_notes_and_loads_only_its_own_copies(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Title", metadata={"slideshow": {"slide_type": "slide"}}),
        nbformat.v4.new_markdown_cell("<details>\n<summary>For the instructor</summary>\n\n"
                                      "Say this aloud.\n\n</details>",
                                      metadata={"slideshow": {"slide_type": "notes"}}),
        nbformat.v4.new_markdown_cell("$x^2$, [next](01_history.ipynb)",
                                      metadata={"slideshow": {"slide_type": "slide"}}),
        nbformat.v4.new_markdown_cell("NOT-ON-A-SLIDE", metadata={"slideshow": {"slide_type": "skip"}}),
    ])
    for cell in nb.cells:
        cell.source = publish.open_notes(relink(cell.source), cell)
    body, _ = publish._slides_exporter(tmp_path / "templates").from_notebook_node(nb)
    # The notes, closed for learners in JupyterLab, are open for the instructor.
    assert re.search(r'<aside class="notes">.*?<details open(="")?>.*?Say this aloud.*?</aside>', body, re.S)
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
    assert (site / "setup.html").exists()
    for page in pages:  # what the site leaves out
        text = page.read_text(encoding="utf-8")
        for unwanted in ("For the instructor", str(publish.ROOT), "run the cell again",
                         "nothing solved yet", "Author name not set", "Run All does not"):
            assert unwanted not in text, f"{page.name} shows {unwanted!r}"
    for stem in stems:  # what every notebook's page offers
        text = (site / f"{stem}.html").read_text(encoding="utf-8")
        assert site_pages.binder_url(site_pages.settings().repository, stem) in text
        assert f'href="_sources/{stem}.ipynb"' in text
        download = nbformat.read(site / "_sources" / f"{stem}.ipynb", as_version=4)
        assert not any(c.get("outputs") for c in download.cells)  # as a learner starts it
        assert "copybutton.js" in text
    decks = [slides / f"{s}.slides.html" for s in stems]
    assert all(d.exists() for d in decks)
    assert page_problems(decks, slides, anchors=False) == []
