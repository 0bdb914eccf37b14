"""Pictures: the object identifier (OID) arcs above the roots, and UIDs split into their parts.

:func:`oid_tree`, :func:`plot_oid_tree` and :data:`OID_ARCS`; :func:`plot_uid_parts`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .rules import (
    DCMTK_ROOT,
    DICOM_ROOT,
    IANA_PEN_ARC,
    MAX_LENGTH,
    PYDICOM_ROOT,
    SLIDES_ROOT,
    UUID_ROOT,
    explain,
)

if TYPE_CHECKING:  # matplotlib is imported when a picture is drawn, not by the command line
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


OID_ARCS: dict[str, str] = {
    "1": "iso",
    "1.2": "member-body: national standards bodies",
    "1.2.276": "Germany (DIN)",
    DCMTK_ROOT: "dcmtk (OFFIS)",
    "1.2.826": "United Kingdom (BSI)",
    PYDICOM_ROOT: "pydicom",
    "1.2.840": "USA (ANSI)",
    DICOM_ROOT: "DICOM (NEMA)",
    "1.3": "identified-organization",
    "1.3.6": "dod",
    "1.3.6.1": "internet",
    IANA_PEN_ARC: "IANA Private Enterprise Numbers",
    "1.3.6.1.4.1.5962": "PEN 5962: roots of pydicom's CT/MR test files",
    SLIDES_ROOT: "PEN 45037: the slides' root",
    "2": "joint-iso-itu-t",
    UUID_ROOT: "uuid: UUID-derived UIDs, no registration",
}
"""Arcs of the OID tree that the course meets (the country arcs are ISO 3166 numeric codes)."""


def oid_tree(arcs: dict[str, str]) -> list[tuple[str, int, str | None]]:
    """``(oid, depth, parent)`` rows in tree order; the parent is the longest listed prefix.

    Parameters
    ----------
    arcs : dict of str to str
        OID -> its name, e.g. :data:`OID_ARCS`.

    Returns
    -------
    list of (str, int, str or None)
        Each OID with its depth in the tree and its parent (None at the top), depth first.

    Examples
    --------
    >>> oid_tree({"1": "iso", "1.2": "member-body", "1.2.840.10008": "DICOM", "2": "joint"})
    [('1', 0, None), ('1.2', 1, '1'), ('1.2.840.10008', 2, '1.2'), ('2', 0, None)]
    """
    def key(oid: str) -> tuple[int, ...]:
        return tuple(int(c) for c in oid.split("."))

    rows: list[tuple[str, int, str | None]] = []
    depth: dict[str, int] = {}
    for oid in sorted(arcs, key=key):
        parents = [p for p in arcs if oid.startswith(p + ".")]
        parent = max(parents, key=len) if parents else None
        depth[oid] = depth[parent] + 1 if parent else 0
        rows.append((oid, depth[oid], parent))
    return rows


def plot_oid_tree(arcs: dict[str, str] | None = None, ax: Axes | None = None) -> Figure:
    """Draw the OID tree of ``arcs`` (default :data:`OID_ARCS`), one arc per line.

    Parameters
    ----------
    arcs : dict of str to str, optional
        OID -> its name; default :data:`OID_ARCS`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on.
    """
    import matplotlib.pyplot as plt  # noqa: PLC0415 - the command line imports this module

    arcs = OID_ARCS if arcs is None else arcs
    rows = oid_tree(arcs)
    if ax is None:
        fig, ax = plt.subplots(figsize=(9, 0.32 * len(rows) + 0.4))
    else:
        fig = ax.figure
    y_of = {oid: i for i, (oid, _, _) in enumerate(rows)}
    for oid, depth, parent in rows:
        y = y_of[oid]
        if parent is not None:
            px = depth - 1 + 0.15
            ax.plot([px, px, depth - 0.05], [y_of[parent] + 0.3, y, y], color="#999999", lw=1)
        arc = oid[len(parent) + 1:] if parent else oid
        ax.text(depth, y, f"{arc}", va="center", ha="left", family="monospace",
                fontsize=9, fontweight="bold")
        ax.text(depth + 0.22 * len(arc) + 0.3, y, f"{arcs[oid]}   [{oid}]", va="center",
                ha="left", fontsize=8, color="#333333")
    ax.set_ylim(len(rows) - 0.5, -0.7)
    ax.set_xlim(-0.2, max(d for _, d, _ in rows) + 6)
    ax.axis("off")
    return fig


PART_COLOURS = {"org root": "#9dc3e6", "descriptive": "#ffd966", "unique": "#a9d18e"}


def plot_uid_parts(uids: Sequence[str], ax: Axes | None = None) -> Figure:
    """Draw each UID as coloured blocks: org root, descriptive part, unique part.

    Parameters
    ----------
    uids : sequence of str
        The UIDs, one per line, split by :func:`explain`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on.
    """
    import matplotlib.pyplot as plt  # noqa: PLC0415 - the command line imports this module
    from matplotlib.patches import Patch, Rectangle  # noqa: PLC0415 - likewise

    if ax is None:
        fig, ax = plt.subplots(figsize=(10, 0.45 * len(uids) + 0.6))
    else:
        fig = ax.figure
    width = 0.13  # per character, in axis units
    for row, uid in enumerate(uids):
        x = 0.0
        for label, text in explain(uid).parts():
            w = width * len(text)
            ax.add_patch(Rectangle((x, row - 0.35), w, 0.7, facecolor=PART_COLOURS[label],
                                   edgecolor="white"))
            ax.text(x + w / 2, row, text, ha="center", va="center", family="monospace",
                    fontsize=8)
            x += w + width  # the dot between parts
    ax.set_xlim(0, width * MAX_LENGTH + 0.5)
    ax.set_ylim(len(uids) - 0.4, -0.6)
    ax.axis("off")
    ax.legend(handles=[Patch(facecolor=c, label=k) for k, c in PART_COLOURS.items()],
              loc="upper center", bbox_to_anchor=(0.5, 0.02), ncol=3, frameon=False, fontsize=8)
    return fig
