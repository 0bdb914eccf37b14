"""C-FIND, C-MOVE and C-GET (:func:`find`, :func:`move`, :func:`get`) on pynetdicom's SCU API.

Every timeout is set; an association refused, aborted or never answered raises
:class:`~workshop_helpers.qr.AssociationRefused` saying why. A C-GET receives each instance to
disk, not into memory (:class:`_Receiver`, :func:`_received_to_disk`).
"""

from __future__ import annotations

import os
import socket
import time
from contextlib import contextmanager
from pathlib import Path

from pydicom import Dataset
from pynetdicom import AE, StoragePresentationContexts, _config, build_role, evt
from pynetdicom import sop_class as s
from pynetdicom.dsutils import split_dataset
from pynetdicom.pdu_primitives import SCP_SCU_RoleSelectionNegotiation
from pynetdicom.presentation import PresentationContext

from ..net import StorageSCP, Timeouts, storage
from ..net.pdu import REJECT_REASONS
from .identifiers import Keys, _check_retrieve_keys, _model, check_identifier, identifier
from .results import FindResult, RetrieveResult
from .status import (
    AssociationRefused,
    QueryRetrieveError,
    is_pending,
    move_failure_hint,
)


def _sop_classes(model: str) -> dict[str, str]:
    if model == "patient":
        return {"find": s.PatientRootQueryRetrieveInformationModelFind,
                "move": s.PatientRootQueryRetrieveInformationModelMove,
                "get": s.PatientRootQueryRetrieveInformationModelGet}
    return {"find": s.StudyRootQueryRetrieveInformationModelFind,
            "move": s.StudyRootQueryRetrieveInformationModelMove,
            "get": s.StudyRootQueryRetrieveInformationModelGet}


# ----------------------------------------------------------------------------- associations

def _ae(calling_ae: str, timeout: Timeouts):
    ae = AE(ae_title=calling_ae)
    ae.connection_timeout = timeout.connect
    ae.acse_timeout = timeout.acse
    ae.dimse_timeout = timeout.dimse
    ae.network_timeout = timeout.network
    return ae


def _no_nagle(event) -> None:
    """EVT_CONN_OPEN: send each PDU at once (``TCP_NODELAY``), before the first is written.

    pynetdicom writes a request's command set and its identifier as two P-DATA-TF PDUs; with
    Nagle's algorithm on, the second waits for the peer's delayed ACK of the first (about 40 ms
    on Linux): a C-FIND took 65 ms here instead of 15.
    """
    try:
        event.assoc.dul.socket.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except (AttributeError, OSError):  # no socket any more, or not TCP: nothing to speed up
        pass


def _associate(ae, host: str, port: int, called_ae: str, *, ext_neg=None, handlers=()):
    """Open the association or raise :class:`AssociationRefused` saying why."""
    answers: list = []

    def remember(event) -> None:
        answers.append(event.primitive)

    assoc = ae.associate(host, port, ae_title=called_ae, ext_neg=ext_neg,
                         evt_handlers=[(evt.EVT_CONN_OPEN, _no_nagle),
                                       (evt.EVT_ACSE_RECV, remember), *handlers])
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

def _retrieved(assoc, responses, service: str, began: float, where: tuple[str, int, str],
               destination: str = "") -> RetrieveResult:
    """A C-MOVE's or C-GET's responses read to the last, the association released, the result.

    ``responses`` is pynetdicom's generator (``send_c_move``/``send_c_get``); the result holds the
    final response's status, comment, counts and Failed SOP Instance UID List, and the seconds
    since ``began``. ``where`` is ``(host, port, calling_ae)``, for the message when the PACS
    aborted the association instead of answering.
    """
    final = failed_ds = None
    try:
        for rsp, extra in responses:
            if not is_pending(_status(rsp)[0]):
                final, failed_ds = rsp, extra
    finally:
        assoc.release()
    host, port, calling_ae = where
    _not_aborted(assoc, host, port, f"C-{service.upper()}", calling_ae)
    code, comment = _status(final)
    counts = {}
    if final is not None:
        for name, attr in (("completed", "NumberOfCompletedSuboperations"),
                           ("failed", "NumberOfFailedSuboperations"),
                           ("warning", "NumberOfWarningSuboperations"),
                           ("remaining", "NumberOfRemainingSuboperations")):
            value = final.get(attr)
            counts[name] = int(value) if value not in (None, "") else 0
    return RetrieveResult(service, code, comment=comment, destination=destination,
                          failed_uids=_failed_uids(failed_ds), seconds=time.monotonic() - began,
                          **counts)


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
    result = _retrieved(assoc, assoc.send_c_move(ds, destination, sop), "move", began,
                        (host, port, calling_ae), destination)
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
        result = _retrieved(assoc, assoc.send_c_get(ds, sop), "get", began,
                            (host, port, calling_ae))
    result.files = receiver.files
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
