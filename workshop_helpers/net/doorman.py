"""Who gets in: a listener that keeps silent connections away from the real work.

A TCP connection costs an attacker nothing; a thread per connection costs the server memory,
and a place among the associations it serves. The :class:`Doorman` accepts every connection
into one waiting line, watched by a single thread with ``selectors`` (no polling, no thread per
connection), and hands a connection to a handler thread only once it has sent its first bytes.
A connection that stays silent for ``wait`` seconds is closed; when more than ``per_address``
connections from one address are waiting — or being read by their handler, until it calls
:meth:`Guest.leave` — the oldest of them is closed, so a crowd of junk connections cannot keep a
real client out. Nor can a crowd from many addresses: when more than ``max_waiting`` connections
wait in all, the oldest silent one is closed. When ``accept`` itself fails (no file descriptor
left: EMFILE), the listener is left alone for a moment instead of being asked again at once.

Examples
--------
>>> import queue, socket
>>> heard = queue.Queue()
>>> door = Doorman("127.0.0.1", 0, lambda guest: heard.put(guest.sock.recv(5)), wait=5).start()
>>> with socket.create_connection(("127.0.0.1", door.port)) as s:
...     s.sendall(b"hello")
...     heard.get(timeout=5)
b'hello'
>>> door.stop()
"""

from __future__ import annotations

import errno
import os
import selectors
import socket
import threading
import time
from collections import deque
from collections.abc import Callable


class Guest:
    """One accepted connection: its socket, the peer's address, and its place in line."""

    def __init__(self, door: Doorman, sock: socket.socket, address, deadline: float) -> None:
        self.door, self.sock, self.address, self.deadline = door, sock, address, deadline
        self.host = address[0]
        self.evicted = False

    def leave(self) -> None:
        """Leave the waiting line (the handler has read what it needed to judge the peer)."""
        self.door._leave(self)


