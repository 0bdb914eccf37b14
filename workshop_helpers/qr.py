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

from __future__ import annotations

import argparse
import json
import os
import time
import warnings
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydicom import Dataset
from pydicom.datadict import dictionary_VR, tag_for_keyword
from pydicom.multival import MultiValue
from pydicom.tag import Tag
from pynetdicom import AE, StoragePresentationContexts, _config, build_role, evt
from pynetdicom import sop_class as s
from pynetdicom.dsutils import split_dataset
from pynetdicom.pdu_primitives import SCP_SCU_RoleSelectionNegotiation
from pynetdicom.presentation import PresentationContext

from .errors import ShortError
from .net import NetError, StorageSCP, Timeouts, storage, table_text
from .net import status as net_status
from .net.cli import add_timeout_flags, timeouts_from
from .net.pdu import REJECT_REASONS
from .tools import CommandError

#: What :func:`identifier` takes: ``{keyword: value}`` or ``["Keyword=value", "Keyword"]``.
Keys = dict[str, Any] | Sequence[str]

# ----------------------------------------------------------------------------- models and levels

MODELS = {"patient": ("PATIENT", "STUDY", "SERIES", "IMAGE"), "study": ("STUDY", "SERIES", "IMAGE")}
MODEL_NAMES = {"patient": "Patient Root", "study": "Study Root"}
UNIQUE_KEYS = {"PATIENT": "PatientID", "STUDY": "StudyInstanceUID",
               "SERIES": "SeriesInstanceUID", "IMAGE": "SOPInstanceUID"}

# The level each common key belongs to (PS3.4 C.6.1.1 and C.6.2.1). In the Study Root model
# the patient's attributes are STUDY attributes.
KEY_LEVELS = {
    "PATIENT": ("PatientName", "PatientID", "PatientBirthDate", "PatientSex", "IssuerOfPatientID",
                "OtherPatientIDs", "NumberOfPatientRelatedStudies",
                "NumberOfPatientRelatedSeries", "NumberOfPatientRelatedInstances"),
    "STUDY": ("StudyInstanceUID", "StudyDate", "StudyTime", "AccessionNumber", "StudyID",
              "StudyDescription", "ReferringPhysicianName", "ModalitiesInStudy",
              "SOPClassesInStudy", "NumberOfStudyRelatedSeries", "NumberOfStudyRelatedInstances"),
    "SERIES": ("SeriesInstanceUID", "Modality", "SeriesNumber", "SeriesDescription",
               "SeriesDate", "SeriesTime", "BodyPartExamined", "NumberOfSeriesRelatedInstances"),
    "IMAGE": ("SOPInstanceUID", "SOPClassUID", "InstanceNumber", "ImageType", "AcquisitionNumber"),
}
_LEVEL_OF = {key: level for level, keys in KEY_LEVELS.items() for key in keys}


def _sop_classes(model: str) -> dict[str, str]:
    if model == "patient":
        return {"find": s.PatientRootQueryRetrieveInformationModelFind,
                "move": s.PatientRootQueryRetrieveInformationModelMove,
                "get": s.PatientRootQueryRetrieveInformationModelGet}
    return {"find": s.StudyRootQueryRetrieveInformationModelFind,
            "move": s.StudyRootQueryRetrieveInformationModelMove,
            "get": s.StudyRootQueryRetrieveInformationModelGet}


# ----------------------------------------------------------------------------- errors

