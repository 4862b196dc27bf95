"""The SQL every dashboard section runs: counted kinds of the summary rows, summed by some columns.

The rows a section reads are given as Django lookups of the summary's columns (`Rows`); the
period as at most three parts (reporting.pure.periods). The SQL is written here rather than by
the ORM: building and compiling the same queryset took about 5 ms a query, more than PostgreSQL
took to answer it, on every page.
"""

from django.db import connections, router

from reporting.models import ALL, COUNTED_KINDS, SummaryTotal
from reporting.pure.periods import PeriodPart

# The rows a section reads are given as Django lookups of the summary's columns, each a value or,
# ending in "__in", a list: {"province_id__in": [1, 2], "commune_id": ALL}. The same dictionary
# makes a Q for the ORM (targets) and a WHERE clause for the SQL of sums_by.
Rows = dict[str, int | str | list]


def course_rows(course_id: int | None) -> Rows:
    """The rows of one course, or of all courses summed."""
    return {"course_id": course_id if course_id else ALL}


def audience_rows(audience_group: str | None) -> Rows:
    """The rows of one audience group, or of every group (None)."""
    return {"audience_group": audience_group} if audience_group is not None else {}


def sums_by(rows: Rows, parts: list[PeriodPart], keys: tuple[str, ...]) -> dict[tuple, dict[str, int]]:
    """Every counted kind of the rows in the period parts, summed by `keys`, in one query.

    Each part is grouped on its own and the groups joined by UNION ALL, then added up here: with
    the parts OR-ed in one WHERE, PostgreSQL would read the day rows of the whole period through
    the index and throw most away, where each part alone is one tight index-only range.
    """
    where, where_params = _where_sql(rows)
    columns = ", ".join(keys)
    sums = ", ".join(f"SUM({kind})" for kind in COUNTED_KINDS)
    # The summary and the fold's recent rows, summed: a key may have a row in each (docs/decisions/0025).
    # Raw SQL is routed as the ORM's reads are: to the replica inside replica_reads() (onetouch.db_routers).
    connection = connections[router.db_for_read(SummaryTotal)]
    table = connection.ops.quote_name(SummaryTotal._meta.db_table)
    part_sql = (
        f"SELECT {columns}, {sums} FROM {table} "
        f"WHERE {where} AND grain = %s AND period_start BETWEEN %s AND %s GROUP BY {columns}"
    )
    params = [value for part in parts for value in (*where_params, part.grain, part.first, part.last)]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join([part_sql] * len(parts)), params)
        rows_read = cursor.fetchall()
    totals: dict[tuple, list[int]] = {}
    for row in rows_read:
        key, counts = row[: len(keys)], row[len(keys) :]
        if key in totals:  # the same group in another part of the period
            totals[key] = [total + count for total, count in zip(totals[key], counts, strict=True)]
        else:
            totals[key] = list(counts)
    return {key: dict(zip(COUNTED_KINDS, counts, strict=True)) for key, counts in totals.items()}


def _where_sql(rows: Rows) -> tuple[str, list]:
    """The WHERE clause (without the word) and parameters matching the rows' lookups."""
    conditions, params = [], []
    for lookup, value in rows.items():
        column, _, operator = lookup.partition("__")
        if operator == "in":
            conditions.append(f"{column} IN ({', '.join(['%s'] * len(value))})" if value else "1 = 0")
            params.extend(value)
        else:
            conditions.append(f"{column} = %s")
            params.append(value)
    return " AND ".join(conditions) or "1 = 1", params