class Doorman:
    """Accept connections on ``(bind, port)``; call ``handler(guest)`` in a thread once they speak.

    Parameters
    ----------
    wait : float or None
        Seconds a connection may stay silent, and the deadline the handler gets in
        ``guest.deadline`` for the first thing it reads (e.g. an A-ASSOCIATE-RQ).
    per_address : int
        How many connections from one address may wait at once (the oldest gives way).
    max_waiting : int, optional
        How many connections may wait in all (the oldest silent one gives way); by default a
        quarter of the file descriptors the process may open, at most 256, so that a crowd of
        silent connections never takes the descriptors the real work needs.
    """

    #: Seconds the listener rests after ``accept`` failed for want of a file descriptor.
    PAUSE = 0.2

    def __init__(self, bind: str, port: int, handler: Callable[[Guest], None], *,
                 wait: float | None = 30, per_address: int = 16, max_waiting: int | None = None,
                 name: str = "Doorman") -> None:
        self.bind, self.handler, self.wait, self.per_address = bind, handler, wait, per_address
        self.max_waiting = max_waiting or _default_max_waiting()
        self.refused = 0  # times accept failed (no descriptor left, ...)
        self.name = name
        self._requested_port = port
        self.port = 0
        self._lock = threading.Lock()
        self._lines: dict[str, deque[Guest]] = {}
        self._threads: set[threading.Thread] = set()
        self._listener: socket.socket | None = None
        self._wake: tuple[int, int] | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> Doorman:
        """Listen (raises OSError when the port cannot be had) and start watching."""
        family = socket.AF_INET6 if ":" in self.bind else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM)
        try:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((self.bind, self._requested_port))
            listener.listen(socket.SOMAXCONN)
            listener.setblocking(False)
        except OSError:
            listener.close()
            raise
        self._listener, self.port = listener, listener.getsockname()[1]
        self._wake = os.pipe()
        self._thread = threading.Thread(target=self._watch, name=f"{self.name}-{self.port}",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting, close waiting connections, wake every handler, wait for them."""
        if self._listener is None:
            return
        os.write(self._wake[1], b"x")
        self._thread.join(10)
        self._listener.close()
        self._listener = None
        for fd in self._wake:
            os.close(fd)
        with self._lock:
            guests = [g for line in self._lines.values() for g in line]
            threads = list(self._threads)
        for guest in guests:
            shut(guest.sock, close=False)
        for thread in threads:
            thread.join(10)

    @property
    def running(self) -> bool:
        """True while connections are accepted."""
        return self._listener is not None

    def waiting(self) -> int:
        """How many connections are in line now."""
        with self._lock:
            return sum(len(line) for line in self._lines.values())

    def wait_for_handlers(self, timeout: float) -> bool:
        """Wait until no handler thread runs (True) or ``timeout`` s passed."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self._lock:
                if not self._threads:
                    return True
            time.sleep(0.01)
        return False

    # -- the watching thread
    def _watch(self) -> None:
        watch = selectors.DefaultSelector()
        watch.register(self._listener, selectors.EVENT_READ)
        watch.register(self._wake[0], selectors.EVENT_READ)
        silent: dict[int, Guest] = {}  # by file descriptor
        resting_until = None  # the listener rests after accept failed
        try:
            while True:
                soonest = min((g.deadline for g in silent.values()), default=None)
                if resting_until is not None:
                    soonest = min(soonest or resting_until, resting_until)
                pause = None if soonest is None else max(0.0, soonest - time.monotonic())
                for key, _ in watch.select(pause):
                    if key.fileobj == self._wake[0]:
                        return
                    if key.fileobj is self._listener:
                        if not self._accept(watch, silent):
                            watch.unregister(self._listener)
                            resting_until = time.monotonic() + self.PAUSE
                    else:
                        watch.unregister(key.fileobj)
                        self._hand_over(silent.pop(key.fd))
                self._expire(watch, silent)
                if resting_until is not None and time.monotonic() >= resting_until:
                    watch.register(self._listener, selectors.EVENT_READ)
                    resting_until = None
        finally:
            for guest in silent.values():
                self._leave(guest)
                shut(guest.sock)
            watch.close()

    def _accept(self, watch: selectors.BaseSelector, silent: dict[int, Guest]) -> bool:
        """Take up to 64 new connections; False when accept failed (the listener should rest)."""
        for _ in range(64):
            try:
                sock, address = self._listener.accept()
            except (BlockingIOError, InterruptedError):
                return True
            except OSError as exc:  # EMFILE, ENFILE, ENOBUFS...: it stays in the backlog
                self.refused += 1
                return exc.errno in (errno.ECONNABORTED, errno.EPROTO)  # the peer's doing
            sock.setblocking(True)
            if len(silent) >= self.max_waiting:  # a crowd from many addresses
                oldest = min(silent.values(), key=lambda g: g.deadline)
                del silent[oldest.sock.fileno()]
                watch.unregister(oldest.sock)
                self._leave(oldest)
                oldest.evicted = True
                shut(oldest.sock)
            deadline = time.monotonic() + (self.wait if self.wait is not None else 1e9)
            guest = Guest(self, sock, address, deadline)
            with self._lock:
                line = self._lines.setdefault(guest.host, deque())
                line.append(guest)
                oldest = line.popleft() if len(line) > self.per_address else None
                if oldest is not None:
                    oldest.evicted = True
                    if not line:
                        del self._lines[guest.host]
            if oldest is not None:
                if silent.pop(oldest.sock.fileno(), None) is oldest:
                    watch.unregister(oldest.sock)
                    shut(oldest.sock)
                else:  # its handler is reading: waking it up ends it
                    shut(oldest.sock, close=False)
            silent[sock.fileno()] = guest
            watch.register(sock, selectors.EVENT_READ)
        return True

    def _expire(self, watch: selectors.BaseSelector, silent: dict[int, Guest]) -> None:
        now = time.monotonic()
        for fd, guest in list(silent.items()):
            if guest.deadline <= now:
                del silent[fd]
                watch.unregister(guest.sock)
                self._leave(guest)
                shut(guest.sock)

    def _hand_over(self, guest: Guest) -> None:
        thread = threading.Thread(target=self._handle, args=(guest,), daemon=True,
                                  name=f"{self.name}-{self.port}-{guest.address[1]}")
        with self._lock:
            self._threads.add(thread)
        thread.start()

    def _handle(self, guest: Guest) -> None:
        try:
            self.handler(guest)
        finally:
            self._leave(guest)
            shut(guest.sock)
            with self._lock:
                self._threads.discard(threading.current_thread())

    def _leave(self, guest: Guest) -> None:
        with self._lock:
            line = self._lines.get(guest.host)
            if line is not None and guest in line:
                line.remove(guest)
                if not line:
                    del self._lines[guest.host]


def _default_max_waiting() -> int:
    try:
        import resource  # noqa: PLC0415 - not on Windows
    except ImportError:
        return 256
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    return 256 if soft == resource.RLIM_INFINITY else max(8, min(256, soft // 4))


def shut(sock: socket.socket, close: bool = True) -> None:
    """Shut a socket down (which wakes a thread blocked on it) and close it if asked."""
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    if close:
        sock.close()
