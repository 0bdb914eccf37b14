"""A picture of one private group: :func:`draw_group` (creator slots above, their blocks below)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydicom.dataset import Dataset
from pydicom.tag import Tag

from .blocks import _check_group

if TYPE_CHECKING:  # matplotlib is imported when a picture is drawn, not by the command line
    from matplotlib.axes import Axes


def draw_group(ds: Dataset, group: int, ax: Axes | None = None) -> Axes:
    """Draw the element space of one private group: creator slots above, the blocks they reserve below.

    Top row: the 256 elements (gggg,0000)-(gggg,00FF) — 0000 group length, 0001-000F not
    allowed, 0010-00FF creator slots (filled ones coloured and named). Bottom row: the 256 blocks
    (gggg,bb00)-(gggg,bbFF); an arrow joins each creator (gggg,00bb) to its block bb, whose
    height shows how many elements it holds.

    Parameters
    ----------
    ds : pydicom.dataset.Dataset
        The data set.
    group : int
        The private group to draw.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.
    """
    import matplotlib.pyplot as plt  # noqa: PLC0415 - the command line imports this module
    from matplotlib.patches import FancyArrowPatch, Rectangle  # noqa: PLC0415 - likewise

    _check_group(group)
    creators = [e for e in ds if e.tag.group == group and 0x10 <= e.tag.element <= 0xFF]
    counts: dict[int, int] = {}
    for elem in ds:
        if elem.tag.group == group and elem.tag.element > 0xFF:
            counts[elem.tag.element >> 8] = counts.get(elem.tag.element >> 8, 0) + 1
    orphans = [b for b in counts if Tag(group, b) not in ds]
    lines = len(creators) + len(orphans)
    top = 1.6 + 0.5 * max(lines, 1)   # the gap between the rows holds one label per line
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 1.6 + 0.5 * (top + 1.6)))
    colours = plt.get_cmap("tab10")
    used = [e.tag.element for e in creators] + list(counts)
    hi = min(256, max([0x30, *[u + 0x20 for u in used]]))   # zoom on the part in use
    label_x = max([0x14, *[u + 3 for u in used]])
    ax.add_patch(Rectangle((0, top), 1, 1, color="0.6"))
    ax.add_patch(Rectangle((1, top), 15, 1, color="0.85", hatch="//", ec="0.6"))
    ax.add_patch(Rectangle((16, top), hi - 16, 1, fill=False, ec="0.5"))
    ax.add_patch(Rectangle((0, 0), 16, 1, color="0.85", hatch="//", ec="0.6"))
    ax.add_patch(Rectangle((16, 0), hi - 16, 1, fill=False, ec="0.5"))
    ax.text(8, top + 1.2, "0000: length\n0001-000F: not allowed", ha="center", fontsize=9)
    ax.text((16 + hi) / 2, top + 1.2, f"creator slots ({group:04X},0010)-({group:04X},00FF)",
            ha="center", fontsize=10)
    ax.text(8, -0.5, "no blocks 00-0F", ha="center", fontsize=9)
    ax.text((16 + hi) / 2, -0.5, f"blocks ({group:04X},1000-10FF) ... ({group:04X},FF00-FFFF)",
            ha="center", fontsize=10)
    for line, elem in enumerate(creators):
        colour, b = colours(line % 10), elem.tag.element
        y = top - 0.5 - 0.5 * line
        ax.add_patch(Rectangle((b, top), 1, 1, color=colour))
        ax.add_patch(Rectangle((b, 0), 1, min(1.0, 0.25 + counts.get(b, 0) / 16), color=colour))
        ax.add_patch(FancyArrowPatch((b + 0.5, top), (b + 0.5, 1.05), arrowstyle="-|>",
                                     mutation_scale=10, color=colour))
        ax.plot([b + 1, label_x - 0.5], [y, y], color=colour, lw=0.8, ls=":")
        ax.text(label_x, y, f"{elem.value!r} at ({group:04X},00{b:02X}) reserves block "
                f"{b:02X}00-{b:02X}FF: {counts.get(b, 0)} element(s)",
                fontsize=9, color=colour, va="center")
    for line, b in enumerate(orphans, start=len(creators)):
        ax.add_patch(Rectangle((b, 0), 1, 1, color="red"))
        ax.text(label_x, top - 0.5 - 0.5 * line, f"orphan block {b:02X}: no creator at "
                f"({group:04X},00{b:02X})", color="red", fontsize=9, va="center")
    ax.set_xlim(-1, hi + 1)
    ax.set_ylim(-0.8, top + 1.9)
    ax.set_yticks([0.5, top + 0.5], ["blocks bb00-bbFF", "elements 0000-00FF"])
    ticks = list(range(0, hi, 8))
    ax.set_xticks(ticks, [f"{t:02X}" for t in ticks])
    ax.set_xlabel("bb (hex)" + ("" if hi == 256 else "; the rest up to FF is unused"))
    ax.set_title(f"Private group {group:04X}: who reserved what (PS3.5 7.8.1)")
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    return ax
