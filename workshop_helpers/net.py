"""DICOM networking for the course: a storage SCP, a storage SCU and C-ECHO (built on pynetdicom).

A *Service Class Provider* (SCP) waits for associations and stores what it receives; a *Service
Class User* (SCU) opens an association, proposes *presentation contexts* (an abstract syntax — the
SOP Class — plus the transfer syntaxes it can send), and sends C-STORE requests (PS3.4 Annex B,
PS3.7 9.1.1). Everything here listens on and talks to 127.0.0.1 unless told otherwise.

- :class:`StorageSCP` runs in the background (a context manager), keeps a live record of what
  arrived and stores ``folder/<PatientID>/<StudyInstanceUID>/<SeriesInstanceUID>/<SOPInstanceUID>.dcm``
  from the received bytes, atomically, with every path part made safe (:func:`safe_path_part`).
- :func:`send` stores files or datasets on a peer and returns one :class:`SendResult` per item
  with a readable reason when it failed; :func:`echo` is a C-ECHO ("DICOM ping").

Speed (measured with ``benchmarks/store_throughput.py`` against dcmtk): pynetdicom does the
association negotiation (ACSE) and decodes what arrives, but the bulk of a C-STORE takes shorter
roads, each a few lines below: the SCU writes P-DATA PDUs for the file's bytes straight to the
socket (:func:`p_data_pdus`), the SCP stores a request in the thread that decoded it and writes
its C-STORE response itself (:func:`c_store_response`), files get their File Meta Information
written by hand (:func:`file_header`), and every socket has TCP_NODELAY set.

Examples
--------
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as folder, StorageSCP(folder, port=0) as scp:
...     echo("127.0.0.1", scp.port, called_ae=scp.ae_title).ok
True
"""

from __future__ import annotations

import hashlib
import itertools
import os
import queue
import re
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pydicom
from pydicom.dataset import Dataset
from pydicom.filebase import DicomBytesIO
from pydicom.filereader import read_dataset
from pydicom.uid import PYDICOM_IMPLEMENTATION_UID, UID
from pynetdicom.dsutils import encode, split_dataset

__all__ = [
    "NetError",
    "free_port",
    "safe_path_part",
    "file_header",
    "Arrival",
    "StorageSCP",
    "SendResult",
    "send",
    "EchoResult",
    "echo",
    "status_text",
    "proposed_contexts",
    "table_text",
    "dcmtk_storescp",
    "sequence_diagram",
    "c_store_command",
    "c_store_response",
    "p_data_pdus",
    "register_cli",
]

#: The largest PDU we accept: 0 would mean "no limit"; 4 MiB keeps a peer from sending one huge PDU.
MAX_PDU = 4 * 1024 * 1024
#: pynetdicom's reactors sleep this long (seconds) between polls when idle (its default is 0.001).
RUN_LOOP_DELAY = 0.0001
IMPLEMENTATION_VERSION = "WORKSHOP_NET_1"


