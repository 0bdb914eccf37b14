"""Pictures, tables and words for the network notebook.

Status codes in words, tables, sequence diagrams, and fresh copies of test files for an exercise
whose effect is checked at the receiver.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import pydicom

from .. import tools
from ..uids import mint_uid
from . import pdu

if TYPE_CHECKING:  # matplotlib is imported when a picture is drawn, not by the command line
    from matplotlib.axes import Axes

def table_text(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None,
               width: int = 40, wrap: bool = False) -> str:
    """Rows of dicts as a plain-text table (values cut, or wrapped, to ``width`` characters).

    Parameters
    ----------
    rows : sequence of mapping
        One mapping per row, column name to value (any value; ``str`` of it is shown).
    columns : sequence of str, optional
        The columns, in order; by default every key of any row, in the order first seen.
    width : int
        The most characters of a value on one line.
    wrap : bool
        False: a longer value is cut. True: it goes on over the next lines of its column (broken
        at spaces where it can), so a table of long reasons still fits a narrow page.

    Returns
    -------
    str
        A header line, a line of dashes and one line per row (more with ``wrap``), columns
        padded to line up; ``'(nothing)'`` when there are no rows.

    Examples
    --------
    >>> print(table_text([{"file": "a.dcm", "status": "0000"}, {"file": "b.dcm", "status": "A700"}]))
    file   status
    -----  ------
    a.dcm  0000
    b.dcm  A700
    >>> print(table_text([{"to": "PACS", "state": "waiting: connection refused"}], width=12,
    ...                  wrap=True))
    to    state
    ----  ----------
    PACS  waiting:
          connection
          refused
    """
    if not rows:
        return "(nothing)"
    columns = columns or list(dict.fromkeys(k for r in rows for k in r))

    def parts(value: Any) -> list[str]:
        text = str(value)
        if not wrap:
            return [text[:width]]
        return textwrap.wrap(text, width, break_on_hyphens=False) or [""]

    cells = [[parts(r.get(c, "")) for c in columns] for r in rows]
    sizes = [max(len(c), *(len(p) for row in cells for p in row[i])) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(n) for c, n in zip(columns, sizes, strict=True)).rstrip(),
             "  ".join("-" * n for n in sizes)]
    for row in cells:
        for k in range(max(len(p) for p in row)):
            values = [p[k] if k < len(p) else "" for p in row]
            lines.append("  ".join(v.ljust(n) for v, n in zip(values, sizes, strict=True)).rstrip())
    return "\n".join(lines)


def sequence_diagram(steps: Sequence[tuple[str, str]], left: str = "SCU", right: str = "SCP",
                     ax: Axes | None = None, title: str = "") -> Axes:
    """Draw a message sequence between two parties, top to bottom.

    Parameters
    ----------
    steps : sequence of (str, str)
        ``(direction, label)`` pairs: ``"->"`` from ``left`` to ``right``, ``"<-"`` back.
    left, right : str
        The names on top of the two life lines.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    title : str
        A title above the diagram (none when empty).

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = sequence_diagram([("->", "A-ASSOCIATE-RQ"), ("<-", "A-ASSOCIATE-AC")])
    >>> [t.get_text() for t in ax.texts if t.get_text()]
    ['SCU', 'SCP', 'A-ASSOCIATE-RQ', 'A-ASSOCIATE-AC']
    """
    import matplotlib.pyplot as plt  # noqa: PLC0415 - not for the command line, which imports net

    n = len(steps)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.45 * n + 1.2))
    ax.set_xlim(0, 10)
    ax.set_ylim(-n - 0.5, 1)
    ax.axis("off")
    for x, name in ((1.5, left), (8.5, right)):
        ax.text(x, 0.5, name, ha="center", va="center", fontsize=11, weight="bold",
                bbox={"boxstyle": "round", "fc": "#e8eef7", "ec": "#4a6fa5"})
        ax.plot([x, x], [0.2, -n - 0.3], color="#4a6fa5", lw=1, ls="--")
    for k, (direction, label) in enumerate(steps, start=1):
        y = -k
        start, end = (1.5, 8.5) if direction == "->" else (8.5, 1.5)
        ax.annotate("", xy=(end, y), xytext=(start, y),
                    arrowprops={"arrowstyle": "-|>", "color": "#333333", "lw": 1.2})
        ax.text(5, y + 0.12, label, ha="center", va="bottom", fontsize=9)
    if title:
        ax.set_title(title)
    return ax


class PduPart(NamedTuple):
    """One part of a PDU: where it starts, how many bytes, its name and what it says.

    Parameters
    ----------
    start : int
        Its first byte's offset in the PDU.
    length : int
        Its bytes.
    name : str
        What PS3.8 9.3 calls it, e.g. ``"called AE title"``.
    says : str
        Its value in words (a UID's name, an AE title), or ``""``.
    """

    start: int
    length: int
    name: str
    says: str


_ITEM_NAMES = {0x10: "Application Context item", 0x20: "Presentation Context item",
               0x21: "Presentation Context item (result)", 0x50: "User Information item"}


def pdu_parts(raw: bytes) -> list[PduPart]:
    """The parts of an A-ASSOCIATE-RQ or -AC, in byte order (PS3.8 9.3.2, 9.3.3).

    The 6-byte PDU header, the fixed fields (protocol version, the two AE titles, reserved
    bytes) and one part per item: Application Context, each Presentation Context, User
    Information (with the maximum PDU length it announces).

    Parameters
    ----------
    raw : bytes
        The whole PDU, header included (``pdu.encode_associate_rq(...)`` or what a peer sent).

    Returns
    -------
    list of PduPart

    Raises
    ------
    ValueError
        When ``raw`` is not an A-ASSOCIATE-RQ or -AC.

    Examples
    --------
    >>> from workshop_helpers.net import pdu
    >>> rq = pdu.AssociateRequest("DCMTK", "ME", {1: ("1.2.840.10008.1.1", ["1.2.840.10008.1.2"])},
    ...                           16384)
    >>> for part in pdu_parts(pdu.encode_associate_rq(rq))[:4]:
    ...     print(part.start, part.length, part.name, "|", part.says or "-")
    0 6 PDU header | type 0x01 A-ASSOCIATE-RQ, 204 bytes follow
    6 2 protocol version | 1
    8 2 reserved | -
    10 16 called AE title | 'DCMTK'
    """
    if len(raw) < 74 or raw[0] not in (0x01, 0x02):
        raise ValueError("not an A-ASSOCIATE-RQ or -AC: a PDU of type 1 or 2, 74 bytes or more")
    length = int.from_bytes(raw[2:6], "big")
    parts = [PduPart(0, 6, "PDU header", f"type 0x{raw[0]:02X} {pdu.PDU_NAMES[raw[0]]}, "
                                         f"{length} bytes follow"),
             PduPart(6, 2, "protocol version", str(int.from_bytes(raw[6:8], "big"))),
             PduPart(8, 2, "reserved", ""),
             PduPart(10, 16, "called AE title", repr(raw[10:26].decode("ascii").strip())),
             PduPart(26, 16, "calling AE title", repr(raw[26:42].decode("ascii").strip())),
             PduPart(42, 32, "reserved", "")]
    start = 74
    for kind, value in pdu._items(raw[74:6 + length]):
        parts.append(PduPart(start, 4 + len(value), _ITEM_NAMES.get(kind, f"item 0x{kind:02X}"),
                             _item_says(kind, value)))
        start += 4 + len(value)
    return parts


def _item_says(kind: int, value: bytes) -> str:
    """A few words on one item's value (the names of UIDs from pydicom's dictionary)."""
    if kind == 0x10:
        return pydicom.uid.UID(value.decode("ascii").strip("\x00")).name
    if kind in (0x20, 0x21):
        subs = {k: v.decode("ascii").strip("\x00") for k, v in pdu._items(value[4:])}
        names = [pydicom.uid.UID(subs[k]).name for k in (0x30, 0x40) if k in subs]
        result = ["accepted", "user-rejection", "no reason", "abstract syntax not supported",
                  "transfer syntaxes not supported"]
        head = f"ID {value[0]}" + (f", {result[value[2]]}" if kind == 0x21 and value[2] < 5 else "")
        return ", ".join([head, *names])
    if kind == 0x50:
        subs = dict(pdu._items(value))
        if 0x51 in subs and len(subs[0x51]) == 4:
            return f"maximum PDU length {int.from_bytes(subs[0x51], 'big')}"
    return ""


def draw_pdu(raw: bytes, ax: Axes | None = None, title: str = "") -> Axes:
    """Draw the parts of an A-ASSOCIATE-RQ or -AC (:func:`pdu_parts`) along its bytes.

    One row per part, a bar from its first to its last byte, and what it says beside it.

    Parameters
    ----------
    raw : bytes
        The whole PDU.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    title : str
        A title; by default the PDU's name and length.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from workshop_helpers.net import pdu
    >>> rq = pdu.AssociateRequest("A", "B", {1: ("1.2.840.10008.1.1", ["1.2.840.10008.1.2"])})
    >>> len(draw_pdu(pdu.encode_associate_rq(rq)).patches)
    9
    """
    import matplotlib.pyplot as plt  # noqa: PLC0415 - as in sequence_diagram

    parts = pdu_parts(raw)
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 0.32 * len(parts) + 0.9))
    colours = {"PDU header": "#4a6fa5", "reserved": "#cccccc"}
    for row, part in enumerate(parts):
        colour = colours.get(part.name, "#e07b39" if "item" in part.name else "#7fa35b")
        ax.barh(row, part.length, left=part.start, color=colour, edgecolor="#333333", height=0.7)
        ax.text(len(raw) + 4, row, f"{part.name} ({part.length} B)" + (f": {part.says}" if part.says
                                                                       else ""),
                va="center", fontsize=8)
    ax.set_ylim(len(parts) - 0.5, -0.5)
    ax.set_xlim(0, len(raw) * 2.1)
    ax.set_yticks([])
    ax.set_xticks([p.start for p in parts if p.start >= 74 or p.start == 0] + [len(raw)])
    ax.set_xlabel("byte offset")
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.set_title(title or f"{parts[0].says.split(',')[0][10:]}: {len(raw)} bytes", fontsize=10)
    return ax


def fresh_copies(files: Iterable[str | os.PathLike], folder: str | os.PathLike) -> list[Path]:
    """Copies of ``files`` in ``folder``, each with a new random SOP Instance UID (made now).

    Everything else stays as it was: SOP Class, transfer syntax (a JPEG file stays JPEG), study,
    series and pixels. An exercise that asks "send these" can then look for *these* instances at
    the receiver: no earlier send, and no report typed by hand, has their UIDs. The new UIDs are
    ``2.25.`` + a random (version 4) UUID as a decimal number (PS3.5 B.2).

    Parameters
    ----------
    files : iterable of str or os.PathLike
        DICOM files.
    folder : str or os.PathLike
        Where the copies go (made if missing), as ``NN_<name>``, NN counting from 01.

    Returns
    -------
    list of pathlib.Path
        The copies, in the order of ``files``; each is written whole or not at all
        (:func:`~workshop_helpers.tools.save_atomically`).

    Raises
    ------
    pydicom.errors.InvalidDicomError
        When a file is not DICOM.

    Examples
    --------
    >>> import tempfile, pydicom
    >>> from workshop_helpers import tools
    >>> folder = tempfile.TemporaryDirectory()
    >>> original = tools.testdata("CT_small.dcm")
    >>> copy, = fresh_copies([original], folder.name)
    >>> a, b = pydicom.dcmread(original), pydicom.dcmread(copy)
    >>> b.SOPInstanceUID != a.SOPInstanceUID, b.SOPInstanceUID.startswith("2.25.")
    (True, True)
    >>> b.file_meta.MediaStorageSOPInstanceUID == b.SOPInstanceUID, b.PixelData == a.PixelData
    (True, True)
    >>> folder.cleanup()
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    copies = []
    for number, path in enumerate(files, start=1):
        ds = pydicom.dcmread(path)
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = mint_uid()
        target = folder / f"{number:02d}_{Path(path).name}"
        tools.save_atomically(ds, target)
        copies.append(target)
    return copies
