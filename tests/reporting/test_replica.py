"""Dashboards and exports read from a real PostgreSQL streaming replica; writes never go there.

The replica is made once per test run, only when these tests run: pg_basebackup of the test
server (after the test database exists) into a folder of its own, started on a free port as a hot
standby (docs/decisions/0026). The replica's lag is made on purpose by pausing its replay
(pg_wal_replay_pause): what the primary has written since is then nowhere on the replica.
"""

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg2
import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from learners.models import Enrolment
from learners.services.enrolments import enrolment_create
from onetouch.db_routers import REPLICA, PrimaryReplicaRouter, read_alias, replica_reads
from onetouch.models import Province, Session, User
from onetouch.services.staff_accounts import staff_account_create
from reporting.models import SUMMARY_COUNTS, ExportFile, FillState
from reporting.services.exports import export_file_write
from tests.factories import course_make, learner_make
from tests.reporting.test_dashboards import fold_everything, measure
from tests.reporting.test_exports import csv_rows

NATIONAL = reverse("reporting:national")
NATIONAL_EXPORT = reverse("reporting:national_export")
PRIMARY = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
SLOT_PREFIX = "onetouch_test_replica_"
# A standby needs at least the primary's value of each (PostgreSQL refuses to start otherwise).
COPIED_SETTINGS = (
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
)

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", REPLICA])


def as_postgres(*command: str, timeout: float = 300) -> None:
    """Run a PostgreSQL program as the postgres user: the server refuses to run as root."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    result = subprocess.run([*prefix, *command], capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def on_primary(sql: str, params=()) -> list[tuple]:
    with psycopg2.connect(dbname="postgres", **PRIMARY) as primary, primary.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    primary.close()
    return rows


@pytest.fixture(scope="session")
def streaming_replica(django_db_setup) -> int:
    """A hot standby of the test server, streaming from it, on a port of its own; return the port.

    The test server must allow replication connections from 127.0.0.1 (scripts/test.sh adds
    `host replication all 127.0.0.1/32 trust` to its pg_hba.conf).
    """
    values = dict(on_primary("SELECT name, setting FROM pg_settings WHERE name = ANY(%s)", [list(COPIED_SETTINGS)]))
    bin_dir = Path(f"/usr/lib/postgresql/{int(on_primary('SHOW server_version_num')[0][0]) // 10000}/bin")
    folder = Path(tempfile.mkdtemp(prefix="onetouch-replica-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data, port, slot = folder / "data", free_port(), f"{SLOT_PREFIX}{os.getpid()}"
    # The slot of a run that was killed would keep the server's WAL for ever.
    on_primary(
        "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name LIKE %s AND NOT active",
        [f"{SLOT_PREFIX}%"],
    )
    # A slot made, its WAL reserved, before the copy: pg_basebackup's own temporary slot can be
    # invalidated by a checkpoint that work in other databases of the shared server starts meanwhile.
    on_primary("SELECT pg_create_physical_replication_slot(%s, true)", [slot])
    try:
        # -X stream: the WAL written during the copy comes with it; -R: standby.signal, primary_conninfo
        # and primary_slot_name.
        as_postgres(str(bin_dir / "pg_basebackup"), "-h", "127.0.0.1", "-p", "5432", "-U", "postgres", "-S", slot,
                    "-D", str(data), "-X", "stream", "-R", "-c", "fast", "--no-sync")  # fmt: skip
        # The server's own configuration lives outside its data folder (Debian): the standby gets its own.
        settings = {"listen_addresses": "'127.0.0.1'", "port": port, "unix_socket_directories": f"'{folder}'",
                    "hot_standby": "on", "fsync": "off", "shared_buffers": "'16MB'", **values}  # fmt: skip
        (data / "postgresql.conf").write_text("".join(f"{name} = {value}\n" for name, value in settings.items()))
        (data / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
        (data / "pg_ident.conf").write_text("")
        if os.geteuid() == 0:
            for name in ("postgresql.conf", "pg_hba.conf", "pg_ident.conf"):
                shutil.chown(data / name, "postgres", "postgres")
        # A hot standby answers once it has replayed the WAL written during the copy: on a busy
        # shared server that can take a while.
        log = folder / "log"
        try:
            as_postgres(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "300", "start")
        except AssertionError as error:
            raise AssertionError(f"{error}\n{log.read_text()[-3000:] if log.exists() else ''}") from None
        try:
            replica_wait_streaming(port)
            yield port
        finally:
            connections[REPLICA].close()
            as_postgres(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
    finally:
        on_primary("SELECT pg_drop_replication_slot(%s)", [slot])
        shutil.rmtree(folder, ignore_errors=True)


def replica_wait_streaming(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        with psycopg2.connect(dbname="postgres", host="127.0.0.1", port=port, user="postgres") as standby:
            with standby.cursor() as cursor:
                cursor.execute("SELECT status FROM pg_stat_wal_receiver")
                status = cursor.fetchone()
        standby.close()
        if status == ("streaming",):
            return
        assert time.monotonic() < deadline, f"the replica is not streaming: {status}"
        time.sleep(0.2)


def on_replica(sql: str, params=()):
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def replica_catch_up(timeout: float = 60) -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        written = cursor.fetchone()[0]
    deadline = time.monotonic() + timeout
    while not on_replica("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [written]):
        assert time.monotonic() < deadline, "the replica did not catch up"
        time.sleep(0.1)


def replica_pause() -> None:
    """Let the replica catch up, then stop its replay: from now on it lags, holding what was written so far."""
    replica_catch_up()
    on_replica("SELECT pg_wal_replay_pause()")
    while on_replica("SELECT pg_get_wal_replay_pause_state()") != "paused":
        time.sleep(0.05)


def replica_resume() -> None:
    on_replica("SELECT pg_wal_replay_resume()")


@pytest.fixture
def replica(streaming_replica):
    """The "replica" alias pointed at the real streaming replica for one test, caught up at the start."""
    alias = connections[REPLICA]
    saved = alias.settings_dict["HOST"], alias.settings_dict["PORT"]
    alias.close()
    alias.settings_dict.update(HOST="127.0.0.1", PORT=streaming_replica)
    assert on_replica("SELECT pg_is_in_recovery()")
    replica_catch_up()
    yield
    replica_resume()
    alias.close()
    alias.settings_dict["HOST"], alias.settings_dict["PORT"] = saved


def tables_read(sql: str) -> set[str]:
    return set(re.findall(r'(?:FROM|JOIN) "(\w+)"', sql))


def fill_updated_at():
    return FillState.objects.get(statistic=SUMMARY_COUNTS).updated_at


def freshness(html: str) -> str:
    """The page's "Figures as of …" line."""
    return re.search(r"Figures as of [^<]*|Số liệu tính đến [^<]*", html).group(0)


