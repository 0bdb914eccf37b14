"""The router with real peers: dcmtk's storescp as a destination (also one that is down at first)."""

from __future__ import annotations

import socket
import time

from pydicom import dcmread
from test_net import dataset_bytes, dcmtk_storescp, stored_files, write_cts

from workshop_helpers.net import StorageSCP, send
from workshop_helpers.router import Destination, Router, Series


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_forward_to_dcmtk_storescp_and_call_function(dcmtk, tmp_path):
    files = write_cts(tmp_path / "modality", 6, seed=3)
    seen: list[Series] = []
    with dcmtk_storescp(dcmtk, tmp_path / "pacs") as port:
        dest = Destination("127.0.0.1", port, "STORESCP")
        with Router(tmp_path / "router", destinations=[dest], on_series=seen.append,
                    quiet_seconds=0.3) as router:
            assert all(r.ok for r in send(files, port=router.port, called_ae="ROUTER"))
            assert router.wait_until_idle(15), router.status()
            row = router.status()[0]
    assert row["instances"] == 6 and row[dest.name] == "sent 6/6" and row["state"] == "done"
    assert len(seen) == 1 and seen[0].count == 6
    got = {dcmread(p).SOPInstanceUID: p for p in (tmp_path / "pacs").glob("CT.*")}
    assert len(got) == 6
    for f in files:
        assert dataset_bytes(got[dcmread(f).SOPInstanceUID]) == dataset_bytes(f)


def test_destination_down_at_first_then_up(dcmtk, tmp_path):
    files = write_cts(tmp_path / "modality", 4, seed=4)
    port = free_port()
    dest = Destination("127.0.0.1", port, "STORESCP")
    with Router(tmp_path / "router", destinations=[dest], expected=4, quiet_seconds=60,
                retry_first=0.2, retry_max=0.5) as router:
        assert all(r.ok for r in send(files, port=router.port, called_ae="ROUTER"))
        for _ in range(200):
            status = router.status()
            if status and status[0][dest.name].startswith("waiting"):
                break
            time.sleep(0.02)
        assert "connection refused" in status[0][dest.name], status
        assert status[0]["state"] == "waiting" and not router.idle()
        with dcmtk_storescp(dcmtk, tmp_path / "pacs", port=port):
            assert router.wait_until_idle(15), router.status()
            assert router.status()[0][dest.name] == "sent 4/4"
    assert len(list((tmp_path / "pacs").glob("CT.*"))) == 4


def test_rules_route_by_calling_ae_and_custom_trigger(tmp_path):
    ct = write_cts(tmp_path / "ct", 3, seed=5)
    mr = write_cts(tmp_path / "mr", 2, seed=6)
    with StorageSCP(tmp_path / "a", ae_title="A") as a, StorageSCP(tmp_path / "b", ae_title="B") as b:
        to_a = Destination("127.0.0.1", a.port, "A", match={"calling_ae": "CT01"})
        to_b = Destination("127.0.0.1", b.port, "B")

        def three_or_quiet(series: Series) -> bool:
            return series.count >= 3 or series.quiet > 0.3

        with Router(tmp_path / "r", destinations=[to_a, to_b],
                    complete_when=three_or_quiet) as router:
            send(ct, port=router.port, called_ae="ROUTER", calling_ae="CT01")
            send(mr, port=router.port, called_ae="ROUTER", calling_ae="MR01")
            assert router.wait_until_idle(15), router.status()
            rows = {r["instances"]: r for r in router.status()}
        assert rows[2][to_a.name] == "-" and rows[2][to_b.name] == "sent 2/2"
        assert len(stored_files(a.folder)) == 3 and len(stored_files(b.folder)) == 5


def test_failing_user_function_is_reported_not_raised(tmp_path):
    def broken(series):
        raise ValueError("no idea what to do")

    with Router(tmp_path / "r", on_series=broken, quiet_seconds=0.1) as router:
        send(write_cts(tmp_path / "x", 1), port=router.port, called_ae="ROUTER")
        assert router.wait_until_idle(10)
        assert "no idea what to do" in router.status()[0]["error"]
