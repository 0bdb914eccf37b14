"""What a :class:`~.scp.StorageSCP` hands its store handler, in pynetdicom's shape.

A handler gets a :class:`StoreEvent` (``event.assoc.requestor.ae_title``, ``event.context``,
``event.request``, ``event.dataset_path``) and returns a status, as one bound to pynetdicom's
``evt.EVT_C_STORE``; an instance it stored is an :class:`Arrival`. :class:`_Incoming` is where
a data set goes while it arrives: a temporary file, held to the SCP's size limit, refused with a
status (PS3.4 B.2.3) before a byte is stored when the request is wrong.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pydicom.dataset import Dataset

from ..tools import AtomicFile
from .guard import LinkRefused, too_large
from .storage import StoreRefused, file_header, is_valid_uid, text_of

if TYPE_CHECKING:
    from .scp import StorageSCP


@dataclass(frozen=True)
class Arrival:
    """One instance a :class:`StorageSCP` stored.

    Attributes
    ----------
    time : float
        When it was stored (seconds since the epoch).
    calling_ae : str
        The AE title of the peer that sent it.
    patient_id, study_uid, series_uid, sop_instance_uid, sop_class_uid : str
        Its identifiers, as received.
    transfer_syntax : str
        The transfer syntax it came in (the accepted presentation context's).
    path : pathlib.Path
        Where it is now.
    size : int
        Bytes of its data set.
    duplicate : bool
        A SOP Instance UID that was already stored.
    """

    time: float
    calling_ae: str
    patient_id: str
    study_uid: str
    series_uid: str
    sop_instance_uid: str
    sop_class_uid: str
    transfer_syntax: str
    path: Path
    size: int
    duplicate: bool = False


@dataclass(frozen=True)
class Peer:
    """The association's requestor, as pynetdicom calls it: ``event.assoc.requestor.ae_title``."""

    ae_title: str
    address: str
    port: int


@dataclass(frozen=True)
class Context:
    """An accepted presentation context: ``event.context.transfer_syntax`` as in pynetdicom."""

    context_id: int
    abstract_syntax: str
    transfer_syntax: str


@dataclass
class Association:
    """What one accepted association knows; ``event.assoc`` in a handler."""

    requestor: Peer
    contexts: dict[int, Context]
    peer_max_pdu: int


@dataclass
class StoreEvent:
    """A complete C-STORE request, in the shape of pynetdicom's ``evt.EVT_C_STORE`` event.

    ``request`` is the command set (``AffectedSOPInstanceUID``, ``MessageID`` ...), and the data
    set waits in a temporary file (``dataset_path``, as with pynetdicom's
    ``_config.STORE_RECV_CHUNKED_DATASET``) that the handler commits or leaves to be removed.
    """

    assoc: Association
    context: Context
    request: Dataset
    file: AtomicFile | None
    refused: StoreRefused | None = None
    file_offset: int = 0  # where the data set starts in the temporary file

    @property
    def dataset_path(self) -> Path | None:
        """The temporary file: File Meta Information, then the data set as received."""
        return None if self.file is None else self.file.path


class _Incoming:
    """Where the data set of one C-STORE goes while it arrives (a sink for :meth:`Link.read_message`)."""

    def __init__(self, scp: StorageSCP, assoc: Association, cid: int, command: Dataset,
                 spare: AtomicFile | None = None) -> None:
        self.file: AtomicFile | None = None
        self.refused: StoreRefused | None = None
        self.header = 0
        self.limit = scp.max_instance_bytes
        context = assoc.contexts[cid]
        sop_class = text_of(command, 0x00000002)
        sop_instance = text_of(command, 0x00001000)
        try:
            if int(command.CommandField) != 0x0001:
                raise StoreRefused(0x0211, "only C-STORE and C-ECHO are served here")
            for name, uid in (("Affected SOP Class UID", sop_class),
                              ("Affected SOP Instance UID", sop_instance)):
                if not is_valid_uid(uid):
                    raise StoreRefused(0xC000, f"{name} is empty or not a UID")
            if sop_class != context.abstract_syntax:
                raise StoreRefused(0xA900, "SOP Class differs from the presentation context")
            self.file, spare = spare or scp.new_file(), None
            caller = assoc.requestor.ae_title  # (0002,0016) as dcmtk's storescp writes it
            head = file_header(sop_class, sop_instance, context.transfer_syntax, caller,
                               sending_ae=caller, receiving_ae=scp.ae_title)
            self.file.write(head)
            self.header = len(head)
        except StoreRefused as exc:
            self.refused = exc
        except OSError as exc:
            self.refused = StoreRefused(0xA700, _oserror_text(exc))
        finally:
            if spare is not None:  # not used: a refused request
                spare.discard()

    def write(self, view) -> None:
        if self.file is None:
            return
        if self.file.size - self.header + len(view) > self.limit:  # keep reading, store nothing
            self.refused = too_large(self.limit)
            self.discard()
            return
        try:
            self.file.write(view)
        except OSError as exc:  # disk full: keep reading the message, answer a failure
            self.refused = StoreRefused(0xA700, _oserror_text(exc))
            self.discard()

    def discard(self) -> None:
        if self.file is not None:
            self.file.discard()
            self.file = None


def _oserror_text(exc: OSError) -> str:
    """Words for a peer: the system's name of the error, never Python's text or a path."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "disk full"
    if isinstance(exc, LinkRefused):
        return str(exc)
    return f"cannot store: {exc.strerror}" if exc.strerror else "cannot store here"