class NetError(RuntimeError):
    """A network operation could not be done; the message says what, with whom and why."""


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that nobody listens on right now (for a server you start a moment later).

    Examples
    --------
    >>> 1024 < free_port() < 65536
    True
    """
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------- safe file names

_SAFE_CHARS = re.compile(r"[^A-Za-z0-9._^-]")
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"} | {
    f"{p}{i}" for p in ("COM", "LPT") for i in range(10)
}
MAX_PART = 64


def safe_path_part(value: object, fallback: str = "UNKNOWN") -> str:
    """Turn a received value (an ID, a UID, an AE title) into one safe file-name part.

    The result only has letters, digits and ``. _ ^ -``; it is never empty, ``.`` or ``..``, never
    starts with a dot, is not a Windows-reserved name (``CON``, ``NUL``, ``COM1`` ...) and is at most
    64 characters long. When the value had to be changed, a short hash of the original is appended,
    so two different values do not end up in the same place. This is the defence against the
    path-traversal class of bug of CVE-2022-2119/2120 (dcmtk before 3.6.7).

    Examples
    --------
    >>> safe_path_part("1.2.840.10008.5.1.4.1.1.2")
    '1.2.840.10008.5.1.4.1.1.2'
    >>> safe_path_part("../../etc/passwd")[:20]
    '__.._etc_passwd-936d'
    >>> safe_path_part(""), safe_path_part(None, fallback="NO_ID")
    ('UNKNOWN', 'NO_ID')
    """
    text = "" if value is None else str(value)
    text = text.strip(" \x00")
    if not text:
        return fallback
    clean = _SAFE_CHARS.sub("_", text)
    clean = clean.rstrip(". ")
    clean = re.sub(r"^\.+", "_", clean)
    if clean.split(".")[0].upper() in _WINDOWS_RESERVED:
        clean = "_" + clean
    if clean != text or len(clean) > MAX_PART:
        digest = hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        clean = f"{clean[:MAX_PART - 9]}-{digest}"
    return clean or fallback


# --------------------------------------------------------------------------- status codes

_STATUS = {
    0x0000: "Success",
    0xA700: "Refused: out of resources",
    0xA900: "Error: data set does not match SOP Class",
    0xC000: "Error: cannot understand",
    0xB000: "Warning: coercion of data elements",
    0xB007: "Warning: data set does not match SOP Class",
    0xB006: "Warning: elements discarded",
    0x0122: "Refused: SOP Class not supported",
    0x0211: "Unrecognised operation",
}


def status_text(code: int) -> str:
    """A readable name for a C-STORE/C-ECHO status code (PS3.4 B.2.3, PS3.7 Annex C).

    Examples
    --------
    >>> status_text(0x0000), status_text(0xA700)
    ('Success', 'Refused: out of resources')
    >>> status_text(0xA7FF)
    'Refused: out of resources (0xA7FF)'
    """
    if code in _STATUS:
        return _STATUS[code]
    if 0xA700 <= code <= 0xA7FF:
        return f"Refused: out of resources (0x{code:04X})"
    if 0xA900 <= code <= 0xA9FF:
        return f"Error: data set does not match SOP Class (0x{code:04X})"
    if 0xC000 <= code <= 0xCFFF:
        return f"Error: cannot understand (0x{code:04X})"
    return f"status 0x{code:04X}"


# --------------------------------------------------------------------------- pynetdicom tuning

def _tune_socket(sock: socket.socket | None) -> None:
    """TCP_NODELAY: a C-STORE is many writes answered by one small reply.

    Without it, Nagle's algorithm holds back the last small segment until the peer's delayed
    ACK arrives (tens of milliseconds per message). Buffer sizes are left to the kernel:
    setting SO_RCVBUF after the connection is made disables its auto-tuning and, measured here,
    stalled transfers to dcmtk's storescp.
    """
    if sock is None:
        return
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except OSError:  # pragma: no cover - not a TCP socket
        pass


def _tune_association(assoc) -> None:
    """Shorter idle polling and socket options for one pynetdicom association."""
    assoc.dul._run_loop_delay = RUN_LOOP_DELAY
    sock = getattr(assoc.dul, "socket", None)
    _tune_socket(getattr(sock, "socket", None))
    if sock is not None and not getattr(sock, "_workshop_fast", False):
        sock.recv = _fast_recv.__get__(sock)  # read big blocks instead of 4 KiB pieces
        sock._workshop_fast = True


def _fast_recv(self, nr_bytes: int) -> bytearray:
    """Read exactly ``nr_bytes`` (or what came before the peer closed) into one buffer."""
    buf = bytearray(nr_bytes)
    view = memoryview(buf)
    got = 0
    while got < nr_bytes:
        n = self.socket.recv_into(view[got:], nr_bytes - got)
        if not n:
            del view
            return buf[:got]
        got += n
    del view
    return buf


def c_store_response(message_id: int, sop_class: str, sop_instance: str, status: int) -> bytes:
    """The command set of a C-STORE response (PS3.7 9.3.1.2), implicit VR little endian.

    Examples
    --------
    >>> from pydicom.filereader import read_dataset
    >>> from pydicom.filebase import DicomBytesIO
    >>> rsp = read_dataset(DicomBytesIO(c_store_response(7, "1.2.840.10008.5.1.4.1.1.2", "1.2.3", 0)),
    ...                    is_implicit_VR=True, is_little_endian=True)
    >>> hex(rsp.CommandField), rsp.MessageIDBeingRespondedTo, rsp.Status
    ('0x8001', 7, 0)
    """
    body = b"".join([
        _element(0, 0x0002, None, _padded(sop_class)),
        _element(0, 0x0100, None, struct.pack("<H", 0x8001)),  # C-STORE-RSP
        _element(0, 0x0120, None, struct.pack("<H", message_id)),
        _element(0, 0x0800, None, struct.pack("<H", 0x0101)),  # no data set
        _element(0, 0x0900, None, struct.pack("<H", status)),
        _element(0, 0x1000, None, _padded(sop_instance)),
    ])
    return _element(0, 0x0000, None, struct.pack("<I", len(body))) + body


def _answer_directly(assoc) -> None:
    """Let our C-STORE handler write its own response; pynetdicom then skips sending one.

    pynetdicom builds a response primitive, turns it into a pydicom Dataset and sends it through
    its queues and state machine: measured, that was as costly as receiving and storing the
    instance. Our handler writes the same few bytes straight to the socket instead.
    """
    from pynetdicom.dimse_primitives import C_STORE

    dimse = assoc.dimse
    if getattr(dimse, "_workshop_answered", None) is not None:
        return
    dimse._workshop_answered = set()
    original = dimse.send_msg

    def send_msg(primitive, context_id):
        if isinstance(primitive, C_STORE) and primitive.MessageIDBeingRespondedTo is not None:
            key = (context_id, primitive.MessageIDBeingRespondedTo)
            if key in dimse._workshop_answered:
                dimse._workshop_answered.discard(key)
                return
        original(primitive, context_id)

    dimse.send_msg = send_msg


def _send_store_response(event, status: int) -> None:
    """Write the C-STORE-RSP for ``event`` to the socket (see :func:`_answer_directly`)."""
    assoc = event.assoc
    answered = getattr(assoc.dimse, "_workshop_answered", None)
    sock = getattr(getattr(assoc.dul, "socket", None), "socket", None)
    if answered is None or sock is None:
        return  # pynetdicom answers as usual
    req = event.request
    context_id = event.context.context_id
    command = c_store_response(req.MessageID, req.AffectedSOPClassUID,
                               req.AffectedSOPInstanceUID, status)
    try:
        _send_buffers(sock, p_data_pdus(context_id, command, True, assoc.dimse.maximum_pdu_size))
    except OSError:
        return  # the peer is gone; pynetdicom's own attempt will notice
    answered.add((context_id, req.MessageID))


# --------------------------------------------------------------------------- the SCP

@dataclass(frozen=True)
class Arrival:
    """One instance a :class:`StorageSCP` received."""

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


def _identifiers(raw: bytes, transfer_syntax: UID) -> Dataset:
    """PatientID and the three UIDs read from the start of an encoded data set (no pixels)."""
    if transfer_syntax == pydicom.uid.DeflatedExplicitVRLittleEndian:
        import zlib

        raw = zlib.decompress(raw, -zlib.MAX_WBITS)
    fp = DicomBytesIO(raw)
    fp.is_little_endian = transfer_syntax.is_little_endian
    fp.is_implicit_VR = transfer_syntax.is_implicit_VR
    return read_dataset(
        fp, transfer_syntax.is_implicit_VR, transfer_syntax.is_little_endian,
        stop_when=lambda tag, vr, length: tag > 0x0020000E,
    )


def _element(group: int, elem: int, vr: bytes | None, value: bytes) -> bytes:
    """One little-endian data element; explicit VR when ``vr`` is given (PS3.5 7.1.2), else implicit."""
    if vr is None:
        return struct.pack("<HHI", group, elem, len(value)) + value
    if vr in (b"OB", b"OW", b"SQ", b"UN", b"UT", b"UC", b"UR"):
        return struct.pack("<HH2s2xI", group, elem, vr, len(value)) + value
    return struct.pack("<HH2sH", group, elem, vr, len(value)) + value


def _padded(text: str, pad: bytes = b"\x00") -> bytes:
    """ASCII bytes of even length (UIDs pad with NUL, text with a space: PS3.5 6.2)."""
    raw = text.encode("ascii", "replace")
    return raw + pad if len(raw) % 2 else raw


def _text(ds: Dataset, tag: int) -> str:
    """An element's value as text, straight from its raw bytes (no VR validation, no decoding).

    Identifiers are ASCII by definition (UI) or used only after :func:`safe_path_part`.
    """
    try:
        elem = ds.get_item(tag)
    except KeyError:
        return ""
    if elem is None:
        return ""
    value = elem.value
    if isinstance(value, bytes):
        return value.decode("latin-1").strip(" \x00")
    return "" if value is None else str(value).strip(" \x00")


def file_header(sop_class: str, sop_instance: str, transfer_syntax: str, source_ae: str = ""
                ) -> bytes:
    """Preamble, ``DICM`` and the File Meta Information (PS3.10 7.1) for a received data set.

    Written element by element (explicit VR little endian, as PS3.10 7.1 requires), so a storage
    SCP can put it in front of the data set bytes it received without decoding them.

    Examples
    --------
    >>> import io, pydicom
    >>> head = file_header("1.2.840.10008.5.1.4.1.1.2", "1.2.3.4", "1.2.840.10008.1.2.1", "CT01")
    >>> head[128:132]
    b'DICM'
    >>> meta = pydicom.dcmread(io.BytesIO(head)).file_meta
    >>> meta.MediaStorageSOPInstanceUID, meta.TransferSyntaxUID.name, meta.SourceApplicationEntityTitle
    ('1.2.3.4', 'Explicit VR Little Endian', 'CT01')
    """
    body = b"".join([
        _element(2, 0x0001, b"OB", b"\x00\x01"),
        _element(2, 0x0002, b"UI", _padded(sop_class)),
        _element(2, 0x0003, b"UI", _padded(sop_instance)),
        _element(2, 0x0010, b"UI", _padded(transfer_syntax)),
        _element(2, 0x0012, b"UI", _padded(PYDICOM_IMPLEMENTATION_UID)),
        _element(2, 0x0013, b"SH", _padded(IMPLEMENTATION_VERSION, b" ")),
        _element(2, 0x0016, b"AE", _padded(source_ae.strip(), b" ")) if source_ae.strip() else b"",
    ])
    return (b"\x00" * 128 + b"DICM" + _element(2, 0x0000, b"UL", struct.pack("<I", len(body)))
            + body)


@dataclass
class _StoreEvent:
    """The parts of a pynetdicom C-STORE event our handler uses (for the direct path)."""

    assoc: object
    request: object
    presentation_context: object

    @property
    def context(self):
        cx = self.presentation_context
        return _Context(cx.context_id, cx.transfer_syntax[0])


@dataclass
class _Context:
    context_id: int
    transfer_syntax: str


class StorageSCP:
    """A storage SCP (and C-ECHO SCP) running in the background.

    Parameters
    ----------
    folder : path
        Where received instances go, as
        ``folder/<PatientID>/<StudyInstanceUID>/<SeriesInstanceUID>/<SOPInstanceUID>.dcm``.
    port : int
        TCP port; 0 picks a free one (read it from :attr:`port`).
    ae_title : str
        Our AE title; associations that call another title are rejected.
    bind : str
        Address to listen on (127.0.0.1: only this machine can connect).
    allowed_calling_aes : iterable of str, optional
        When given, only peers calling from one of these AE titles are accepted.
    on_duplicate : {"overwrite", "keep"}
        What to do with a SOP Instance UID that was already stored: replace the file with the new
        one (``"overwrite"``, the default: a re-send is usually a correction) or keep the first
        (``"keep"``). Either way the answer is Success and :attr:`duplicates` counts it.
    on_arrival : callable, optional
        Called with each :class:`Arrival` (from the server's thread) — the hook a router uses.
    timeout : float
        Seconds of silence after which an association is aborted (ACSE, DIMSE and network).
    max_associations : int
        How many peers may be connected at once.
    transfer_syntaxes : iterable of UID, optional
        The transfer syntaxes we accept for storage (default: all that pynetdicom knows). A
        smaller list is how an SCP says "I cannot read JPEG" — and how a learner provokes
        "no presentation context accepted".

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.TemporaryDirectory()
    >>> scp = StorageSCP(folder.name).start()
    >>> scp.port > 0, scp.received
    (True, [])
    >>> scp.stop()
    >>> folder.cleanup()
    """

    def __init__(self, folder, port: int = 0, ae_title: str = "WORKSHOP", bind: str = "127.0.0.1",
                 *, allowed_calling_aes: Iterable[str] | None = None, on_duplicate: str = "overwrite",
                 on_arrival: Callable[[Arrival], None] | None = None, timeout: float = 30,
                 max_associations: int = 32, transfer_syntaxes: Iterable[str] | None = None
                 ) -> None:
        if on_duplicate not in ("overwrite", "keep"):
            raise ValueError(f"on_duplicate must be 'overwrite' or 'keep', not {on_duplicate!r}")
        if not 0 < len(ae_title.strip()) <= 16:
            raise ValueError(f"an AE title has 1 to 16 characters (PS3.5 6.2), got {ae_title!r}")
        self.folder = Path(folder).resolve()
        self.folder.mkdir(parents=True, exist_ok=True)
        self._incoming = self.folder / ".incoming"
        self._requested_port = int(port)
        self.ae_title = ae_title.strip()
        self.bind = bind
        self.allowed_calling_aes = (None if allowed_calling_aes is None
                                    else [a.strip() for a in allowed_calling_aes])
        self.on_duplicate = on_duplicate
        self.on_arrival = on_arrival
        self.timeout = timeout
        self.max_associations = max_associations
        self.transfer_syntaxes = None if transfer_syntaxes is None else [UID(t) for t in
                                                                        transfer_syntaxes]
        self.received: list[Arrival] = []
        self.duplicates = 0
        self.failures: list[str] = []
        self.associations = 0
        self._lock = threading.Lock()
        self._seen: set[str] = set()
        self._made: set[Path] = set()
        self._counter = itertools.count()
        self._server = None
        self._ae = None
        self._last_port = 0

    # -- life cycle
    @property
    def port(self) -> int:
        """The TCP port we listen on (known once started)."""
        if self._server is None:
            return self._last_port or self._requested_port
        return self._server.server_address[1]

    @property
    def running(self) -> bool:
        """True while the server accepts connections."""
        return self._server is not None

    def start(self) -> StorageSCP:
        """Start listening in a background thread; returns ``self``."""
        from pynetdicom import AE, ALL_TRANSFER_SYNTAXES, evt
        from pynetdicom.presentation import AllStoragePresentationContexts
        from pynetdicom.sop_class import Verification

        if self._server is not None:
            return self
        self._incoming.mkdir(exist_ok=True)
        ae = AE(ae_title=self.ae_title)
        ae.maximum_pdu_size = MAX_PDU
        ae.acse_timeout = ae.dimse_timeout = ae.network_timeout = self.timeout
        ae.connection_timeout = self.timeout
        ae.maximum_associations = self.max_associations
        ae.require_called_aet = True
        if self.allowed_calling_aes is not None:
            ae.require_calling_aet = self.allowed_calling_aes
        syntaxes = self.transfer_syntaxes or ALL_TRANSFER_SYNTAXES
        for cx in AllStoragePresentationContexts:
            ae.add_supported_context(cx.abstract_syntax, syntaxes)
        ae.add_supported_context(Verification, ALL_TRANSFER_SYNTAXES)
        handlers = [(evt.EVT_C_STORE, self._on_store), (evt.EVT_C_ECHO, lambda event: 0x0000),
                    (evt.EVT_CONN_OPEN, self._on_open)]
        try:
            self._server = ae.start_server((self.bind, self._requested_port), block=False,
                                           evt_handlers=handlers)
        except OSError as exc:
            raise NetError(f"cannot listen on {self.bind}:{self._requested_port}: {exc}") from exc
        self._ae = ae
        self._last_port = self._server.server_address[1]
        return self

    def stop(self) -> None:
        """Stop listening, abort open associations and free the port (safe to call twice)."""
        server, self._server = self._server, None
        if server is not None:
            try:
                for assoc in list(server.active_associations):
                    assoc.abort()
            finally:
                server.shutdown()
        if self._ae is not None:
            self._ae.shutdown()
            self._ae = None

    def __enter__(self) -> StorageSCP:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = f"listening on {self.bind}:{self.port}" if self.running else "stopped"
        return (f"<StorageSCP {self.ae_title!r} {state}, {len(self.received)} received, "
                f"{self.duplicates} duplicate(s) -> {self.folder}>")

    # -- what arrived
    def table(self) -> list[dict]:
        """What arrived, one dict per instance (for a pandas DataFrame or a printed table)."""
        with self._lock:
            rows = list(self.received)
        return [{"patient": a.patient_id, "study": a.study_uid, "series": a.series_uid,
                 "instance": a.sop_instance_uid, "from": a.calling_ae, "bytes": a.size,
                 "path": str(a.path.relative_to(self.folder)), "duplicate": a.duplicate}
                for a in rows]

    def wait_for(self, count: int, timeout: float = 10) -> bool:
        """Wait until at least ``count`` instances arrived (True) or ``timeout`` seconds passed."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if len(self.received) >= count:
                return True
            time.sleep(0.01)
        return len(self.received) >= count

    def path_for(self, patient_id, study_uid, series_uid, sop_instance_uid) -> Path:
        """Where an instance with these identifiers is stored (always below :attr:`folder`)."""
        parts = (safe_path_part(patient_id, "NO_PATIENT_ID"),
                 safe_path_part(study_uid, "NO_STUDY_UID"),
                 safe_path_part(series_uid, "NO_SERIES_UID"),
                 safe_path_part(sop_instance_uid, "NO_SOP_INSTANCE_UID") + ".dcm")
        if any(p in ("", ".", "..") or "/" in p or os.sep in p for p in parts):
            raise NetError(f"refusing unsafe path parts {parts}")  # cannot happen; checked anyway
        return self.folder.joinpath(*parts)

    # -- handlers (run in the association's thread)
    def _on_open(self, event) -> None:
        assoc = event.assoc
        _tune_association(assoc)
        _answer_directly(assoc)
        self._serve_in_reader(assoc)
        with self._lock:
            self.associations += 1

    def _serve_in_reader(self, assoc) -> None:
        """Store a complete C-STORE request as soon as the DUL thread has decoded it.

        pynetdicom hands each request to the association's own thread, which looks for work
        every millisecond (a ``time.sleep(0.001)`` loop) and then wraps our handler in its
        Storage service class. Here the DUL thread that assembled the message calls our
        handler directly; any other message (C-ECHO, release, ...) takes pynetdicom's usual way.
        """
        from pynetdicom.dimse_primitives import C_STORE

        queue_ = assoc.dimse.msg_queue
        usual_put = queue_.put

        def put(item, *args, **kwargs):
            context_id, primitive = item
            if (isinstance(primitive, C_STORE) and primitive.MessageIDBeingRespondedTo is None
                    and primitive.DataSet is not None and assoc.is_acceptor):
                cx = assoc._accepted_cx.get(context_id)
                if cx is not None:
                    view = _StoreEvent(assoc, primitive, cx)
                    self._on_store(view)
                    return None
            return usual_put(item, *args, **kwargs)

        queue_.put = put

    def _on_store(self, event) -> int:
        try:
            status = self._store(event)
        except Exception as exc:  # answer the peer with a status, keep serving
            with self._lock:
                self.failures.append(f"{type(exc).__name__}: {exc}")
            status = 0xA700 if isinstance(exc, OSError) else 0xC000
        _send_store_response(event, status)
        return status

    def _store(self, event) -> int:
        req = event.request
        ts = UID(event.context.transfer_syntax)
        stream = req.DataSet
        raw = stream.getvalue() if hasattr(stream, "getvalue") else bytes(stream)
        ids = _identifiers(raw, ts)
        patient, study, series = (_text(ids, 0x00100020), _text(ids, 0x0020000D),
                                  _text(ids, 0x0020000E))
        sop_instance = _text(ids, 0x00080018) or str(req.AffectedSOPInstanceUID or "")
        sop_class = str(req.AffectedSOPClassUID or _text(ids, 0x00080016))
        calling = event.assoc.requestor.ae_title
        calling = calling.decode("ascii", "replace") if isinstance(calling, bytes) else str(calling)
        path = self.path_for(patient, study, series, sop_instance)
        with self._lock:
            duplicate = sop_instance in self._seen
            self._seen.add(sop_instance)
            if duplicate:
                self.duplicates += 1
        if not (duplicate and self.on_duplicate == "keep"):
            header = file_header(sop_class, sop_instance, ts, calling)
            if path.parent not in self._made:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._made.add(path.parent)
            tmp = self._incoming / f"{next(self._counter)}-{threading.get_ident()}.part"
            try:
                with open(tmp, "xb", buffering=0) as f:
                    f.write(header)
                    f.write(raw)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        arrival = Arrival(time.time(), calling.strip(), patient, study, series, sop_instance,
                          sop_class, str(ts), path, len(raw), duplicate)
        with self._lock:
            self.received.append(arrival)
        if self.on_arrival is not None:
            self.on_arrival(arrival)
        return 0x0000


# --------------------------------------------------------------------------- the SCU

@dataclass
class SendResult:
    """What happened to one file or dataset given to :func:`send`."""

    item: str
    sop_class_uid: str = ""
    transfer_syntax: str = ""
    status: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        """True when the peer answered Success (0x0000) or a Warning (0xB...)."""
        return self.status is not None and (self.status == 0 or (self.status >> 12) == 0xB)

    def __str__(self) -> str:
        code = "----" if self.status is None else f"{self.status:04X}"
        return f"{code}  {Path(self.item).name if os.sep in self.item else self.item}: {self.reason}"


@dataclass
class _Item:
    label: str
    source: object  # Path or Dataset
    sop_class: UID
    sop_instance: str
    transfer_syntax: UID
    offset: int = 0  # where the data set starts in the file (after the file meta)
    result: SendResult = field(init=False)

    def __post_init__(self):
        self.result = SendResult(self.label, str(self.sop_class), str(self.transfer_syntax))


def _uid_name(uid: str) -> str:
    name = UID(uid).name
    return name if name and name != uid else uid


def _describe(source) -> _Item | SendResult:
    """SOP Class, SOP Instance and transfer syntax of a path or dataset (no pixel data read)."""
    if isinstance(source, Dataset):
        label = f"dataset {source.get('SOPInstanceUID', '?')}"
        meta = getattr(source, "file_meta", None)
        ts = getattr(meta, "TransferSyntaxUID", None) or pydicom.uid.ExplicitVRLittleEndian
        if "SOPClassUID" not in source or "SOPInstanceUID" not in source:
            return SendResult(label, reason="not sent: the dataset has no SOPClassUID/SOPInstanceUID")
        return _Item(label, source, UID(source.SOPClassUID), str(source.SOPInstanceUID), UID(ts))
    path = Path(source)
    label = str(path)
    try:
        meta, offset = split_dataset(path)
        sop_class = meta.get("MediaStorageSOPClassUID")
        sop_instance = meta.get("MediaStorageSOPInstanceUID")
        ts = meta.get("TransferSyntaxUID")
    except FileNotFoundError:
        return SendResult(label, reason="not sent: no such file")
    except Exception as exc:
        return SendResult(label, reason=f"not sent: not a DICOM file ({exc})")
    if not (sop_class and sop_instance and ts):
        return SendResult(label, reason="not sent: the file meta has no SOP Class, SOP Instance "
                                        "or Transfer Syntax UID (PS3.10 7.1)")
    return _Item(label, path, UID(sop_class), str(sop_instance), UID(ts), offset)


def proposed_contexts(paths_or_datasets) -> list[tuple[str, str]]:
    """The presentation contexts :func:`send` proposes: one (SOP Class, transfer syntax) each.

    An abstract syntax (the SOP Class UID) with the transfer syntax the data are encoded in
    (PS3.8 7.1.1.13, PS3.7 Annex D). Items that cannot be sent are left out.

    Examples
    --------
    >>> from pydicom.data import get_testdata_file
    >>> [(UID(a).name, UID(t).name) for a, t in proposed_contexts(get_testdata_file("CT_small.dcm"))]
    [('CT Image Storage', 'Explicit VR Little Endian')]
    """
    if isinstance(paths_or_datasets, (str, os.PathLike, Dataset)):
        paths_or_datasets = [paths_or_datasets]
    items = [d for d in map(_describe, paths_or_datasets) if isinstance(d, _Item)]
    return [(str(a), str(t)) for a, t in dict.fromkeys((i.sop_class, i.transfer_syntax)
                                                        for i in items)]


def _associate(ae, host: str, port: int, called_ae: str):
    """``ae.associate`` that also notes whether the TCP connection opened at all."""
    from pynetdicom import evt

    opened: list[bool] = []
    assoc = ae.associate(host, port, ae_title=called_ae,
                         evt_handlers=[(evt.EVT_CONN_OPEN, lambda event: opened.append(True))])
    assoc._workshop_connected = bool(opened)
    return assoc


def _association_failure(assoc, host: str, port: int, called_ae: str) -> str:
    """A readable reason why an association was not established."""
    if not getattr(assoc, "_workshop_connected", True):
        return f"connection refused at {host}:{port} (is the SCP running?)"
    if assoc.is_rejected:
        rsp = assoc.acceptor.primitive
        reason = getattr(rsp, "result_str", "") if rsp is not None else ""
        diag = getattr(rsp, "reason_str", "") if rsp is not None else ""
        text = f"association rejected by {host}:{port} ({reason}): {diag}".rstrip(": ")
        if "Called AE" in diag:
            text = (f"association rejected: called AE title not recognised "
                    f"({called_ae!r} is not the title of {host}:{port})")
        elif "Calling AE" in diag:
            text = "association rejected: calling AE title not recognised (not on the peer's list)"
        return text
    if assoc.is_aborted:
        return f"association aborted by {host}:{port} (during negotiation, or timed out)"
    return f"no association with {host}:{port} (no answer within the timeout)"


def send(paths_or_datasets, host: str = "127.0.0.1", port: int = 11112, called_ae: str = "ANY-SCP",
         *, calling_ae: str = "WORKSHOP-SCU", timeout: float = 30, progress: bool | None = None
         ) -> list[SendResult]:
    """Store files or datasets on a peer with C-STORE; one :class:`SendResult` per item.

    The presentation contexts proposed are exactly the pairs (SOP Class, transfer syntax) the
    items need, read from each file's meta information (no pixel data read). Files are sent from
    their bytes, without decoding. A progress bar appears for more than 20 items
    (``progress=False`` hides it). Nothing raises for a peer that is down or refuses: the
    report says why, per item.

    Examples
    --------
    >>> import tempfile
    >>> from pydicom.data import get_testdata_file
    >>> with tempfile.TemporaryDirectory() as folder, StorageSCP(folder) as scp:
    ...     report = send([get_testdata_file("CT_small.dcm")], port=scp.port, called_ae="WORKSHOP")
    >>> report[0].ok, report[0].reason
    (True, 'Success')
    """
    from pynetdicom import AE

    if isinstance(paths_or_datasets, (str, os.PathLike, Dataset)):
        paths_or_datasets = [paths_or_datasets]
    described = [_describe(s) for s in paths_or_datasets]
    results = [d if isinstance(d, SendResult) else d.result for d in described]
    items = [d for d in described if isinstance(d, _Item)]
    if not items:
        return results
    # one presentation context per (SOP Class, transfer syntax); at most 128 per association
    pairs = list(dict.fromkeys((i.sop_class, i.transfer_syntax) for i in items))  # in order
    batches = [pairs[k:k + 128] for k in range(0, len(pairs), 128)]
    show = len(items) > 20 if progress is None else progress
    bar = None
    if show:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(items), unit="file", desc=f"C-STORE to {called_ae}@{host}:{port}")
    try:
        for batch in batches:
            wanted = set(batch)
            todo = [i for i in items if (i.sop_class, i.transfer_syntax) in wanted]
            ae = AE(ae_title=calling_ae)
            ae.maximum_pdu_size = MAX_PDU
            ae.acse_timeout = ae.dimse_timeout = ae.network_timeout = timeout
            ae.connection_timeout = min(timeout, 10)
            for sop_class, ts in batch:
                ae.add_requested_context(sop_class, [ts])
            assoc = _associate(ae, host, port, called_ae)
            if not assoc.is_established:
                reason = _association_failure(assoc, host, port, called_ae)
                for i in todo:
                    i.result.reason = reason
                if bar is not None:
                    bar.update(len(todo))
                continue
            _tune_association(assoc)
            accepted = {(UID(cx.abstract_syntax), UID(cx.transfer_syntax[0])): cx.context_id
                        for cx in assoc.accepted_contexts}
            try:
                _send_all(assoc, todo, accepted, host, port, timeout, bar)
            finally:
                if assoc.is_established:
                    assoc.release()
    finally:
        if bar is not None:
            bar.close()
    return results


