"""Data sets derived from a series: one image made from a slab of slices, and its references.

- :func:`slab_dataset` — a copy of a slab's first slice that holds one image made from the whole
  slab (a maximum intensity projection, say);
- :func:`source_reference` — an item of Source Image Sequence (0008,2112) that names a source image.

Plain pydicom and NumPy: no picture and no widget.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

import numpy as np
from pydicom.dataset import Dataset

__all__ = [
    "source_reference", "slab_dataset",
]


def source_reference(ds: Dataset) -> Dataset:
    """One item of Source Image Sequence (0008,2112): the source's SOP Class and SOP Instance UID.

    Parameters
    ----------
    ds : pydicom.dataset.Dataset
        The source image.

    Returns
    -------
    pydicom.dataset.Dataset
        An item with Referenced SOP Class UID (0008,1150) and Referenced SOP Instance UID
        (0008,1155) (General Reference Module, PS3.3 C.12.4).

    Examples
    --------
    >>> src = Dataset()
    >>> src.SOPClassUID, src.SOPInstanceUID = "1.2.840.10008.5.1.4.1.1.2", "1.2.3"
    >>> source_reference(src).ReferencedSOPInstanceUID
    '1.2.3'
    """
    item = Dataset()
    item.ReferencedSOPClassUID = ds.SOPClassUID
    item.ReferencedSOPInstanceUID = ds.SOPInstanceUID
    return item



def slab_dataset(slab: Sequence[Dataset], pixels: np.ndarray) -> Dataset:
    """A copy of a slab's first slice that holds one image made from the whole slab (e.g. a MIP).

    Everything of the first slice is kept (patient, study, orientation, window); Image Position
    (Patient) becomes the mean of the slab's positions (rounded to 0.001 mm), Slice Location its
    z, Slice Thickness the slab's (slices times the thickness of one), and Pixel Data the bytes of
    ``pixels``. UIDs and descriptions are left for the caller to set: a derived image needs new
    ones (PS3.3 C.12.4.1.1).

    Parameters
    ----------
    slab : sequence of pydicom.dataset.Dataset
        The source slices, in order.
    pixels : numpy.ndarray
        The new image, rows x columns, already in the dtype of the stored pixels.

    Returns
    -------
    pydicom.dataset.Dataset
        A deep copy of ``slab[0]`` with the new position, thickness and pixels.
    """
    ds = copy.deepcopy(slab[0])
    ds.ImagePositionPatient = np.mean([s.ImagePositionPatient for s in slab], axis=0).round(3).tolist()
    ds.SliceLocation = float(ds.ImagePositionPatient[2])
    ds.SliceThickness = len(slab) * float(ds.SliceThickness)
    ds.PixelData = np.ascontiguousarray(pixels).tobytes()
    return ds