def test_dashboard_shows_the_replicas_figures_and_their_time(client, replica, ministry_staff, commune_hanoi):
    """While the replica lags the dashboard shows what it holds, "as of" its fold; caught up, the new ones.

    The page cache is keyed by the fold mark the replica holds, so the lagging page is the first
    one again, served from the cache; the caught-up page is built anew from the replica."""
    course = course_make()
    enrolment_create(learner=learner_make(commune=commune_hanoi), course=course)
    fold_everything()
    replica_catch_up()
    client.force_login(ministry_staff)
    first = client.get(NATIONAL).content.decode()
    assert measure(first, "enrolments") == "1"

    replica_pause()
    enrolment_create(learner=learner_make(commune=commune_hanoi), course=course)
    fold_everything()
    folded_again = fill_updated_at()
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as standby,
    ):
        lagging = client.get(NATIONAL)

    assert measure(lagging.content.decode(), "enrolments") == "1"
    assert freshness(lagging.content.decode()) == freshness(first)
    # Only the session and the signed-in user (one statement) are read on the primary; the fold mark on the replica.
    assert [tables_read(query["sql"]) for query in primary.captured_queries] == [{"onetouch_session", "onetouch_user"}]
    assert "reporting_fillstate" in set().union(*(tables_read(query["sql"]) for query in standby.captured_queries))

    replica_resume()
    replica_catch_up()
    with CaptureQueriesContext(connections[REPLICA]) as standby:
        caught_up = client.get(NATIONAL)
    assert measure(caught_up.content.decode(), "enrolments") == "2"
    assert caught_up.context["dashboard"].refreshed_at == folded_again
    assert {"reporting_fillstate", "reporting_summarytotal"} <= set().union(
        *(tables_read(query["sql"]) for query in standby.captured_queries)
    )


