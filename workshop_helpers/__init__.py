"""Helpers for the course "DICOM - there can be only one".

One module per topic of the course; the notebooks call into them, and
``python -m workshop_helpers`` (:mod:`workshop_helpers.__main__`) offers their commands.

Which module serves which notebook (every notebook also uses ``tools``, ``exercises`` and
``checks``):

=====================  ==========================================================
notebook               modules
=====================  ==========================================================
00 welcome             (those three only)
01 history             ``legacy``, ``viewers``
02 space               ``geometry``, ``phantom``, ``viewers``
03 anatomy             ``anatomy``, ``browser``
04 from an empty dump  ``dump``, ``files``, ``uids``
05 UIDs                ``uids``
06 private tags        ``private``, ``deid``, ``deid_table``, ``phantom``
07 network             ``net``, ``phantom``
08 workstation         ``net``, ``router``, ``phantom``, ``viewers``
09 PACS                ``pacs``, ``qr``, ``net``, ``router``, ``ohif``, ``geometry``, ``uids``
10 DICOMweb            ``web``, ``pacs``, ``qr``, ``net``, ``ohif``, ``uids``
=====================  ==========================================================

Files and data sets

- :mod:`workshop_helpers.anatomy`     the bytes of a DICOM file: preamble, ``DICM``, file meta, elements
- :mod:`workshop_helpers.dump`        dcmtk's dump text, read and written (``dcmdump`` / ``dump2dcm``)
- :mod:`workshop_helpers.files`       DICOM files from scratch, checked like ``dcmftest``
- :mod:`workshop_helpers.uids`        UIDs taken apart, checked and made
- :mod:`workshop_helpers.private`     private creators and the blocks they reserve
- :mod:`workshop_helpers.browser`     a data set as a searchable, nested table
- :mod:`workshop_helpers.legacy`      Interfile and Analyze 7.5, the formats before DICOM

Images in space

- :mod:`workshop_helpers.geometry`    where a pixel is in the patient; sorting and checking a series
- :mod:`workshop_helpers.phantom`     an asymmetric CT phantom as a valid series, in any orientation
- :mod:`workshop_helpers.viewers`     a slice viewer and 3D pictures of slice planes

Privacy

- :mod:`workshop_helpers.deid`        de-identification by PS3.15 Table E.1-1 (Basic Profile)
- :mod:`workshop_helpers.deid_table`  that table as data, and a way to test a de-identifier on it

Networks

- :mod:`workshop_helpers.net`         storage SCP and SCU, C-ECHO, on a small transport of our own
- :mod:`workshop_helpers.router`      a router that loses nothing: receive, store, forward
- :mod:`workshop_helpers.pacs`        Orthanc, a real PACS, as a user process on free ports
- :mod:`workshop_helpers.qr`          query and retrieve: C-FIND, C-MOVE, C-GET
- :mod:`workshop_helpers.web`         DICOMweb: QIDO-RS, WADO-RS, STOW-RS
- :mod:`workshop_helpers.ohif`        the OHIF Viewer served by the course's Orthanc, its links

The course itself

- :mod:`workshop_helpers.tools`       dcmtk and dciodvfy, pydicom's test files, scratch folders,
  the one atomic file write (:func:`~workshop_helpers.tools.atomic_file`)
- :mod:`workshop_helpers.errors`      errors shown on purpose: the message, not the traceback
- :mod:`workshop_helpers.exercises`   exercises that check themselves
- :mod:`workshop_helpers.checks`      the checkers of the exercises, one module per notebook
  (``checks/nb00_welcome.py`` ... ``checks/nb10_dicomweb.py``)

The course's own tooling is not part of this package and is not installed with it: it lives in
the repository's top-level ``tooling/`` folder, which ``make``, CI and the tests call (notebook
conventions and time estimates in ``tooling.authoring``, decks and the site in ``tooling.publish``
and ``tooling.site_pages``, the OHIF Viewer's build in ``tooling.ohif_build``).
"""

__version__ = "0.1.0"
