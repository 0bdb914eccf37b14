"""How fast does the slice viewer scroll? In-place update vs re-creating the figure, same run.

A 512 x 512 x 40 phantom CT series (``phantom.make_series``). For every way of showing a new
slice, the script times changes through all 40 slices (twice, the median per change is kept) and
prints milliseconds per slice change and the ratio to the viewer's own in-place update:

1. ``in place + blit`` — what :class:`workshop_helpers.viewers.SliceViewer` does: ``set_data`` on
   the one ``AxesImage``, restore the cached background, draw only the image, the cross and the
   four letters on it, send a PNG to the ``ipywidgets.Image``.
2. ``in place, full draw`` — ``set_data`` and a full ``canvas.draw_idle()`` of the same figure.
3. ``re-create figure`` — a new ``Figure`` + ``imshow`` + letters for every slice (the viewer's
   own figure code, run again), then the PNG.
4. ``pyplot + inline PNG`` — what an ``ipywidgets.Output`` + ``plt.show()`` redraw costs on the
   kernel side: ``plt.subplots`` + ``imshow`` + ``savefig(bbox_inches="tight")`` as the inline
   backend does, then ``plt.close``. (The browser then also replaces an output area.)

Run: ``.venv/bin/python benchmarks/viewer_scroll.py``. Nothing here is asserted in tests.
"""

from __future__ import annotations

import io
import statistics
import sys
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from workshop_helpers import phantom, viewers  # noqa: E402

ROWS, COLUMNS, SLICES = 512, 512, 40
REPEATS = 2


def per_change(update, n: int) -> float:
    """Median milliseconds of ``update(k)`` over ``REPEATS`` sweeps through ``n`` slices."""
    times = []
    for _ in range(REPEATS):
        for k in range(n):
            start = time.perf_counter()
            update(k)
            times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main() -> int:
    series = phantom.make_series(rows=ROWS, columns=COLUMNS, slices=SLICES,
                                 pixel_spacing=(0.7, 0.7), slice_spacing=2.5)
    n = len(series)
    viewer = viewers.SliceViewer(series)
    viewer.widget  # noqa: B018 - build the ipywidgets, so each change sends a PNG to it
    first_artist = viewer.image

    results = {}
    results["in place + blit (the viewer)"] = per_change(viewer.set_slice, n)
    assert viewer.image is first_artist, "the viewer must not replace its AxesImage"

    def full_draw(k):
        viewer.k = k
        viewer.image.set_data(viewers.window_image(viewer.volume[k], viewer.center,
                                                   viewer.width))
        viewer.figure.canvas.draw_idle()
        viewer._picture.value = viewers._canvas_png(viewer.figure.canvas)

    animated = (viewer.image, viewer._hline, viewer._vline, *viewer._letters)
    for artist in animated:  # a plain full draw must include them
        artist.set_animated(False)
    results["in place, full canvas draw"] = per_change(full_draw, n)
    for artist in animated:
        artist.set_animated(True)

    def recreate(k):
        viewer.k = k
        viewer._build_figure(5.0)
        viewer._picture.value = viewer.png()

    results["re-create figure + imshow"] = per_change(recreate, n)

    def pyplot_inline(k):
        fig, ax = plt.subplots(figsize=(5, 5))
        ax.imshow(viewers.window_image(viewer.volume[k], viewer.center, viewer.width),
                  cmap="gray", aspect=viewer.aspect)
        for x, y, letter in ((-0.04, 0.5, "R"), (1.04, 0.5, "L"), (0.5, 1.03, "A"),
                             (0.5, -0.03, "P")):
            ax.text(x, y, letter, transform=ax.transAxes)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", bbox_inches="tight")
        plt.close(fig)

    results["pyplot + inline-style PNG"] = per_change(pyplot_inline, n)

    base = results["in place + blit (the viewer)"]
    print(f"viewer scroll, {ROWS} x {COLUMNS} pixels x {n} slices, "
          f"median of {REPEATS * n} slice changes each (Python {sys.version.split()[0]}, "
          f"matplotlib {matplotlib.__version__})")
    for name, ms in results.items():
        print(f"  {name:<32} {ms:7.1f} ms per slice change   x{ms / base:5.2f}")
    ratio = results["re-create figure + imshow"] / base
    print(f"in-place update is {ratio:.1f} times faster than re-creating the figure")
    return 0


if __name__ == "__main__":
    sys.exit(main())