def c_store_command(message_id: int, sop_class: str, sop_instance: str, priority: int = 0
                    ) -> bytes:
    """The command set of a C-STORE request (PS3.7 9.3.1.1), implicit VR little endian (PS3.7 6.3.1).

    Examples
    --------
    >>> from pydicom.filereader import read_dataset
    >>> from pydicom.filebase import DicomBytesIO
    >>> cmd = read_dataset(DicomBytesIO(c_store_command(7, "1.2.840.10008.5.1.4.1.1.2", "1.2.3")),
    ...                    is_implicit_VR=True, is_little_endian=True)
    >>> hex(cmd.CommandField), cmd.MessageID, cmd.AffectedSOPInstanceUID
    ('0x1', 7, '1.2.3')
    """
    body = b"".join([
        _element(0, 0x0002, None, _padded(sop_class)),
        _element(0, 0x0100, None, struct.pack("<H", 0x0001)),  # C-STORE-RQ
        _element(0, 0x0110, None, struct.pack("<H", message_id)),
        _element(0, 0x0700, None, struct.pack("<H", priority)),
        _element(0, 0x0800, None, struct.pack("<H", 0x0001)),  # a data set follows
        _element(0, 0x1000, None, _padded(sop_instance)),
    ])
    return _element(0, 0x0000, None, struct.pack("<I", len(body))) + body


