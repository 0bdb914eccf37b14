"""A class on one machine: two Unix users, and nobody can touch anyone else's data.

As on The Littlest JupyterHub, every participant is a Unix user of one machine and everything
they start listens on 127.0.0.1, so every peer is "local". User A starts what notebook 08
starts (a StorageSCP as the PACS and a Router in front of it) in a scratch folder of their home
— a home left readable by others (0755), so that only the course's own permissions protect it.
User B then tries, on loopback, what a participant could try against A: store into A's PACS and
router with the titles A's notebooks use (replacing an instance A has), C-ECHO them, read and
list A's files and tickets, plant a symbolic link in A's storage, start a second router on A's
folder, and flood A's router with silent connections while A sends a series. Every attempt must
be refused, A's data must be unchanged, and A's own work must go on.

Needs root (to create the users, with ``useradd``) on Linux; CI runs as root, and there
(``WORKSHOP_REQUIRE_TOOLS=1``) a missing ``useradd`` fails the test instead of skipping it.
Both users and every process are removed at the end (processes by their id).
"""

from __future__ import annotations

import hashlib
import json
import os
import pwd
import secrets
import select
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import _unavailable

from workshop_helpers import tools

REPO = Path(__file__).resolve().parents[1]

A_SCRIPT = r"""
import json, os, sys
from pathlib import Path
import pydicom
from pydicom.uid import generate_uid
from workshop_helpers import net, router, tools

os.chdir(os.environ["HOME"])
scratch = tools.scratch_folder("08_workstation")   # what notebook 08 starts, as it starts it
pacs = net.StorageSCP(scratch / "pacs", ae_title="PACS").start()
rt = router.Router(scratch / "router", ae_title="ROUTER", quiet_seconds=0.5,
                   destinations=[router.Destination("127.0.0.1", pacs.port, "PACS")]).start()

def series(name):
    out, series_uid = scratch / name, generate_uid()
    out.mkdir()
    for k in range(4):
        ds = pydicom.dcmread(tools.testdata("CT_small.dcm"))
        ds.PatientID, ds.SeriesInstanceUID = "A-PATIENT", series_uid
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        ds.save_as(out / f"{k}.dcm", enforce_file_format=True)
    return sorted(out.iterdir())

def send(name):
    before = pacs.count
    report = net.send(series(name), "127.0.0.1", rt.port, called_ae="ROUTER", calling_ae="CT01")
    arrived = pacs.wait_for(before + 4, timeout=60)
    return {"sent": sum(r.ok for r in report), "arrived": arrived, "count": pacs.count}

first = send("modality")
print(json.dumps({"pacs": pacs.port, "router": rt.port, "scratch": str(scratch),
                  "instance": str(pacs.received[0].path), "uid": pacs.received[0].sop_instance_uid,
                  **first}), flush=True)
for line in sys.stdin:
    if line.strip() == "send":
        print(json.dumps(send(f"modality-{pacs.count}")), flush=True)
    elif line.strip() == "report":
        print(json.dumps({"count": pacs.count, "duplicates": pacs.duplicates,
                          "failures": [*pacs.failures, *rt.scp.failures],
                          "routed": rt.stats()["forwarded"]}), flush=True)
rt.stop()
pacs.stop()
"""

