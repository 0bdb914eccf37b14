"""The workstation's side of a PACS: query (C-FIND) and retrieve (C-MOVE, C-GET).

A workstation first *asks* the PACS what it has — C-FIND with an *identifier*: a data set whose
filled attributes are matched (``PatientName=DOE*``, ``StudyDate=20240101-20241231``) and whose
empty attributes are asked back — at one level of an information model (PS3.4 C.3):

=============  ===================================  ====================================
model          levels                               the unique key of each level
=============  ===================================  ====================================
Patient Root   PATIENT > STUDY > SERIES > IMAGE     PatientID, StudyInstanceUID, ...
Study Root     STUDY > SERIES > IMAGE               StudyInstanceUID, SeriesInstanceUID,
                                                    SOPInstanceUID
=============  ===================================  ====================================

Then it *fetches* what it found, in one of two ways (PS3.4 C.4.2, C.4.3):

- **C-MOVE**: "send these to AE *X*". The PACS opens a *new* association to X — at the host and
  port *it* has configured for X, never the address the request came from — and stores the
  instances there; the C-MOVE answer only counts them. X is often the requester's own storage
  SCP (:func:`move` can start one, a :class:`~workshop_helpers.net.StorageSCP`).
- **C-GET**: "send them back to me, on this association". No second connection (it works
  through firewalls and NAT), but the requester must accept C-STORE requests on its own
  association: it proposes a storage context for every SOP class it may receive, with
  SCP/SCU *role selection* saying "I am the SCP for these" (PS3.7 D.3.3.4). :func:`get` does.

Why pynetdicom here, and our own transport for storage: services that face the network and
carry volume (the storage SCP and SCU, the router: :mod:`workshop_helpers.net`) run on the
package's bounded, streaming transport, measured up to 4 times (receive, on a quiet disk) and 13
to 40 times (send) faster than pynetdicom's own apps on one machine; the workstation's
questions to its own PACS are few and small, and use pynetdicom, the library notebooks 07 and 09 teach, so this module's core reads like
the code a learner takes home (the figures: :mod:`workshop_helpers.net`'s docstring).

Built on pynetdicom's public SCU API (``AE.associate``, ``send_c_find``, ``send_c_move``,
``send_c_get``, ``build_role``, an ``evt.EVT_C_STORE`` handler); every timeout is set. A C-GET
receives each instance to disk, not into memory: for the length of :func:`get`, pynetdicom's
documented option ``_config.STORE_RECV_CHUNKED_DATASET`` is on, and the handler moves the spooled
file into place through the package's one durable write (:func:`.storage.write_durably`). Every
status is explained in words (:func:`status_text`), association refusals too
(:class:`AssociationRefused`).

Where each part is
------------------
- :mod:`.identifiers`: identifiers (:func:`identifier`, :func:`parse_key`), the models and
  their levels, and :func:`check_identifier` (baseline or relational, PS3.4 C.4.1.2);
- :mod:`.status`: statuses in words (:func:`status_text`, :func:`move_failure_hint`) and the
  errors (:class:`QueryRetrieveError`, :class:`AssociationRefused`, :class:`QueryLevelError`);
- :mod:`.results`: :class:`FindResult` and :class:`RetrieveResult`;
- :mod:`.services`: :func:`find`, :func:`move`, :func:`get` and the associations under them;
- :mod:`.cli`: the command line, ``findscu``, ``movescu`` and ``getscu`` (:func:`register_cli`).

Every name is importable from here: ``from workshop_helpers import qr``, then ``qr.find(...)``.

Examples
--------
>>> ds = identifier(["QueryRetrieveLevel=STUDY", "PatientName=CompressedSamples*", "StudyDate"])
>>> ds.QueryRetrieveLevel, ds.PatientName, ds.StudyDate
('STUDY', 'CompressedSamples*', '')
>>> check_identifier(identifier({"QueryRetrieveLevel": "PATIENT", "PatientID": "1"}), "study")
Traceback (most recent call last):
...
workshop_helpers.qr.QueryLevelError: the Study Root model has no PATIENT level (its levels: STUDY, SERIES, IMAGE); use the Patient Root model (-P) or ask at STUDY level, where the patient's attributes are too
"""

from .._rehome import rehome
from .cli import register_cli
from .identifiers import (
    KEY_LEVELS,
    MODEL_NAMES,
    MODELS,
    UNIQUE_KEYS,
    Keys,
    check_identifier,
    identifier,
    parse_key,
)
from .results import FindResult, RetrieveResult
from .services import find, get, instance_path, move, storage_contexts_with_roles
from .status import (
    AssociationRefused,
    QueryLevelError,
    QueryRetrieveError,
    is_pending,
    move_failure_hint,
    status_text,
)

# The errors' public home is this package (``qr.QueryLevelError``): tracebacks and doctests
# name them so, wherever in the package they are defined.
rehome(globals(), ["QueryRetrieveError", "AssociationRefused", "QueryLevelError"])

__all__ = [
    "KEY_LEVELS",
    "MODELS",
    "MODEL_NAMES",
    "UNIQUE_KEYS",
    "AssociationRefused",
    "FindResult",
    "Keys",
    "QueryLevelError",
    "QueryRetrieveError",
    "RetrieveResult",
    "check_identifier",
    "find",
    "get",
    "identifier",
    "instance_path",
    "is_pending",
    "move",
    "move_failure_hint",
    "parse_key",
    "register_cli",
    "status_text",
    "storage_contexts_with_roles",
]