def p_data_pdus(context_id: int, payload: bytes | memoryview, command: bool, max_pdu: int
                ) -> list[bytes | memoryview]:
    """``payload`` cut into P-DATA-TF PDUs of at most ``max_pdu`` bytes each (PS3.8 9.3.5, E.2).

    Each PDU carries one presentation data value: its context ID and a message control header
    (bit 0: command or data set; bit 1: last fragment). Returned as a list of buffers (headers and
    views of ``payload``) for a scatter-gather write, so the data set is never copied.

    Examples
    --------
    >>> parts = p_data_pdus(1, b"x" * 10, command=False, max_pdu=12)
    >>> b"".join(parts[:2]).hex(" ")
    '04 00 00 00 00 0c 00 00 00 08 01 00 78 78 78 78 78 78'
    """
    size = max_pdu - 6 if max_pdu else (1 << 20)
    view = memoryview(payload)
    total = len(view)
    parts: list[bytes | memoryview] = []
    for start in range(0, max(total, 1), size):
        chunk = view[start:start + size]
        flags = (0x01 if command else 0x00) | (0x02 if start + size >= total else 0x00)
        parts.append(struct.pack(">BBIIBB", 0x04, 0, len(chunk) + 6, len(chunk) + 2,
                                 context_id, flags))
        parts.append(chunk)
    return parts


