"""workshop_helpers.anatomy: our byte labels agree with where pydicom finds each value."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pydicom
import pytest

from workshop_helpers import tools
from workshop_helpers.anatomy import AnatomyError, byte_segments, elements, plot_bytes


@pytest.mark.parametrize("name", ["CT_small.dcm", "MR_small.dcm", "MR_small_implicit.dcm",
                                  "rtplan.dcm"])
def test_value_offsets_match_pydicom(name):
    path = tools.testdata(name)
    data = path.read_bytes()
    segments = byte_segments(data, max_elements=40)
    ds = pydicom.dcmread(path)
    values = {s.tag: s for s in segments if s.kind == "value" and not s.meta}
    assert values, "no data set element labelled"
    checked = 0
    for tag, seg in values.items():
        raw = ds._dict[tag]  # still raw: value_tell is where pydicom found the value
        if not hasattr(raw, "value_tell"):  # already converted (sequences, character set)
            continue
        checked += 1
        assert seg.start == raw.value_tell, hex(tag)
        assert seg.end - seg.start == raw.length, hex(tag)
    assert checked >= len(values) - 3
    meta = [s for s in segments if s.meta and s.kind == "tag"]
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
