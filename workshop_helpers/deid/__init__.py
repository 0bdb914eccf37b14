"""De-identification by PS3.15 Table E.1-1: the Basic Application Level Confidentiality Profile.

DICOM's **Basic Application Level Confidentiality Profile** (PS3.15 E.2) says, attribute by
attribute (PS3.15 Table E.1-1), what to do with values that could identify a patient. The action
codes (PS3.15 E.1.1):

==== ==================================================================================
D    replace with a non-zero length dummy value of the same VR
Z    replace with a zero length value (or a dummy) — for Type 2 attributes that must stay
X    remove
K    keep (here: private elements you named on the keep list)
C    clean: keep the meaning, remove identifying text (options only; not done here)
U    replace the UID with another one, the same new UID for the same old UID everywhere
==== ==================================================================================

:func:`deidentify` applies **every row** of the table of the **2026c edition**, taken from the
package ``dicom-anonymizer`` (see :mod:`workshop_helpers.deid_table` for the source and how it
is generated), everywhere: at the top level, in sequence items at any depth, in the items of
private sequences you keep, in repeating groups (curves 50xx, overlays 60xx) and in the file
meta information. Choices it makes, each recorded in :attr:`DeidResult.actions`:

- a combined code (X/Z, X/D, X/Z/D, X/Z/U*) is X — the attribute is Type 3 in the image IODs of
  this course — except where :data:`NEEDED` says the IOD needs it (then Z, or D); Z/D is Z;
- D on a sequence leaves one empty item, Z an empty sequence; D on a UI is a new UID;
- an overlay (60xx) loses its whole group with its Overlay Data, a curve (50xx) too;
- file meta keeps only what a file needs (version, SOP class and instance, transfer syntax)
  and names pydicom as the writer; AE titles, addresses and private information go;
- beyond the table: every remaining PN is emptied, every remaining DA or DT emptied (or shifted,
  with ``date_shift_days``), every remaining UI that is not a well-known DICOM UID replaced,
  every public element pydicom does not know (or read as UN) and every group length removed,
  every private element removed unless you keep it by (creator, offset);
- an image whose pixels may carry burned-in text is withheld (:class:`BurnedInAnnotationError`)
  unless you say you checked the pixels (``pixels_checked=True``). The Clean Pixel Data Option
  (PS3.15 E.3.1) is *not* claimed: nothing here looks at pixels.

The standard itself warns that the profiles do not guarantee that nothing identifying is left
(PS3.15 Annex E): free text in attributes the table keeps, text in the pixels, the shape of the
face in a head scan. Look at the results.

Which module holds what
-----------------------
- :mod:`.rules`   the table's codes and this package's choices (:data:`NEEDED`, :data:`METHOD`),
  the errors, :class:`Action` and :class:`DeidResult`, :func:`new_uid`, :func:`action_code`,
  :func:`burned_in_reason`
- :mod:`.core`    :func:`deidentify` (the walk over a data set) and :func:`deidentify_series`
- :mod:`.audit`   :func:`plant_identifiers`, :func:`find_values` and :func:`what_stayed`: looking
  at the result
- :mod:`.cli`     the command line, ``python -m workshop_helpers deid`` (:func:`register_cli`)

Examples
--------
>>> from pydicom import Dataset
>>> ds = Dataset()
>>> ds.PatientName = "DOE^JANE"
>>> ds.PatientID = "123456"
>>> ds.AdmissionID = "ADM-1"
>>> result = deidentify(ds, salt="doc")
>>> result.dataset.PatientName, result.dataset.PatientIdentityRemoved, "AdmissionID" in result.dataset
('', 'YES', False)
>>> [(a.keyword, a.action) for a in result.actions][:3]
[('PatientName', 'Z'), ('PatientID', 'Z'), ('AdmissionID', 'X')]
"""

from .._rehome import rehome
from .audit import GEOMETRY, PLANTED_UID, find_values, plant_identifiers, what_stayed
from .cli import SALT_VARIABLE, register_cli
from .core import deidentify, deidentify_series
from .rules import (
                    BURNED_IN_LIKELY,
                    FILE_META_KEPT,
                    METHOD,
                    NEEDED,
                    PROFILE_CODES,
                    Action,
                    BurnedInAnnotationError,
                    DeidError,
                    DeidResult,
                    action_code,
                    burned_in_reason,
                    new_uid,
)

__all__ = ["DeidError", "BurnedInAnnotationError", "Action", "DeidResult", "NEEDED",
           "PROFILE_CODES", "METHOD", "FILE_META_KEPT", "BURNED_IN_LIKELY", "GEOMETRY",
           "PLANTED_UID", "SALT_VARIABLE", "new_uid", "action_code", "burned_in_reason",
           "deidentify", "deidentify_series", "find_values", "plant_identifiers", "what_stayed",
           "register_cli"]

# The errors belong to the package, where learners catch them from: a traceback says
# ``workshop_helpers.deid.DeidError``.
rehome(globals(), ["DeidError", "BurnedInAnnotationError"])
