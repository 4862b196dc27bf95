#!/usr/bin/env python
"""How long a roster of 10,000 people takes: the dry run, then the import, on PostgreSQL.

    .venv/bin/python bench/roster_import.py                 # 10,000 rows
    .venv/bin/python bench/roster_import.py --rows 2000     # a quicker run
    .venv/bin/python bench/roster_import.py --help

It creates its own PostgreSQL database, loads the administrative units, makes a Hà Nội admin and a
published course with a run, and generates a CSV roster: every row a new person with an email
address, a mobile number for half of them, one Hà Nội commune of today each (cycling through the
province's communes), except every fifth row, written old-style (district and pre-2025 commune of
Hà Nội, one that was not split, converted through the mapping tables); and a tenth of the rows
naming a person who already has an account. It then
times, in this process and without a worker (the jobs' own functions are called):

- reading the file (rosters.pure.spreadsheets.roster_read);
- the dry run (rosters.services.imports.roster_check), which reads the file again;
- the import (roster_import_run), row by row, each row in its own transaction;
- the import of the same file a second time (every row already enrolled).

The target is under a minute for the dry run and the import together. It prints its figures and
asserts nothing. The database is dropped at the end, also on Ctrl+C.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import signal
import sys
import time
from pathlib import Path

from databases import database_drop_at_exit, database_recreate, database_url

REPO = Path(__file__).resolve().parent.parent


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Dry run and import of a generated roster on PostgreSQL.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--rows", type=int, default=10_000, help="people in the generated roster")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL URL with the right to create databases",
    )
    parser.add_argument("--db-name", default="onetouch_bench_rosters", help="database created and dropped by the run")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11"))
    parser.add_argument("--keep-db", action="store_true", help="leave the database in place at the end")
    args = parser.parse_args()
    if "bench" not in args.db_name:
        parser.error("--db-name must contain 'bench': the run drops and recreates that database")
    return args


def environment(args: argparse.Namespace) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "onetouch.settings.test",
        "DATABASE_URL": database_url(args.postgres, args.db_name),
        "REDIS_URL": args.redis_url,
        "CACHE_KEY_PREFIX": "onetouch_bench_rosters",
        "LOG_LEVEL": "WARNING",
        "MEDIA_ROOT": str(REPO / "var" / "bench_rosters_media"),
    }


def say(text: str) -> None:
    print(text, flush=True)


def timed(function, *args, **kwargs) -> float:
    started = time.perf_counter()
    function(*args, **kwargs)
    return time.perf_counter() - started


def prepare():
    """Migrate, load the units, make the admin, a published Hà Nội course with a run, and existing accounts."""
    from datetime import date

    from django.core.management import call_command
    from django.db.models import Count

    from courses.models import Course, CourseRun
    from courses.services.catalogue import course_create
    from onetouch.models import Province, User
    from onetouch.services.admin_units import admin_units_load
    from onetouch.services.staff_accounts import staff_account_create
    from rosters.models import OldCommune
    from rosters.services.addresses import address_mappings_load

    call_command("migrate", interactive=False, verbosity=0)
    admin_units_load()
    address_mappings_load()
    old_style = list(
        OldCommune.objects.filter(province_code="01")
        .annotate(parts=Count("successor_links"))
        .filter(parts=1)
        .values_list("name", "district_name", "province_name")
    )
    hanoi = Province.objects.get(code="01")
    admin = staff_account_create(
        email="admin.bench@example.vn",
        full_name="Quản trị",
        role=User.Role.PROVINCIAL_ADMIN,
        province=hanoi,
        password="bench-bench-123",  # noqa: S106 - a throw-away database
    )
    course = course_create(
        title="Khóa học đo",
        slug="khoa-hoc-do",
        summary="Đo.",
        topic="digital_skills",
        format="online",
        audience_codes=("civil_servant",),
        owner_province=hanoi,
        is_published=False,
    )
    # The bench needs a published course, not the studio's publishing rules (a published lesson).
    Course.objects.filter(id=course.id).update(is_published=True)
    course.refresh_from_db()
    run = CourseRun.objects.create(
        course=course, title="Đợt đo", starts_on=date(2026, 1, 1), ends_on=date(2027, 12, 31)
    )
    return admin, run, list(hanoi.communes.values_list("name", flat=True)), old_style


def roster_csv(rows: int, communes: list[str], old_style: list[tuple[str, str, str]]) -> tuple[bytes, int]:
    """Return a UTF-8 CSV of `rows` people and how many of them already have an account (made here)."""
    from onetouch.models import User

    existing = [User(email=f"da.co.{n}@example.vn", full_name=f"Đã có {n}") for n in range(0, rows, 10)]
    for user in existing:
        user.set_unusable_password()
    User.objects.bulk_create(existing, batch_size=1000)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "Họ và tên",
            "Email",
            "Số điện thoại",
            "Nhóm đối tượng",
            "Tỉnh/thành phố",
            "Quận/huyện (địa chỉ cũ)",
            "Xã/phường",
            "Cơ quan/đơn vị",
            "Chức vụ",
        ]
    )
    for n in range(rows):
        email = f"da.co.{n}@example.vn" if n % 10 == 0 else f"can.bo.{n}@example.vn"
        phone = f"091{n:07d}" if n % 2 else ""
        if n % 5 == 4 and old_style:
            commune, district, province = old_style[n % len(old_style)]
        else:
            commune, district, province = communes[n % len(communes)], "", "Hà Nội"
        writer.writerow(
            [
                f"Nguyễn Văn {n}",
                email,
                phone,
                "Cán bộ, công chức, viên chức",
                province,
                district,
                commune,
                "UBND",
                "Chuyên viên",
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode(), len(existing)


def main() -> int:
    args = options()

    def stop_on_term(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop_on_term)
    os.environ.update(environment(args))
    sys.path.insert(0, str(REPO))
    try:
        say(f"Preparing database {args.db_name} ...")
        database_recreate(args.postgres, args.db_name, create=True)
        import django

        django.setup()
        from learners.models import Enrolment
        from rosters.models import RosterImport, RosterRow
        from rosters.pure.spreadsheets import roster_read
        from rosters.services.import_rows import roster_import_run
        from rosters.services.imports import roster_check, roster_confirm, roster_import_create

        admin, run, communes, old_style = prepare()
        data, existing = roster_csv(args.rows, communes, old_style)
        say(f"  roster: {args.rows:,} rows, {len(data) / 1e6:.1f} MB, {existing:,} people with an account already")

        read_s = timed(roster_read, io.BytesIO(data))
        say(f"Reading the file:        {read_s:6.1f} s")
        for attempt in ("first import", "same file again"):
            roster_import = roster_import_create(by=admin, course_run=run, file_name="bench.csv", content=data)
            check_s = timed(roster_check, roster_import_id=roster_import.id)
            counts = dict(
                RosterRow.objects.filter(roster_import=roster_import)
                .values_list("outcome")
                .annotate(n=django.db.models.Count("id"))
            )
            roster_confirm(roster_import=RosterImport.objects.get(id=roster_import.id))
            import_s = timed(roster_import_run, roster_import_id=roster_import.id)
            say(f"{attempt}: dry run {check_s:6.1f} s, import {import_s:6.1f} s, total {check_s + import_s:6.1f} s")
            say(f"  planned: {counts}")
        enrolled = Enrolment.objects.filter(course_run=run).count()
        say(f"Enrolled in the run: {enrolled:,} (expected {args.rows:,})")
        return 0
    except KeyboardInterrupt:
        say("Interrupted.")
        return 130
    finally:
        if not args.keep_db:
            database_drop_at_exit(args.postgres, args.db_name)


if __name__ == "__main__":
    sys.exit(main())
