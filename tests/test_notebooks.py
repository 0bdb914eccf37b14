"""Every notebook follows the course conventions (the run itself is `make notebooks`, under nbval)."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from tooling import authoring
from tooling.authoring import (
    code,
    convention_problems,
    md,
    raises,
    solution,
    write_notebook,
)

NOTEBOOK_DIR = Path(__file__).parent.parent / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
GLOSSARY = NOTEBOOK_DIR / "glossary.md"


def test_there_are_notebooks_and_they_start_at_00():
    assert NOTEBOOKS and NOTEBOOKS[0].name.startswith("00_")


def test_numbers_are_unique():
    numbers = [p.name[:2] for p in NOTEBOOKS]
    assert len(numbers) == len(set(numbers)), numbers


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_follows_conventions(path):
    problems = convention_problems(path)
    assert problems == []


def _header(minutes: int = 20) -> nbformat.NotebookNode:
    return md(f"# T\nOverview Learning objectives Prerequisites\n**Time**: {minutes} minutes")


def _honest(path: Path) -> Path:
    """Rewrite the probe's Time line to the estimate, so only the problem under test remains."""
    nb = nbformat.read(str(path), as_version=4)
    nb.cells[0].source = re.sub(r"\d+ minutes", f"{authoring.estimated_minutes(path)} minutes",
                                nb.cells[0].source)
    nbformat.write(nb, str(path))
    return path


def test_solution_cells_are_guarded_and_give_nothing_away(tmp_path):
    def probe(*cells):
        path = write_notebook(tmp_path / "99_probe.ipynb", [
            _header(),
            code("ex = exercises.Exercise('x', checks.byte_count(3))"),
            *cells, solution("answer = 3\nex.check(answer)"),
            code("exercises.summary()"), md("## Summary\n## What's next")])
        return "\n".join(convention_problems(_honest(path)))

    assert probe(solution("answer = 3\nex.check(answer)")) == ""
    unguarded = solution("answer = 3\nex.check(answer)")
    unguarded.source = "# Solution\nanswer = 3\nex.check(answer)"
    telling = solution("x")
    telling.source = "# answer = 3\nif exercises.show_solution():\n    answer = 3"
    bare = solution("x")
    bare.source = "max_hu = hu.max()\nex.check(max_hu)"
    problems = probe(unguarded, telling, bare)
    assert "cell 2 is a solution without the guard" in problems
    assert "cell 3 is a solution whose first-line comment gives something away" in problems
    assert "cell 4 is a solution whose first line is not a comment" in problems


def test_later_cells_must_not_read_what_only_a_solution_sets(tmp_path):
    cells = [_header(),
             code("fixed = ..."), solution("fixed = 'a'\nex.check(fixed)"), solution("y = 1"),
             code("print(fixed + 'b')"), code("y = 2\nprint(y)"), code("exercises.summary()"),
             md("## Summary\n## What's next")]
    problems = convention_problems(_honest(write_notebook(tmp_path / "99_probe.ipynb", cells)))
    assert problems == ["cell 4 reads 'fixed', which only the solution in cell 2 sets"]


def test_convention_check_catches_outputs_and_missing_parts(tmp_path):
    cell = code("print(1)")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n")]
    cell.execution_count = 3
    on_purpose = code("# NBVAL_RAISES_EXCEPTION\n1 / 0")
    path = write_notebook(tmp_path / "bad name.ipynb", [md("# Title only"), on_purpose, cell])
    problems = "\n".join(convention_problems(path))
    for expected in ("is not NN_topic", "has outputs", "execution count", "'Overview'",
                     "the last cell is not markdown", "lacks the tag 'raises-exception'", "0 solution cell", "summary()"):
        assert expected in problems


def test_raises_cell_is_tagged_and_shows_no_nbval_comment():
    cell = raises("1 / 0")
    assert cell.source == "1 / 0"
    assert cell.metadata["tags"] == ["raises-exception"]
    assert raises("# NBVAL_RAISES_EXCEPTION\n1 / 0").source == "1 / 0"


