"""DICOM networking for the course: a storage SCP, a storage SCU and C-ECHO.

A *Service Class Provider* (SCP) waits for associations and stores what it receives; a *Service
Class User* (SCU) opens an association, proposes *presentation contexts* (an abstract syntax — the
SOP Class — plus the transfer syntaxes it can send), and sends C-STORE requests (PS3.4 Annex B,
PS3.7 9.1.1). Everything here listens on and talks to 127.0.0.1 unless told otherwise.

- :class:`StorageSCP` (:mod:`.scp`) runs in the background and answers Success only once an
  instance is durably on disk, as
  ``folder/<PatientID>/<StudyInstanceUID>/<SeriesInstanceUID>/<SOPInstanceUID>.dcm``;
- :func:`send` and :func:`echo` (:mod:`.scu`) store files or datasets on a peer, and report per
  item, with a reason that says which side refused what;
- both stand on :mod:`.pdu`, a small transport of our own (PS3.8): pynetdicom, which notebook 07
  shows as the code to take home, polls its sockets and lets a peer announce any PDU length, so
  the package does not patch it but keeps its handler shape (:meth:`StorageSCP.handle_store`);
- :mod:`.storage` makes file names safe and writes durably; :mod:`.peers` runs dcmtk's real
  ``storescp``; :mod:`.teaching` has the tables and pictures; :mod:`.cli` the command line.

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
from .storage import file_header, is_valid_uid, safe_path_part
from .teaching import sequence_diagram, status_text, table_text

__all__ = [
    "NetError", "free_port", "safe_path_part", "status_text", "file_header", "is_valid_uid",
    "Timeouts", "Arrival", "StorageSCP", "SendResult", "send", "EchoResult", "echo",
    "proposed_contexts", "dcmtk_storescp", "table_text", "sequence_diagram", "register_cli",
    "c_store_command", "c_store_response", "p_data_pdus",
]
