"""A small DICOM router that loses nothing: receive, store, decide a series is complete, forward.

The last part of the workshop's slides ("How to build a medical workstation") in code:

1. **receive and store** — a :class:`~workshop_helpers.net.StorageSCP`;
2. **trigger** — a series is *complete* when no new instance came for ``quiet_seconds``, or when
   ``expected`` instances arrived, or when your own ``complete_when(series)`` says so (DICOM has no
   "end of series" message over C-STORE, so every router has to guess);
3. **route** — call ``on_series(series)`` and forward the series with C-STORE to each
   :class:`Destination` whose rule matches. Each destination has its own worker thread: one that is
   down or frozen never delays the others. A transient failure (connection refused, timeout,
   abort, 0xA7xx) is retried with a bounded, growing delay; a permanent one (the peer refused
   this instance for good) moves to a visible *dead-letter* folder with its reason, where
   :meth:`Router.dead_letters` lists it and :meth:`Router.retry_dead_letters` puts it back.

What it does, it tells: ``on_event(event)`` gets a :class:`RouterEvent` for each instance
received, sent or dead-lettered, each series complete or finished, each destination failing,
each peer its SCP refused (:mod:`.events`); :meth:`Router.status` and :meth:`Router.snapshot`
give its table at any time.

What lives where
----------------
Everything the router has to remember is on disk under its ``folder``, so a restart (or a crash)
resumes delivery where it stopped::

    folder/
      <PatientID>/<StudyUID>/<SeriesUID>/<SOPInstanceUID>.dcm  the instances (its StorageSCP's files)
      .router/
        inbox/<SeriesUID>~<hash>/<SOPInstanceUID>.json    received, series not triggered yet
        outbox/<AE@host_port~hash>/<SOPInstanceUID>.json  waiting for that destination
        dead/<AE@host_port~hash>/<SOPInstanceUID>.json    refused for good, with its "reason"
        tmp/                                              tickets being written (emptied at start)
        lock                                              held while a router works here

A *ticket* is a small JSON file that names one stored instance (its identifiers and its path
relative to ``folder``) and a random ``version``. Tickets are written atomically (temporary file,
fsync, ``os.replace``), so a ticket is either whole or absent. An instance's ticket moves
inbox → outbox (one per destination that wants the series: a second name for the same bytes, a
hard link, where the file system has them; the outboxes are fsynced before the inbox lets go) →
deleted once that destination answered Success, or → dead with the reason. A re-sent SOP Instance UID rewrites its ticket (new
version), so the corrected file is forwarded again; a worker deletes a ticket only if it is still
the version it sent, as soon as its answer came. Delivery is *at least once*: after a crash the
instance that was on its way may be sent twice, none zero times. Memory holds only the series still in progress, a few recent ones
(``keep_recent``) and a bounded log. At start the table is rebuilt from the tickets, so a series
half delivered before a restart shows what was still waiting; tickets of a destination that is
no longer configured stay where they are (and :meth:`Router.dead_letters` still lists its dead).

Which module holds what
-----------------------
- :mod:`.core`      :class:`Router` itself: receiving, the trigger, its table, its dead letters
- :mod:`.forward`   its workers, one thread per destination, and what they do with each answer
- :mod:`.events`    what it tells: :class:`RouterEvent` (``on_event``), :class:`Snapshot`
- :mod:`.series`    what it knows: :class:`Destination`, :class:`Series`, :class:`Delivery`,
  :class:`DeadLetter`, and the trigger :func:`quiet_for`
- :mod:`.tickets`   its memory on disk: :class:`Ticket`, :class:`TicketFolder`,
  :func:`ticket_name`, :func:`folder_name`
- :mod:`.guard`     what keeps it honest: :class:`FolderLock` (one router per folder),
  :func:`send_each`, :class:`Retry`
- :mod:`.drawing`   :func:`flow_diagram`, a workstation's data flow as boxes and arrows
- :mod:`.cli`       the command line, ``python -m workshop_helpers router`` (:func:`register_cli`)

Examples
--------
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as folder, Router(folder, quiet_seconds=0.2) as router:
...     router.port > 0, router.status(), router.dead_letters()
(True, [], [])
"""

from .._rehome import rehome

# Reachable here but not in __all__: the command line (for workshop_helpers.__main__) and the
# guards of :mod:`.guard`.
from .cli import register_cli as register_cli
from .core import Router
from .drawing import flow_diagram
from .events import RouterEvent, Snapshot
from .guard import FolderBusy, FolderNotPrivate, FolderRefused
from .guard import FolderLock as FolderLock
from .guard import Retry as Retry
from .guard import send_each as send_each
from .series import DeadLetter, Delivery, Destination, Series, quiet_for
from .tickets import Ticket, TicketFolder, folder_name, ticket_name

__all__ = ["Destination", "Series", "Delivery", "DeadLetter", "Ticket", "TicketFolder", "Router",
           "RouterEvent", "Snapshot", "quiet_for", "ticket_name", "folder_name", "flow_diagram",
           "FolderRefused", "FolderBusy", "FolderNotPrivate"]

# The public names belong to the package, where learners import them from: a traceback says
# ``workshop_helpers.router.FolderBusy`` and help() names ``workshop_helpers.router``.
rehome(globals())
