"""The anatomy of a DICOM file, byte by byte: preamble, ``DICM``, file meta, data elements.

A DICOM file (PS3.10 7.1) starts with a 128-byte *preamble*, the four letters ``DICM``, then the
*file meta information* (group 0002, always Explicit VR Little Endian), then the data set in the
transfer syntax that the meta information names. Each data element is tag, VR (explicit VR only),
value length and value (PS3.5 7.1.2 explicit, 7.1.3 implicit).

:func:`byte_segments` labels the first bytes of a file part by part - a tiny parser of its own,
written to teach, and tested against pydicom's offsets; :func:`plot_bytes` draws them as a
coloured grid of bytes.

Examples
--------
>>> from workshop_helpers.tools import testdata
>>> data = testdata("CT_small.dcm").read_bytes()
>>> [(s.start, s.end, s.kind) for s in byte_segments(data)[:2]]
[(0, 128, 'preamble'), (128, 132, 'prefix')]
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle
from pydicom.datadict import keyword_for_tag
from pydicom.valuerep import EXPLICIT_VR_LENGTH_32

__all__ = ["Segment", "AnatomyError", "byte_segments", "elements", "element_parts", "plot_bytes",
           "KIND_COLOURS", "LONG_VRS"]

#: VRs whose explicit VR form has 2 reserved bytes (0000H) and a 4-byte Value Length
#: (PS3.5 7.1.2, Table 7.1-1); every other VR has a 2-byte Value Length (Table 7.1-2).
#: pydicom's own set, which lists the same 13 VRs as the standard's table: OB, OD, OF, OL, OV,
#: OW, SQ, SV, UC, UN, UR, UT and UV (tests/test_anatomy.py checks both).
LONG_VRS = frozenset(EXPLICIT_VR_LENGTH_32)  # a copy: changing it cannot change pydicom
_IMPLICIT_LE = "1.2.840.10008.1.2"
_EXPLICIT_LE = {"1.2.840.10008.1.2.1"}  # and every encapsulated (compressed) syntax
_BIG_OR_DEFLATED = {"1.2.840.10008.1.2.2", "1.2.840.10008.1.2.1.99"}

KIND_COLOURS = {
    "preamble": "#d9d9d9", "prefix": "#ffd966", "tag": "#9dc3e6", "VR": "#a9d18e",
    "reserved": "#e2efda", "length": "#f4b183", "value": "#ffffff",
}


class AnatomyError(ValueError):
    """The bytes are not a DICOM file this little parser can follow (and why, and where)."""


@dataclass(frozen=True)
class Segment:
    """Bytes ``start:end`` of the file, of one ``kind``, belonging to element ``tag`` (or none)."""

    start: int
    end: int
    kind: str
    tag: int | None = None
    keyword: str = ""
    meta: bool = False


def byte_segments(data: bytes, max_elements: int = 12) -> list[Segment]:
    """Label the first bytes of a DICOM file: preamble, prefix, then tag/VR/length/value.

    All of the file meta information is labelled, then up to ``max_elements`` elements of the
    data set. Stops early at an element of undefined length (a sequence or encapsulated pixel
    data: its items would need a real parser).

    Parameters
    ----------
    data : bytes
        The file's bytes (at least its beginning).
    max_elements : int
        How many elements of the data set to label after the file meta information.

    Returns
    -------
    list of Segment
        In file order; every labelled byte belongs to exactly one segment.

    Raises
    ------
    AnatomyError
        No ``DICM`` at byte 128, a big-endian or deflated transfer syntax, or bytes that end
        inside an element.
    """
    if len(data) < 132 or data[128:132] != b"DICM":
        found = data[128:132] if len(data) >= 132 else b"(the file is shorter than 132 bytes)"
        raise AnatomyError(f"expected 'DICM' at byte 128 (PS3.10 7.1), found {found!r}")
    segments = [Segment(0, 128, "preamble"), Segment(128, 132, "prefix")]
    pos = 132
    transfer_syntax = None
    while pos + 4 <= len(data) and struct.unpack_from("<H", data, pos)[0] == 0x0002:
        pos, seg, value = _element(data, pos, explicit=True, meta=True)
        segments += seg
        if seg[0].tag == 0x00020010:
            transfer_syntax = value.rstrip(b"\0 ").decode("ascii", "replace")
    if transfer_syntax in _BIG_OR_DEFLATED:
        raise AnatomyError(f"transfer syntax {transfer_syntax} is big endian or deflated: "
                           "this little parser reads little-endian data sets only")
    explicit = transfer_syntax != _IMPLICIT_LE
    for _ in range(max_elements):
        if pos + 8 > len(data):
            break
        pos, seg, _ = _element(data, pos, explicit=explicit, meta=False)
        segments += seg
        if seg[-1].kind != "value":  # undefined length: stop here
            break
    return segments


def _element(data: bytes, pos: int, explicit: bool, meta: bool
             ) -> tuple[int, list[Segment], bytes]:
    group, elem = struct.unpack_from("<HH", data, pos)
    tag = (group << 16) | elem
    keyword = keyword_for_tag(tag) or ("private" if group % 2 else "")
    out = [Segment(pos, pos + 4, "tag", tag, keyword, meta)]
    p = pos + 4
    if explicit:
        vr = data[p:p + 2].decode("ascii", "replace")
        out.append(Segment(p, p + 2, "VR", tag, keyword, meta))
        p += 2
        if vr in LONG_VRS:
            out.append(Segment(p, p + 2, "reserved", tag, keyword, meta))
            p += 2
            length = struct.unpack_from("<I", data, p)[0]
            out.append(Segment(p, p + 4, "length", tag, keyword, meta))
            p += 4
        else:
            length = struct.unpack_from("<H", data, p)[0]
            out.append(Segment(p, p + 2, "length", tag, keyword, meta))
            p += 2
    else:
        length = struct.unpack_from("<I", data, p)[0]
        out.append(Segment(p, p + 4, "length", tag, keyword, meta))
        p += 4
    if length == 0xFFFFFFFF:
        return p, out, b""
    if p + length > len(data):
        raise AnatomyError(f"element ({group:04X},{elem:04X}) at byte {pos} says its value has "
                           f"{length} bytes, but the file ends after {len(data) - p}")
    if length:
        out.append(Segment(p, p + length, "value", tag, keyword, meta))
    else:
        out.append(Segment(p, p, "value", tag, keyword, meta))
    return p + length, out, data[p:p + length]


def elements(segments: list[Segment]) -> list[tuple[int, int, int, str]]:
    """One row per element: ``(start, end, tag, keyword)``, from :func:`byte_segments`.

    Parameters
    ----------
    segments : list of Segment
        What :func:`byte_segments` returned.

    Returns
    -------
    list of tuple of (int, int, int, str)
        Sorted by start: the element's first and past-the-end byte, its tag as an int, keyword.

    Examples
    --------
    >>> from workshop_helpers.tools import testdata
    >>> rows = elements(byte_segments(testdata("CT_small.dcm").read_bytes(), max_elements=1))
    >>> hex(rows[0][2]), rows[0][3]
    ('0x20000', 'FileMetaInformationGroupLength')
    """
    rows: dict[tuple[int, int], tuple[int, int, int, str]] = {}
    for s in segments:
        if s.tag is None:
            continue
        key = (s.tag, s.meta)
        first = rows.get(key)
        rows[key] = (first[0] if first else s.start, s.end, s.tag, s.keyword)
    return sorted(rows.values())


def element_parts(data: bytes, segments: list[Segment], tag: int, meta: bool | None = None
                  ) -> list[tuple[str, bytes]]:
    """The parts of one element: ``[(kind, bytes), ...]`` in file order (tag, VR, ..., value).

    ``meta`` picks the file meta information (``True``) or the data set (``False``); ``None``
    takes the first element with that tag.

    Parameters
    ----------
    data : bytes
        The file's bytes, as given to :func:`byte_segments`.
    segments : list of Segment
        What :func:`byte_segments` returned.
    tag : int
        The element's tag, e.g. ``0x00020001``.
    meta : bool or None
        The file meta information (True), the data set (False), or the first found (None).

    Returns
    -------
    list of tuple of (str, bytes)
        The kind (``tag``, ``VR``, ``reserved``, ``length``, ``value``) and its bytes.

    Raises
    ------
    AnatomyError
        When no labelled element has that tag (``byte_segments`` labels only the first elements).

    Examples
    --------
    >>> from workshop_helpers.tools import testdata
    >>> data = testdata("CT_small.dcm").read_bytes()
    >>> [(kind, raw.hex(" ")) for kind, raw in element_parts(data, byte_segments(data), 0x00020001)]
    [('tag', '02 00 01 00'), ('VR', '4f 42'), ('reserved', '00 00'), ('length', '02 00 00 00'), ('value', '00 01')]
    """
    parts = [s for s in segments if s.tag == tag and (meta is None or s.meta == meta)]
    if not parts:
        raise AnatomyError(f"no element ({tag >> 16:04X},{tag & 0xFFFF:04X}) among the labelled bytes")
    first = [s for s in parts if s.meta == parts[0].meta]
    return [(s.kind, data[s.start:s.end]) for s in first]


def plot_bytes(data: bytes, segments: list[Segment], n_bytes: int = 256, columns: int = 16,
               title: str = "", ax: Axes | None = None, *, start: int = 0) -> Figure:
    """Draw ``n_bytes`` bytes from ``start`` as a grid of cells coloured by kind, with their values.

    Printable letters in a VR or a text value are shown as characters, so ``DICM``, ``UI`` and
    ``1.2.840...`` can be read straight off the picture. Each cell is 0.42 inch with 9-point
    type, so the picture stays legible at its own size (a row of 20 bytes is 8.4 inches).

    Parameters
    ----------
    data : bytes
        The file's bytes.
    segments : list of Segment
        What :func:`byte_segments` returned for ``data``.
    n_bytes : int
        How many bytes to draw.
    columns : int
        Bytes per row of the grid.
    title : str
        A title above the grid (none when empty).
    ax : matplotlib.axes.Axes or None
        Where to draw; a new pyplot figure sized to the grid when None.
    start : int
        The offset of the first byte drawn (e.g. 128: skip the preamble).

    Returns
    -------
    matplotlib.figure.Figure
        The figure that holds the grid.
    """
    end = min(start + n_bytes, len(data))
    kind_of = {i: "value" for i in range(start, end)}
    for s in segments:
        for i in range(max(s.start, start), min(s.end, end)):
            kind_of[i] = s.kind
    rows = (n_bytes + columns - 1) // columns
    if ax is None:
        fig, ax = plt.subplots(figsize=(columns * 0.42, rows * 0.42 + 0.9))
    else:
        fig = ax.figure
    for i in range(start, end):
        r, c = divmod(i - start, columns)
        kind = kind_of[i]
        ax.add_patch(Rectangle((c, r), 1, 1, facecolor=KIND_COLOURS[kind], edgecolor="white"))
        b = data[i]
        text = chr(b) if kind in ("prefix", "VR", "value") and 32 < b < 127 else f"{b:02x}"
        ax.text(c + 0.5, r + 0.5, text, ha="center", va="center", fontsize=9,
                family="monospace", color="#333333" if kind != "preamble" else "#888888")
    ax.set_xlim(0, columns)
    ax.set_ylim(rows, 0)
    ax.set_yticks([r + 0.5 for r in range(rows)], [f"{start + r * columns}" for r in range(rows)],
                  fontsize=9)
    ax.set_xticks([])
    ax.set_ylabel("byte offset")
    ax.set_aspect("equal")
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    shown = set(kind_of.values())
    handles = [Patch(facecolor=c, edgecolor="#999999", label=k) for k, c in KIND_COLOURS.items()
               if k in shown]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0), ncol=len(handles),
              fontsize=9, frameon=False)
    if title:
        ax.set_title(title)
    return fig
