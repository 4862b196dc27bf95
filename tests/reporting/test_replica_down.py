"""A replica that cannot be reached leaves dashboards on the primary instead of failing them
(onetouch/db_routers.py, docs/decisions/0026). No real replica needed: the "replica" alias is pointed
at a port where nothing listens."""

import logging
import socket
from logging.handlers import BufferingHandler

import pytest
from django.db import connections
from django.urls import reverse

from onetouch import db_routers
from onetouch.db_routers import REPLICA, read_alias, replica_reads
from onetouch.models import User

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", REPLICA])


@pytest.fixture
def replica_unreachable(monkeypatch):
    """The "replica" alias becomes a connection to a port where nothing listens (in tests it is
    otherwise the primary's own connection, a mirror)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    primary = connections["default"]
    dead = primary.__class__({**primary.settings_dict, "HOST": "127.0.0.1", "PORT": dead_port}, alias=REPLICA)
    saved = connections[REPLICA]
    connections[REPLICA] = dead
    monkeypatch.setattr(db_routers, "replica_down_until", 0.0)  # put back after the test
    yield
    connections[REPLICA] = saved


@pytest.fixture
def router_warnings(monkeypatch):
    """The router's log records, caught on its own logger: in a full run another test's logging set-up
    may have disabled it, raised its level or cut its propagation to the root, where caplog listens."""
    catcher = BufferingHandler(capacity=100)
    monkeypatch.setattr(db_routers.logger, "disabled", False)
    db_routers.logger.addHandler(catcher)
    level = db_routers.logger.level
    db_routers.logger.setLevel(logging.WARNING)
    yield catcher.buffer
    db_routers.logger.setLevel(level)
    db_routers.logger.removeHandler(catcher)


def test_reads_wanted_on_an_unreachable_replica_go_to_the_primary(replica_unreachable, router_warnings):
    User.objects.create_user("hoc.vien@example.vn", "mat-khau-dai-123")
    with replica_reads():
        assert read_alias() == "default"
        assert User.objects.filter(email="hoc.vien@example.vn").exists()  # read, on the primary
        assert read_alias() == "default"  # not tried again at once
    assert db_routers.replica_down_until > 0.0  # tried once, and given up for a while
    assert [record.getMessage().split(",")[0] for record in router_warnings] == ["Replica unreachable"]


def test_the_dashboard_answers_from_the_primary_while_the_replica_is_down(client, ministry_staff, replica_unreachable):
    client.force_login(ministry_staff)
    assert client.get(reverse("reporting:national")).status_code == 200


def test_the_replica_is_tried_again_after_a_while(replica_unreachable):
    with replica_reads():
        assert read_alias() == "default"
    db_routers.replica_down_until = 0.0  # the wait is over
    with replica_reads():
        assert read_alias() == "default"  # still down: tried, and given up again
    assert db_routers.replica_down_until > 0.0
