"""A storage SCP (and C-ECHO SCP) that never answers Success before the bytes are on disk.

It has the shape of a pynetdicom SCP — :meth:`StorageSCP.handle_store` takes an ``event``
(:mod:`.events` holds the event, the arrival and the sink a data set arrives in) and returns a
status, like a handler bound to ``evt.EVT_C_STORE`` — on a small transport of its
own (:class:`.link.Link`) that pynetdicom does not offer: every PDU length checked before
anything is allocated, data sets streamed to disk as they arrive, a timeout on every socket,
and connections that have not sent an association request kept apart, so that silent or junk
connections cost no CPU and cannot take the places of real clients.

Connections wait, silent, with the :class:`.doorman.Doorman` (one thread for all of them); one
that speaks gets a thread of its own, which blocks in ``recv`` (no polling) until bytes or a
deadline come.
"""

from __future__ import annotations

import itertools
import os
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from pathlib import Path

from pydicom.dataset import Dataset
from pydicom.uid import UID, AllTransferSyntaxes
from pynetdicom.presentation import AllStoragePresentationContexts

from ..tools import PRIVATE_FOLDER, AtomicFile, folder_problem
from . import pdu
from .doorman import Doorman, Guest, shut
from .events import Arrival, Association, Context, Peer, StoreEvent, _Incoming, _oserror_text
from .guard import (
    COURSE_CALLERS,
    MAX_INSTANCE_BYTES,
    LinkRefused,
    check_identifiers,
    commit_below,
    inflated_size_exceeds,
    is_real_folder,
    stranger,
    too_large,
)
from .link import Link
from .pdu import VERIFICATION, PeerAborted, ProtocolError, ReleaseRequested, Timeouts
from .status import status_text
from .storage import (
    StoreRefused,
    instance_path,
    is_retired_storage_class,
    read_identifiers,
    text_of,
)

#: The largest P-DATA-TF PDU we accept (our Maximum Length Received, PS3.8 D.1).
MAX_PDU = 1024 * 1024
#: What a peer hears when something went wrong on our side (the details stay in our log).
OUR_FAULT = "the SCP could not store this instance (its log says why)"


