"""A router works only in a folder of its own user's, and its ticket folders leave nothing behind.

Another Unix user who owns the router's folder (or may write in it) could swap its tickets, its
stored instances or its lock for links to the router's user's files; the router refuses such a
folder before it touches anything, with one line naming it.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from workshop_helpers.router import Router
from workshop_helpers.router.guard import FolderLock, FolderNotPrivate
from workshop_helpers.router.tickets import TicketFolder

root_only = pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                               reason="gives a folder to another user (needs root)")


def test_a_planted_symbolic_link_as_the_lock_is_not_followed(tmp_path):
    precious = tmp_path / "precious"
    precious.write_text("mine")
    state = tmp_path / "router" / ".router"
    state.mkdir(parents=True, mode=0o700)
    (state / "lock").symlink_to(precious)
    with pytest.raises(OSError):
        FolderLock(state).acquire()
    assert precious.read_text() == "mine"


@pytest.mark.parametrize("which", ["router", "router/.router"])
def test_a_folder_others_may_write_in_is_refused_in_one_line(tmp_path, which):
    folder = tmp_path / "router"
    (folder / ".router").mkdir(parents=True, mode=0o700)
    os.chmod(tmp_path / which, 0o777)
    with pytest.raises(FolderNotPrivate) as refused:
        Router(folder).start()
    message = str(refused.value)
    assert str(tmp_path / which) in message and "written by others" in message
    assert "\n" not in message
    assert not (folder / ".router" / "inbox").exists()     # refused before touching anything


def test_a_symbolic_link_as_the_routers_state_folder_is_refused(tmp_path):
    real = tmp_path / "elsewhere"
    real.mkdir(mode=0o700)
    (tmp_path / "router").mkdir(mode=0o700)
    (tmp_path / "router" / ".router").symlink_to(real)
    with pytest.raises(FolderNotPrivate, match="symbolic link"):
        Router(tmp_path / "router").start()
    assert list(real.iterdir()) == []


@root_only
def test_a_folder_another_user_owns_is_refused(tmp_path):
    folder = tmp_path / "router"
    folder.mkdir(mode=0o700)
    os.chown(folder, 65534, 65534)           # nobody
    with pytest.raises(FolderNotPrivate, match="another user"):
        Router(folder).start()


def test_a_folder_of_ones_own_is_accepted_and_a_missing_one_is_made_private(tmp_path):
    router = Router(tmp_path / "new" / "router").start()
    try:
        assert (tmp_path / "new" / "router" / ".router" / "lock").is_file()
        assert os.stat(tmp_path / "new" / "router" / ".router").st_mode & 0o777 == 0o700
    finally:
        router.stop()


def test_the_same_ticket_queued_twice_leaves_no_temporary_file(tmp_path):
    lock = threading.RLock()
    inbox = TicketFolder(tmp_path / "inbox", tmp_path / "tmp", lock)
    outbox = TicketFolder(tmp_path / "outbox", tmp_path / "tmp", lock)
    inbox.put("1.2.3.json", {"path": "a.dcm"})
    ticket = inbox.tickets()[0]
    for _ in range(2):                       # after a crash before the inbox ticket was removed
        outbox.install("1.2.3.json", outbox.stage(ticket))
    assert outbox.count() == 1
    assert list(Path(tmp_path / "tmp").iterdir()) == []


@pytest.mark.parametrize("address", ["", "0", "127.1", "my-router"])
def test_the_router_command_takes_only_an_ip_address_to_listen_on(address):
    from workshop_helpers.router.cli import check_bind
    from workshop_helpers.tools import CommandError
    with pytest.raises(CommandError, match="not an IP address"):
        check_bind(address)


def test_the_router_commands_queue_of_events_is_bounded_and_says_what_it_dropped():
    from workshop_helpers.router.cli import _STOP, _Events
    from workshop_helpers.router.events import RouterEvent
    events = _Events()
    events.LIMIT = 3
    for n in range(5):
        events.put(RouterEvent("received", 0.0, "1.2.3", instance=str(n)))
    events.put(_STOP)                           # a signal's stop mark always gets in
    assert events.qsize() == 4 and events.dropped == 2
    assert [events.get().instance for _ in range(3)] == ["0", "1", "2"]
