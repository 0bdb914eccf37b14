"""The bytes on the wire: DICOM Upper Layer PDUs (PS3.8 9.3) and DIMSE command sets (PS3.7 9.3).

Pure functions that build and take apart the seven PDU types and the command sets. :class:`Link`
(:mod:`.link`, also importable from here) reads and writes them on a socket with every length
checked *before* anything is allocated. The SCP (:mod:`.scp`) and the SCU (:mod:`.scu`) are built
on these; nothing here knows about files.

=====  ==================  ==========================================================
type   PDU                 what it carries
=====  ==================  ==========================================================
0x01   A-ASSOCIATE-RQ      AE titles, proposed presentation contexts, user information
0x02   A-ASSOCIATE-AC      the result for each context, the acceptor's maximum PDU length
0x03   A-ASSOCIATE-RJ      result, source and reason of a rejection
0x04   P-DATA-TF           fragments of a DIMSE message (command set, then data set)
0x05   A-RELEASE-RQ        "I am done" ...
0x06   A-RELEASE-RP        ... "so am I"
0x07   A-ABORT             "stop now", with a source and a reason
=====  ==================  ==========================================================

pydicom decodes the command sets (they are small data sets in Implicit VR Little Endian); the
association PDUs are simple type-length-value items, read and written here so that every length
can be checked against a limit first.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from pydicom.dataset import Dataset
from pydicom.filebase import DicomBytesIO
from pydicom.filereader import read_dataset
from pydicom.uid import PYDICOM_IMPLEMENTATION_UID

APPLICATION_CONTEXT = "1.2.840.10008.3.1.1.1"  # the DICOM Application Context Name (PS3.7 A.2.1)
#: The Verification SOP Class (C-ECHO, PS3.4 A.4): the one UID the SCP and the SCU both need.
VERIFICATION = "1.2.840.10008.1.1"
IMPLEMENTATION_VERSION = "WORKSHOP_NET_2"
#: Largest association PDU (A-ASSOCIATE-RQ/AC) we read: 128 contexts fit in about 25 KiB.
MAX_ASSOCIATE_PDU = 256 * 1024
#: Smallest Maximum Length Received we work with (dcmtk's smallest is 4096); 0 means "no limit".
MIN_PDU = 512
#: Largest command set we assemble (a C-STORE-RQ command is about 150 bytes).
MAX_COMMAND = 64 * 1024

@dataclass(frozen=True)
class Timeouts:
    """Seconds to wait, named as dcmtk names them (``-to``, ``-ta``, ``-td``, ``-ts``).

    ``connect``: for the TCP connection; ``acse``: for an association answer (A-ASSOCIATE-AC/RJ,
    A-RELEASE-RP) or, on the SCP, for the A-ASSOCIATE-RQ after a connection opens; ``dimse``: for
    the answer to a request; ``network``: for any other read or write on the socket, including
    the silence between two messages. ``None`` waits forever (never the default).

    Parameters
    ----------
    connect, acse, dimse, network : float or None
        Seconds, as above.

    Examples
    --------
    >>> Timeouts.of(5)
    Timeouts(connect=5.0, acse=5.0, dimse=5.0, network=5.0)
    >>> Timeouts.of(Timeouts(dimse=2)).dimse
    2
    """

    connect: float | None = 10
    acse: float | None = 30
    dimse: float | None = 30
    network: float | None = 30

    @classmethod
    def of(cls, value: float | Timeouts) -> Timeouts:
        """``value`` itself when it is a :class:`Timeouts`, else that number for all four."""
        if isinstance(value, Timeouts):
            return value
        seconds = float(value)
        if seconds <= 0:
            raise ValueError(f"a timeout is a positive number of seconds, not {value!r}")
        return cls(seconds, seconds, seconds, seconds)


PDU_NAMES = {1: "A-ASSOCIATE-RQ", 2: "A-ASSOCIATE-AC", 3: "A-ASSOCIATE-RJ", 4: "P-DATA-TF",
             5: "A-RELEASE-RQ", 6: "A-RELEASE-RP", 7: "A-ABORT"}

# PS3.8 Table 9-21: A-ASSOCIATE-RJ (source, reason) -> text
REJECT_REASONS = {
    (1, 1): "no reason given", (1, 2): "application context name not supported",
    (1, 3): "calling AE title not recognised", (1, 7): "called AE title not recognised",
    (2, 1): "no reason given", (2, 2): "protocol version not supported",
    (3, 1): "temporary congestion", (3, 2): "local limit exceeded",
}
# PS3.8 Table 9-26: A-ABORT reasons when the source is the service provider (2)
ABORT_REASONS = {0: "reason not specified", 1: "unrecognised PDU", 2: "unexpected PDU",
                 4: "unrecognised PDU parameter", 5: "unexpected PDU parameter",
                 6: "invalid PDU parameter value"}


class ProtocolError(Exception):
    """The peer broke the protocol (a PDU too long, unknown, or out of place).

    ``abort_reason`` is the A-ABORT reason to send back (PS3.8 Table 9-26).
    """

    def __init__(self, message: str, abort_reason: int = 0) -> None:
        super().__init__(message)
        self.abort_reason = abort_reason


class PeerAborted(Exception):
    """The peer sent an A-ABORT (or closed the connection)."""


class ReleaseRequested(Exception):
    """The peer sent an A-RELEASE-RQ where a message was expected."""


# --------------------------------------------------------------------------- items

def _item(kind: int, value: bytes) -> bytes:
    return struct.pack(">BBH", kind, 0, len(value)) + value


def _items(data: bytes | memoryview):
    """Yield ``(type, value)`` of the type-length-value items in ``data`` (PS3.8 9.3.2.x)."""
    pos, end = 0, len(data)
    while pos < end:
        if end - pos < 4:
            raise ProtocolError("an item header is cut short", 6)
        kind, _, length = struct.unpack_from(">BBH", data, pos)
        if pos + 4 + length > end:
            raise ProtocolError(f"item 0x{kind:02X} is longer than its PDU", 6)
        yield kind, bytes(data[pos + 4:pos + 4 + length])
        pos += 4 + length


def _ascii(raw: bytes) -> str:
    return raw.decode("ascii", "replace").strip(" \x00")


def _ae(title: str) -> bytes:
    raw = title.encode("ascii", "replace")[:16]
    return raw.ljust(16, b" ")


@dataclass
class AssociateRequest:
    """What an A-ASSOCIATE-RQ says (PS3.8 9.3.2).

    Parameters
    ----------
    called_ae, calling_ae : str
        The AE title called (the acceptor's) and ours (at most 16 characters each).
    contexts : dict of int to (str, list of str)
        Each presentation context ID (odd, 1 to 255) to its abstract syntax and the transfer
        syntaxes proposed for it.
    max_pdu : int
        The longest P-DATA-TF PDU we accept (Maximum Length Received, PS3.8 D.1); 0: no limit.
    implementation_uid, implementation_version : str
        As read from a peer's request (ours are sent whatever these say).
    application_context : str
        The DICOM Application Context Name (PS3.7 A.2.1).
    """

    called_ae: str
    calling_ae: str
    contexts: dict[int, tuple[str, list[str]]]
    max_pdu: int = 0
    implementation_uid: str = ""
    implementation_version: str = ""
    application_context: str = APPLICATION_CONTEXT


@dataclass
class AssociateAccept:
    """What an A-ASSOCIATE-AC says: per context ``(result, transfer syntax)`` (PS3.8 9.3.3)."""

    contexts: dict[int, tuple[int, str]] = field(default_factory=dict)
    max_pdu: int = 0
    implementation_uid: str = ""
    implementation_version: str = ""


def _user_information(max_pdu: int) -> bytes:
    return _item(0x50, _item(0x51, struct.pack(">I", max_pdu))
                 + _item(0x52, PYDICOM_IMPLEMENTATION_UID.encode())
                 + _item(0x55, IMPLEMENTATION_VERSION.encode()))


def _read_user_information(value: bytes, into) -> None:
    for kind, sub in _items(value):
        if kind == 0x51 and len(sub) == 4:
            into.max_pdu = struct.unpack(">I", sub)[0]
        elif kind == 0x52:
            into.implementation_uid = _ascii(sub)
        elif kind == 0x55:
            into.implementation_version = _ascii(sub)


def _fixed_fields(called: str, calling: str) -> bytes:
    return struct.pack(">HH", 1, 0) + _ae(called) + _ae(calling) + b"\x00" * 32


def encode_associate_rq(req: AssociateRequest) -> bytes:
    """An A-ASSOCIATE-RQ PDU: header, fixed fields and items, as PS3.8 9.3.2 lays them out.

    Parameters
    ----------
    req : AssociateRequest
        What the request says.

    Returns
    -------
    bytes
        The whole PDU, ready for the socket.

    Examples
    --------
    >>> pdu = encode_associate_rq(AssociateRequest("SCP", "SCU", {1: ("1.2.840.10008.1.1",
    ...                                                     ["1.2.840.10008.1.2"])}, 16384))
    >>> pdu[:2].hex(), decode_associate_rq(pdu[6:]).contexts
    ('0100', {1: ('1.2.840.10008.1.1', ['1.2.840.10008.1.2'])})
    """
    body = [_fixed_fields(req.called_ae, req.calling_ae),
            _item(0x10, req.application_context.encode())]
    for cid, (abstract, syntaxes) in req.contexts.items():
        subs = _item(0x30, abstract.encode()) + b"".join(_item(0x40, t.encode()) for t in syntaxes)
        body.append(_item(0x20, bytes([cid, 0, 0, 0]) + subs))
    body.append(_user_information(req.max_pdu))
    return _pdu(0x01, b"".join(body))


def _check_max_pdu(kind: str, max_pdu: int) -> None:
    if 0 < max_pdu < MIN_PDU:
        raise ProtocolError(f"the {kind} announces a maximum PDU length of {max_pdu} bytes; "
                            f"we need at least {MIN_PDU} (or 0: no limit)", 6)


def decode_associate_rq(body: bytes) -> AssociateRequest:
    """Read the body (after the 6-byte header) of an A-ASSOCIATE-RQ; :class:`ProtocolError` if bad."""
    if len(body) < 68:
        raise ProtocolError(f"an A-ASSOCIATE-RQ of {len(body)} bytes is too short", 6)
    req = AssociateRequest(_ascii(body[4:20]), _ascii(body[20:36]), {}, application_context="")
    for kind, value in _items(memoryview(body)[68:]):
        if kind == 0x10:
            req.application_context = _ascii(value)
        elif kind == 0x20 and len(value) >= 4:
            abstract, syntaxes = "", []
            for sub_kind, sub in _items(value[4:]):
                if sub_kind == 0x30:
                    abstract = _ascii(sub)
                elif sub_kind == 0x40:
                    syntaxes.append(_ascii(sub))
            req.contexts[value[0]] = (abstract, syntaxes)
        elif kind == 0x50:
            _read_user_information(value, req)
    _check_max_pdu("A-ASSOCIATE-RQ", req.max_pdu)
    return req


def encode_associate_ac(req: AssociateRequest, results: dict[int, tuple[int, str]], max_pdu: int
                        ) -> bytes:
    """An A-ASSOCIATE-AC answering ``req``: ``results`` maps context ID to (result, transfer syntax).

    Result 0 is acceptance; 3 abstract syntax and 4 transfer syntaxes not supported (PS3.8 9.3.3.2).
    """
    body = [_fixed_fields(req.called_ae, req.calling_ae),
            _item(0x10, APPLICATION_CONTEXT.encode())]
    for cid, (result, syntax) in results.items():
        body.append(_item(0x21, bytes([cid, 0, result, 0]) + _item(0x40, syntax.encode())))
    body.append(_user_information(max_pdu))
    return _pdu(0x02, b"".join(body))


def decode_associate_ac(body: bytes) -> AssociateAccept:
    """Read the body (after the 6-byte header) of an A-ASSOCIATE-AC (PS3.8 9.3.3).

    Parameters
    ----------
    body : bytes
        The PDU without its header (its length is in the header's last four bytes).

    Returns
    -------
    AssociateAccept
        The result and transfer syntax of each context, the acceptor's maximum PDU length and
        its implementation's UID and name.

    Raises
    ------
    ProtocolError
        When the PDU is too short or an item is cut.
    """
    if len(body) < 68:
        raise ProtocolError(f"an A-ASSOCIATE-AC of {len(body)} bytes is too short", 6)
    ac = AssociateAccept()
    for kind, value in _items(memoryview(body)[68:]):
        if kind == 0x21 and len(value) >= 4:
            syntax = next((_ascii(sub) for k, sub in _items(value[4:]) if k == 0x40), "")
            ac.contexts[value[0]] = (value[2], syntax)
        elif kind == 0x50:
            _read_user_information(value, ac)
    _check_max_pdu("A-ASSOCIATE-AC", ac.max_pdu)
    return ac


def encode_associate_rj(result: int, source: int, reason: int) -> bytes:
    """An A-ASSOCIATE-RJ (PS3.8 9.3.4): result 1 permanent, 2 transient.

    Examples
    --------
    >>> encode_associate_rj(1, 1, 7).hex(" ")
    '03 00 00 00 00 04 00 01 01 07'
    """
    return _pdu(0x03, bytes([0, result, source, reason]))


def reject_text(result: int, source: int, reason: int) -> str:
    """Words for an A-ASSOCIATE-RJ.

    Examples
    --------
    >>> reject_text(1, 1, 7)
    'called AE title not recognised (permanent)'
    """
    kind = {1: "permanent", 2: "transient"}.get(result, f"result {result}")
    return f"{REJECT_REASONS.get((source, reason), f'source {source}, reason {reason}')} ({kind})"


def encode_abort(source: int = 0, reason: int = 0) -> bytes:
    """An A-ABORT (PS3.8 9.3.8): source 0 service user, 2 service provider.

    Examples
    --------
    >>> encode_abort(2, 6).hex(" ")
    '07 00 00 00 00 04 00 00 02 06'
    """
    return _pdu(0x07, bytes([0, 0, source, reason]))


def abort_text(source: int, reason: int) -> str:
    """Words for an A-ABORT.

    Examples
    --------
    >>> abort_text(2, 6), abort_text(0, 0)
    ('by the service provider: invalid PDU parameter value', 'by the service user')
    """
    if source == 2:
        return f"by the service provider: {ABORT_REASONS.get(reason, f'reason {reason}')}"
    return "by the service user"


RELEASE_RQ = b"\x05\x00\x00\x00\x00\x04\x00\x00\x00\x00"
RELEASE_RP = b"\x06\x00\x00\x00\x00\x04\x00\x00\x00\x00"


def _pdu(kind: int, body: bytes) -> bytes:
    return struct.pack(">BBI", kind, 0, len(body)) + body


# --------------------------------------------------------------------------- P-DATA and commands

def p_data_pdus(context_id: int, payload: bytes | memoryview, command: bool, max_pdu: int
                ) -> list[bytes | memoryview]:
    """``payload`` cut into P-DATA-TF PDUs of at most ``max_pdu`` bytes each (PS3.8 9.3.5, E.2).

    Each PDU carries one presentation data value: its context ID and a message control header
    (bit 0: command or data set; bit 1: last fragment).

    Parameters
    ----------
    context_id : int
        The presentation context ID (odd, 1 to 255).
    payload : bytes or memoryview
        An encoded command set or data set.
    command : bool
        Whether ``payload`` is a command set.
    max_pdu : int
        The peer's Maximum Length Received (its largest PDU, without the 6-byte PDU header).

    Returns
    -------
    list of bytes or memoryview
        Headers and views of ``payload`` for a scatter-gather write, so the data set is never
        copied.

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
        last = start + size >= total
        parts.append(pdv_header(context_id, len(chunk), command, last))
        parts.append(chunk)
    return parts


def pdv_header(context_id: int, length: int, command: bool, last: bool) -> bytes:
    """The 12 bytes before a fragment: P-DATA-TF header and the PDV item header."""
    flags = (0x01 if command else 0x00) | (0x02 if last else 0x00)
    return struct.pack(">BBIIBB", 0x04, 0, length + 6, length + 2, context_id, flags)


def _element(group: int, elem: int, value: bytes) -> bytes:
    return struct.pack("<HHI", group, elem, len(value)) + value


def padded(text: str, pad: bytes = b"\x00") -> bytes:
    """ASCII bytes of even length: UIDs pad with NUL, text with a space (PS3.5 6.2)."""
    raw = text.encode("ascii", "replace")
    return raw + pad if len(raw) % 2 else raw


def _command(elements: list[tuple[int, bytes]]) -> bytes:
    body = b"".join(_element(0, e, v) for e, v in elements)
    return _element(0, 0x0000, struct.pack("<I", len(body))) + body


def c_store_command(message_id: int, sop_class: str, sop_instance: str, priority: int = 0
                    ) -> bytes:
    """The command set of a C-STORE request (PS3.7 9.3.1.1), implicit VR little endian (PS3.7 6.3.1).

    Parameters
    ----------
    message_id : int
        Message ID (0000,0110), 1 to 65535.
    sop_class, sop_instance : str
        Affected SOP Class UID (0000,0002) and Affected SOP Instance UID (0000,1000).
    priority : int
        Priority (0000,0700): 0 medium, 1 high, 2 low.

    Returns
    -------
    bytes
        The encoded command set, with its Command Group Length.

    Examples
    --------
    >>> cmd = decode_command(c_store_command(7, "1.2.840.10008.5.1.4.1.1.2", "1.2.3"))
    >>> hex(cmd.CommandField), cmd.MessageID, cmd.AffectedSOPInstanceUID
    ('0x1', 7, '1.2.3')
    """
    return _command([(0x0002, padded(sop_class)), (0x0100, struct.pack("<H", 0x0001)),
                     (0x0110, struct.pack("<H", message_id)), (0x0700, struct.pack("<H", priority)),
                     (0x0800, struct.pack("<H", 0x0001)), (0x1000, padded(sop_instance))])


def c_store_response(message_id: int, sop_class: str, sop_instance: str, status: int,
                     comment: str = "") -> bytes:
    """The command set of a C-STORE response (PS3.7 9.3.1.2), with an Error Comment if given.

    Parameters
    ----------
    message_id : int
        The Message ID of the request (Message ID Being Responded To, 0000,0120).
    sop_class, sop_instance : str
        Affected SOP Class and Instance UIDs, as in the request.
    status : int
        Status (0000,0900): 0x0000 Success, 0xA7xx out of resources, ...
    comment : str
        Error Comment (0000,0902), at most 64 characters; none when empty.

    Returns
    -------
    bytes
        The encoded command set, with its Command Group Length.

    Examples
    --------
    >>> rsp = decode_command(c_store_response(7, "1.2.840.10008.5.1.4.1.1.2", "1.2.3", 0xA900,
    ...                                       "SOP Instance UID differs"))
    >>> hex(rsp.CommandField), rsp.MessageIDBeingRespondedTo, hex(rsp.Status), rsp.ErrorComment
    ('0x8001', 7, '0xa900', 'SOP Instance UID differs')
    """
    elements = [(0x0002, padded(sop_class)), (0x0100, struct.pack("<H", 0x8001)),
                (0x0120, struct.pack("<H", message_id)), (0x0800, struct.pack("<H", 0x0101)),
                (0x0900, struct.pack("<H", status))]
    if comment:
        elements.append((0x0902, padded(comment[:64], b" ")))
    elements.append((0x1000, padded(sop_instance)))
    return _command(elements)


def c_echo_command(message_id: int, response: bool = False, status: int = 0) -> bytes:
    """A C-ECHO request or response command set (PS3.7 9.3.5).

    Examples
    --------
    >>> hex(decode_command(c_echo_command(3, response=True)).CommandField)
    '0x8030'
    """
    elements = [(0x0002, padded("1.2.840.10008.1.1")),
                (0x0100, struct.pack("<H", 0x8030 if response else 0x0030))]
    elements.append((0x0120 if response else 0x0110, struct.pack("<H", message_id)))
    elements.append((0x0800, struct.pack("<H", 0x0101)))
    if response:
        elements.append((0x0900, struct.pack("<H", status)))
    return _command(elements)


def failure_response(command: Dataset, status: int) -> bytes:
    """A response to any request we do not serve: its Command Field with bit 15 set."""
    return _command([(0x0100, struct.pack("<H", (int(command.get("CommandField", 0)) | 0x8000)
                                          & 0xFFFF)),
                     (0x0120, struct.pack("<H", int(command.get("MessageID", 0)) & 0xFFFF)),
                     (0x0800, struct.pack("<H", 0x0101)), (0x0900, struct.pack("<H", status))])


def decode_command(raw: bytes) -> Dataset:
    """A command set (Implicit VR Little Endian, PS3.7 6.3.1) as a pydicom Dataset."""
    return read_dataset(DicomBytesIO(bytes(raw)), True, True)


def _decode_command_from(peer: str, parts: list[bytes]) -> Dataset:
    try:
        command = decode_command(b"".join(parts))
        int(command.CommandField)
        return command
    except Exception as exc:  # whatever pydicom says about garbage
        raise ProtocolError(f"cannot read the command set {peer} sent ({exc})", 6) from None


def __getattr__(name: str):
    # Link (reading and writing on a socket) lives in .link, which imports this module; it is
    # looked up here on first use, so ``pdu.Link`` keeps working whichever is imported first.
    if name == "Link":
        from .link import Link  # noqa: PLC0415 - .link imports this module
        return Link
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
