"""Queues by kind of work (onetouch/queues.py, docs/decisions/0027): every task routed, on the real Redis broker.

A flood on one queue (two hundred videos, a national announcement) waits for its own workers; the
statistics fold and a password reset email are taken at once by theirs.
"""

import time
from pathlib import Path

import pytest
import yaml
from celery.beat import Scheduler
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.core import mail
from django.urls import reverse

from onetouch import queues
from onetouch.celery import app
from onetouch.jobs import task_queue
from onetouch.queues import BULK_MAIL, DEFAULT, EXPORTS, MAIL, MEDIA, QUEUE_NAMES, STATISTICS
from onetouch.services.invitations import invitation_create, invitations_create_for_new_accounts, invited_user_create
from reporting.models import ExportFile
from tests.conftest import broker_queues_purge
from tests.factories import learner_make
from tests.onetouch.test_celery import our_tasks

ROOT = Path(__file__).resolve().parents[2]

# Every task of ours and the queue it must land on. A new task is added here on purpose, by kind:
# what a person waits for must never sit behind what is sent to many, or behind long file work.
TASK_QUEUES = {
    "courses.tasks.course_enrolment_counts_refresh": DEFAULT,
    "courses.tasks.lessons_unprocessed_requeue": DEFAULT,
    "learners.tasks.certificate_issue": DEFAULT,
    "learners.tasks.certificates_missing_issue": DEFAULT,
    "learners.tasks.quiz_attempts_expired_grade": DEFAULT,
    "inperson.tasks.seats_release_unenrolled": DEFAULT,
    "inperson.tasks.attendance_completions_record": DEFAULT,
    "reporting.tasks.export_files_expire": DEFAULT,
    "rosters.tasks.roster_files_expire": DEFAULT,
    "rosters.tasks.roster_imports_stalled_requeue": DEFAULT,
    "api.tasks.idempotency_keys_expire": DEFAULT,
    "reporting.tasks.statistics_fold": STATISTICS,
    "reporting.tasks.statistics_compact": STATISTICS,
    "courses.tasks.lesson_process": MEDIA,
    "onetouch.tasks.email_send": MAIL,
    "onetouch.tasks.invitation_send": MAIL,
    "onetouch.tasks.invitations_unsent_send": MAIL,
    "inperson.tasks.day_notices_send": MAIL,
    "onetouch.tasks.invitation_send_in_bulk": BULK_MAIL,
    "announcements.tasks.announcement_recipients_claim": BULK_MAIL,
    "announcements.tasks.deliveries_send": BULK_MAIL,
    "announcements.tasks.deliveries_sweep": BULK_MAIL,
    "announcements.tasks.reminders_claim": BULK_MAIL,
    "reporting.tasks.export_file_write": EXPORTS,
    "rosters.tasks.roster_check": EXPORTS,
    "rosters.tasks.roster_import_run": EXPORTS,
}

FLOOD = 200


@pytest.fixture
def broker_queues_empty():
    """Every queue of the real broker emptied before and after; no worker runs unless a test starts one."""
    broker_queues_purge()
    yield
    broker_queues_purge()


def queue_length(name: str) -> int:
    """Messages waiting in a queue: the length of its Redis list."""
    with app.connection_for_write() as connection:
        return connection.default_channel.client.llen(name)


def queued_task_names() -> dict[str, list[str]]:
    """Take every waiting message; return the task names found in each queue."""
    found = {}
    with app.connection_for_write() as connection:
        channel = connection.default_channel
        for name in QUEUE_NAMES:
            found[name] = []
            while (message := channel.basic_get(name, no_ack=True)) is not None:
                found[name].append(message.headers["task"])
    return found


def tasks_run_recorded():
    """A list that fills with the names of the tasks the worker threads finish, in order."""
    finished: list[str] = []

    def record(sender=None, **_kwargs) -> None:
        finished.append(sender.name)

    task_postrun.connect(record, weak=False)
    return finished, record


def wait_for(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)


# --- The routes ----------------------------------------------------------------------------------


def test_every_task_has_a_route_to_its_kind_of_queue():
    """Each task of ours is named in the routes, to the queue of its kind; none relies on the default."""
    routes = app.conf.task_routes
    assert set(our_tasks()) == set(TASK_QUEUES)
    assert {name: route["queue"] for name, route in routes.items()} == TASK_QUEUES
    assert set(TASK_QUEUES.values()) == set(QUEUE_NAMES)


