"""What a router tells: each thing as it happens (:class:`RouterEvent`), its table (:class:`Snapshot`).

The snapshot is a consistent copy, taken when asked (:meth:`Router.snapshot`).

Give ``Router(..., on_event=callable)`` and the router calls ``callable(event)`` for each event,
in the order they happened: an instance received, a series complete, an instance sent or
dead-lettered, a destination failing, a series finished, a peer its storage SCP refused, and
each line of its log. It calls it from its own threads (the connection's, the trigger, a
destination's worker), sometimes while it holds its lock: the callable must be quick and must
not wait for the router. A queue's ``put`` is the usual choice; :class:`queue.SimpleQueue`'s may
even be called from a signal handler, so a program can wait for "an event or Ctrl-C" on one
queue, using no CPU while nothing happens (the ``router`` command does)::

    events = queue.SimpleQueue()
    router = Router(folder, destinations=[...], on_event=events.put).start()
    while (event := events.get()) is not None:
        print(event.text())

Examples
--------
>>> RouterEvent("sent", 0.0, "1.2.3", instance="1.2.3.4", destination="PACS@127.0.0.1:104").text()
'sent 1.2.3.4 to PACS@127.0.0.1:104'
"""

from __future__ import annotations

from typing import NamedTuple

from .series import Series

__all__ = ["KINDS", "RouterEvent", "Snapshot"]

#: The kinds of :class:`RouterEvent`, in the order a series usually meets them.
KINDS = ("received", "complete", "sent", "dead", "waiting", "finished", "refused", "note")


class RouterEvent(NamedTuple):
    """One thing that happened in a :class:`~workshop_helpers.router.Router`.

    Parameters
    ----------
    kind : str
        One of :data:`KINDS`:

        - ``received``: ``instance`` arrived from ``calling_ae`` (``again``: a re-send), is on
          disk with its ticket, and its sender is about to hear Success;
        - ``complete``: the trigger fired for the series, ``count`` instances (``again``: a late
          instance re-opened it);
        - ``sent``: ``destination`` answered Success for ``instance``;
        - ``dead``: ``destination`` refused ``instance`` for good, because of ``reason``;
        - ``waiting``: ``destination`` could not be reached (``reason``); it is retried later;
        - ``finished``: every destination has the series, or refused it: ``state`` is ``done``,
          ``handled`` (no destination wanted it) or ``failed`` (dead letters);
        - ``refused``: the router's storage SCP refused or broke off an association, or refused
          an instance; ``reason`` is the line it added to its ``failures`` list: who (the
          peer, ``AE@address:port`` or ``address:port``), then why;
        - ``note``: a line of the router's log (``reason``).
    time : float
        When, as ``time.time()``.
    series_uid : str
        The series' Series Instance UID ("" for a ``waiting``, ``refused`` or ``note`` event).
    instance, destination, calling_ae, count, reason, again, state
        As the kind says; empty otherwise.
    """

    kind: str
    time: float
    series_uid: str = ""
    instance: str = ""
    destination: str = ""
    calling_ae: str = ""
    count: int = 0
    reason: str = ""
    again: bool = False
    state: str = ""

    def text(self) -> str:
        """The event as one line, without the time (as the ``router`` command prints it).

        Examples
        --------
        >>> RouterEvent("complete", 0.0, "1.2.3", count=16).text()
        'series 1.2.3 complete: 16 instance(s)'
        """
        if self.kind == "received":
            return (f"received {self.instance} from {self.calling_ae} (series {self.series_uid})"
                    + (", a re-send" if self.again else ""))
        if self.kind == "complete":
            return (f"series {self.series_uid} complete{' again' if self.again else ''}: "
                    f"{self.count} instance(s)")
        if self.kind == "sent":
            return f"sent {self.instance} to {self.destination}"
        if self.kind == "dead":
            return f"dead letter {self.instance} for {self.destination}: {self.reason}"
        if self.kind == "waiting":
            return f"{self.destination} cannot take what waits for it: {self.reason}"
        if self.kind == "finished":
            return f"series {self.series_uid} {self.state}"
        if self.kind == "refused":
            return self.reason
        return f"log {self.reason}"


class Snapshot(NamedTuple):
    """A consistent copy of a router's table, taken under its lock (:meth:`Router.snapshot`).

    Parameters
    ----------
    series : list of Series
        Every series in progress and the ``keep_recent`` last finished, oldest first: copies,
        which the router's threads do not change.
    rows : list of dict
        The :meth:`Router.status` row of each, in the same order.
    log : list of str
        The router's log, oldest line first.
    """

    series: list[Series]
    rows: list[dict]
    log: list[str]


# The package (workshop_helpers.router) owns RouterEvent, so doctest finds the class's example
# there; a method's example runs here, with this module's names.
__test__ = {"RouterEvent.text": RouterEvent.text}