def _problems_of(tmp_path, *cells) -> str:
    path = write_notebook(tmp_path / "99_probe.ipynb", [
        _header(), code("ex = exercises.Exercise('x', checks.byte_count(3))"), *cells,
        solution("answer = 3\nex.check(answer)"), solution("answer = 3\nex.check(answer)"),
        code("exercises.summary()"), md("## Summary\n## What's next")])
    return "\n".join(convention_problems(_honest(path)))


def test_a_tagged_cell_is_the_error_on_purpose(tmp_path):
    assert _problems_of(tmp_path, raises("1 / 0")) == ""                    # tag alone: fine
    untagged = code("# NBVAL_RAISES_EXCEPTION\n1 / 0")
    assert "cell 2 fails on purpose but lacks the tag" in _problems_of(tmp_path, untagged)
    commented = raises("1 / 0")
    commented.source = "# NBVAL_RAISES_EXCEPTION\n1 / 0"
    assert "cell 2 shows '# NBVAL_RAISES_EXCEPTION' to learners" in _problems_of(tmp_path, commented)
    assert _problems_of(tmp_path, raises("1 / 0")) == ""


# ----------------------------------------------------------------------------- honest times

def test_estimate_counts_words_cells_and_exercises(tmp_path):
    text = " ".join(["word"] * 330) + " [a link](https://example.org/not/read) -- |"
    path = write_notebook(tmp_path / "99_t.ipynb", [
        md(text), md("Speaker notes, " * 50, slide="notes"), code("x = 1"), code("y = 2"),
        code("z = 3", hidden=True),
        solution("answer = 1"), solution("answer = 2"), solution("answer = 3")])
    e = authoring.estimate(path)
    assert (e.words, e.code_cells, e.code_lines, e.exercise_count) == (332, 2, 2, 3)
    assert e.total == pytest.approx(332 / 110 + 2 * 0.5 + 2 * 0.1 + 3 * 8)
    assert authoring.estimated_minutes(path) == 30          # 28.2 rounded to 5 minutes


def test_estimate_counts_each_line_of_visible_code_not_blank_lines_or_hidden_code(tmp_path):
    path = write_notebook(tmp_path / "99_t.ipynb", [
        code("a = 1\n\nb = 2\nc = a + b\n"), code("hidden = 1\n" * 9, hidden=True),
        solution("answer = 1\n" * 20)])
    e = authoring.estimate(path)
    assert (e.code_lines, e.code) == (3, pytest.approx(0.3))


def test_instructor_notes_must_stay_closed_for_learners(tmp_path):
    def problems(text, hidden=True):
        cell = md(text, slide="notes")
        cell.metadata["tags"] = ["instructor-notes"]
        if hidden:
            cell.metadata["jupyter"] = {"source_hidden": True}
        path = write_notebook(tmp_path / "99_t.ipynb", [cell])
        return [p for p in authoring.convention_problems(path) if "instructor" in p]

    closed = "<details>\n<summary>For the instructor</summary>\n\n- show 02\n\n</details>"
    assert problems(closed) == []
    assert problems("**For the instructor:** show 02") == [
        "cell 0 holds instructor notes outside a <details> block (Run All would show them to "
        "learners)"]
    assert problems(closed, hidden=False) == [
        "cell 0 holds instructor notes whose source is not hidden"]


def test_stated_time_must_be_within_a_quarter_of_the_estimate(tmp_path):
    def time_problems(minutes):
        path = write_notebook(tmp_path / "99_t.ipynb", [
            _header(minutes), solution("answer = 1"), solution("answer = 2"),
            code("exercises.summary()"), md("## Summary\n## What's next")])
        return [p for p in convention_problems(path) if "minutes" in p or "Time" in p]

    # estimate: 2 exercises (16) + 1 cell (0.5) + 14 words: about 16.6 minutes
    assert time_problems(15) == [] and time_problems(20) == []
    assert "the first cell says 10 minutes; a newcomer needs about 17" in time_problems(10)[0]
    assert time_problems(25) != []
    assert authoring.stated_minutes("**Time**: 35 minutes (10 reading)") == 35
    assert authoring.stated_minutes("**Time**: a while") is None


