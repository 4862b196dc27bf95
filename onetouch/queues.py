"""The Celery queues, one per kind of work, and the worker settings each one is served with (docs/decisions/0027).

Work that competes is kept apart: a flood of video uploads waits on `media`, a national announcement
on `bulk_mail`, and neither holds up the statistics fold (`statistics`) or a password reset email
(`mail`), each taken by workers of its own. Every task is routed by name to one of these in settings
(CELERY_TASK_ROUTES); tests/onetouch/test_queues.py fails for a task without a route.

Where one worker serves everything (`make run`, the tests' worker thread), it consumes QUEUE_NAMES,
so a queue added here is never left without a worker. In production (docker-compose.yml) each queue
has its own worker service started with `worker_arguments(queue)`. Plain Python, no Django:
scripts/run.sh reads the list with `python -m onetouch.queues`.
"""

from dataclasses import dataclass

DEFAULT = "default"
STATISTICS = "statistics"
MEDIA = "media"
MAIL = "mail"
BULK_MAIL = "bulk_mail"
EXPORTS = "exports"


@dataclass(frozen=True)
class Queue:
    """A queue and how its production worker runs (one container; scale by adding containers)."""

    name: str
    # Worker processes (prefork): the tasks this worker runs at the same time.
    concurrency: int
    # A process is replaced after this many tasks, or once it holds this much resident memory, so
    # memory that a long task leaves behind (video, spreadsheets) is given back.
    max_tasks_per_child: int | None = None
    max_memory_per_child_kib: int | None = None
    # Messages each process reserves ahead: 1, so a short task never waits behind a long one that
    # another process already holds (the task's own time limits bound the longest wait).
    prefetch_multiplier: int = 1


QUEUES = (
    # Short bookkeeping for learners: certificates, grading expired quizzes, seats, counts, and the
    # sweeps that queue again what was lost. Anything without a route lands here too.
    Queue(DEFAULT, concurrency=2),
    # The fold every minute. One process: a second fold finds the first one's lock and skips anyway.
    Queue(STATISTICS, concurrency=1),
    # Lesson videos and slides (ffmpeg, pdftoppm), up to 55 minutes each. One at a time per
    # container: ffmpeg already uses every core; a process is renewed after 10 files or 1 GiB.
    Queue(MEDIA, concurrency=1, max_tasks_per_child=10, max_memory_per_child_kib=1024 * 1024),
    # Messages one person is waiting for: password reset and sign-up emails, codes by SMS, a single
    # invitation, the in-person day's changes, cancellations and seats. Short, network-bound.
    Queue(MAIL, concurrency=4),
    # Messages sent to many: announcements, reminders to finish, a roster's invitations (thousands
    # of tasks at once). Their own processes, so they never take the ones above.
    Queue(BULK_MAIL, concurrency=2),
    # Files an admin asked for: statistics exports (CSV/XLSX, up to 30 minutes) and roster checks
    # and imports. Spreadsheets are built in memory: a process is renewed after 20 or at 1 GiB.
    Queue(EXPORTS, concurrency=1, max_tasks_per_child=20, max_memory_per_child_kib=1024 * 1024),
)

QUEUE_NAMES = tuple(queue.name for queue in QUEUES)


def queue_get(name: str) -> Queue:
    return next(queue for queue in QUEUES if queue.name == name)


def worker_arguments(queue: Queue) -> list[str]:
    """The `celery -A onetouch worker` arguments of the production worker that serves `queue` alone."""
    arguments = ["-Q", queue.name, "--hostname", f"{queue.name}@%h", "--concurrency", str(queue.concurrency)]
    arguments += ["--prefetch-multiplier", str(queue.prefetch_multiplier)]
    if queue.max_tasks_per_child:
        arguments += ["--max-tasks-per-child", str(queue.max_tasks_per_child)]
    if queue.max_memory_per_child_kib:
        arguments += ["--max-memory-per-child", str(queue.max_memory_per_child_kib)]
    return arguments


if __name__ == "__main__":
    # For a worker that serves every queue: `celery -A onetouch worker -Q "$(python -m onetouch.queues)"`.
    print(",".join(QUEUE_NAMES))