def test_what_a_person_waits_for_sits_behind_short_tasks_only():
    """The mail and statistics queues hold no task allowed past the global 5 minutes: with every process busy,
    the next free one comes within that (long work, videos and exports, has queues of its own)."""
    tasks = our_tasks()
    for name, queue in TASK_QUEUES.items():
        if queue in {MAIL, STATISTICS}:
            assert (tasks[name].time_limit or app.conf.task_time_limit) <= app.conf.task_time_limit == 300, name


def test_a_queue_not_declared_is_refused_rather_than_made():
    """A route naming an unknown queue fails at once instead of filling a queue no worker reads."""
    assert app.conf.task_create_missing_queues is False
    assert set(app.amqp.queues) == set(QUEUE_NAMES)
    assert app.conf.task_default_queue == DEFAULT


def test_beat_runs_go_to_the_queue_of_their_task():
    """No beat entry overrides its task's queue: periodic runs land where the same task queued by code does."""
    for entry in app.conf.beat_schedule.values():
        assert "queue" not in entry.get("options", {}), entry


def test_each_task_lands_on_its_queue_in_the_broker(broker_queues_empty):
    """Sent by name through the real broker (arguments left out: no worker runs them), each task waits in its
    own queue's list and in no other."""
    for name in TASK_QUEUES:
        app.send_task(name)

    found = queued_task_names()

    assert {queue: sorted(names) for queue, names in found.items()} == {
        queue: sorted(name for name, kind in TASK_QUEUES.items() if kind == queue) for queue in QUEUE_NAMES
    }


def test_beat_queues_each_periodic_task_on_its_queue(broker_queues_empty):
    """celery beat's own sending of every schedule entry puts each message on its task's queue."""
    scheduler = Scheduler(app, lazy=True)
    schedule = app.conf.beat_schedule
    for name, entry in schedule.items():
        scheduler.apply_async(scheduler.Entry(name=name, app=app, **entry), advance=False)

    found = queued_task_names()

    queued = sorted((task, queue) for queue, names in found.items() for task in names)
    assert queued == sorted((entry["task"], TASK_QUEUES[entry["task"]]) for entry in schedule.values())


@pytest.mark.django_db
def test_a_rosters_invitations_go_to_bulk_mail_and_a_single_one_to_mail(
    broker_queues_empty, admin_hanoi, django_capture_on_commit_callbacks
):
    """One invitation an admin sends is awaited (mail); a roster's batch of them is bulk (bulk_mail)."""
    batch = [invited_user_create(full_name=f"Cán bộ {n}", email=f"can-bo-{n}@example.vn") for n in range(3)]
    single = invited_user_create(full_name="Phạm Thị Dung", email="dung@example.vn")
    with django_capture_on_commit_callbacks(execute=True):
        invitations_create_for_new_accounts(users=batch, by=admin_hanoi)
        invitation_create(user=single, by=admin_hanoi)

    found = queued_task_names()

    assert found[BULK_MAIL] == ["onetouch.tasks.invitation_send_in_bulk"] * 3
    assert found[MAIL] == ["onetouch.tasks.invitation_send"]


# --- Workers by queue ------------------------------------------------------------------------------