class QueryRetrieveError(ShortError, NetError):
    """A query or retrieve did not complete; the message says what failed and why."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class AssociationRefused(QueryRetrieveError):
    """No association: the PACS rejected it (AE titles), aborted it, or could not be reached."""


class QueryLevelError(QueryRetrieveError, ValueError):
    """The identifier asks at a level the model does not have, or with keys of another level."""


# ----------------------------------------------------------------------------- statuses in words

def status_text(code: int, service: str = "find") -> str:
    """A C-FIND/C-MOVE/C-GET status in words (PS3.4 C.4.1.1.4, C.4.2.1.5, C.4.3.1.4).

    The package's one table of status words (:func:`workshop_helpers.net.status.status_text`):
    for these services PS3.4 gives single codes for Refused (A700 for C-FIND; A701, A702 and,
    for C-MOVE, A801) and for a data set that does not match (A900), and a range only for
    "unable to process" (C000 to CFFF), so another A7xx or A9xx code has no meaning here.

    Parameters
    ----------
    code : int
        The Status (0000,0900) of a response.
    service : {"find", "move", "get"}
        The service whose statuses apply.

    Returns
    -------
    str
        The status in words, with its code where the meaning is generic.

    Raises
    ------
    ValueError
        For another service.

    Examples
    --------
    >>> status_text(0xFF00)
    'Pending: a match; more may follow'
    >>> status_text(0xA801, "move")
    'Refused: move destination unknown'
    >>> status_text(0xC000, "move"), status_text(0xA711, "get")
    ('Failed: unable to process (0xC000)', 'status 0xA711')
    """
    if service not in ("find", "move", "get"):
        raise ValueError(f"service is one of find, move, get, not {service!r}")
    return net_status.status_text(code, service)


def is_pending(code: int) -> bool:
    """0xFF00 and 0xFF01: more responses follow.

    Parameters
    ----------
    code : int
        The Status (0000,0900) of a response.

    Returns
    -------
    bool

    Examples
    --------
    >>> is_pending(0xFF01), is_pending(0x0000)
    (True, False)
    """
    return code in (0xFF00, 0xFF01)


def move_failure_hint(code: int, destination: str, comment: str = "") -> str:
    """What most likely went wrong when a C-MOVE to ``destination`` failed with ``code``.

    Parameters
    ----------
    code : int
        The final Status of the C-MOVE.
    destination : str
        The Move Destination AE title.
    comment : str
        The Error Comment of the response, if any.

    Returns
    -------
    str
        The likely causes, in one paragraph.

    Examples
    --------
    >>> print(move_failure_hint(0xC000, "WORKSTATION"))
    the PACS gave no reason. Orthanc answers 0xC000 when it cannot deliver to 'WORKSTATION': either the AE title is not in its DicomModalities (the standard's status for that is 0xA801), or the host and port listed there are not where that storage SCP listens, or that SCP refused the instances
    """
    if code == 0xA801:
        return (f"the PACS does not know the AE title {destination!r}: add it, with the host "
                "and port of its storage SCP, to the PACS's list of modalities")
    if 0xC000 <= code <= 0xCFFF and not comment:
        return ("the PACS gave no reason. Orthanc answers 0xC000 when it cannot deliver to "
                f"{destination!r}: either the AE title is not in its DicomModalities (the "
                "standard's status for that is 0xA801), or the host and port listed there are "
                "not where that storage SCP listens, or that SCP refused the instances")
    return f"the PACS says: {comment}" if comment else "the PACS gave no reason"


# ----------------------------------------------------------------------------- identifiers

def parse_key(text: str) -> tuple[int, str | None]:
    """``"KEY=VALUE"`` or ``"KEY"`` (a keyword or ``gggg,eeee``) -> ``(tag, value or None)``.

    Parameters
    ----------
    text : str
        One key as dcmtk's ``-k`` takes it.

    Returns
    -------
    tuple of (int, str or None)
        The tag, and the value to match (None: return the attribute).

    Raises
    ------
    QueryLevelError
        For a key that is neither a keyword nor ``gggg,eeee``.

    Examples
    --------
    >>> parse_key("PatientName=DOE^J*")
    (1048592, 'DOE^J*')
    >>> parse_key("0020,000d")
    (2097165, None)
    """
    name, sep, value = text.partition("=")
    name = name.strip()
    tag = tag_for_keyword(name)
    if tag is None:
        try:
            group, elem = name.replace("(", "").replace(")", "").split(",")
            tag = Tag(int(group, 16), int(elem, 16))
        except ValueError:
            raise QueryLevelError(f"{name!r} is neither a DICOM keyword (like PatientName) nor "
                                  "a tag gggg,eeee") from None
    return int(tag), (value if sep else None)


def identifier(keys: Keys, level: str | None = None) -> Dataset:
    """The C-FIND/C-MOVE/C-GET identifier: matched values, and empty keys asked back.

    Parameters
    ----------
    keys : dict or list of str
        ``{"PatientName": "DOE*", "StudyDate": None}`` or ``["PatientName=DOE*", "StudyDate"]``;
        ``None`` or a bare key means "return this attribute".
    level : str, optional
        The QueryRetrieveLevel, when ``keys`` do not give it.

    Returns
    -------
    pydicom.dataset.Dataset
        The identifier, with the VR of each key from pydicom's dictionary.

    Raises
    ------
    QueryLevelError
        A key that is neither a keyword nor ``gggg,eeee``.

    Examples
    --------
    >>> identifier({"PatientID": "1CT1"}, level="PATIENT").QueryRetrieveLevel
    'PATIENT'
    """
    items = (keys.items() if isinstance(keys, dict)
             else (parse_key(k) for k in keys))
    ds = Dataset()
    if level:
        ds.QueryRetrieveLevel = level.upper()
    for key, value in items:
        tag = int(tag_for_keyword(key) or 0) if isinstance(key, str) else int(key)
        if not tag:
            tag, _ = parse_key(key)
        vr = dictionary_VR(tag) if tag != 0x00080052 else "CS"
        with warnings.catch_warnings():  # "1.2*", "2024-" are matching keys, not values
            warnings.simplefilter("ignore", UserWarning)
            ds.add_new(tag, vr, [] if vr == "SQ" else "" if value is None else str(value))
    if "QueryRetrieveLevel" in ds:
        ds.QueryRetrieveLevel = str(ds.QueryRetrieveLevel).upper()
    return ds


def check_identifier(ds: Dataset, model: str = "study", relational: bool = False) -> str:
    """Check the level and keys before asking; returns the level.

    A baseline query is hierarchical (PS3.4 C.4.1.2.1): it names one entity at every level
    above the one it asks at, by a single value of that level's unique key (a SERIES query
    in the Study Root model carries one StudyInstanceUID). Anything else is a relational
    query (C.4.1.2.2), which a PACS supports only if it says so in association negotiation.

    Parameters
    ----------
    ds : pydicom.dataset.Dataset
        The identifier (see :func:`identifier`).
    model : {"study", "patient"}
        Study Root or Patient Root: which levels there are.
    relational : bool
        Allow a query without the unique keys of the levels above (for a PACS that supports
        relational queries; Orthanc answers them).

    Returns
    -------
    str
        The QueryRetrieveLevel.

    Raises
    ------
    QueryLevelError
        No QueryRetrieveLevel; a level the model does not have; a key that belongs below the
        query level (a STUDY query cannot match ``Modality``, a SERIES attribute); without
        ``relational``, a unique key of a level above that is missing or not a single value.

    Examples
    --------
    >>> check_identifier(identifier({"Modality": "CT"}, level="STUDY"))
    Traceback (most recent call last):
    ...
    workshop_helpers.qr.QueryLevelError: Modality is a SERIES attribute: a STUDY-level query cannot match or return it; ask at SERIES level (with the StudyInstanceUID), or use ModalitiesInStudy at STUDY level
    """
    levels = MODELS[_model(model)]
    level = str(ds.get("QueryRetrieveLevel", "")).strip().upper()
    if not level:
        raise QueryLevelError("the identifier has no QueryRetrieveLevel: say at which level to "
                              f"ask ({', '.join(levels)}), e.g. -k QueryRetrieveLevel=STUDY")
    if level not in levels:
        hint = ("use the Patient Root model (-P) or ask at STUDY level, where the patient's "
                "attributes are too" if level == "PATIENT" else
                f"the levels are {', '.join(MODELS['patient'])}")
        raise QueryLevelError(f"the {MODEL_NAMES[_model(model)]} model has no {level} level "
                              f"(its levels: {', '.join(levels)}); {hint}")
    for elem in ds:
        key_level = _LEVEL_OF.get(elem.keyword)
        if key_level is None or (model == "study" and key_level == "PATIENT"):
            continue
        if MODELS["patient"].index(key_level) > MODELS["patient"].index(level):
            alternative = {"Modality": ", or use ModalitiesInStudy at STUDY level",
                           "SOPClassUID": ", or use SOPClassesInStudy at STUDY level"}
            raise QueryLevelError(
                f"{elem.keyword} is a {key_level} attribute: a {level}-level query cannot match "
                f"or return it; ask at {key_level} level (with the "
                f"{UNIQUE_KEYS[level]})" + alternative.get(elem.keyword, ""))
    if not relational:
        _check_hierarchy(ds, level, model)
    return level


def _check_hierarchy(ds: Dataset, level: str, model: str) -> None:
    """The unique key of every level above ``level``, one value each (PS3.4 C.4.1.2.1)."""
    levels = MODELS[_model(model)]
    above = levels[:levels.index(level)]
    for upper in above:
        key = UNIQUE_KEYS[upper]
        raw = ds.get(key, "")
        value = "\\".join(map(str, raw)) if isinstance(raw, MultiValue) else str(raw or "")
        if value and not any(c in value for c in "*?\\"):
            continue
        keys = " and ".join(UNIQUE_KEYS[u] for u in above)
        found = f"'{value}'" if value else "none"
        article = "an" if level[0] in "AEIOU" else "a"
        raise QueryLevelError(
            f"{article} {level} query in the {MODEL_NAMES[_model(model)]} model names one "
            f"{upper} by its {key}, a single value (PS3.4 C.4.1.2.1), found {found}; otherwise it is a "
            f"relational query, which a PACS need not support: ask at {upper} level first, "
            f"then at {level} level with the {keys} of each match")


def _model(model: str) -> str:
    m = model.lower().removesuffix(" root").removesuffix("_root")
    if m in ("p", "patient"):
        return "patient"
    if m in ("s", "study"):
        return "study"
    raise ValueError(f"the model is 'patient' or 'study' (root), not {model!r}")


def _check_retrieve_keys(ds: Dataset, model: str) -> None:
    """A retrieve names what it wants by unique keys (PS3.4 C.4.2.2.1): no wildcards there."""
    level = check_identifier(ds, model)
    key = UNIQUE_KEYS[level]
    value = str(ds.get(key, "") or "")
    if not value or "*" in value or "?" in value:
        raise QueryLevelError(f"a {level}-level retrieve needs the {key} of what to fetch (a list "
                              f"separated by \\ is fine; no wildcards), found {value!r}")


# ----------------------------------------------------------------------------- results

@dataclass
class FindResult:
    """What a C-FIND brought: the matches (pydicom data sets) and the final status.

    Attributes
    ----------
    status : int
        The final status (0x0000: the query completed, with or without matches).
    matches : list of pydicom.dataset.Dataset
        The identifier of each pending response that carried one.
    pending : dict of int to int
        How many pending responses of each status (0xFF00, 0xFF01).
    comment : str
        The Error Comment of the final response, if any.
    seconds : float
        From the association request to the final response.
    model : str
        ``"study"`` or ``"patient"``.
    """

    status: int
    matches: list[Dataset] = field(default_factory=list)
    pending: dict[int, int] = field(default_factory=dict)  # status -> how many responses
    comment: str = ""
    seconds: float = 0.0
    model: str = "study"

    @property
    def ok(self) -> bool:
        """True when the query completed (even with no match)."""
        return self.status == 0x0000

    @property
    def status_text(self) -> str:
        """The final status in words."""
        return status_text(self.status, "find")

    def message(self) -> str:
        """One line: what happened."""
        text = (f"C-FIND ({MODEL_NAMES[self.model]}): {len(self.matches)} match(es), "
                f"final status 0x{self.status:04X} {self.status_text}")
        if 0xFF01 in self.pending:
            text += f"; {self.pending[0xFF01]} match(es) said " + status_text(0xFF01)
        return text + (f"; the PACS says: {self.comment}" if self.comment else "")

    def rows(self) -> list[dict]:
        """The matches as dicts ``{keyword: value}`` (without the QueryRetrieveLevel)."""
        return [{e.keyword or str(e.tag): "" if e.value is None else str(e.value)
                 for e in ds if e.keyword not in ("QueryRetrieveLevel", "SpecificCharacterSet")}
                for ds in self.matches]

    def table(self) -> str:
        """A short readable table of the matches."""
        return table_text(self.rows(), width=64)

    def to_json(self) -> str:
        """The matches as one JSON array in the DICOM JSON model (PS3.18 F.2)."""
        return json.dumps([ds.to_json_dict() for ds in self.matches])

    def __str__(self) -> str:
        return self.table() + "\n" + self.message()


@dataclass
class RetrieveResult:
    """What a C-MOVE or C-GET did: the counts of its sub-operations and the files received.

    Attributes
    ----------
    service : str
        ``"move"`` or ``"get"``.
    status : int
        The final status.
    completed, failed, warning, remaining : int
        Numbers of sub-operations (one per instance), from the final response.
    files : list of pathlib.Path
        What was stored here (by our receiver).
    comment : str
        The Error Comment of the final response, if any.
    destination : str
        The Move Destination (C-MOVE).
    failed_uids : list of str
        The Failed SOP Instance UID List of the final response.
    seconds : float
        From the association request to the final response.
    hint : str
        What most likely went wrong, when something did.
    """

    service: str
    status: int
    completed: int = 0
    failed: int = 0
    warning: int = 0
    remaining: int = 0
    files: list[Path] = field(default_factory=list)
    comment: str = ""
    destination: str = ""
    failed_uids: list[str] = field(default_factory=list)
    seconds: float = 0.0
    hint: str = ""

    @property
    def ok(self) -> bool:
        """True when every sub-operation completed (final status Success, none failed)."""
        return self.status == 0x0000 and self.failed == 0

    @property
    def status_text(self) -> str:
        """The final status in words."""
        return status_text(self.status, self.service)

    def message(self) -> str:
        """One line: counts, status in words, and what is likely wrong when it failed."""
        name = "C-MOVE to " + repr(self.destination) if self.service == "move" else "C-GET"
        text = (f"{name}: {self.completed} completed, {self.failed} failed, {self.warning} "
                f"warning; final status 0x{self.status:04X} {self.status_text}")
        if self.comment:
            text += f"; the PACS says: {self.comment}"
        if self.hint:
            text += f" - {self.hint}"
        return text

    def rows(self) -> list[dict]:
        """One row per file received."""
        return [{"series": p.parent.name, "instance": p.stem, "bytes": p.stat().st_size,
                 "file": str(p)} for p in self.files if p.exists()]

    def table(self) -> str:
        """A short readable table of what arrived."""
        return table_text(self.rows(), columns=["series", "instance", "bytes"], width=64)

    def raise_for_status(self) -> RetrieveResult:
        """Raise :class:`QueryRetrieveError` with :meth:`message` unless :attr:`ok`."""
        if not self.ok:
            raise QueryRetrieveError(self.message(), self.status)
        return self

    def __str__(self) -> str:
        return self.table() + "\n" + self.message()


# ----------------------------------------------------------------------------- associations

def _ae(calling_ae: str, timeout: Timeouts):
    ae = AE(ae_title=calling_ae)
    ae.connection_timeout = timeout.connect
    ae.acse_timeout = timeout.acse
    ae.dimse_timeout = timeout.dimse
    ae.network_timeout = timeout.network
    return ae


def _associate(ae, host: str, port: int, called_ae: str, *, ext_neg=None, handlers=()):
    """Open the association or raise :class:`AssociationRefused` saying why."""
    answers: list = []

    def remember(event) -> None:
        answers.append(event.primitive)

    assoc = ae.associate(host, port, ae_title=called_ae, ext_neg=ext_neg,
                         evt_handlers=[(evt.EVT_ACSE_RECV, remember), *handlers])
    if assoc.is_established:
        return assoc
    where = f"{host}:{port}"
    rejects = [a for a in answers if getattr(a, "result", None) in (1, 2)]
    if rejects:
        rj = rejects[-1]
        reason = REJECT_REASONS.get((rj.result_source, rj.diagnostic),
                                    f"source {rj.result_source}, reason {rj.diagnostic}")
        hint = ""
        if (rj.result_source, rj.diagnostic) == (1, 3):
            hint = (f"; the PACS does not accept our calling AE title {ae.ae_title!r}: add it to "
                    "the PACS's known modalities (Orthanc: DicomModalities, or "
                    "Orthanc.add_modality)")
        elif (rj.result_source, rj.diagnostic) == (1, 7):
            hint = f"; the PACS's AE title is not {called_ae!r} (-aec)"
        raise AssociationRefused(f"association rejected by {where} ({reason}){hint}")
    if assoc.is_aborted and answers:
        raise AssociationRefused(f"association aborted by {where} while negotiating")
    if assoc.is_aborted:
        # Seen with Orthanc 1.10 refusing a caller while busy: the connection closes with no
        # A-ASSOCIATE-RJ (about 1 in 100 refusals with four callers at once).
        raise AssociationRefused(f"no association with {where}: it closed the connection "
                                 "without an answer (a refusal without A-ASSOCIATE-RJ, or a "
                                 "peer that is not a DICOM server)")
    raise AssociationRefused(f"no association with {where}: nothing answered (is the PACS "
                             f"running there, and is {called_ae!r} its AE title?) within "
                             f"{ae.connection_timeout:g} s to connect, {ae.acse_timeout:g} s "
                             "for the answer")


def _accepted(assoc, sop_class, what: str) -> None:
    if not any(cx.abstract_syntax == sop_class for cx in assoc.accepted_contexts):
        assoc.release()
        raise QueryRetrieveError(f"the PACS does not offer {sop_class.name} ({what})", 0x0122)


def _not_aborted(assoc, host: str, port: int, what: str, calling_ae: str) -> None:
    """Raise :class:`AssociationRefused` when the PACS aborted the association mid-way."""
    if assoc.is_aborted:
        raise AssociationRefused(
            f"{host}:{port} accepted the association, then aborted it after our {what} request: "
            f"Orthanc does that when it lets any AE in for C-ECHO or C-STORE "
            f"(DicomAlwaysAllowEcho/Store) but not {calling_ae!r} for {what}: add it to the "
            "PACS's known modalities")


def _status(rsp) -> tuple[int, str]:
    if rsp is None or "Status" not in rsp:
        return 0xC000, "no valid response (timeout, abort, or a response without Status)"
    return int(rsp.Status), str(rsp.get("ErrorComment", "") or "")


# ----------------------------------------------------------------------------- C-FIND

def find(host: str, port: int, keys: Keys | Dataset, *, level: str | None = None, model: str = "study",
         calling_ae: str = "WORKSTATION", called_ae: str = "ORTHANC",
         timeout: float | Timeouts = 30, relational: bool = False) -> FindResult:
    """C-FIND: ask the PACS what it has that matches ``keys``.

    Parameters
    ----------
    host, port : str, int
        The PACS.
    keys : dict, list of str or Dataset
        See :func:`identifier`. Wildcards ``*`` and ``?``; a range ``20240101-20241231`` for a
        date; an empty value asks the attribute back.
    level : str, optional
        QueryRetrieveLevel (PATIENT, STUDY, SERIES, IMAGE) when ``keys`` do not say it.
    model : {"study", "patient"}
        Study Root (the default) or Patient Root.
    calling_ae, called_ae : str
        Our AE title and the PACS's.
    timeout : float or Timeouts
        Seconds (connect, ACSE, DIMSE, network).
    relational : bool
        Send a query without the unique keys of the levels above (see
        :func:`check_identifier`); only for a PACS that supports relational queries.

    Returns
    -------
    FindResult
        ``.matches`` (data sets), ``.status``, ``.table()``, ``.message()``.

    Raises
    ------
    QueryLevelError, AssociationRefused, QueryRetrieveError
    """
    model = _model(model)
    ds = keys if isinstance(keys, Dataset) else identifier(keys, level)
    check_identifier(ds, model, relational)
    sop = _sop_classes(model)["find"]
    ae = _ae(calling_ae, Timeouts.of(timeout))
    ae.add_requested_context(sop)
    began = time.monotonic()
    assoc = _associate(ae, host, port, called_ae)
    _accepted(assoc, sop, "C-FIND")
    result = FindResult(status=0xC000, model=model)
    try:
        for rsp, match in assoc.send_c_find(ds, sop):
            code, comment = _status(rsp)
            if is_pending(code):
                result.pending[code] = result.pending.get(code, 0) + 1
                if match is not None:
                    result.matches.append(match)
                continue
            result.status, result.comment = code, comment
    finally:
        assoc.release()
    _not_aborted(assoc, host, port, "C-FIND", calling_ae)
    result.seconds = time.monotonic() - began
    return result


# ----------------------------------------------------------------------------- C-MOVE

def _retrieve_result(service: str, final, destination: str = "") -> RetrieveResult:
    code, comment = _status(final)
    counts = {}
    if final is not None:
        for name, attr in (("completed", "NumberOfCompletedSuboperations"),
                           ("failed", "NumberOfFailedSuboperations"),
                           ("warning", "NumberOfWarningSuboperations"),
                           ("remaining", "NumberOfRemainingSuboperations")):
            value = final.get(attr)
            counts[name] = int(value) if value not in (None, "") else 0
    return RetrieveResult(service, code, comment=comment, destination=destination, **counts)


def _failed_uids(ds: Dataset | None) -> list[str]:
    if ds is None or "FailedSOPInstanceUIDList" not in ds:
        return []
    value = ds.FailedSOPInstanceUIDList
    return [str(v) for v in (value if isinstance(value, list | tuple) or
                             hasattr(value, "__iter__") and not isinstance(value, str)
                             else [value]) if str(v)]


def move(host: str, port: int, keys: Keys | Dataset, destination: str, *, level: str | None = None,
         model: str = "study", calling_ae: str = "WORKSTATION", called_ae: str = "ORTHANC",
         receiver: StorageSCP | None = None, receive_into: str | os.PathLike | None = None,
         receive_port: int | None = None, timeout: float | Timeouts = 30) -> RetrieveResult:
    """C-MOVE: ask the PACS to send what ``keys`` name to the AE ``destination``.

    The PACS looks ``destination`` up in its own configuration and opens a new association to
    that host and port. To receive here, either pass a running ``receiver``
    (a :class:`~workshop_helpers.net.StorageSCP` whose AE title is ``destination``), or
    ``receive_into`` a folder and ``receive_port`` (the port the PACS has for ``destination``):
    a StorageSCP is then started for the purpose and stopped afterwards. With neither, the
    instances go to a third AE and only the counts come back.

    Parameters
    ----------
    host, port : str, int
        The PACS.
    keys : dict, list of str or Dataset
        What to move (see :func:`identifier`): the unique keys of the level, e.g.
        ``{"StudyInstanceUID": uid}`` at STUDY level.
    destination : str
        The AE title the PACS sends to (the Move Destination); the PACS must know it.
    level : str, optional
        QueryRetrieveLevel when ``keys`` do not say it.
    model : {"study", "patient"}
        Study Root (the default) or Patient Root.
    calling_ae, called_ae : str
        Our AE title and the PACS's.
    receiver : StorageSCP, optional
        Our running storage SCP that receives (its AE title is ``destination``).
    receive_into : str or os.PathLike, optional
        A folder: start a StorageSCP for the move on ``receive_port`` and stop it afterwards;
        it accepts associations from ``called_ae`` only (the PACS that sends).
    receive_port : int, optional
        The port the PACS has for ``destination`` (with ``receive_into``).
    timeout : float or Timeouts
        Seconds (connect, ACSE, DIMSE, network).

    Returns
    -------
    RetrieveResult
        Counts of completed/failed/warning sub-operations; ``.files`` received here;
        ``.message()`` explains a failure (an unknown destination included).

    Raises
    ------
    QueryLevelError, AssociationRefused, QueryRetrieveError
    """
    model = _model(model)
    ds = keys if isinstance(keys, Dataset) else identifier(keys, level)
    _check_retrieve_keys(ds, model)
    own = None
    if receiver is None and receive_into is not None:
        if not receive_port:
            raise ValueError("receive_port: the port the PACS will send to (its entry for "
                             f"{destination!r}) is needed to receive here")
        # the PACS we ask is the one that calls back: only its AE title gets in
        own = receiver = StorageSCP(receive_into, port=receive_port, ae_title=destination,
                                    allowed_calling_aes=[called_ae], timeout=timeout).start()
    try:
        before = receiver.count if receiver is not None else 0
        problems_before = list(receiver.failures) if receiver is not None else []
        result = _move(host, port, ds, destination, model, calling_ae, called_ae, timeout)
        if receiver is not None:
            receiver.wait_for(before + result.completed, timeout=Timeouts.of(timeout).network)
            new = receiver.count - before
            result.files = [a.path for a in list(receiver.received)[-new:]] if new > 0 else []
            problems = list(receiver.failures)[len(problems_before):]
            if problems:  # the PACS reached us, and our storage SCP said no: that is the cause
                result.hint = (f"our storage SCP {destination!r} refused: "
                               + "; ".join(problems[:3]))
    finally:
        if own is not None:
            own.stop()
    return result


def _move(host, port, ds, destination, model, calling_ae, called_ae, timeout) -> RetrieveResult:
    sop = _sop_classes(model)["move"]
    ae = _ae(calling_ae, Timeouts.of(timeout))
    ae.add_requested_context(sop)
    began = time.monotonic()
    assoc = _associate(ae, host, port, called_ae)
    _accepted(assoc, sop, "C-MOVE")
    final = failed_ds = None
    try:
        for rsp, extra in assoc.send_c_move(ds, destination, sop):
            code, _ = _status(rsp)
            if not is_pending(code):
                final, failed_ds = rsp, extra
    finally:
        assoc.release()
    _not_aborted(assoc, host, port, "C-MOVE", calling_ae)
    result = _retrieve_result("move", final, destination)
    result.failed_uids = _failed_uids(failed_ds)
    result.seconds = time.monotonic() - began
    if result.status not in (0x0000, 0xB000):
        result.hint = move_failure_hint(result.status, destination, result.comment)
    return result


# ----------------------------------------------------------------------------- C-GET

def instance_path(folder: str | os.PathLike, ds: Dataset) -> Path:
    """Where a received data set goes: the layout of :class:`~workshop_helpers.net.StorageSCP`.

    Parameters
    ----------
    folder : str or os.PathLike
        The storage folder.
    ds : pydicom.dataset.Dataset
        The data set (its Patient ID, Study, Series and SOP Instance UIDs).

    Returns
    -------
    pathlib.Path
        ``folder/<PatientID>/<StudyInstanceUID>/<SeriesInstanceUID>/<SOPInstanceUID>.dcm``,
        every part made safe (:func:`~workshop_helpers.net.safe_path_part`).

    Examples
    --------
    >>> ds = Dataset(); ds.PatientID = "../x"; ds.SOPInstanceUID = "1.2"
    >>> instance_path("/data", ds).relative_to("/data").parts[-1]
    '1.2.dcm'
    """
    return storage.instance_path(folder, ds.get("PatientID", ""), ds.get("StudyInstanceUID", ""),
                                 ds.get("SeriesInstanceUID", ""), ds.get("SOPInstanceUID", ""))


class _Receiver:
    """The EVT_C_STORE handler of a C-GET: store durably, then (only then) answer Success.

    With ``STORE_RECV_CHUNKED_DATASET`` (see :func:`_received_to_disk`) the data set arrives in a
    file (``event.dataset_path``): its identifiers are read from there and the file is copied,
    in pieces, through :func:`.storage.write_durably`; memory holds one piece, not the instance.
    """

    def __init__(self, folder) -> None:
        self.folder = Path(folder)
        self.files: list[Path] = []
        self.problems: list[str] = []

    def handle_store(self, event) -> int:
        try:
            spooled = Path(event.dataset_path)
        except AttributeError:  # the option was off: the data set is in memory
            spooled = None
        try:
            if spooled is None:
                ds = event.dataset  # pydicom reads the values lazily; only four are needed
                data = event.encoded_dataset(include_meta=True)
            else:
                meta, offset = split_dataset(spooled)
                ds = storage.read_identifiers(spooled, offset, meta.TransferSyntaxUID)
                data = open(spooled, "rb")  # noqa: SIM115 - closed below
            try:
                path = storage.write_durably(data, instance_path(self.folder, ds))
            finally:
                if spooled is not None:
                    data.close()
        except (OSError, storage.StoreRefused) as exc:
            self.problems.append(f"{event.request.AffectedSOPInstanceUID}: {exc}")
            return 0xA700  # Refused: out of resources - the PACS counts it as failed
        finally:
            if spooled is not None:  # pynetdicom leaves a C-GET's spooled file to the handler
                spooled.unlink(missing_ok=True)
        self.files.append(path)
        return 0x0000


@contextmanager
def _received_to_disk():
    """pynetdicom's documented ``_config.STORE_RECV_CHUNKED_DATASET`` on, then as it was.

    The option is process-wide: a pynetdicom SCP running in the same process at the same time
    would get its data sets as files too (this package's own SCP does not use pynetdicom).
    """
    before = _config.STORE_RECV_CHUNKED_DATASET
    _config.STORE_RECV_CHUNKED_DATASET = True
    try:
        yield
    finally:
        _config.STORE_RECV_CHUNKED_DATASET = before


def storage_contexts_with_roles(
        role_selection: bool = True,
) -> tuple[list[PresentationContext], list[SCP_SCU_RoleSelectionNegotiation]]:
    """pynetdicom's 120 storage contexts and, for each, a role item "we are SCP" for C-GET.

    Parameters
    ----------
    role_selection : bool
        Make the role items (without them the PACS may not send to us, PS3.4 C.4.3.1).

    Returns
    -------
    contexts : list of pynetdicom.presentation.PresentationContext
        The storage contexts to request.
    roles : list of pynetdicom.pdu_primitives.SCP_SCU_RoleSelectionNegotiation
        One per context; empty without ``role_selection``.

    Examples
    --------
    >>> contexts, roles = storage_contexts_with_roles()
    >>> len(contexts) == len(roles) <= 120, roles[0].scp_role
    (True, True)
    """
    contexts = list(StoragePresentationContexts)
    roles = ([build_role(cx.abstract_syntax, scp_role=True) for cx in contexts]
             if role_selection else [])
    return contexts, roles


def get(host: str, port: int, keys: Keys | Dataset, folder: str | os.PathLike, *, level: str | None = None,
        model: str = "study",
        calling_ae: str = "WORKSTATION", called_ae: str = "ORTHANC",
        role_selection: bool = True, timeout: float | Timeouts = 30) -> RetrieveResult:
    """C-GET: fetch what ``keys`` name on this association, storing each instance in ``folder``.

    Each instance arrives as a C-STORE request from the PACS to us, spooled to a file by
    pynetdicom (never whole in memory); the handler writes it durably (temp name, fsync, rename)
    in the layout of :func:`instance_path` and answers Success only then (0xA700 when the disk
    refuses). ``role_selection=False`` shows the
    classic mistake: without SCP/SCU role selection the PACS may not send us anything, and
    every sub-operation fails.

    Parameters
    ----------
    host, port : str, int
        The PACS.
    keys : dict, list of str or Dataset
        What to fetch (see :func:`identifier`): the unique keys of the level.
    folder : str or os.PathLike
        Where the instances go, in the layout of :func:`instance_path`.
    level : str, optional
        QueryRetrieveLevel when ``keys`` do not say it.
    model : {"study", "patient"}
        Study Root (the default) or Patient Root.
    calling_ae, called_ae : str
        Our AE title and the PACS's.
    role_selection : bool
        Propose the SCP/SCU role selection that lets the PACS send to us (PS3.4 C.4.3.1);
        False only to see what goes wrong without it.
    timeout : float or Timeouts
        Seconds (connect, ACSE, DIMSE, network).

    Returns
    -------
    RetrieveResult
        Counts of completed/failed/warning sub-operations and ``.files``.

    Raises
    ------
    QueryLevelError, AssociationRefused, QueryRetrieveError
    """
    model = _model(model)
    ds = keys if isinstance(keys, Dataset) else identifier(keys, level)
    _check_retrieve_keys(ds, model)
    sop = _sop_classes(model)["get"]
    ae = _ae(calling_ae, Timeouts.of(timeout))
    ae.add_requested_context(sop)
    contexts, roles = storage_contexts_with_roles(role_selection)
    for cx in contexts:
        ae.add_requested_context(cx.abstract_syntax, cx.transfer_syntax)
    receiver = _Receiver(folder)
    began = time.monotonic()
    with _received_to_disk():
        assoc = _associate(ae, host, port, called_ae, ext_neg=roles or None,
                           handlers=[(evt.EVT_C_STORE, receiver.handle_store)])
        _accepted(assoc, sop, "C-GET")
        final = failed_ds = None
        try:
            for rsp, extra in assoc.send_c_get(ds, sop):
                code, _ = _status(rsp)
                if not is_pending(code):
                    final, failed_ds = rsp, extra
        finally:
            assoc.release()
    _not_aborted(assoc, host, port, "C-GET", calling_ae)
    result = _retrieve_result("get", final)
    result.files = receiver.files
    result.failed_uids = _failed_uids(failed_ds)
    result.seconds = time.monotonic() - began
    if result.failed and not role_selection:
        result.hint = ("C-GET sends the instances back as C-STORE requests on our own "
                       "association; we proposed no SCP/SCU role selection, so the PACS may not "
                       "act as storage SCU towards us: propose the storage contexts with "
                       "build_role(sop_class, scp_role=True)")
    elif receiver.problems:
        result.hint = "we refused to store: " + "; ".join(receiver.problems[:3])
    elif result.failed:
        result.hint = ("some instances could not be sent to us: a SOP class or transfer syntax "
                       "we did not propose, or one the PACS could not convert to")
    return result


# ----------------------------------------------------------------------------- command line

def _cli_findscu(args: argparse.Namespace) -> int:
    """``findscu``: the matches as a table (or JSON); raises CommandError when refused."""
    try:
        result = find(args.peer, args.port, args.key or [], model=args.model,
                      calling_ae=args.aetitle, called_ae=args.call, timeout=timeouts_from(args))
    except (QueryRetrieveError, ValueError) as exc:
        raise CommandError(str(exc)) from None
    print(result.to_json() if args.json else result.table())
    if not result.ok:
        raise CommandError(result.message())
    if not args.json:
        print(result.message())
    return 0


def _cli_retrieve(args: argparse.Namespace) -> int:
    """``movescu`` and ``getscu``: one line of counts; raises CommandError when it failed."""
    try:
        if args.command == "movescu":
            result = move(args.peer, args.port, args.key or [], args.move or args.aetitle,
                          model=args.model, calling_ae=args.aetitle, called_ae=args.call,
                          receive_into=args.output_directory if args.listen_port else None,
                          receive_port=args.listen_port, timeout=timeouts_from(args))
        else:
            result = get(args.peer, args.port, args.key or [], args.output_directory,
                         model=args.model, calling_ae=args.aetitle, called_ae=args.call,
                         timeout=timeouts_from(args))
    except (QueryRetrieveError, ValueError) as exc:
        raise CommandError(str(exc)) from None
    if not result.ok:
        raise CommandError(result.message())
    print(result.message())
    return 0


def register_cli(subparsers: Any) -> None:
    """Add ``findscu``, ``movescu`` and ``getscu`` (flags shaped like dcmtk's).

    Parameters
    ----------
    subparsers
        What ``argparse.ArgumentParser.add_subparsers()`` returned.
    """
    helps = {"findscu": "query a PACS (C-FIND)",
             "movescu": "ask a PACS to send a study somewhere (C-MOVE)",
             "getscu": "fetch from a PACS on the same association (C-GET)"}
    for name, text in helps.items():
        p = subparsers.add_parser(name, help=text, prefix_chars="-+")
        p.add_argument("peer", help="host name or address of the PACS")
        p.add_argument("port", type=int, help="its DICOM port")
        p.add_argument("-aet", "--aetitle", default="WORKSTATION", help="our (calling) AE title")
        p.add_argument("-aec", "--call", default="ORTHANC", help="the PACS's (called) AE title")
        group = p.add_mutually_exclusive_group()
        group.add_argument("-S", "--study", dest="model", action="store_const", const="study",
                           help="Study Root information model (default)")
        group.add_argument("-P", "--patient", dest="model", action="store_const",
                           const="patient", help="Patient Root information model")
        p.set_defaults(model="study")
        p.add_argument("-k", "--key", action="append", metavar="KEY[=VALUE]",
                       help="a keyword or gggg,eeee; =VALUE matches, bare asks it back")
        if name == "findscu":
            p.add_argument("--json", action="store_true",
                           help="print the matches as one JSON array (DICOM JSON model)")
        else:
            p.add_argument("-od", "--output-directory", default=".",
                           help="where received instances go (default .)")
        if name == "movescu":
            p.add_argument("-aem", "--move", metavar="DEST",
                           help="the move destination's AE title (default: -aet)")
            p.add_argument("+P", "--port", dest="listen_port", type=int, metavar="PORT",
                           help="run our own storage SCP (AE title -aem/-aet) on this port")
        add_timeout_flags(p, connect=True)
        p.set_defaults(func=_cli_findscu if name == "findscu" else _cli_retrieve, command=name)
