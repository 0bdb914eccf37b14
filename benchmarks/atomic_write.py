"""Two ways to write a file durably and atomically, on the same disk, in one run.

Both write the bytes, ``fdatasync`` them, give the file its final name with an atomic
``os.replace`` and ``fsync`` the folder. They differ in the file's life before that:

- *named*: the file is ``folder/.name.part`` from the start (``O_CREAT | O_EXCL``);
- *unnamed*: the file has no name until it is synced (Linux ``O_TMPFILE``), then ``linkat``
  gives it one.

A process killed mid-write leaves the named file behind (it must be swept), the unnamed one
nothing. The ratio is unnamed / named time: below 1 means ``O_TMPFILE`` is faster. Each way
writes ``N`` files of ``SIZE`` bytes into a fresh folder; the two ways take turns, and the
median of ``REPEATS`` runs is printed. ``tools.atomic_file`` is timed too (the package's write).
Run: ``python benchmarks/atomic_write.py [FOLDER]`` (default: a new folder in the current one,
so that the disk is the one the course writes to, not a ``tmpfs``).
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from workshop_helpers import tools

N = 300
SIZE = 512 * 1024
REPEATS = 3


def _finish(fd: int, temp: str, final: Path) -> None:
    os.fdatasync(fd)
    os.close(fd)
    os.replace(temp, final)
    tools.fsync_folder(final.parent)


def named(folder: Path, n: int, data: bytes) -> None:
    """A temporary name, fdatasync, os.replace, fsync of the folder."""
    temp = folder / f".{n}.dcm.part"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.write(fd, data)
    _finish(fd, str(temp), folder / f"{n}.dcm")


def unnamed(folder: Path, n: int, data: bytes) -> None:
    """O_TMPFILE, fdatasync, linkat to a temporary name, os.replace, fsync of the folder."""
    fd = os.open(folder, os.O_TMPFILE | os.O_WRONLY, 0o600)
    os.write(fd, data)
    temp = folder / f".{n}.dcm.part"
    os.fdatasync(fd)
    root = os.open("/", os.O_RDONLY)
    try:
        os.link(f"/proc/self/fd/{fd}", temp, src_dir_fd=root, follow_symlinks=True)
    finally:
        os.close(root)
    _finish(fd, str(temp), folder / f"{n}.dcm")


def package(folder: Path, n: int, data: bytes) -> None:
    """The package's own write: tools.atomic_file."""
    with tools.atomic_file(folder / f"{n}.dcm") as f:
        f.write(data)


def run(way: Callable[[Path, int, bytes], None], base: Path, data: bytes) -> float:
    """Seconds for ``way`` to write N files into a fresh folder below ``base``."""
    folder = Path(tempfile.mkdtemp(dir=base))
    try:
        t0 = time.perf_counter()
        for n in range(N):
            way(folder, n, data)
        seconds = time.perf_counter() - t0
        assert len(list(folder.iterdir())) == N, "a way left something behind or lost a file"
        return seconds
    finally:
        shutil.rmtree(folder)


def main(argv: list[str]) -> int:
    if not hasattr(os, "O_TMPFILE"):
        print("skipped: this system has no O_TMPFILE")
        return 0
    base = Path(tempfile.mkdtemp(prefix="atomic-bench-", dir=argv[0] if argv else "."))
    data = os.urandom(SIZE)
    ways = {"named": named, "unnamed": unnamed, "atomic_file": package}
    times: dict[str, list[float]] = {name: [] for name in ways}
    try:
        for _ in range(REPEATS):
            for name, way in ways.items():
                times[name].append(run(way, base, data))
    finally:
        shutil.rmtree(base)
    median = {name: statistics.median(t) for name, t in times.items()}
    print(f"{N} files of {SIZE // 1024} KiB, median of {REPEATS} (s; each run:)")
    for name, t in times.items():
        print(f"  {name:<12} {median[name]:7.2f}   " + " ".join(f"{s:.2f}" for s in t))
    print(f"unnamed / named: {median['unnamed'] / median['named']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