def test_learner_export_streams_the_replicas_rows(client, replica, ministry_staff, commune_hanoi):
    """An inline learner export, streamed after its view returned, still reads the replica."""
    course = course_make()
    before = enrolment_create(learner=learner_make(commune=commune_hanoi), course=course)
    replica_pause()
    after = enrolment_create(learner=learner_make(commune=commune_hanoi), course=course)
    client.force_login(ministry_staff)

    lagging = csv_rows(client.get(NATIONAL_EXPORT, {"what": "learners"}))
    replica_resume()
    replica_catch_up()
    caught_up = csv_rows(client.get(NATIONAL_EXPORT, {"what": "learners"}))

    assert [int(row[0]) for row in lagging[1:]] == [before.id]
    assert [int(row[0]) for row in caught_up[1:]] == [before.id, after.id]


def test_export_worker_finds_its_record_on_the_primary_and_reads_rows_on_the_replica(
    replica, ministry_staff, commune_hanoi
):
    """The export's record, not yet on the lagging replica, is read and marked ready on the primary."""
    course = course_make()
    enrolment_create(learner=learner_make(commune=commune_hanoi), course=course)
    replica_pause()
    enrolment_create(learner=learner_make(commune=commune_hanoi), course=course)
    today = timezone.localdate().isoformat()
    export = ExportFile.objects.create(
        owner=ministry_staff, what="learners", file_format="csv", query={"start": today, "end": today}
    )

    export_file_write(export_id=export.id)

    export.refresh_from_db()
    assert export.status == ExportFile.Status.READY
    assert export.rows == 1  # the replica's one enrolment; the primary has two
    assert Enrolment.objects.count() == 2
    assert not on_replica("SELECT EXISTS (SELECT 1 FROM reporting_exportfile WHERE id = %s)", [export.id])


def test_writes_and_reads_in_a_transaction_stay_on_the_primary(replica, commune_hanoi):
    """Inside replica_reads() a write lands on the primary, and a transaction reads its own write back."""
    replica_pause()
    with replica_reads():
        assert read_alias() == REPLICA
        learner = learner_make(commune=commune_hanoi, email="moi@example.vn")
        with transaction.atomic():
            assert read_alias() == "default"
            assert User.objects.get(email="moi@example.vn") == learner
        assert not User.objects.filter(email="moi@example.vn").exists()  # a plain read: the lagging replica

    assert User.objects.filter(email="moi@example.vn").exists()
    assert not on_replica("SELECT EXISTS (SELECT 1 FROM onetouch_user WHERE email = %s)", ["moi@example.vn"])


def test_pages_that_read_their_own_writes_stay_on_the_primary(client, settings, replica, commune_hanoi):
    """While the replica lags, a new staff member signs in and opens the dashboard, and the page of
    the export they have just asked for finds it."""
    settings.EXPORT_INLINE_MAX_ROWS = 0
    enrolment_create(learner=learner_make(commune=commune_hanoi), course=course_make())
    replica_pause()
    staff = staff_account_create(
        email="moi.bo@example.vn", full_name="Mới", role=User.Role.MINISTRY_STAFF, password="mat-khau-dai-123"
    )
    client.force_login(staff)

    dashboard = client.get(NATIONAL)
    asked = client.get(NATIONAL_EXPORT, {"what": "learners"})
    export_page = client.get(asked["Location"])

    assert dashboard.status_code == 200
    assert asked.status_code == 302 and export_page.status_code == 200
    assert ExportFile.objects.filter(owner=staff).count() == 1


def test_router_never_writes_or_migrates_on_the_replica():
    """The rules that need no replica: writes and migrations go to the primary, sign-in state too."""
    router = PrimaryReplicaRouter()
    with replica_reads():
        assert router.db_for_read(Province) == REPLICA
        assert router.db_for_read(Session) == "default"
        assert router.db_for_write(Province) == "default"
    assert router.db_for_read(Province) == "default"
    assert router.allow_migrate(REPLICA, "reporting") is False
    assert router.allow_migrate("default", "reporting") is True