B_SCRIPT = r"""
import json, os, socket, sys
from pathlib import Path
import pydicom
from workshop_helpers import net, router, tools

a = json.loads(sys.stdin.readline())  # not in argv: every user may read a command line
scratch, instance = Path(a["scratch"]), Path(a["instance"])
tried = {}

def attempt(name, action):
    try:
        outcome = action()
    except Exception as exc:
        tried[name] = f"refused: {type(exc).__name__}: {exc}"[:300]
        return
    tried[name] = outcome

def store(port, called, calling):
    ds = pydicom.dcmread(tools.testdata("CT_small.dcm"))
    ds.PatientID, ds.PatientName = "A-PATIENT", "REPLACED^BY^B"
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = a["uid"]
    (result,) = net.send(ds, "127.0.0.1", port, called_ae=called, calling_ae=calling, timeout=10)
    return f"DONE: {result}" if result.ok else f"refused: {result.reason}"

def echo(port, called, calling):
    result = net.echo("127.0.0.1", port, called_ae=called, calling_ae=calling, timeout=10)
    return f"DONE: {result.reason}" if result.ok else f"refused: {result.reason}"

def second_router():
    rt = router.Router(scratch / "router", ae_title="ROUTER").start()
    rt.stop()
    return "DONE: a second router started on A's folder"

for calling in ("ROUTER", "CT01", "WORKSHOP-SCU"):
    attempt(f"C-STORE to A's PACS as {calling}", lambda: store(a["pacs"], "PACS", calling))
    attempt(f"C-STORE to A's router as {calling}", lambda: store(a["router"], "ROUTER", calling))
attempt("C-ECHO to A's PACS", lambda: echo(a["pacs"], "PACS", "ROUTER"))
attempt("C-ECHO to A's router", lambda: echo(a["router"], "ROUTER", "CT01"))
attempt("read A's instance", lambda: f"DONE: {len(instance.read_bytes())} bytes")
attempt("list A's scratch folder", lambda: f"DONE: {os.listdir(scratch)}")
attempt("list A's router tickets", lambda: f"DONE: {os.listdir(scratch / 'router' / '.router')}")
attempt("plant a symbolic link in A's storage",
        lambda: f"DONE: {os.symlink('/tmp', scratch / 'pacs' / 'A-PATIENT-LINK')}")
attempt("start a second router on A's folder", second_router)
flood = []
for k in range(300):  # silent connections to A's router, 16 from each of 19 addresses
    try:
        flood.append(socket.create_connection(("127.0.0.1", a["router"]), 10,
                                              source_address=(f"127.0.6.{k // 16 + 1}", 0)))
    except OSError:
        break
print(json.dumps({"tried": tried, "flood": len(flood)}), flush=True)
sys.stdin.read()  # the flood lasts until the test closes our stdin
for s in flood:
    s.close()
"""


A_ORTHANC_SCRIPT = r"""
import json, os, sys
from workshop_helpers import net, pacs, tools

os.chdir(os.environ["HOME"])
scratch = tools.scratch_folder("09_pacs")   # what notebook 09 starts, as it starts it
ORTHANC, WORKSTATION = (pacs.new_title(name) for name in ("ORTHANC", "WORKSTATION"))
workstation = net.StorageSCP(scratch / "workstation", ae_title=WORKSTATION,
                             allowed_calling_aes=[ORTHANC]).start()
orthanc = pacs.Orthanc(scratch / "orthanc", aet=ORTHANC,
                       modalities={WORKSTATION: ("127.0.0.1", workstation.port)},
                       dicomweb=pacs.dicomweb_plugin() is not None).start()
orthanc.upload(tools.testdata("CT_small.dcm"))

def state():
    return {"patients": orthanc.patients(), "running": orthanc.running,
            "modalities": orthanc.get("/modalities?expand")}

print(json.dumps({"http": orthanc.http_port, "dicom": orthanc.dicom_port, "aet": ORTHANC,
                  "folder": str(orthanc.folder), "secrets": [orthanc.auth[1], ORTHANC, WORKSTATION],
                  "dicomweb": orthanc.dicomweb, **state()}), flush=True)
for line in sys.stdin:
    print(json.dumps(state()), flush=True)
orthanc.stop()
workstation.stop()
"""

