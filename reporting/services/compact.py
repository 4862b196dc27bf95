"""Move the recent summary rows the fold wrote into the summary (`statistics_compact`, hourly).

Invariants:
- A key's figure is its summary row plus its recent row (dashboards read `SummaryTotal`, both
  summed), so moving a row changes no figure as long as the addition to the summary and the
  deletion from the recent rows commit together: each batch is one transaction.
- Each batch holds the fold's advisory lock, so no fold adds to the rows being moved (a fold
  meanwhile skips or waits, then upserts into the emptied recent table: nothing counted twice).
- Batches are short (BATCH_ROWS rows), so a fold waits at most one batch; pages never wait (they
  take no row locks).
"""

from dataclasses import dataclass

from django.db import connection, transaction

from reporting.models import COUNTED_KINDS, RecentCount, SummaryCount
from reporting.services.fold import fold_lock_take
from reporting.services.fold_sql import SUMMARY_KEY, table

# Rows moved per transaction: about a hundred milliseconds of upserts into a summary of millions.
BATCH_ROWS = 5_000


@dataclass(frozen=True)
class CompactResult:
    rows: int  # recent rows moved into the summary
    skipped: bool = False  # a fold or rebuild held the lock and the caller chose not to wait


def statistics_compact(*, wait: bool = True, batch_rows: int = BATCH_ROWS) -> CompactResult:
    """Add every recent row to its summary row and delete it, a batch per transaction, oldest first."""
    moved = 0
    while True:
        with transaction.atomic():
            if not fold_lock_take(wait=wait):
                return CompactResult(rows=moved, skipped=True)
            batch = _batch_move(batch_rows)
        moved += batch
        if batch < batch_rows:
            return CompactResult(rows=moved)


def _batch_move(batch_rows: int) -> int:
    """Move the `batch_rows` oldest recent rows into the summary; return how many were moved."""
    recent, summary = table(RecentCount), table(SummaryCount)
    columns = ", ".join((*SUMMARY_KEY, *COUNTED_KINDS))
    additions = ", ".join(f"{kind} = {summary}.{kind} + EXCLUDED.{kind}" for kind in COUNTED_KINDS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT MAX(id) FROM (SELECT id FROM {recent} ORDER BY id LIMIT %s) AS batch",  # noqa: S608 (our tables)
            [batch_rows],
        )
        (last,) = cursor.fetchone()
        if last is None:
            return 0
        # Under the fold's lock nothing else writes the recent rows, so both statements see the same
        # batch. In key order, so neighbouring rows of the summary's index are written together.
        cursor.execute(
            f"INSERT INTO {summary} ({columns}) SELECT {columns} FROM {recent} WHERE id <= %s "  # noqa: S608
            f"ORDER BY province_id, commune_id, course_id, grain, period_start, audience_group "
            f"ON CONFLICT ({', '.join(SUMMARY_KEY)}) DO UPDATE SET {additions}",
            [last],
        )
        cursor.execute(f"DELETE FROM {recent} WHERE id <= %s", [last])  # noqa: S608
        return cursor.rowcount
