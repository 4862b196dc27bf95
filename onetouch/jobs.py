"""Queue background jobs by task name: the one way services hand work to a worker.

Tasks import the services they run; services never import tasks. A service names the task it wants
(`"learners.tasks.certificate_issue"`, the task's dotted path, which is also its Celery name) and
these functions import it when they queue it, so there is no import circle to break and every task
keeps its own options (time limits, retries, eager mode in a shell).

A job is queued after the current transaction has committed. When the broker (Redis) is down the
change itself has already been committed; raising then would show the person an error page for
something that worked. So a job that cannot be queued is logged and left to a periodic sweep that
finds the work still to do (learners.tasks.certificates_missing_issue for certificates,
courses.tasks.lessons_unprocessed_requeue for lesson processing; a statistics fold reads the event
table, so nothing is queued for it at all).
"""

import logging

from django.db import transaction
from django.utils.module_loading import import_string
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def task_queue(task_name: str, *args, **kwargs) -> None:
    """Queue the task named `task_name` now (from a periodic sweep, which runs outside a request)."""
    # Imported at call time, not looked up in the registry: a web process registers a task only
    # once something has imported its module.
    import_string(task_name).apply_async(args=args, kwargs=kwargs)


def task_queue_on_commit(task_name: str, *args, **kwargs) -> None:
    """Queue the task named `task_name` after the commit; a broker that cannot be reached is logged."""

    def queue() -> None:
        try:
            task_queue(task_name, *args, **kwargs)
        except (OperationalError, OSError):
            logger.warning("Broker unreachable: %s not queued; a periodic sweep will catch up.", task_name)

    transaction.on_commit(queue)
