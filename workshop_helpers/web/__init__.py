"""DICOMweb (PS3.18): the same questions as C-FIND, C-GET and C-STORE, asked over plain HTTP.

========================  ==============================  =====================================
DICOMweb (PS3.18)         HTTP                            DIMSE counterpart
========================  ==============================  =====================================
QIDO-RS (10.6): search    ``GET .../studies?PatientID=``  C-FIND
WADO-RS (10.4): retrieve  ``GET .../instances/{uid}``     C-GET / C-MOVE
STOW-RS (10.5): store     ``POST .../studies``            C-STORE
========================  ==============================  =====================================

No association, no AE titles: a URL, an ``Accept`` header saying which media type we want
(``application/dicom+json`` for search results and metadata, ``multipart/related;
type="application/dicom"`` for instances, ``image/png`` for a rendered picture), and an HTTP
status. Search results and metadata come in the DICOM JSON model (PS3.18 F.2): one object per
data set, keys are tags as eight hex digits, each element has a ``vr`` and a ``Value`` list,
binary values are a ``BulkDataURI`` (fetch it separately) or ``InlineBinary`` (base64).

The client is ``dicomweb-client`` (:func:`client`; the course's Orthanc wants its user and password,
``client(url, auth=orthanc.auth)``, and answers 401 without them); the pure functions here read the JSON model
(:func:`json_value`, :func:`describe`), split a multipart body (:func:`split_multipart`), and
put a failure into words (:func:`explain`, :class:`StowResult`).

Examples
--------
>>> study = {"0020000D": {"vr": "UI", "Value": ["1.2.3"]},
...          "00100010": {"vr": "PN", "Value": [{"Alphabetic": "DOE^JANE"}]}}
>>> json_value(study, "StudyInstanceUID"), json_value(study, "PatientName")
('1.2.3', 'DOE^JANE')
>>> json_value(study, "StudyDate") is None
True

Where what is (every name below can be imported from ``workshop_helpers.web`` itself):

- here                the media types asked for in ``Accept``: ``DICOM_JSON``,
  ``MULTIPART_DICOM``, ``OCTET_STREAM``;
- :mod:`.json_model`  the DICOM JSON model: :func:`tag_key`, :func:`json_values`,
  :func:`json_value`, :func:`describe`, :func:`uids`;
- :mod:`.multipart`   :func:`boundary_of`, :func:`split_multipart`;
- :mod:`.status`      errors in words: :func:`explain`, :func:`failure_reason_text`,
  ``FAILURE_REASONS``;
- :mod:`.client`      STOW-RS (:func:`store`, :func:`stow_result`, :class:`StowResult`) and the
  client: :func:`session`, :func:`client`, :func:`call`, :class:`WebError`.
"""

from .._rehome import rehome
from .client import StowResult, WebError, call, client, session, store, stow_result
from .json_model import describe, json_value, json_values, tag_key, uids
from .multipart import boundary_of, split_multipart
from .status import FAILURE_REASONS, explain, failure_reason_text

DICOM_JSON = "application/dicom+json"
MULTIPART_DICOM = 'multipart/related; type="application/dicom"'
OCTET_STREAM = "application/octet-stream"  # frames and bulk data: the bytes as they are

__all__ = ["DICOM_JSON", "MULTIPART_DICOM", "OCTET_STREAM", "tag_key", "json_values",
           "json_value", "describe", "uids", "boundary_of", "split_multipart", "FAILURE_REASONS",
           "failure_reason_text", "explain", "StowResult", "stow_result", "store", "session",
           "client", "WebError", "call"]

# The public functions and classes belong to the package, where learners import them from: a
# traceback says ``workshop_helpers.web.WebError`` and help() names the package.
rehome(globals())
