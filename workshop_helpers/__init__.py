"""Helpers for the course "DICOM - there can be only one".

One module per topic of the course; the notebooks call into them.

- :mod:`workshop_helpers.tools`      finding dcmtk and dciodvfy, pydicom's test files, scratch folders
- :mod:`workshop_helpers.exercises`  exercises that check themselves
"""

__version__ = "0.1.0"
