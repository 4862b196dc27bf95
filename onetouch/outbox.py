"""Send rows of an outbox table one at a time, each exactly once however many workers drain it at once.

The pattern the in-person day notices follow (inperson/services/notices.py, docs/decisions/0017),
made generic for the announcements and reminders (docs/decisions/0023): every message owed is a
row claimed beforehand under a unique key; here each pending row is taken in its own transaction
with `SELECT … FOR UPDATE SKIP LOCKED`, handed to `deliver`, which sends it and saves its "done"
mark (a `sent_at`) in that same transaction. A second worker at the same moment skips the row
being sent and finds it done afterwards. A send that raises rolls its transaction back, so the row
stays pending; `failed` is then called (outside the transaction) to count the attempt, and the row
is not taken again by this drain.

The remaining window, accepted: a worker killed after the provider accepted a message and before
the commit sends it again later (a duplicate, never a loss).
"""

import logging
from collections.abc import Callable

from django.db import transaction
from django.db.models import Model, QuerySet

logger = logging.getLogger(__name__)


def outbox_drain(
    *,
    pending: QuerySet,
    deliver: Callable[[Model], int],
    failed: Callable[[Model], None],
    limit: int,
) -> int:
    """Deliver up to `limit` rows of `pending` (ordered), one transaction each; return what `deliver` counted.

    `pending` must select only rows not yet done, so a row done by another worker is never taken.
    """
    delivered, taken, failed_ids = 0, 0, []
    while taken < limit:
        row = None
        try:
            with transaction.atomic():
                row = pending.select_for_update(skip_locked=True, of=("self",)).exclude(id__in=failed_ids).first()
                if row is None:
                    return delivered
                taken += 1
                delivered += deliver(row)
        except Exception:
            if row is None:
                raise
            # The row's transaction is rolled back: it stays pending for a later drain.
            logger.exception("%s %s not sent; it will be tried again.", type(row).__name__, row.pk)
            failed_ids.append(row.pk)
            failed(row)
    return delivered
