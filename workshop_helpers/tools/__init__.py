"""The real tools around the course: dcmtk, dciodvfy, pydicom's test files, scratch folders.

Why dcmtk is the reference and dciodvfy the validator, where both come from, and why
:func:`dcmtk_tool` checks that a ``storescu`` it finds really is dcmtk's: :mod:`.programs`.

Where what is (every name below can be imported from ``workshop_helpers.tools`` itself):

- :mod:`.programs`  the command-line tools and processes: :class:`ToolMissing`,
  :class:`CommandError`, :func:`dcmtk_tool`, :func:`dciodvfy_tool`, :func:`has_dcmtk`,
  :func:`has_dciodvfy`, :func:`run_tool`, :class:`Validation`, :func:`validate_file`,
  :func:`stop_process`, :func:`environment_report`;
- :mod:`.scratch`   :func:`testdata` (pydicom's test files), :func:`scratch_folder`,
  :func:`private_files` and the permissions :data:`PRIVATE_FOLDER`, :data:`PRIVATE_FILE`;
- :mod:`.atomic`    the one durable write: :class:`AtomicFile`, :func:`atomic_file`,
  :func:`save_atomically`, :func:`make_folders`, :func:`fsync_folder`, and
  :func:`sweep_leftovers` for what a write killed midway left.
"""

from .._rehome import rehome
from .atomic import (
    AtomicFile,
    atomic_file,
    fsync_folder,
    make_folders,
    save_atomically,
    sweep_leftovers,
)
from .programs import NO_NAGLE as NO_NAGLE
from .programs import (
    CommandError,
    ToolMissing,
    Validation,
    dciodvfy_tool,
    dcmtk_tool,
    environment_report,
    has_dciodvfy,
    has_dcmtk,
    run_tool,
    stop_process,
    validate_file,
)
from .scratch import PRIVATE_FILE as PRIVATE_FILE
from .scratch import PRIVATE_FOLDER as PRIVATE_FOLDER
from .scratch import folder_problem as folder_problem
from .scratch import private_files as private_files
from .scratch import scratch_folder, testdata

__all__ = [
    "ToolMissing",
    "CommandError",
    "dcmtk_tool",
    "dciodvfy_tool",
    "has_dcmtk",
    "has_dciodvfy",
    "run_tool",
    "Validation",
    "validate_file",
    "testdata",
    "scratch_folder",
    "stop_process",
    "AtomicFile",
    "atomic_file",
    "save_atomically",
    "make_folders",
    "fsync_folder",
    "sweep_leftovers",
    "environment_report",
]

# The public names belong to the package, where learners import them from: a traceback says
# ``workshop_helpers.tools.CommandError`` and help() names ``workshop_helpers.tools``.
rehome(globals())