class NetError(RuntimeError):
    """A network operation could not be done; the message says what, with whom and why."""


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that nobody listens on right now (for a server you start a moment later).

    The operating system picks it; another process may take it before your server does, so a
    server that can should rather be started on port 0 and asked which port it got.

    Parameters
    ----------
    host : str
        The address it must be free on; ``""`` means every address.

    Returns
    -------
    int
        The port number.

    Examples
    --------
    >>> 1024 < free_port() < 65536
    True
    """
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def storage_sop_classes() -> set[str]:
    """Every Storage SOP Class UID pynetdicom knows (PS3.4 Annex B.5)."""
    return {str(cx.abstract_syntax) for cx in AllStoragePresentationContexts}


class StorageSCP:
    """A storage SCP (and C-ECHO SCP) running in the background.

    Parameters
    ----------
    folder : path
        Where received instances go, as
        ``folder/<PatientID>/<StudyInstanceUID>/<SeriesInstanceUID>/<SOPInstanceUID>.dcm``
        (each part made safe by :func:`.safe_path_part`, so distinct values give distinct paths;
        folder names longer than 40 characters are cut and hashed).
    port : int
        TCP port; 0 picks a free one (read it from :attr:`port`).
    ae_title : str
        Our AE title; associations that call another title are rejected.
    bind : str
        Address to listen on (127.0.0.1: only this machine can connect).
    allowed_calling_aes : iterable of str or None
        Only peers calling from one of these AE titles are accepted; others get an
        A-ASSOCIATE-RJ "calling AE title not recognised" (PS3.8 9.3.4). The default is the
        titles the course's helpers, notebooks and dcmtk's tools call from
        (:data:`~.guard.COURSE_CALLERS`); None accepts any title.
    same_user_only : bool
        On Linux, refuse a peer on this machine (loopback) whose socket belongs to another Unix
        user (:func:`~.guard.stranger`): on a machine shared by a class, nobody else's program
        can store here, whatever AE title it calls from.
    max_instance_bytes : int
        The largest instance stored (its data set; a deflated one once inflated); a larger one
        is answered 0xA700 Out of Resources (PS3.4 B.2.3) and nothing of it is kept.
    on_duplicate : {"overwrite", "keep"}
        A SOP Instance UID that is already stored: replace the file (``"overwrite"``, the
        default: a re-send is usually a correction) or keep the first (``"keep"``). Either way
        the answer is Success and :attr:`duplicates` counts it.
    on_arrival : callable, optional
        Called with each :class:`Arrival` once its file is durably stored and before Success
        is answered (the hook a router uses); if it raises, the peer gets a failure status.
    on_failure : callable, optional
        Called with each line added to its ``failures`` list (an association refused or
        broken off, an instance refused: who and why) as it happens, from the connection's
        thread: keep it quick, e.g. a queue's ``put``. What it raises is swallowed and noted in
        ``failures`` (without calling it again): a bad callback cannot stop the server.
    timeout : float or Timeouts
        Seconds: for the A-ASSOCIATE-RQ after a connection opens (``acse``) and for silence on
        an association (``network``); a connection quiet for longer is closed.
    max_associations : int
        How many associations may be open at once (more are rejected: "local limit exceeded").
    transfer_syntaxes : iterable of UID, optional
        The transfer syntaxes we accept for storage (default: all that pydicom knows except the
        deflated ones, whose few bytes can inflate to gigabytes). A smaller list is how an SCP
        says "I cannot read JPEG".
    max_pdu : int
        The largest P-DATA-TF PDU we accept, in bytes (our Maximum Length Received, PS3.8 D.1).
    max_pending_per_address : int
        Connections from one address that have not yet sent their A-ASSOCIATE-RQ; when one more
        comes, the oldest of them is closed, so silent connections cannot lock real ones out.

    Raises
    ------
    ValueError
        An ``on_duplicate`` other than the two above, or an AE title that is empty or longer
        than 16 characters (PS3.5 6.2).
    OSError
        When ``folder`` cannot be made.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.TemporaryDirectory()
    >>> scp = StorageSCP(folder.name).start()
    >>> scp.port > 0, scp.count
    (True, 0)
    >>> scp.stop()
    >>> folder.cleanup()
    """

    def __init__(self, folder: str | os.PathLike, port: int = 0, ae_title: str = "WORKSHOP",
                 bind: str = "127.0.0.1",
                 *, allowed_calling_aes: Iterable[str] | None = COURSE_CALLERS,
                 same_user_only: bool = True, max_instance_bytes: int = MAX_INSTANCE_BYTES,
                 on_duplicate: str = "overwrite",
                 on_arrival: Callable[[Arrival], None] | None = None,
                 on_failure: Callable[[str], object] | None = None,
                 timeout: float | Timeouts = 30, max_associations: int = 32,
                 transfer_syntaxes: Iterable[str] | None = None, max_pdu: int = MAX_PDU,
                 max_pending_per_address: int = 16) -> None:
        if on_duplicate not in ("overwrite", "keep"):
            raise ValueError(f"on_duplicate must be 'overwrite' or 'keep', not {on_duplicate!r}")
        if not 0 < len(ae_title.strip()) <= 16:
            raise ValueError(f"an AE title has 1 to 16 characters (PS3.5 6.2), got {ae_title!r}")
        self.folder = Path(folder).resolve()
        self.folder.mkdir(parents=True, exist_ok=True, mode=PRIVATE_FOLDER)
        self.incoming = self.folder / ".incoming"
        self._requested_port = int(port)
        self.ae_title = ae_title.strip()
        self.bind = bind
        self.allowed_calling_aes = (allowed_calling_aes
                                    if allowed_calling_aes is None or allowed_calling_aes is COURSE_CALLERS
                                    else {a.strip() for a in allowed_calling_aes})
        self.same_user_only = same_user_only
        self.max_instance_bytes = int(max_instance_bytes)
        self.on_duplicate = on_duplicate
        self.on_arrival = on_arrival
        self.on_failure = on_failure
        self.timeouts = Timeouts.of(timeout)
        self.max_associations = max_associations
        self.max_pending_per_address = max_pending_per_address
        self.max_pdu = max_pdu
        self.transfer_syntaxes = [str(t) for t in (transfer_syntaxes or [
            t for t in AllTransferSyntaxes if not UID(t).is_deflated])]
        self.storage_classes = storage_sop_classes()
        self.received: deque[Arrival] = deque(maxlen=10_000)
        self.failures: deque[str] = deque(maxlen=1000)
        self.count = 0
        self.duplicates = 0
        self.associations = 0
        self.numbers = itertools.count()
        self._lock = threading.Lock()
        self._open: set[Link] = set()
        self._door: Doorman | None = None
        self._last_port = 0

    # -- life cycle
    @property
    def port(self) -> int:
        """The TCP port we listen on (known once started)."""
        return self._last_port or self._requested_port

    @property
    def running(self) -> bool:
        """True while the server accepts connections."""
        return self._door is not None

    def start(self) -> StorageSCP:
        """Start listening in a background thread; returns ``self``."""
        if self._door is not None:
            return self
        problem = folder_problem(self.folder)  # another user could swap what was stored
        if problem:
            raise NetError(f"{self.folder} {problem}: the SCP stores only in a folder of your "
                           "own (make one, e.g. mkdir -m 700 received)")
        self.incoming.mkdir(exist_ok=True, mode=PRIVATE_FOLDER)
        if not is_real_folder(self.incoming):
            raise NetError(f"{self.incoming} is a symbolic link or not a folder: the SCP will "
                           "not write through it (remove it and start again)")
        for leftover in self.incoming.glob("*.part"):  # from a process that was killed
            leftover.unlink(missing_ok=True)
        door = Doorman(self.bind, self._requested_port, self._connection,
                       wait=self.timeouts.acse, per_address=self.max_pending_per_address,
                       name="StorageSCP")
        try:
            door.start()
        except OSError as exc:
            raise NetError(f"cannot listen on {self.bind}:{self._requested_port}: {exc}") from exc
        self._door, self._last_port = door, door.port
        return self

    def stop(self) -> None:
        """Stop listening, abort open associations and free the port (safe to call twice)."""
        door, self._door = self._door, None
        if door is None:
            return
        with self._lock:
            links = list(self._open)
        for link in links:  # their threads wake up, clean up and end
            shut(link.sock, close=False)
        door.stop()

    def __enter__(self) -> StorageSCP:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = f"listening on {self.bind}:{self.port}" if self.running else "stopped"
        folder = (self.folder.relative_to(Path.cwd()) if self.folder.is_relative_to(Path.cwd())
                  else self.folder)   # a notebook's scratch folder, without the path above it
        return (f"<StorageSCP {self.ae_title!r} {state}, {self.count} received, "
                f"{self.duplicates} duplicate(s) -> {folder}>")

    # -- what arrived
    def table(self) -> list[dict]:
        """What arrived (the most recent 10,000), one dict per instance."""
        with self._lock:
            rows = list(self.received)
        return [{"patient": a.patient_id, "study": a.study_uid, "series": a.series_uid,
                 "instance": a.sop_instance_uid, "from": a.calling_ae, "bytes": a.size,
                 "path": str(a.path.relative_to(self.folder)), "duplicate": a.duplicate}
                for a in rows]

    def wait_for(self, count: int, timeout: float = 10) -> bool:
        """Wait until at least ``count`` instances were stored (True) or ``timeout`` s passed."""
        end = time.monotonic() + timeout
        while self.count < count and time.monotonic() < end:
            time.sleep(0.01)
        return self.count >= count

    def path_for(self, patient_id, study_uid, series_uid, sop_instance_uid) -> Path:
        """Where an instance with these identifiers is stored (always below :attr:`folder`)."""
        return instance_path(self.folder, patient_id, study_uid, series_uid, sop_instance_uid)

    # -- the handler, in pynetdicom's shape
    def handle_store(self, event: StoreEvent) -> int:
        """Store one received instance; returns the C-STORE status (PS3.4 B.2.3).

        Like a pynetdicom ``evt.EVT_C_STORE`` handler: read what is needed from the event, put
        the data set where it belongs, return 0x0000 — but only once it is durably there.
        """
        if event.refused is not None:
            raise event.refused
        req, ts = event.request, event.context.transfer_syntax
        sop_instance = text_of(req, 0x00001000)
        event.file.flush()
        ids = self.identifiers(event)  # read back from the file, each of a sane length
        for tag, name, expected in ((0x00080016, "SOP Class UID", text_of(req, 0x00000002)),
                                    (0x00080018, "SOP Instance UID", sop_instance)):
            if text_of(ids, tag) != expected:
                raise StoreRefused(0xA900, f"the data set's {name} differs from the request's")
        patient, study, series = (text_of(ids, 0x00100020), text_of(ids, 0x0020000D),
                                  text_of(ids, 0x0020000E))
        path = self.path_for(patient, study, series, sop_instance)
        duplicate = os.path.lexists(path)
        size = event.file.size - event.file_offset
        if duplicate and self.on_duplicate == "keep":
            event.file.discard()
        else:
            self.commit(event.file, path)  # never through a symbolic link
        arrival = Arrival(time.time(), event.assoc.requestor.ae_title, patient, study, series,
                          sop_instance, text_of(req, 0x00000002), ts, path, size, duplicate)
        if self.on_arrival is not None and not (duplicate and self.on_duplicate == "keep"):
            self.on_arrival(arrival)
        with self._lock:
            self.received.append(arrival)
            self.count += 1
            self.duplicates += duplicate
        return 0x0000

    def identifiers(self, event: StoreEvent) -> Dataset:
        """The identifiers of a received data set (:func:`.read_identifiers`), checked.

        Raises :class:`.StoreRefused` for a data set that cannot be read, a deflated one that
        inflates beyond :attr:`max_instance_bytes`, or an identifier longer than any DICOM
        value (:func:`.check_identifiers`).
        """
        ts = event.context.transfer_syntax
        if UID(ts).is_deflated and inflated_size_exceeds(event.dataset_path, event.file_offset,
                                                         self.max_instance_bytes):
            raise too_large(self.max_instance_bytes)
        try:
            ids = read_identifiers(event.dataset_path, event.file_offset, ts)
        except StoreRefused as exc:  # its words come from pydicom: for our log only
            self._note(f"{event.assoc.requestor.ae_title}: {exc.comment}")
            raise StoreRefused(0xC000, "cannot read the data set's identifiers") from None
        return check_identifiers(ids)

    def commit(self, file: AtomicFile, path: Path) -> None:
        """Put ``file`` at ``path`` below :attr:`folder`, refusing any symbolic link on the way."""
        try:
            commit_below(file, self.folder, path)
        except LinkRefused as exc:
            self._note(f"{self.folder}: {exc}")
            raise StoreRefused(0xA700, "the storage folder holds a symbolic link where this "
                                       "instance goes: not followed") from None

    # -- connections (each in its own thread, from the Doorman)
    def _connection(self, guest: Guest) -> None:
        link = Link(guest.sock, f"{guest.address[0]}:{guest.address[1]}", self.max_pdu,
                    self.timeouts)
        try:
            assoc = self._associate(link, guest)
            if assoc is not None:
                self._serve(link, assoc)
        except ProtocolError as exc:
            self._note(f"{link.peer}: {exc}; association aborted by us")
            link.abort(2, exc.abort_reason)
        except PeerAborted as exc:
            self._note(f"{link.peer}: {exc}")
        except OSError as exc:  # a timeout is one
            self._note(f"{link.peer}: {_oserror_text(exc) if exc.errno else exc}; "
                       "association aborted by us")
            link.abort(2, 0)
        finally:
            link.close()
            with self._lock:
                self._open.discard(link)

    def _associate(self, link: Link, guest: Guest) -> Association | None:
        """Read the A-ASSOCIATE-RQ (all of it before the ACSE deadline) and answer it."""
        try:
            kind, length = link.read_header(guest.deadline - time.monotonic())
            link.deadline = guest.deadline
            if kind != 0x01:
                raise ProtocolError(f"{link.peer} sent {pdu.PDU_NAMES[kind]} before an "
                                    "A-ASSOCIATE-RQ", 2)
            rq = pdu.decode_associate_rq(link.read_exact(length))
        finally:
            guest.leave()
        if guest.evicted:
            raise PeerAborted(f"{link.peer} was too slow while others waited")
        refusal = stranger(guest.address, guest.sock.getsockname()) if self.same_user_only else None
        if refusal is not None:
            self._note(f"{rq.calling_ae}@{refusal}; association rejected by us")
            link.send(pdu.encode_associate_rj(1, 1, 1))  # permanent, no reason given
            return None
        rejection = self._rejection(rq)
        with self._lock:
            if rejection is None and len(self._open) >= self.max_associations:
                rejection = (2, 3, 2)  # transient, presentation provider, local limit exceeded
            if rejection is None:
                self._open.add(link)
                self.associations += 1
        if rejection is not None:
            self._note(f"{rq.calling_ae}@{link.peer}: association rejected by us "
                       f"({pdu.reject_text(*rejection)})")
            link.send(pdu.encode_associate_rj(*rejection))
            return None
        results = {cid: self._negotiate(abstract, syntaxes)
                   for cid, (abstract, syntaxes) in rq.contexts.items()}
        link.send(pdu.encode_associate_ac(rq, results, self.max_pdu))
        contexts = {cid: Context(cid, rq.contexts[cid][0], syntax)
                    for cid, (result, syntax) in results.items() if result == 0}
        return Association(Peer(rq.calling_ae, guest.address[0], guest.address[1]), contexts,
                           rq.max_pdu)

    def _rejection(self, rq: pdu.AssociateRequest) -> tuple[int, int, int] | None:
        if rq.application_context != pdu.APPLICATION_CONTEXT:
            return (1, 1, 2)
        if rq.called_ae != self.ae_title:
            return (1, 1, 7)
        if self.allowed_calling_aes is not None and rq.calling_ae not in self.allowed_calling_aes:
            return (1, 1, 3)
        return None

    def _negotiate(self, abstract: str, syntaxes: list[str]) -> tuple[int, str]:
        """(result, transfer syntax) for one proposed context (PS3.8 9.3.3.2)."""
        if abstract == VERIFICATION:
            ours = ["1.2.840.10008.1.2", "1.2.840.10008.1.2.1"]
        elif abstract in self.storage_classes or is_retired_storage_class(abstract):
            ours = self.transfer_syntaxes
        else:
            return (3, syntaxes[0] if syntaxes else "")
        chosen = next((t for t in syntaxes if t in ours), None)
        return (0, chosen) if chosen else (4, syntaxes[0] if syntaxes else "")

    def _serve(self, link: Link, assoc: Association) -> None:
        """Answer messages until release.

        The next (unnamed) temporary file is made while the peer prepares its next request:
        creating a file waits on the disk too (measured: 15 % of our time when it was made
        after the request had arrived).
        """
        opened: list[_Incoming] = []
        spare: list[AtomicFile] = []

        def open_sink(cid: int, command: Dataset) -> _Incoming:
            if cid not in assoc.contexts:
                raise ProtocolError(f"presentation context {cid} was not accepted", 6)
            opened.append(_Incoming(self, assoc, cid, command, spare.pop() if spare else None))
            return opened[-1]

        try:
            while True:
                opened.clear()
                try:
                    cid, command, sink = link.read_message(self.timeouts.network, open_sink)
                except ReleaseRequested:
                    for file in spare:  # gone before the peer hears that we are done
                        file.discard()
                    link.send(pdu.RELEASE_RP)
                    return
                except BaseException:
                    for sink in opened:  # an aborted transfer leaves nothing behind
                        sink.discard()
                    raise
                if cid not in assoc.contexts:
                    raise ProtocolError(f"presentation context {cid} was not accepted", 6)
                response = self._answer(assoc, cid, command, sink)
                link.send(*pdu.p_data_pdus(cid, response, True, assoc.peer_max_pdu))
                if not spare and isinstance(sink, _Incoming):
                    try:
                        file = self.new_file()
                    except OSError:
                        continue  # the next request says why, if it still fails
                    if file.anonymous:  # a spare nobody can see; elsewhere, none
                        spare.append(file)
                    else:
                        file.discard()
        finally:
            for file in spare:
                file.discard()

    def new_file(self) -> AtomicFile:
        """A new temporary file in ``.incoming/`` (raises OSError).

        The package's one atomic write, used as a class rather than through
        :func:`~workshop_helpers.tools.atomic_file`: an instance is streamed to disk as it
        arrives, before its path is known (the identifiers are read back from the file), and
        the file is made ahead, while the peer prepares its next request.
        """
        if not is_real_folder(self.incoming):
            raise LinkRefused(f"{self.incoming.name} is a symbolic link or not a folder: not "
                              "followed")
        return AtomicFile(self.incoming, f"{next(self.numbers)}.part")

    def _answer(self, assoc: Association, cid: int, command: Dataset, sink) -> bytes:
        field = int(command.CommandField)
        message_id = int(command.get("MessageID", 0))
        if field != 0x0001 or sink is None:
            if sink is not None:
                sink.discard()
            if field == 0x0030:
                return pdu.c_echo_command(message_id, response=True)
            if field == 0x0001:
                return pdu.c_store_response(message_id, text_of(command, 0x00000002),
                                            text_of(command, 0x00001000), 0xC000,
                                            "the request has no data set")
            return pdu.failure_response(command, 0x0211)  # not a service of ours
        event = StoreEvent(assoc, assoc.contexts[cid], command, sink.file, sink.refused,
                           sink.header)
        try:
            status, comment = self.handle_store(event), ""
        except StoreRefused as exc:
            status, comment = exc.status, exc.comment
        except OSError as exc:
            status, comment = 0xA700, _oserror_text(exc)
        except Exception as exc:  # a failing on_arrival or a bug: log it, keep serving
            self._note(f"{assoc.requestor.ae_title}@{assoc.requestor.address}: "
                       f"{type(exc).__name__}: {exc}")
            status, comment = 0xC000, OUR_FAULT
        finally:
            sink.discard()
        if status:
            self._note(f"{assoc.requestor.ae_title}@{assoc.requestor.address}: "
                       f"{text_of(command, 0x00001000)[:64]}: answered "
                       f"{status_text(status)} ({comment})")
        return pdu.c_store_response(message_id, text_of(command, 0x00000002),
                                    text_of(command, 0x00001000), status, comment)

    def _note(self, text: str) -> None:
        with self._lock:
            self.failures.append(text)
        if self.on_failure is None:
            return
        try:
            self.on_failure(text)
        except Exception as exc:  # a bad callback must not break the server
            with self._lock:
                self.failures.append(f"on_failure raised {type(exc).__name__}: {exc}")