def _optional_probe(tmp_path, time_line: str, *cells) -> list[str]:
    path = write_notebook(tmp_path / "99_t.ipynb", [
        md(f"# T\nOverview Learning objectives Prerequisites\n{time_line}"),
        code("x = 1"), solution("answer = 1"), solution("answer = 2"), *cells,
        code("exercises.summary()"), md("## Summary\n## What's next")])
    return convention_problems(path)


def test_going_further_sections_are_counted_apart_with_their_sub_sections(tmp_path):
    path = write_notebook(tmp_path / "99_t.ipynb", [
        md("## Core"), code("x = 1"), solution("answer = 1"),
        md("## Going further: the bytes\n```\n## not a heading, inside a fence\n```"),
        code("y = 2\nz = 3"), md("### A sub-section of it"), code("w = 4"), solution("answer = 2"),
        md("## Back to the core"), code("v = 5")])
    core, optional = authoring.estimate(path), authoring.estimate(path, "optional")
    assert (core.code_cells, core.exercise_count, optional.code_cells, optional.exercise_count) == (2, 1, 2, 1)
    assert (optional.code_lines, optional.words) == (3, 14)   # the fenced "##" line is prose
    assert authoring.estimate(path, "all").total == pytest.approx(core.total + optional.total)
    assert authoring.course_minutes(tmp_path) == 10 and authoring.course_minutes(tmp_path, "optional") == 10
    with pytest.raises(ValueError, match="part must be one of"):
        authoring.estimate(path, "extras")


def test_the_time_line_gives_the_optional_minutes_and_they_are_checked(tmp_path):
    extra = (md("## Going further: more"), code("y = 2"), solution("answer = 3"), md("## Core again"))
    # core: two exercises (16), one cell (0.6), 7 words; optional: one exercise (8), one cell, 3 words
    honest = "**Time**: about 15 minutes (reading 0, cells 1, exercises 16), plus about 10 minutes optional."
    assert [p for p in _optional_probe(tmp_path, honest, *extra) if "minutes" in p] == []
    silent = _optional_probe(tmp_path, "**Time**: about 15 minutes.", *extra)
    assert "the first cell gives no time for the optional sections (about 9 minutes)" in silent[0]
    wrong = _optional_probe(tmp_path, honest.replace("about 10", "about 25"), *extra)
    assert "the first cell gives the optional sections 25 minutes; they take about 9" in wrong[0]
    assert _optional_probe(tmp_path, honest) != []          # optional minutes, but no optional section
    assert authoring.stated_minutes(honest) == 15 and authoring.stated_optional_minutes(honest) == 10
    assert authoring.time_line(write_notebook(tmp_path / "99_u.ipynb", [code("x = 1"), *extra])) == (
        "**Time**: about 5 minutes (reading 0, cells 1, exercises 0), "
        "plus about 10 minutes of optional *Going further* sections.")


def test_core_cells_must_not_read_what_only_an_optional_section_sets(tmp_path):
    cells = (md("## Going further: take home"), code("import psutil\nx = 1\nseen = 2"),
             md("## Clean up"), code("x = 3\nprint(x, seen)\npsutil.pid_exists(1)"))
    problems = [p for p in _optional_probe(tmp_path, "**Time**: about 15 minutes, plus about 5", *cells)
                if "optional section" in p]
    assert problems == ["cell 7 reads 'psutil', which only the optional section in cell 5 sets",
                        "cell 7 reads 'seen', which only the optional section in cell 5 sets"]


# ----------------------------------------------------------------------------- glossary

GLOSSARY_TERMS = [
    "AE", "AE Title", "Association", "C-ECHO", "C-FIND", "C-GET", "C-MOVE", "C-STORE", "Data Element",
    "Data Set", "DICOM", "DICOMweb", "DIMSE", "File Meta Information", "Frame of Reference", "HU", "IE",
    "Instance", "IOD", "LPS", "Modality", "MPPS", "PACS", "PDU", "Presentation Context",
    "Private Creator", "Private Tag", "QIDO-RS", "RAS", "Router", "SCP", "SCU", "Secondary Capture",
    "Series", "SOP", "SOP Class", "SOP Instance", "Storage Commitment", "STOW-RS", "Study", "Tag",
    "Transfer Syntax", "UID", "VM", "VR", "WADO-RS", "Worklist", "NIfTI", "Interfile", "Analyze", "PHI",
    "De-identification"]


