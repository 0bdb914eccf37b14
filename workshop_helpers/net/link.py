"""A socket that talks PDUs: :class:`Link` reads and writes DICOM Upper Layer PDUs (PS3.8 9.3).

:mod:`.pdu` builds and takes apart the bytes; a :class:`Link` moves them over one TCP connection
and holds every length to a limit *before* it reads the body: association PDUs to
:data:`~.pdu.MAX_ASSOCIATE_PDU`, P-DATA-TF to the maximum we announced (PS3.8 D.1), command sets
to :data:`~.pdu.MAX_COMMAND`, release and abort PDUs to exactly 4 bytes. Every read has a
deadline. Both the SCP (:mod:`.scp`) and the SCU (:mod:`.scu`) talk through it.
"""

from __future__ import annotations

import socket
import struct
import time

from pydicom.dataset import Dataset

from .pdu import (
    MAX_ASSOCIATE_PDU,
    MAX_COMMAND,
    PDU_NAMES,
    PeerAborted,
    ProtocolError,
    ReleaseRequested,
    Timeouts,
    _decode_command_from,
    abort_text,
    encode_abort,
)


class _Discard:
    """A sink for data sets nobody asked for."""

    def write(self, view) -> None:
        pass


class Link:
    """One TCP connection that reads and writes PDUs, with every length checked before reading.

    ``max_pdu`` is the largest P-DATA-TF PDU we accept (what we announced as our Maximum Length
    Received, PS3.8 D.1); association PDUs may be at most :data:`MAX_ASSOCIATE_PDU`, and release
    and abort PDUs exactly 4 bytes. A PDU that breaks these is refused before one byte of its body
    is read: :class:`ProtocolError`, and the caller aborts the association.

    Every read has a deadline, not just a timeout per ``recv``: a peer that sends one byte now
    and then cannot keep a connection open. :meth:`read_header` waits up to ``wait`` seconds for
    a PDU to start; its body must then arrive within ``timeouts.network`` seconds, as must
    everything we send.
    """

    def __init__(self, sock: socket.socket, peer: str, max_pdu: int,
                 timeouts: Timeouts | None = None) -> None:
        self.sock = sock
        self.peer = peer
        self.max_pdu = max_pdu
        self.timeouts = timeouts or Timeouts()
        self.deadline: float | None = None  # time.monotonic() by which the current read must end
        self._in = memoryview(bytearray(64 * 1024))  # bytes received and not yet used
        self._lo = self._hi = 0
        self._buffer: memoryview | None = None
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:  # pragma: no cover - not TCP
            pass

    def limit_for(self, kind: int) -> int:
        """The largest body length we accept for a PDU of this type."""
        if kind == 0x04:
            return self.max_pdu
        if kind in (0x01, 0x02):
            return MAX_ASSOCIATE_PDU
        return 4

    def wait(self, seconds: float | None) -> None:
        """Set the deadline ``seconds`` from now (None: no deadline)."""
        self.deadline = None if seconds is None else time.monotonic() + seconds

    def read_header(self, wait: float | None) -> tuple[int, int]:
        """The next PDU's type and length; waits up to ``wait`` s for it to start."""
        self.wait(wait)
        head = self.read_exact(6)
        kind, _, length = struct.unpack(">BBI", head)
        if kind not in PDU_NAMES:
            raise ProtocolError(f"{self.peer} sent an unknown PDU type 0x{kind:02X}", 1)
        if kind in (0x03, 0x05, 0x06, 0x07) and length != 4:
            raise ProtocolError(f"{self.peer} sent a {PDU_NAMES[kind]} of {length} bytes; it has "
                                "4 (PS3.8 9.3)", 6)
        if length > self.limit_for(kind):
            raise ProtocolError(f"{self.peer} announced a {PDU_NAMES[kind]} of {length:,} bytes; "
                                f"the most we accept is {self.limit_for(kind):,}", 6)
        self.wait(self.timeouts.network)
        return kind, length

    def read_exact(self, n: int) -> bytes:
        """Exactly ``n`` bytes (``n`` already checked by the caller); :class:`PeerAborted` on EOF."""
        out = bytearray(n)
        self.read_into(memoryview(out))
        return bytes(out)

    def read_into(self, view: memoryview) -> None:
        """Fill ``view`` completely from the connection, before the deadline."""
        got = min(len(view), self._hi - self._lo)
        view[:got] = self._in[self._lo:self._lo + got]
        self._lo += got
        while got < len(view):
            left = len(view) - got
            if left >= len(self._in):  # a large piece goes straight to its place
                got += self._recv_into(view[got:])
                continue
            self._lo, self._hi = 0, self._recv_into(self._in)
            take = min(left, self._hi)
            view[got:got + take] = self._in[:take]
            self._lo = take
            got += take

    def _recv_into(self, view: memoryview) -> int:
        if self.deadline is None:
            self.sock.settimeout(None)
        else:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{self.peer} did not send in time")
            self.sock.settimeout(left)
        n = self.sock.recv_into(view)
        if not n:
            raise PeerAborted(f"{self.peer} closed the connection")
        return n

    def send(self, *parts) -> None:
        """Write every buffer (scatter-gather, resuming after partial writes)."""
        self.sock.settimeout(self.timeouts.network)
        views = [memoryview(p).cast("B") for p in parts if len(p)]
        while views:
            sent = self.sock.sendmsg(views[:512])
            while views and sent >= len(views[0]):
                sent -= len(views[0])
                views.pop(0)
            if sent:
                views[0] = views[0][sent:]

    def read_message(self, timeout: float | None, open_sink=None) -> tuple[int, Dataset, object]:
        """Read one DIMSE message: returns ``(context ID, command set, sink or None)``.

        The command set is assembled in memory (at most :data:`MAX_COMMAND` bytes); data set
        fragments are handed, as they arrive, to ``open_sink(context_id, command).write(view)``
        in pieces of at most 256 KiB, so a data set of any size costs no more memory than that.
        Raises :class:`ReleaseRequested`, :class:`PeerAborted` or :class:`ProtocolError`.
        """
        parts: list[bytes] = []
        command, command_cid, sink, size = None, None, None, 0
        while True:
            kind, length = self.read_header(timeout)
            timeout = self.timeouts.network  # the rest of a message comes without pauses
            if kind == 0x05:
                self.read_exact(length)
                raise ReleaseRequested(f"{self.peer} asked to release the association")
            if kind == 0x07:
                body = self.read_exact(length)
                raise PeerAborted(f"{self.peer} aborted the association "
                                  f"({abort_text(body[2], body[3])})")
            if kind != 0x04:
                raise ProtocolError(f"{self.peer} sent an unexpected {PDU_NAMES[kind]}", 2)
            remaining = length
            while remaining:
                if remaining < 6:
                    raise ProtocolError(f"{self.peer} sent a P-DATA-TF with a cut PDV item", 6)
                pdv_length, cid, flags = struct.unpack(">IBB", self.read_exact(6))
                if not 2 <= pdv_length <= remaining - 4:
                    raise ProtocolError(f"{self.peer} sent a PDV item of {pdv_length:,} bytes in "
                                        f"a PDU with {remaining - 4:,} left", 6)
                remaining -= 4 + pdv_length
                fragment = pdv_length - 2
                if flags & 0x01:
                    size += fragment
                    if command is not None or size > MAX_COMMAND:
                        raise ProtocolError(f"{self.peer} sent a command set that is too long or "
                                            "out of place", 6)
                    parts.append(self.read_exact(fragment))
                    if not flags & 0x02:
                        continue
                    command, command_cid = _decode_command_from(self.peer, parts), cid
                    if command.get("CommandDataSetType", 0x0101) != 0x0101:
                        sink = open_sink(cid, command) if open_sink else _Discard()
                        continue
                else:
                    if command is None or cid != command_cid:
                        raise ProtocolError(f"{self.peer} sent data set fragments without "
                                            "their command", 5)
                    self._stream(fragment, sink)
                    if not flags & 0x02:
                        continue
                if remaining:
                    raise ProtocolError(f"{self.peer} put more after the end of a message", 5)
                return command_cid, command, sink

    def _stream(self, count: int, sink) -> None:
        if self._buffer is None:
            self._buffer = memoryview(bytearray(256 * 1024))
        while count:
            n = min(count, len(self._buffer))
            self.read_into(self._buffer[:n])
            sink.write(self._buffer[:n])
            count -= n

    def abort(self, source: int = 0, reason: int = 0) -> None:
        """Send an A-ABORT if we still can, then close."""
        try:
            self.sock.settimeout(1)
            self.sock.sendall(encode_abort(source, reason))
        except OSError:
            pass
        self.close()

    def close(self) -> None:
        """Close the connection (safe to call twice)."""
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
