"""DICOM networking for the course: a storage SCP, a storage SCU and C-ECHO.

A *Service Class Provider* (SCP) waits for associations and stores what it receives; a *Service
Class User* (SCU) opens an association, proposes *presentation contexts* (an abstract syntax — the
SOP Class — plus the transfer syntaxes it can send), and sends C-STORE requests (PS3.4 Annex B,
PS3.7 9.1.1). Everything here listens on and talks to 127.0.0.1 unless told otherwise.

- :class:`StorageSCP` (:mod:`.scp`) runs in the background and answers Success only once an
  instance is durably on disk, as
  ``folder/<PatientID>/<StudyInstanceUID>/<SeriesInstanceUID>/<SOPInstanceUID>.dcm``;
  :mod:`.events` holds what it hands its store handler (:class:`Arrival`, the event);
- :func:`send` and :func:`echo` (:mod:`.scu`) store files or datasets on a peer, and report per
  item, with a reason that says which side refused what; :mod:`.client` holds the association
  they open;
- both stand on :mod:`.pdu` (the PDUs' bytes) and :mod:`.link` (a socket that reads and writes
  them), a small transport of our own (PS3.8), but keep pynetdicom's handler
  shape (:meth:`StorageSCP.handle_store` takes an event and returns a status);
- :mod:`.storage` makes file names safe and writes durably; :mod:`.peers` runs dcmtk's real
  ``storescp``; :mod:`.teaching` has the tables and pictures; :mod:`.cli` the command line.

Two transports, one rule
------------------------
Services that face the network and carry volume — storage and the router
(:mod:`workshop_helpers.router`) — run on our bounded, streaming transport. The workstation's
questions to its own PACS (:mod:`workshop_helpers.qr`: C-FIND, C-MOVE, C-GET) use pynetdicom, the
library notebooks 07 and 09 teach, so that ``qr``'s core reads like the code a learner takes home.
The reasons for the split were measured (300 CT images of 512 KB over 127.0.0.1, one machine, dcmtk
3.6.7 with ``TCP_NODELAY=1`` as the other end; ``benchmarks/store_throughput.py`` prints them):

- speed: receiving 300 took 0.32 s here (durable: fsync before Success) against 1.41 s for
  pynetdicom's own ``storescp`` app and 0.15 s for dcmtk; sending, 0.23 s against 9.21 s for
  pynetdicom's ``storescu`` app and 0.15 s for dcmtk; Orthanc 1.10's durable receive of the 300
  took 1.03 s against 0.60 s here in one run (Orthanc too with ``TCP_NODELAY=1``, as
  :mod:`workshop_helpers.pacs` starts it: without it, 49 ms a file). On a busy disk (load 5 to 7
  on 2 cores) the durable receive is bound by fsync: 0.95 times the disk's durable-write floor,
  0.83 times pynetdicom's app (which does not fsync); sending stays 13 times faster than
  pynetdicom's app;
- bounds: every PDU length is checked against our own limit before it is read (pynetdicom reads
  what a peer announces, up to 4 GiB, and does not hold it to the maximum it negotiated, PS3.8
  D.1), data sets stream to disk, a silent connection costs no thread and no association place,
  and no socket is polled while idle (``benchmarks/net_resources.py``).

Examples
--------
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as folder, StorageSCP(folder, port=0) as scp:
...     echo("127.0.0.1", scp.port, called_ae=scp.ae_title).ok
True
"""

from .cli import register_cli
from .pdu import Timeouts, c_store_command, c_store_response, p_data_pdus
from .peers import dcmtk_storescp
from .scp import Arrival, NetError, StorageSCP, free_port
from .scu import EchoResult, SendResult, echo, proposed_contexts, send
from .status import status_text
from .storage import file_header, is_valid_uid, safe_path_part
from .teaching import sequence_diagram, table_text

__all__ = [
    "NetError", "free_port", "safe_path_part", "status_text", "file_header", "is_valid_uid",
    "Timeouts", "Arrival", "StorageSCP", "SendResult", "send", "EchoResult", "echo",
    "proposed_contexts", "dcmtk_storescp", "table_text", "sequence_diagram", "register_cli",
    "c_store_command", "c_store_response", "p_data_pdus",
]
