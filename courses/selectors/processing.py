"""Reads of lesson processing: the lessons whose processing job was lost, for the sweep that queues them again."""

from datetime import datetime

from django.db.models import Q, QuerySet

from courses.models import Lesson


def lesson_list_processing_lost(*, changed_before: datetime, started_before: datetime) -> QuerySet[Lesson]:
    """Return lessons still processing whose job was lost, oldest change first.

    Lost: last changed (uploaded, retried, or queued again) before `changed_before`, and either no run
    has started on the file (the job was never queued, or its message was lost) or the run holding it
    started before `started_before` and never recorded a result (its worker died).
    """
    return (
        Lesson.objects.filter(processing=Lesson.Processing.PROCESSING, updated_at__lt=changed_before)
        .exclude(source="")
        .filter(Q(processing_run="") | Q(processing_started_at__lt=started_before))
        .order_by("updated_at", "id")
    )