def glossary_anchors() -> list[str]:
    """Anchors of the glossary's terms: the heading text, spaces written as '-' (as JupyterLab does)."""
    return [h.strip().replace(" ", "-") for h in re.findall(r"^## (.+)$", GLOSSARY.read_text(), re.M)]


def test_glossary_has_every_term_once_in_alphabetical_order():
    headings = re.findall(r"^## (.+)$", GLOSSARY.read_text(), re.M)
    assert sorted(headings) == sorted(GLOSSARY_TERMS)
    assert headings == sorted(headings, key=str.lower)


def test_every_glossary_entry_cites_a_source_and_a_notebook():
    entries = re.split(r"^## ", GLOSSARY.read_text(), flags=re.M)[1:]
    for entry in entries:
        term = entry.splitlines()[0]
        assert re.search(r"\*(Standard|Source)\*|Not part of DICOM|Not a term of the standard|"
                         r"not a term the\s+standard defines|not of DICOM", entry), term
        assert re.search(r"\*(Introduced|Mentioned) in\*:\s+\[\d\d ·", entry), term


def _glossary_links() -> list[tuple[str, str]]:
    links = []
    for path in NOTEBOOKS:
        text = "\n".join(c.source for c in nbformat.read(str(path), as_version=4).cells)
        links += [(path.name, a) for a in re.findall(r"glossary\.md#([^)\s\"'>]+)", text)]
    links += [("glossary.md", a) for a in re.findall(r"\]\(#([^)]+)\)", GLOSSARY.read_text())]
    return links


def test_every_glossary_link_resolves_to_a_heading():
    anchors = set(glossary_anchors())
    links = _glossary_links()
    assert links, "no notebook links to the glossary"
    assert [(where, a) for where, a in links if a not in anchors] == []
    notebooks = {p.name for p in NOTEBOOKS} | {"glossary.md"}
    linked = set(re.findall(r"\]\((\d\d_[a-z0-9_]+\.ipynb)\)", GLOSSARY.read_text()))
    assert linked <= notebooks, linked - notebooks


# ----------------------------------------------------------------------------- the 90-minute track

def test_workshop_track_adds_up_to_90_minutes_and_its_sections_exist():
    assert authoring.track_problems(NOTEBOOK_DIR) == []


def test_track_problems_catch_a_wrong_sum_and_a_missing_section():
    track = (authoring.TrackPart("00_welcome", ("A first look",), 50),
             authoring.TrackPart("02_space", ("A section nobody wrote",), 30))
    problems = authoring.track_problems(NOTEBOOK_DIR, track)
    assert "the track takes 80 minutes, not 90" in problems
    assert "02_space.ipynb has no section starting 'A section nobody wrote'" in problems
    assert authoring.track_problems(NOTEBOOK_DIR, track, total=80) == [problems[1]]


def test_welcome_and_readme_show_the_track_and_the_honest_total():
    welcome = "\n".join(c.source for c in nbformat.read(str(NOTEBOOKS[0]), as_version=4).cells)
    readme = (NOTEBOOK_DIR.parent / "README.md").read_text()
    assert authoring.track_table() in welcome
    assert authoring.track_table(link_prefix="notebooks/") in readme
    core = authoring.course_minutes(NOTEBOOK_DIR)
    optional = authoring.course_minutes(NOTEBOOK_DIR, part="optional")
    for text in (welcome, readme):
        stated = re.search(r"\*\*about\s+([\d.]+)(¼|½|¾)?\s+hours\*\*:\s+(\d+)\s+minutes", text)
        hours = float(stated.group(1)) + {"¼": 0.25, "½": 0.5, "¾": 0.75}.get(stated.group(2), 0)
        assert abs(int(stated.group(3)) - core) <= 0.1 * core, (stated.group(3), core)
        assert abs(hours * 60 - int(stated.group(3))) <= 15, stated.group(0)
        extra = int(re.search(r"optional \*Going further\* sections (?:together )?add\s+"
                              r"\*\*about (\d+) minutes\*\*", text).group(1))
        assert abs(extra - optional) <= 0.1 * optional, (extra, optional)
    assert "about 90 minutes of course" not in readme
