"""workshop_helpers.browser: rows of a data set, levels from PS3.3 modules, links, search."""

from __future__ import annotations

import re

import pydicom
import pytest
from pydicom.datadict import dictionary_VR, tag_for_keyword

from workshop_helpers import private, tools
from workshop_helpers.browser import (
    IODS,
    LEVELS,
    MODULES,
    Row,
    attribute_url,
    dataset_rows,
    filter_rows,
    level_of,
    rows_to_html,
    short_value,
    tag_browser,
)


@pytest.fixture(scope="module")
def ct():
    return pydicom.dcmread(tools.testdata("CT_small.dcm"))


def test_every_keyword_in_the_module_table_is_a_real_attribute():
    for keyword, module in MODULES.items():
        tag = tag_for_keyword(keyword)
        assert tag is not None, keyword
        assert dictionary_VR(tag), keyword
        assert module.level in LEVELS and module.section.startswith("C.")


def test_one_row_per_element_and_item(ct):
    rows = dataset_rows(ct)
    n_items = sum(len(e.value) for e in ct.iterall() if e.VR == "SQ")
    n_elements = sum(1 for _ in ct.iterall()) + len(ct.file_meta)
    assert len(rows) == n_elements + n_items
    by_tag = {r.tag: r for r in rows if r.depth == 0 and r.level != "file-meta"}
    for elem in ct:
        row = by_tag[f"({elem.tag.group:04X},{elem.tag.element:04X})"]
        assert row.vr == elem.VR and row.vm == elem.VM


def test_levels_follow_the_modules_not_the_group(ct):
    rows = {r.keyword: r for r in dataset_rows(ct) if r.depth == 0}
    assert rows["PatientName"].level == "patient"
    assert rows["PatientAge"].level == "study"        # group 0010, but Patient Study C.7.2.2
    assert rows["StudyInstanceUID"].level == "study"  # group 0020
    assert rows["StudyDate"].level == "study"         # group 0008
    assert rows["Manufacturer"].level == "series"     # General Equipment, as in the slides
    assert rows["SeriesInstanceUID"].level == "series"
    assert rows["SOPInstanceUID"].level == "instance"
    assert rows["TransferSyntaxUID"].level == "file-meta"
    assert "Patient Study (C.7.2.2)" == rows["PatientAge"].module
    assert any(r.level == "private" for r in rows.values())


def test_nested_items_inherit_the_level_and_are_indented(ct):
    rows = dataset_rows(ct)
    i = next(i for i, r in enumerate(rows) if r.keyword == "OtherPatientIDsSequence")
    seq, item, inner = rows[i], rows[i + 1], rows[i + 2]
    assert (seq.depth, item.depth, inner.depth) == (0, 1, 2)
    assert item.keyword == "Item" and inner.keyword == "PatientID"
    assert inner.level == "patient" and inner.value == "ABCD1234"
    assert inner.url.endswith("/ct-image/patient/00101002/00100020")


def test_links(ct):
    rows = {r.keyword: r for r in dataset_rows(ct) if r.depth == 0}
    assert rows["ImagePositionPatient"].url == (
        "https://dicom.innolitics.com/ciods/ct-image/image-plane/00200032")
    assert rows["PatientName"].url.endswith("/ct-image/patient/00100010")
    assert rows["TransferSyntaxUID"].url.endswith("part06/chapter_7.html")
    assert rows["ScanOptions"].url.endswith("part06/chapter_6.html")  # not in our table
    sc = "1.2.840.10008.5.1.4.1.1.7"  # the SC IOD has no Image Plane module: no innolitics link
    assert attribute_url(0x00200032, "ImagePositionPatient", sc).endswith("chapter_6.html")
    assert attribute_url(0x00100010, "PatientName", sc).endswith(
        "/secondary-capture-image/patient/00100010")
    for _uid, (slug, modules) in IODS.items():
        assert slug and modules <= {m.slug for m in MODULES.values()}