def _send_buffers(sock: socket.socket, parts: list) -> None:
    """Write every buffer in ``parts`` (scatter-gather, resuming after partial writes)."""
    if not hasattr(sock, "sendmsg"):  # pragma: no cover - Windows
        sock.sendall(b"".join(parts))
        return
    parts = [memoryview(p).cast("B") for p in parts]
    while parts:
        sent = sock.sendmsg(parts[:512])
        while parts and sent >= len(parts[0]):
            sent -= len(parts[0])
            parts.pop(0)
        if sent:
            parts[0] = parts[0][sent:]


def _payload(item: _Item, buffer: bytearray) -> memoryview | bytes:
    """The data set bytes of an item, as they will travel (files: as stored, not re-encoded).

    A file is read into ``buffer`` (re-used from file to file: no new allocation per file).
    """
    if isinstance(item.source, Path):
        with open(item.source, "rb", buffering=0) as f:
            size = os.fstat(f.fileno()).st_size - item.offset
            f.seek(item.offset)
            if len(buffer) < size:
                try:
                    buffer.extend(bytes(size - len(buffer)))
                except BufferError:  # a view of it is still alive somewhere: do not share
                    return f.read()
            view = memoryview(buffer)[:size]
            got = 0
            while got < size:
                n = f.readinto(view[got:])
                if not n:
                    raise OSError(f"{item.source} ended early ({got} of {size} bytes)")
                got += n
            return view
    ts = item.transfer_syntax
    data = encode(item.source, ts.is_implicit_VR, ts.is_little_endian, ts.is_deflated)
    if data is None:
        raise ValueError(f"pydicom could not encode the dataset as {_uid_name(ts)}")
    return data


