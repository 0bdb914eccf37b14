"""A picture for the notebook: how data flows through a workstation, boxes and arrows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["flow_diagram"]


def flow_diagram(boxes: Sequence[tuple[str, str]], arrows: Sequence[str], ax: Axes | None = None,
                 title: str = "") -> Axes:
    """Boxes left to right, joined by labelled arrows: how data flows through a workstation.

    Parameters
    ----------
    boxes : sequence of (str, str)
        ``(name, detail)`` per box, left to right, e.g. ``("PACS", "SCP")``.
    arrows : sequence of str
        The label of each arrow between two boxes: one fewer than ``boxes``.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    title : str
        A title above the diagram (none when empty).

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    ValueError
        When the number of arrows is not one fewer than the number of boxes.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = flow_diagram([("Modality", "SCU"), ("PACS", "SCP")], ["C-STORE"])
    >>> [t.get_text().split() for t in ax.texts if t.get_text()]
    [['Modality', 'SCU'], ['PACS', 'SCP'], ['C-STORE']]
    """
    import matplotlib.pyplot as plt  # noqa: PLC0415 - a notebook draws; the router never does

    if len(arrows) != len(boxes) - 1:
        raise ValueError(f"{len(boxes)} boxes need {len(boxes) - 1} arrows, got {len(arrows)}")
    if ax is None:
        _, ax = plt.subplots(figsize=(2.6 * len(boxes), 1.8))
    ax.set_xlim(-1.6, 4 * len(boxes) - 2.4)
    ax.set_ylim(-1, 1)
    ax.axis("off")
    for k, (name, detail) in enumerate(boxes):
        ax.text(4 * k, 0, f"{name}\n{detail}", ha="center", va="center", fontsize=10,
                bbox={"boxstyle": "round,pad=0.5", "fc": "#e8eef7", "ec": "#4a6fa5"})
    for k, label in enumerate(arrows):
        ax.annotate("", xy=(4 * k + 2.6, 0), xytext=(4 * k + 1.4, 0),
                    arrowprops={"arrowstyle": "-|>", "color": "#333333", "lw": 1.5})
        ax.text(4 * k + 2, 0.25, label, ha="center", va="bottom", fontsize=8)
    if title:
        ax.set_title(title)
    return ax
