r"""dcmtk's dump text format, both ways: :func:`read_dump` and :func:`write_dump`.

``dcmdump`` prints a DICOM file as text, one data element per line::

    (0010,0010) PN [WORKSHOP^01]                            #  12, 1 PatientName

and ``dump2dcm`` turns such text back into a file. The course builds its first DICOM file
this way (an empty dump, then an edited one). This package reads and writes the same text in
Python, so a learner without dcmtk can do every step, and one with dcmtk can diff the two.

The format (``man dump2dcm``, section *Dump File Description*), line by line:

- a tag ``(gggg,eeee)`` in hexadecimal, then the VR (two letters), then the value, then an
  optional comment from ``#`` to the end of the line (dcmdump writes ``# length, VM Keyword``);
- values: ``[text]`` (it ends at the *last* ``]`` of the line), ``=UIDName`` (dcmtk's name of a
  UID), numbers, hexadecimal bytes ``00\01`` (OB, UN) or words ``00af\00b4`` (OW),
  ``(gggg,eeee)`` for AT, ``(no value available)`` for an empty value; a backslash separates
  values (VM > 1);
- sequences: the SQ line, then each item between ``(fffe,e000)`` and ``(fffe,e00d)``, and
  ``(fffe,e0dd)`` closes the sequence; encapsulated pixel data is ``(PixelSequence #=n)`` with
  ``pi`` items, closed the same way;
- lines that are blank or start with ``#`` are comments.

Where what is (every name below can be imported from ``workshop_helpers.dump`` itself):

- :mod:`.reader`  :func:`read_dump`: dump text (or dcmdump's bytes) in, a Dataset out;
- :mod:`.writer`  :func:`write_dump` and :func:`dump_bytes`: a Dataset out as dump text or bytes;
- :mod:`.common`  what both share: :class:`DumpSyntaxError`, :func:`uid_name` and
  :func:`uid_from_name` (dcmtk's names of UIDs), the VRs and the octal escapes;
- :mod:`.cli`     ``register_cli``: ``python -m workshop_helpers dump FILE``.

Examples
--------
>>> ds = read_dump('''
... (0010,0010) PN [WORKSHOP^01]   # 12, 1 PatientName
... (0010,0020) LO [WORKSHOP01]
... (0028,0010) US 256
... ''')
>>> ds.PatientName, ds.PatientID, ds.Rows
('WORKSHOP^01', 'WORKSHOP01', 256)
>>> print(write_dump(ds), end="")
(0010,0010) PN [WORKSHOP^01]                            #  12, 1 PatientName
(0010,0020) LO [WORKSHOP01]                             #  10, 1 PatientID
(0028,0010) US 256                                      #   2, 1 Rows
"""


from .._rehome import rehome
from .cli import register_cli as register_cli  # the command line (workshop_helpers.__main__)
from .common import DumpSyntaxError, uid_from_name, uid_name
from .reader import read_dump
from .writer import dump_bytes, write_dump

__all__ = ["DumpSyntaxError", "read_dump", "write_dump", "dump_bytes", "uid_name",
           "uid_from_name"]

# The public names belong to the package, where learners import them from: a traceback says
# ``workshop_helpers.dump.DumpSyntaxError`` and help() names ``workshop_helpers.dump``.
rehome(globals())
