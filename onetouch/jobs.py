"""Queue background jobs once the current transaction has committed, without failing the request.

When the broker (Redis) is down the change itself has already been committed; raising then would
show the person an error page for something that worked. So a job that cannot be queued is logged
and left to a periodic sweep that finds the work still to do (learners.tasks.certificates_missing_issue
for certificates; a statistics fold reads the event table, so nothing is queued for it at all).
"""

import logging

from celery import Task
from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def task_queue_on_commit(task: Task, *args, **kwargs) -> None:
    """Queue `task(*args, **kwargs)` after the commit; a broker that cannot be reached is logged."""

    def queue() -> None:
        try:
            task.apply_async(args=args, kwargs=kwargs)
        except (OperationalError, OSError):
            logger.warning("Broker unreachable: %s not queued; a periodic sweep will catch up.", task.name)

    transaction.on_commit(queue)
