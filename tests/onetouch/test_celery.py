"""Celery: the effective reliability settings, and a real worker on Redis doing real work."""

import time

from django.core import mail
from django.urls import reverse

from onetouch.celery import app
from tests.factories import learner_make

# Tasks that may run twice without harm: only these are acknowledged after they run.
IDEMPOTENT_TASKS = {
    "courses.tasks.course_enrolment_counts_refresh",
    "courses.tasks.lesson_process",
    "learners.tasks.certificate_issue",
    "learners.tasks.certificates_missing_issue",
    "learners.tasks.quiz_attempts_expired_grade",
    "inperson.tasks.seats_release_unenrolled",
    "inperson.tasks.day_notices_send",
    "inperson.tasks.attendance_completions_record",
    "onetouch.tasks.invitation_send",
    "onetouch.tasks.invitation_send_in_bulk",
    "onetouch.tasks.invitations_unsent_send",
    "announcements.tasks.announcement_recipients_claim",
    "announcements.tasks.deliveries_send",
    "announcements.tasks.deliveries_sweep",
    "announcements.tasks.reminders_claim",
    "reporting.tasks.statistics_fold",
    "reporting.tasks.statistics_compact",
    "reporting.tasks.export_file_write",
    "reporting.tasks.export_files_expire",
}


def our_tasks() -> dict:
    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}


def test_broker_redelivers_only_after_the_longest_task_could_have_finished():
    """The visibility timeout is longer than the hard time limit, so a running task is not redelivered."""
    conf = app.conf
    assert conf.broker_url.startswith("redis://")
    assert conf.task_soft_time_limit < conf.task_time_limit
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_reject_on_worker_lost is True


def test_no_task_may_outlive_the_visibility_timeout():
    """Each task's own time limits, not only the global ones, end it before the broker would redeliver it.

    A task that set time_limit above the visibility timeout would be handed to a second worker while
    the first still runs it (two renditions of one video, two rebuilds of the statistics).
    """
    conf = app.conf
    visibility = conf.broker_transport_options["visibility_timeout"]
    tasks = our_tasks()
    assert {"courses.tasks.lesson_process", "reporting.tasks.export_file_write"} <= set(tasks)
    for name, task in tasks.items():
        hard = task.time_limit or conf.task_time_limit
        soft = task.soft_time_limit or conf.task_soft_time_limit
        assert soft < hard < visibility, (name, soft, hard, visibility)


def test_late_acknowledgement_only_for_idempotent_tasks():
    """Tasks are acknowledged before running, except those known to be idempotent."""
    assert app.conf.task_acks_late is False
    tasks = our_tasks()
    assert set(tasks) >= IDEMPOTENT_TASKS | {"onetouch.tasks.email_send"}
    late = {name for name, task in tasks.items() if task.acks_late}
    assert late == IDEMPOTENT_TASKS


def test_every_task_has_bounded_retries():
    """No task of ours retries forever."""
    for name, task in our_tasks().items():
        assert task.max_retries is not None and task.max_retries <= 5, name


def test_periodic_tasks_name_registered_tasks():
    """Every beat entry points at a task that exists."""
    tasks = our_tasks()
    for entry in app.conf.beat_schedule.values():
        assert entry["task"] in tasks


def test_password_reset_email_is_sent_by_the_worker(client, celery_worker_running, commune_hue):
    """The reset mail, rendered in Vietnamese by the request, is delivered by the worker after the commit."""
    learner = learner_make(commune=commune_hue, email="quen@example.vn")
    mail.outbox.clear()

    response = client.post(reverse("account_reset_password"), {"email": learner.email})
    assert response.status_code == 302

    deadline = time.monotonic() + 15
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [m.to for m in mail.outbox] == [["quen@example.vn"]]
    [message] = mail.outbox
    assert "/accounts/password/reset/key/" in message.body
    assert "Liên kết đặt lại mật khẩu" in message.subject
    assert "Bạn nhận được email này vì bạn hoặc một người khác đã yêu cầu đặt lại mật khẩu" in message.body
    assert "Password Reset" not in message.subject