@contextmanager
def _reactor_paused(assoc):
    """Hold pynetdicom's association reactor so that our thread reads the C-STORE responses."""
    assoc._reactor_checkpoint.clear()
    end = time.monotonic() + 5
    while not assoc._is_paused and assoc.is_established and time.monotonic() < end:
        time.sleep(0.0001)
    try:
        yield
    finally:
        assoc._reactor_checkpoint.set()


def _wait_response(assoc, timeout: float):
    """The next DIMSE message from the peer, or None when it aborted or ``timeout`` passed."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            return assoc.dimse.msg_queue.get(block=True, timeout=0.05)[1]
        except queue.Empty:
            if assoc.acse.is_aborted() or not assoc.dul.is_alive():
                return None
    return None


def _send_all(assoc, todo: list[_Item], accepted: dict, host: str, port: int, timeout: float,
              bar) -> None:
    """C-STORE every item on one association, writing P-DATA PDUs straight to the socket.

    pynetdicom would pass every PDU through its state machine and event queues (tens of
    microseconds each, 30 per CT image at dcmtk's default 16 KiB PDUs); the ACSE, the DUL's
    reading and the decoding of the responses stay pynetdicom's.
    """
    sock = assoc.dul.socket.socket
    max_pdu = assoc.dimse.maximum_pdu_size or 0
    buffer = bytearray()
    with _reactor_paused(assoc):
        for n, item in enumerate(todo):
            res = item.result
            context_id = accepted.get((item.sop_class, item.transfer_syntax))
            if context_id is None:
                res.reason = (f"no presentation context accepted for {_uid_name(item.sop_class)} "
                              f"with {_uid_name(item.transfer_syntax)}")
            elif not assoc.is_established or assoc.acse.is_aborted():
                res.reason = f"not sent: the association with {host}:{port} ended before this item"
            else:
                _store_one(assoc, sock, item, context_id, n + 1, max_pdu, host, port, timeout,
                           buffer)
            if bar is not None:
                bar.update(1)


def _store_one(assoc, sock, item: _Item, context_id: int, message_id: int, max_pdu: int,
               host: str, port: int, timeout: float, buffer: bytearray) -> None:
    res = item.result
    try:
        data = _payload(item, buffer)
    except (OSError, ValueError, TypeError) as exc:
        res.reason = f"not sent: {exc}"
        return
    command = c_store_command(message_id & 0xFFFF, item.sop_class, item.sop_instance)
    try:
        _send_buffers(sock, p_data_pdus(context_id, command, True, max_pdu)
                      + p_data_pdus(context_id, data, False, max_pdu))
    except OSError as exc:
        res.reason = f"connection to {host}:{port} lost while sending ({exc})"
        return
    rsp = _wait_response(assoc, timeout)
    if rsp is None or getattr(rsp, "Status", None) is None:
        res.reason = f"no answer from {host}:{port} (association aborted or timed out)"
        return
    res.status = int(rsp.Status)
    res.reason = status_text(res.status)
    comment = getattr(rsp, "ErrorComment", None)
    if comment:
        res.reason += f" - {comment}"


# --------------------------------------------------------------------------- C-ECHO

@dataclass
class EchoResult:
    """The answer to a C-ECHO."""

    host: str
    port: int
    status: int | None
    reason: str
    seconds: float

    @property
    def ok(self) -> bool:
        """True when the peer answered Success."""
        return self.status == 0


def echo(host: str = "127.0.0.1", port: int = 11112, called_ae: str = "ANY-SCP", *,
         calling_ae: str = "WORKSHOP-SCU", timeout: float = 10) -> EchoResult:
    """Send a C-ECHO (Verification, PS3.4 Annex A) and say what came back.

    Examples
    --------
    >>> echo("127.0.0.1", 1, timeout=2).reason
    'connection refused at 127.0.0.1:1 (is the SCP running?)'
    """
    from pynetdicom import AE
    from pynetdicom.sop_class import Verification

    ae = AE(ae_title=calling_ae)
    ae.acse_timeout = ae.dimse_timeout = ae.network_timeout = timeout
    ae.connection_timeout = timeout
    ae.add_requested_context(Verification)
    t0 = time.perf_counter()
    assoc = _associate(ae, host, port, called_ae)
    if not assoc.is_established:
        return EchoResult(host, port, None, _association_failure(assoc, host, port, called_ae),
                          time.perf_counter() - t0)
    try:
        status = assoc.send_c_echo()
    finally:
        if assoc.is_established:
            assoc.release()
    code = int(status.Status) if "Status" in status else None
    reason = status_text(code) if code is not None else "no answer (association aborted)"
    return EchoResult(host, port, code, reason, time.perf_counter() - t0)


# --------------------------------------------------------------------------- dcmtk as a peer

@contextmanager
def dcmtk_storescp(folder, ae_title: str = "STORESCP", port: int = 0, args: Iterable[str] = (),
                   startup: float = 10):
    """Run dcmtk's ``storescp`` (the real one, not pynetdicom's look-alike) while in the block.

    Yields the port it listens on (``port=0``: a free one). It runs with ``TCP_NODELAY=1`` (see
    notebook 07) and is always stopped at the end of the block.

    Raises
    ------
    workshop_helpers.tools.ToolMissing
        When dcmtk is not installed.
    NetError
        When it does not answer a C-ECHO within ``startup`` seconds.
    """
    import subprocess

    from . import tools

    program = tools.dcmtk_tool("storescp")
    Path(folder).mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    proc = subprocess.Popen([program, "-aet", ae_title, "-od", str(folder), *args, str(port)],
                            env={**os.environ, "TCP_NODELAY": "1"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        end = time.monotonic() + startup
        while not echo("127.0.0.1", port, called_ae=ae_title, timeout=2).ok:
            if proc.poll() is not None or time.monotonic() > end:
                err = proc.stderr.read().decode(errors="replace") if proc.poll() is not None else ""
                raise NetError(f"dcmtk storescp did not start on port {port}: {err.strip()}")
            time.sleep(0.05)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --------------------------------------------------------------------------- pictures and tables

def table_text(rows: list[dict], columns: list[str] | None = None, width: int = 40) -> str:
    """Rows of dicts as a plain-text table (values cut to ``width`` characters).

    Examples
    --------
    >>> print(table_text([{"file": "a.dcm", "status": "0000"}, {"file": "b.dcm", "status": "A700"}]))
    file   status
    -----  ------
    a.dcm  0000
    b.dcm  A700
    """
    if not rows:
        return "(nothing)"
    columns = columns or list(dict.fromkeys(k for r in rows for k in r))
    cells = [[str(r.get(c, ""))[:width] for c in columns] for r in rows]
    sizes = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(n) for c, n in zip(columns, sizes, strict=True)).rstrip(),
             "  ".join("-" * n for n in sizes)]
    lines += ["  ".join(v.ljust(n) for v, n in zip(row, sizes, strict=True)).rstrip()
              for row in cells]
    return "\n".join(lines)


def sequence_diagram(steps: list[tuple[str, str]], left: str = "SCU", right: str = "SCP",
                     ax=None, title: str = ""):
    """Draw a message sequence: ``steps`` are ``("->" or "<-", label)`` pairs, top to bottom.

    Returns the matplotlib ``Axes``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = sequence_diagram([("->", "A-ASSOCIATE-RQ"), ("<-", "A-ASSOCIATE-AC")])
    >>> [t.get_text() for t in ax.texts if t.get_text()]
    ['SCU', 'SCP', 'A-ASSOCIATE-RQ', 'A-ASSOCIATE-AC']
    """
    import matplotlib.pyplot as plt

    n = len(steps)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.45 * n + 1.2))
    ax.set_xlim(0, 10)
    ax.set_ylim(-n - 0.5, 1)
    ax.axis("off")
    for x, name in ((1.5, left), (8.5, right)):
        ax.text(x, 0.5, name, ha="center", va="center", fontsize=11, weight="bold",
                bbox={"boxstyle": "round", "fc": "#e8eef7", "ec": "#4a6fa5"})
        ax.plot([x, x], [0.2, -n - 0.3], color="#4a6fa5", lw=1, ls="--")
    for k, (direction, label) in enumerate(steps, start=1):
        y = -k
        start, end = (1.5, 8.5) if direction == "->" else (8.5, 1.5)
        ax.annotate("", xy=(end, y), xytext=(start, y),
                    arrowprops={"arrowstyle": "-|>", "color": "#333333", "lw": 1.2})
        ax.text(5, y + 0.12, label, ha="center", va="bottom", fontsize=9)
    if title:
        ax.set_title(title)
    return ax


# --------------------------------------------------------------------------- command line

def _cli_storescp(args) -> int:
    scp = StorageSCP(args.output_directory, port=args.port, ae_title=args.aetitle, bind=args.bind,
                     allowed_calling_aes=args.require_calling)
    with scp:
        print(f"storescp: {scp.ae_title} listening on {scp.bind}:{scp.port}, "
              f"storing into {scp.folder} (Ctrl-C stops)", flush=True)
        seen = 0
        end = None if not args.exit_after else time.monotonic() + args.exit_after
        try:
            while end is None or time.monotonic() < end:
                time.sleep(0.2)
                if args.verbose:
                    for a in scp.received[seen:]:
                        print(f"I: received {a.sop_instance_uid} from {a.calling_ae} -> {a.path}")
                seen = len(scp.received)
        except KeyboardInterrupt:
            pass
    print(f"storescp: received {len(scp.received)} instance(s), {scp.duplicates} duplicate(s)")
    return 0


def _expand(paths: list[str], recurse: bool) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(q for q in (p.rglob("*") if recurse else p.iterdir()) if q.is_file())
        else:
            out.append(p)
    return out


def _cli_storescu(args) -> int:
    files = _expand(args.files, args.recurse)
    report = send(files, args.peer, args.port, called_ae=args.call, calling_ae=args.aetitle,
                  progress=not args.verbose and len(files) > 20)
    bad = [r for r in report if not r.ok]
    for r in report if args.verbose else bad:
        print(r)
    print(f"storescu: {len(report) - len(bad)} of {len(report)} stored")
    return 0 if not bad else 1


def _cli_echoscu(args) -> int:
    res = echo(args.peer, args.port, called_ae=args.call, calling_ae=args.aetitle)
    print(f"echoscu: {args.peer}:{args.port}: {res.reason} ({res.seconds * 1000:.1f} ms)")
    return 0 if res.ok else 1


def register_cli(subparsers) -> None:
    """Add ``storescp``, ``storescu`` and ``echoscu`` (flags shaped like dcmtk's)."""
    p = subparsers.add_parser("storescp", help="receive DICOM instances (a storage SCP)")
    p.add_argument("port", type=int, nargs="?", default=11112, help="TCP port (0: any free one)")
    p.add_argument("-aet", "--aetitle", default="WORKSHOP", help="our AE title")
    p.add_argument("-od", "--output-directory", default=".", help="where to store (default .)")
    p.add_argument("--bind", default="127.0.0.1", help="address to listen on")
    p.add_argument("--require-calling", nargs="+", metavar="AET",
                   help="accept only these calling AE titles")
    p.add_argument("--exit-after", type=float, default=0, metavar="SECONDS",
                   help="stop after this many seconds (0: run until Ctrl-C)")
    p.add_argument("-v", "--verbose", action="store_true", help="print each instance received")
    p.add_argument("-d", "--debug", action="store_true", help="show pynetdicom's debug log")
    p.set_defaults(func=_with_debug(_cli_storescp))

    for name, helptext in (("storescu", "send DICOM files (a storage SCU)"),
                           ("echoscu", "C-ECHO a peer (DICOM ping)")):
        p = subparsers.add_parser(name, help=helptext)
        p.add_argument("peer", help="host name or address of the peer")
        p.add_argument("port", type=int, help="TCP port of the peer")
        if name == "storescu":
            p.add_argument("files", nargs="+", help="DICOM files or folders")
            p.add_argument("-r", "--recurse", action="store_true",
                           help="look into sub-folders too (dcmtk: +r)")
        p.add_argument("-aet", "--aetitle", default="WORKSHOP-SCU", help="our (calling) AE title")
        p.add_argument("-aec", "--call", default="ANY-SCP", help="the peer's (called) AE title")
        p.add_argument("-v", "--verbose", action="store_true", help="print every result")
        p.add_argument("-d", "--debug", action="store_true", help="show pynetdicom's debug log")
        p.set_defaults(func=_with_debug(_cli_storescu if name == "storescu" else _cli_echoscu))


def _with_debug(func):
    def run(args) -> int:
        if getattr(args, "debug", False):
            from pynetdicom import debug_logger

            debug_logger()
        return func(args)

    run.__doc__ = func.__doc__
    return run

