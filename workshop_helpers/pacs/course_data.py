"""The course's data in a started Orthanc: :func:`upload_course_data`."""

from __future__ import annotations

import os
from pathlib import Path

from .. import phantom, tools
from .orthanc import Orthanc


def upload_course_data(orthanc: Orthanc, folder: str | os.PathLike, seed: int = 10) -> list[Path]:
    """Write the course's small phantom CT series and upload it, with pydicom's CT and MR test files.

    Parameters
    ----------
    orthanc : Orthanc
        A started server.
    folder : str or os.PathLike
        Where the phantom series is written (one file per slice).
    seed : int
        Seed of the phantom's UIDs and noise (:func:`phantom.write_series`), so the UIDs the text
        discusses come out the same on every run.

    Returns
    -------
    list of pathlib.Path
        The files uploaded: the 8 slices of a 64 x 48 phantom, then ``CT_small.dcm`` and
        ``MR_small.dcm``.
    """
    files = phantom.write_series(folder, rows=48, columns=64, slices=8, seed=seed)
    files += [tools.testdata("CT_small.dcm"), tools.testdata("MR_small.dcm")]
    for path in files:
        orthanc.upload(path)
    return files