B_ORTHANC_SCRIPT = r"""
import base64, json, os, sys, urllib.error, urllib.request
from pathlib import Path
from workshop_helpers import net

a = json.loads(sys.stdin.readline())  # not in argv: every user may read a command line
url, tried = f"http://127.0.0.1:{a['http']}", {}

def http(method, path, body=None, login=None):
    request = urllib.request.Request(url + path, data=body, method=method)
    if login:
        request.add_header("Authorization", "Basic " + base64.b64encode(login.encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return f"DONE: HTTP {answer.status} {answer.read()[:80]!r}"
    except urllib.error.HTTPError as exc:
        return f"refused: HTTP {exc.code}"

def attempt(name, action):
    try:
        tried[name] = action()
    except Exception as exc:
        tried[name] = f"refused: {type(exc).__name__}: {exc}"[:300]

moved = json.dumps({"AET": "B", "Host": "127.0.0.1", "Port": 1}).encode()
for login in (None, "learner:learner", "orthanc:orthanc"):
    who = f" as {login}" if login else ""
    attempt(f"GET /patients{who}", lambda: http("GET", "/patients", login=login))
    attempt(f"PUT /modalities{who}", lambda: http("PUT", "/modalities/WORKSTATION", moved, login))
    attempt(f"POST /tools/shutdown{who}", lambda: http("POST", "/tools/shutdown", b"", login))
attempt("DELETE a patient", lambda: http("DELETE", f"/patients/{a['patients'][0]}"))
attempt("POST /tools/find", lambda: http("POST", "/tools/find", b'{"Level":"Patient","Query":{}}'))
if a["dicomweb"]:
    attempt("QIDO-RS /dicom-web/studies", lambda: http("GET", "/dicom-web/studies"))

def echo(called, calling):
    result = net.echo("127.0.0.1", a["dicom"], called_ae=called, calling_ae=calling, timeout=10)
    return f"DONE: {result.reason}" if result.ok else f"refused: {result.reason}"

attempt("C-ECHO to ORTHANC as WORKSTATION", lambda: echo("ORTHANC", "WORKSTATION"))
attempt("C-ECHO to A's title as WORKSTATION", lambda: echo(a["aet"], "WORKSTATION"))
attempt("read A's Orthanc configuration",
        lambda: f"DONE: {len(Path(a['folder'], 'orthanc.json').read_bytes())} bytes")
attempt("list A's Orthanc folder", lambda: f"DONE: {os.listdir(a['folder'])}")
seen = []
for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
    try:
        text = cmdline.read_bytes().decode(errors="replace")
    except OSError:
        continue
    seen += [f"{cmdline}: {secret}" for secret in a["secrets"] if secret in text]
tried["A's password and titles in any command line"] = f"DONE: {seen}" if seen else "refused: none"
print(json.dumps({"tried": tried}), flush=True)
"""


@dataclass
class User:
    name: str
    uid: int
    gid: int
    home: Path


def _python_for(user: User) -> tuple[list[str], dict]:
    """A Python that ``user`` can run with the course's package (argv prefix, environment)."""
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(user.home), "LANG": "C.UTF-8",
           "PYTHONPATH": os.pathsep.join([str(REPO), sysconfig.get_paths()["purelib"]])}
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    system = "/usr/local/bin:/usr/bin:/bin"
    for python in (sys.executable, shutil.which(version, path=system),
                   shutil.which("python3", path=system)):
        if not python:
            continue
        try:
            probe = subprocess.run([python, "-c", "import workshop_helpers.router"], env=env,
                                   user=user.uid, group=user.gid, extra_groups=[],
                                   cwd=user.home, capture_output=True, timeout=120)
        except PermissionError:  # e.g. a virtual environment made from a Python in /root
            continue
        if probe.returncode == 0:
            return [python], env
    _unavailable(f"no Python that user {user.name} may run imports the course's package")
    raise AssertionError  # not reached