# One task of each kind that runs without harm on an empty database.
ONE_OF_EACH = {
    DEFAULT: ("courses.tasks.course_enrolment_counts_refresh", ()),
    STATISTICS: ("reporting.tasks.statistics_fold", ()),
    MEDIA: ("courses.tasks.lesson_process", (0,)),  # no such lesson: nothing to do
    MAIL: ("onetouch.tasks.invitations_unsent_send", ()),
    BULK_MAIL: ("announcements.tasks.deliveries_send", ()),
    EXPORTS: ("reporting.tasks.export_file_write", None),  # a finished export: nothing to do
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("queue", QUEUE_NAMES)
def test_a_worker_on_one_queue_takes_that_kind_of_work_only(queue, broker_queues_empty, ministry_staff):
    """With one task of every kind waiting, a worker started on one queue runs its own and leaves the others."""
    done = ExportFile.objects.create(
        owner=ministry_staff, what="learners", file_format="csv", status=ExportFile.Status.READY
    )
    for name, args in ONE_OF_EACH.values():
        task_queue(name, *(args if args is not None else (done.id,)))
    assert {name: queue_length(name) for name in QUEUE_NAMES} == dict.fromkeys(QUEUE_NAMES, 1)
    finished, record = tasks_run_recorded()
    try:
        with start_worker(app, pool="solo", queues=[queue], perform_ping_check=False, shutdown_timeout=10):
            wait_for(lambda: finished)
            time.sleep(1)  # what else it would wrongly take, it has taken by now
    finally:
        task_postrun.disconnect(record)

    assert finished == [ONE_OF_EACH[queue][0]]
    assert {name: queue_length(name) for name in QUEUE_NAMES} == dict.fromkeys(QUEUE_NAMES, 1) | {queue: 0}


@pytest.mark.django_db(transaction=True)
def test_a_flood_of_videos_does_not_delay_the_statistics_fold(broker_queues_empty):
    """Two hundred lesson videos wait on the media queue; the fold beat queues is run at once by its own worker."""
    for lesson_id in range(FLOOD):
        task_queue("courses.tasks.lesson_process", lesson_id)
    finished, record = tasks_run_recorded()
    try:
        with start_worker(app, pool="solo", queues=[STATISTICS], perform_ping_check=False, shutdown_timeout=10):
            Scheduler(app, lazy=True).apply_async(
                Scheduler.Entry(name="fold", app=app, **app.conf.beat_schedule["reporting-statistics-fold"]),
                advance=False,
            )
            wait_for(lambda: finished)
    finally:
        task_postrun.disconnect(record)

    assert finished == ["reporting.tasks.statistics_fold"]
    assert queue_length(MEDIA) == FLOOD  # every video still waits: the fold went ahead of all of them


@pytest.mark.django_db(transaction=True)
def test_a_national_announcement_does_not_delay_a_password_reset_email(client, broker_queues_empty, commune_hue):
    """Two hundred announcement batches wait on the bulk mail queue; the mail worker sends the reset email at once."""
    learner = learner_make(commune=commune_hue, email="quen@example.vn")
    for _ in range(FLOOD):
        task_queue("announcements.tasks.deliveries_send")
    mail.outbox.clear()

    with start_worker(app, pool="solo", queues=[MAIL], perform_ping_check=False, shutdown_timeout=10):
        response = client.post(reverse("account_reset_password"), {"email": learner.email})
        assert response.status_code == 302
        wait_for(lambda: mail.outbox)

    assert [m.to for m in mail.outbox] == [["quen@example.vn"]]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
    assert queue_length(BULK_MAIL) == FLOOD


# --- Where one worker serves every queue, and production's worker per queue --------------------------


@pytest.mark.django_db(transaction=True)
def test_the_tests_worker_takes_every_kind_of_work(celery_worker_running, ministry_staff):
    """The shared `celery_worker_running` fixture consumes every queue, so no test's job waits unseen."""
    done = ExportFile.objects.create(
        owner=ministry_staff, what="learners", file_format="csv", status=ExportFile.Status.READY
    )
    finished, record = tasks_run_recorded()
    try:
        for name, args in ONE_OF_EACH.values():
            task_queue(name, *(args if args is not None else (done.id,)))
        wait_for(lambda: len(finished) == len(ONE_OF_EACH))
    finally:
        task_postrun.disconnect(record)

    assert sorted(finished) == sorted(name for name, _ in ONE_OF_EACH.values())


def test_make_run_worker_consumes_every_queue():
    """scripts/run.sh starts its one worker on the queue list `python -m onetouch.queues` prints."""
    [worker_line] = [line for line in (ROOT / "scripts/run.sh").read_text().splitlines() if "onetouch worker" in line]
    assert '-Q "$(.venv/bin/python -m onetouch.queues)"' in worker_line


def compose_services() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def test_production_runs_one_worker_service_per_queue_with_its_settings():
    """docker-compose.yml: each queue is consumed by exactly one worker service, started with that queue's settings."""
    services = compose_services()
    workers = {name: service for name, service in services.items() if service.get("command", "")[3:4] == ["worker"]}
    by_queue = {service["command"][service["command"].index("-Q") + 1]: service for service in workers.values()}

    assert len(by_queue) == len(workers) == len(QUEUE_NAMES)
    for queue in queues.QUEUES:
        service = by_queue[queue.name]
        assert service["command"] == [
            "celery",
            "-A",
            "onetouch",
            "worker",
            "--loglevel=INFO",
        ] + queues.worker_arguments(queue)
        assert f"-d {queue.name}@$$HOSTNAME" in service["healthcheck"]["test"][1]


def test_production_runs_several_web_processes_and_beat_once():
    """Several web containers of several gunicorn processes behind nginx; one beat; migrations run once before them."""
    services = compose_services()
    web = services["web"]
    assert web["deploy"]["replicas"] >= 2
    assert "--workers 4" in web["command"]
    assert "migrate" not in web["command"]  # two web containers must not migrate at once
    assert [name for name, service in services.items() if "beat" in str(service.get("command"))] == ["beat"]
    assert services["beat"]["deploy"]["replicas"] == 1
    assert "migrate" in services["setup"]["command"]
    for name, service in services.items():
        if name not in {"nginx", "postgres", "redis", "setup"}:
            assert service["depends_on"]["setup"] == {"condition": "service_completed_successfully"}, name
