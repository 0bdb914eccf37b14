"""Seconds to the first image of the OHIF Viewer on the course's Orthanc, in headless Chromium.

Orthanc starts with the viewer (``pacs.Orthanc(dicomweb=True, viewer=True)``) and a phantom CT
series (``--rows``, ``--columns``, ``--slices``: by default 48 x 64 x 8, seed 10, as
``pacs.upload_course_data`` stores it; every slice of it shows the phantom) stored by STOW-RS. For each of ``--runs`` fresh browsers (no cache: a learner's first look) and
then twice more in the last browser (files cached; the second time at the address without the
credentials, so without the page's reload that drops them): the seconds from asking for the
viewer's link (``Orthanc.viewer_link(study)``) until the viewport's canvas is not uniform,
polled every 50 ms. Printed with the machine's load average, not asserted.

Needs chromium, chromedriver, Selenium, Orthanc with its DICOMweb plugin and the built viewer
(``python -m tooling.ohif_build``). Usage: ``python benchmarks/ohif_first_image.py [--runs 3]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workshop_helpers import ohif, pacs, phantom, web  # noqa: E402

DRAWN = """const c = document.querySelector('.cornerstone-canvas');
if (!c || !c.width) return false;
const x = document.createElement('canvas'); x.width = c.width; x.height = c.height;
const g = x.getContext('2d'); g.drawImage(c, 0, 0);
const d = g.getImageData(0, 0, x.width, x.height).data, seen = new Set();
for (let i = 0; i < d.length; i += 4 * 31) seen.add(d[i]);
return seen.size > 3;"""


def browser():
    """Headless chromium with WebGL2 from SwiftShader (a new profile each time)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                "--enable-unsafe-swiftshader", "--window-size=1400,1000", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)


def first_image(driver, url: str, timeout: float = 120) -> float:
    """Seconds from asking for ``url`` until the viewport shows a non-uniform image."""
    driver.get("about:blank")
    began = time.monotonic()
    driver.get(url)
    while not driver.execute_script(DRAWN):
        if time.monotonic() - began > timeout:
            raise TimeoutError(f"no image within {timeout:.0f} s")
        time.sleep(0.05)
    return time.monotonic() - began


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rows", type=int, default=48)
    parser.add_argument("--columns", type=int, default=64)
    parser.add_argument("--slices", type=int, default=8)
    args = parser.parse_args()
    missing = ohif.unavailable() or (None if shutil.which("chromedriver") else "no chromedriver")
    if missing:
        print(f"SKIPPED: {missing}")
        return 0
    with tempfile.TemporaryDirectory() as folder, \
            pacs.Orthanc(Path(folder) / "orthanc", dicomweb=True, viewer=True) as server:
        series = phantom.make_series(rows=args.rows, columns=args.columns, slices=args.slices,
                                     seed=10)
        web.store(web.client(server.dicomweb_url, auth=server.auth), series)
        url = server.viewer_link(series[0].StudyInstanceUID)
        cold, warm, plain = [], None, None
        for run in range(args.runs):
            driver = browser()
            try:
                cold.append(first_image(driver, url))
                if run == args.runs - 1:
                    warm = first_image(driver, url)
                    plain = first_image(driver, url.replace(f"{server.auth[0]}:", "").replace(
                        f"{server.auth[1]}@", ""))
            finally:
                driver.quit()
    size = f"{args.rows} x {args.columns} x {args.slices}"
    print(f"OHIF {ohif.VERSION}, phantom {size}: first image after "
          f"{', '.join(f'{s:.2f}' for s in cold)} s in a new browser "
          f"(median {statistics.median(cold):.2f} s); files cached: {warm:.2f} s, "
          f"{plain:.2f} s without the reload; load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
