"""workshop_helpers.anatomy: our byte labels agree with where pydicom finds each value."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pydicom
import pytest
from pydicom.filereader import data_element_generator
from pydicom.valuerep import EXPLICIT_VR_LENGTH_32

from workshop_helpers import tools
from workshop_helpers.anatomy import (
    LONG_VRS,
    AnatomyError,
    byte_segments,
    element_parts,
    elements,
    plot_bytes,
)


def _pydicom_raw_elements(path):
    """The data set's top-level elements as pydicom's own reader finds them (with value_tell)."""
    meta = pydicom.dcmread(path, stop_before_pixels=True).file_meta
    start = 132 + 12 + meta.FileMetaInformationGroupLength   # PS3.10 7.1: preamble, DICM, meta
    implicit = meta.TransferSyntaxUID == pydicom.uid.ImplicitVRLittleEndian
    with open(path, "rb") as fp:
        fp.seek(start)
        return {int(raw.tag): raw for raw in data_element_generator(fp, implicit, True)}


@pytest.mark.parametrize("name", ["CT_small.dcm", "MR_small.dcm", "MR_small_implicit.dcm",
                                  "rtplan.dcm"])
def test_value_offsets_match_pydicom(name):
    path = tools.testdata(name)
    data = path.read_bytes()
    segments = byte_segments(data, max_elements=40)
    raw = _pydicom_raw_elements(path)
    values = {s.tag: s for s in segments if s.kind == "value" and not s.meta}
    assert len(values) >= 10, "too few data set elements labelled"
    for tag, seg in values.items():
        assert seg.start == raw[tag].value_tell, hex(tag)
        assert seg.end - seg.start == raw[tag].length, hex(tag)
    meta = [s for s in segments if s.meta and s.kind == "tag"]
    ds = pydicom.dcmread(path, stop_before_pixels=True)
    assert [s.tag for s in meta] == [int(t) for t in ds.file_meta.keys()]


def test_parts_tile_the_bytes_without_gaps():
    data = tools.testdata("CT_small.dcm").read_bytes()
    segments = byte_segments(data, max_elements=5)
    assert segments[0].start == 0
    for a, b in zip(segments, segments[1:], strict=False):
        assert a.end == b.start
    rows = elements(segments)
    assert len(rows) == len(pydicom.dcmread(tools.testdata("CT_small.dcm")).file_meta) + 5


def test_implicit_vr_has_no_vr_bytes():
    data = tools.testdata("MR_small_implicit.dcm").read_bytes()
    kinds = {s.kind for s in byte_segments(data) if not s.meta and s.tag is not None}
    assert "VR" not in kinds and {"tag", "length", "value"} <= kinds


@pytest.mark.parametrize("name, message", [
    ("no_meta.dcm", "expected 'DICM' at byte 128"),
    ("MR_small_bigendian.dcm", "big endian"),
])
def test_clear_errors(name, message):
    with pytest.raises(AnatomyError, match=message):
        byte_segments(tools.testdata(name).read_bytes())


def test_truncated_bytes_are_reported_with_the_tag():
    data = tools.testdata("CT_small.dcm").read_bytes()[:200]
    with pytest.raises(AnatomyError, match=r"\(0002,0003\) at byte 192"):
        byte_segments(data)


def test_plot_draws_one_cell_per_byte():
    data = tools.testdata("CT_small.dcm").read_bytes()
    fig = plot_bytes(data, byte_segments(data), n_bytes=64, columns=16)
    ax = fig.axes[0]
    assert len(ax.patches) == 64 and len(ax.texts) == 64
    assert [t.get_text() for t in ax.texts[:4]] == ["49", "49", "2a", "00"]


#: PS3.5 Table 7.1-1 (editions since OV, SV and UV were added): the VRs whose explicit VR form has
#: 2 reserved bytes and a 4-byte Value Length. The package uses pydicom's set; this is the check
#: that pydicom's set is still the standard's.
STANDARD_LONG_VRS = {"OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"}


def test_long_vrs_are_pydicoms_and_the_standards():
    assert EXPLICIT_VR_LENGTH_32 == STANDARD_LONG_VRS
    assert LONG_VRS == EXPLICIT_VR_LENGTH_32


def test_long_form_has_reserved_bytes_and_a_4_byte_length():
    data = tools.testdata("CT_small.dcm").read_bytes()
    segments = byte_segments(data)
    kinds = {}
    for s in segments:
        if s.kind == "VR":
            kinds[data[s.start:s.end].decode()] = [p.kind for p in segments if p.tag == s.tag and p.meta == s.meta]
    assert kinds["OB"] == ["tag", "VR", "reserved", "length", "value"]
    assert kinds["UI"] == ["tag", "VR", "length", "value"]
    parts = dict(element_parts(data, segments, 0x00020001))
    assert parts["reserved"] == b"\0\0" and len(parts["length"]) == 4
    assert int.from_bytes(parts["length"], "little") == len(parts["value"]) == 2
    short = dict(element_parts(data, segments, 0x00080005, meta=False))   # CS: 2-byte length
    assert len(short["length"]) == 2 and int.from_bytes(short["length"], "little") == len(short["value"])


def test_element_parts_names_a_missing_tag():
    data = tools.testdata("CT_small.dcm").read_bytes()
    with pytest.raises(AnatomyError, match=r"\(7FE0,0010\)"):
        element_parts(data, byte_segments(data, max_elements=2), 0x7FE00010)


def test_plot_can_start_after_the_preamble_in_legible_type():
    data = tools.testdata("CT_small.dcm").read_bytes()
    fig = plot_bytes(data, byte_segments(data), start=128, n_bytes=40, columns=20)
    ax = fig.axes[0]
    assert len(ax.patches) == 40
    assert "".join(t.get_text() for t in ax.texts[:4]) == "DICM"          # bytes 128-131
    assert [t.get_text() for t in ax.get_yticklabels()] == ["128", "148"]
    assert min(t.get_fontsize() for t in ax.texts) >= 9
    assert "preamble" not in [t.get_text() for t in ax.get_legend().get_texts()]