def test_values_are_short_and_pixel_data_is_not_decoded(ct):
    rows = {r.keyword: r for r in dataset_rows(ct, limit=20)}
    assert rows["PixelData"].value.startswith(f"{len(ct.PixelData)} bytes")
    assert all(len(r.value) <= 40 for r in rows.values())
    assert rows["AccessionNumber"].value == "(no value)"


@pytest.mark.parametrize("value, vr, limit, shown", [
    ("WORKSHOP^01", "PN", 64, "WORKSHOP^01"),
    ("A" * 30, "LO", 10, "AAAAAAAAA…"),
    (pydicom.multival.MultiValue(float, [0.5, 1]), "DS", 64, "0.5\\1.0"),
    ([1, 2, 3], "US", 4, "1\\2…"),
    (b"\x00\x01\x02", "OB", 64, "3 bytes: 00 01 02"),
    (bytes(range(10)), "OB", 64, "10 bytes: 00 01 02 03 04 05 06 07 …"),
    ([pydicom.Dataset()], "SQ", 64, "1 item"),
    ([], "SQ", 64, "0 items"),
    (None, "LO", 64, "(no value)"),
    (b"", "OB", 64, "(no value)"),
    (42, "US", 64, "42"),
])
def test_short_value_one_rule_for_every_kind_of_value(value, vr, limit, shown):
    assert short_value(value, vr, limit) == shown
    assert len(short_value(value, vr, limit)) <= max(limit, len(shown))


def test_private_elements_are_shortened_by_the_same_rule():
    ds = pydicom.Dataset()
    private.add_private(ds, 0x0013, "CTP", 0x10, "OB", bytes(range(20)))
    private.add_private(ds, 0x0013, "CTP", 0x11, "LO", "TCGA-LUAD-" * 5)
    elements = private.list_blocks(ds)[0].elements
    assert [e.short_value(12) for e in elements] == [short_value(e.value, e.VR, 12)
                                                     for e in elements]
    assert elements[0].short_value().startswith("20 bytes: 00 01")
    assert str(elements[0].tag) == "(0013,1010)" in private.format_blocks(private.list_blocks(ds))


def test_filter_keeps_matches_and_their_parents(ct):
    rows = dataset_rows(ct)
    hits = filter_rows(rows, "abcd1234")
    assert [r.keyword for r in hits] == ["OtherPatientIDsSequence", "Item", "PatientID"]
    uids = filter_rows(rows, "uid")
    assert {"StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID"} <= {r.keyword for r in uids}
    assert filter_rows(rows, "(0010,0010)")[0].keyword == "PatientName"
    assert filter_rows(rows, "") == rows and filter_rows(rows, "no such thing") == []


def test_level_of_private_and_meta():
    assert level_of(0x00090010, "") == "private"
    assert level_of(0x00020000, "FileMetaInformationGroupLength") == "file-meta"
    assert level_of(0x00180050, "SliceThickness") == "instance"


def test_html_escapes_and_links():
    row = Row("(0010,0010)", "PatientName", "PN", 1, "<b>x</b>", "patient", 2, url="http://a/b")
    text = rows_to_html([row])
    assert "&lt;b&gt;" in text and 'href="http://a/b"' in text and "padding-left:36px" in text
    many = rows_to_html([row] * 5, max_rows=2)
    assert "3 more rows" in many


def test_links_look_like_links_and_every_cell_has_padding():
    rows = [Row("(0010,0010)", "PatientName", "PN", 1, "A^B", "patient", 0, url="http://a/b"),
            Row("(0010,0020)", "PatientID", "LO", 1, "X", "patient", 0)]
    text = rows_to_html(rows)
    links = re.findall(r"<a [^>]*>", text)
    assert len(links) == 1 and "text-decoration:underline" in links[0] and "color:" in links[0]
    cells = re.findall(r"<t[dh]( [^>]*)?>", text)
    assert len(cells) == 6 * 3
    assert all("padding:" in (attrs or "") for attrs in cells)


def test_widget_filters(ct):
    box = tag_browser(ct, query="PatientAge")
    search, count = box.children[0].children
    table = box.children[1]
    assert "PatientAge" in table.value and "PixelData" not in table.value
    search.value = "PixelData"
    assert "PixelData" in table.value and count.value.startswith("1 of")
