"""The phantom's series written to a folder: :func:`write_series` (IM0001.dcm, ...)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from ..tools import make_folders, save_atomically
from .series import make_series


def _file_numbers(count: int, shuffle: bool, seed: int) -> list[int]:
    """The numbers in the file names: in order, or shuffled apart from Instance Number."""
    numbers = list(range(1, count + 1))
    if shuffle:
        rng = np.random.default_rng(int(hashlib.sha256(f"names{seed}".encode()).hexdigest()[:8], 16))
        numbers = [int(n) for n in rng.permutation(numbers)]
    return numbers


def write_series(folder: str | os.PathLike, **kwargs: object) -> list[Path]:
    """Write :func:`make_series` into ``folder`` (created if needed); return the paths.

    Files are called ``IM0001.dcm``, ``IM0002.dcm``, ... along the slice normal; with
    ``shuffle=True`` the numbers in the names are shuffled too, independently of Instance Number,
    so neither the names nor the numbers give the geometric order. Each file is written with
    :func:`workshop_helpers.tools.save_atomically`, so it is complete or absent; when one fails,
    the files this call already wrote are removed again, so no partial series is left. Files of
    the same names are replaced (and not restored after a failure); other files in ``folder``
    are left alone, so write each series into a fresh folder (``tools.scratch_folder``).

    Parameters
    ----------
    folder : str or os.PathLike
        Where the files go; made, with its parents, when missing.
    **kwargs
        The keyword arguments of :func:`make_series`.

    Returns
    -------
    list of pathlib.Path
        The files, in the order along the slice normal.

    Raises
    ------
    PhantomError, GeometryError
        For bad parameters, as :func:`make_series` (before anything is written).
    OSError
        When the disk refuses; no file of the series is left then.

    Examples
    --------
    >>> import tempfile
    >>> paths = write_series(tempfile.mkdtemp(), rows=8, columns=8, slices=3)
    >>> [p.name for p in paths]
    ['IM0001.dcm', 'IM0002.dcm', 'IM0003.dcm']
    """
    datasets = make_series(**kwargs)
    target = Path(folder)
    make_folders(target)
    numbers = _file_numbers(len(datasets), bool(kwargs.get("shuffle")), int(kwargs.get("seed", 0)))
    width = max(4, len(str(len(datasets))))
    paths = [target / f"IM{n:0{width}d}.dcm" for n in numbers]
    written: list[Path] = []
    try:
        for ds, path in zip(datasets, paths, strict=True):
            written.append(save_atomically(ds, path))
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return paths