def _start(user: User, script: str, given: dict | None = None) -> subprocess.Popen:
    """Run ``script`` as ``user``; ``given`` is its first line of input (JSON)."""
    python, env = _python_for(user)
    proc = subprocess.Popen([*python, "-c", script], env=env, user=user.uid, group=user.gid,
                            extra_groups=[], cwd=user.home, text=True, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if given is not None:
        proc.stdin.write(json.dumps(given) + "\n")
        proc.stdin.flush()
    return proc


def _answer(proc: subprocess.Popen, within: float = 120) -> dict:
    ready, _, _ = select.select([proc.stdout], [], [], within)
    line = proc.stdout.readline() if ready else ""
    if not line:
        tools.stop_process(proc)
        pytest.fail(f"no answer from process {proc.pid}: {proc.stderr.read()[-3000:]}")
    return json.loads(line)


def _ask(proc: subprocess.Popen, command: str) -> dict:
    proc.stdin.write(command + "\n")
    proc.stdin.flush()
    return _answer(proc)


def _stop(proc: subprocess.Popen) -> None:
    """Close its stdin (it stops its servers and ends), then stop it by its id if it is still there."""
    if proc.poll() is None:
        try:
            proc.stdin.close()
            proc.wait(20)
        except (OSError, subprocess.TimeoutExpired):
            tools.stop_process(proc)


@pytest.fixture
def two_users():
    if not sys.platform.startswith("linux") or not os.path.exists("/proc/net/tcp"):
        pytest.skip("Unix users and /proc/net/tcp (socket owners) are Linux's")
    if os.geteuid() != 0:
        pytest.skip("needs root to create two Unix users (CI runs as root)")
    if not (shutil.which("useradd") and shutil.which("userdel")):
        _unavailable("useradd/userdel are not installed")
    made: list[str] = []
    try:
        users = []
        for letter in "ab":
            name = f"ws22{letter}{secrets.token_hex(3)}"
            subprocess.run(["useradd", "--create-home", "--shell", "/bin/sh", name], check=True,
                           capture_output=True, timeout=60)
            made.append(name)
            entry = pwd.getpwnam(name)
            home = Path(entry.pw_dir)
            home.chmod(0o755)  # an open home: the course's own permissions must be enough
            users.append(User(name, entry.pw_uid, entry.pw_gid, home))
        yield users
    finally:
        for name in made:
            subprocess.run(["userdel", "--remove", name], capture_output=True, timeout=60)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_another_participant_can_touch_nothing_of_what_notebook_08_starts(two_users):
    a_user, b_user = two_users
    a = _start(a_user, A_SCRIPT)
    b = None
    try:
        started = _answer(a)
        assert started["sent"] == 4 and started["arrived"], started
        instance = Path(started["instance"])
        before = _digest(instance)
        for path in [Path(started["scratch"]), *Path(started["scratch"]).rglob("*")]:
            mode = path.lstat().st_mode & 0o777
            assert mode & 0o077 == 0, f"{path} is {oct(mode)}: others may read or enter it"

        b = _start(b_user, B_SCRIPT, started)
        attacked = _answer(b)
        while_flooded = _ask(a, "send")  # A works on while B's silent connections wait
        _stop(b)
        report = _ask(a, "report")
    finally:
        if b is not None:
            _stop(b)
        _stop(a)

    done = {name: outcome for name, outcome in attacked["tried"].items()
            if not outcome.startswith("refused")}
    assert not done, f"user B got through: {json.dumps(done, indent=1)}"
    assert len(attacked["tried"]) == 13, attacked["tried"]
    assert attacked["flood"] > 100, attacked
    assert while_flooded["sent"] == 4 and while_flooded["arrived"], while_flooded
    assert report["count"] == 8 and report["duplicates"] == 0, report
    assert _digest(instance) == before, "B changed an instance A had stored"
    assert not (Path(started["scratch"]) / "pacs" / "A-PATIENT-LINK").exists()
    refusals = [line for line in report["failures"] if f"(uid {b_user.uid})" in line]
    assert refusals and b_user.name in refusals[0], report["failures"]


def test_another_participant_can_touch_nothing_of_the_pacs_notebook_09_starts(two_users):
    """As above, for Orthanc: its REST API and DICOMweb, its AE titles, its files."""
    from conftest import require_orthanc

    from workshop_helpers import pacs

    require_orthanc()
    if not hasattr(pacs.Orthanc, "authorization"):
        pytest.skip("this pacs.Orthanc has no password of its own yet")
    a_user, b_user = two_users
    a = _start(a_user, A_ORTHANC_SCRIPT)
    try:
        started = _answer(a)
        assert len(started["patients"]) == 1 and started["running"], started
        b = _start(b_user, B_ORTHANC_SCRIPT, started)
        try:
            attacked = _answer(b)
        finally:
            _stop(b)
        after = _ask(a, "state")
    finally:
        _stop(a)
    done = {name: outcome for name, outcome in attacked["tried"].items()
            if not outcome.startswith("refused")}
    assert not done, f"user B got through: {json.dumps(done, indent=1)}"
    assert len(attacked["tried"]) >= 15, attacked["tried"]
    assert after == {key: started[key] for key in ("patients", "running", "modalities")}
