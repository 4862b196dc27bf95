"""The throw-away PostgreSQL databases of the benchmarks: their URLs, dropped and created again."""

import argparse
import os
import sys
from urllib.parse import urlsplit, urlunsplit


def database_url(server_url: str, name: str) -> str:
    """Return the URL of database `name` on the server of `server_url`."""
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def database_recreate(server_url: str, name: str, *, create: bool) -> None:
    """Drop database `name` (closing its connections), then create it empty if asked."""
    import psycopg2
    from psycopg2 import sql

    server = server_url if urlsplit(server_url).path not in ("", "/") else database_url(server_url, "postgres")
    connection = psycopg2.connect(server)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            if create:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        connection.close()


def database_drop_at_exit(server_url: str, name: str) -> None:
    """Close this process's Django connections, then drop database `name`; report a failure, never raise.

    A benchmark's last step, also after errors and Ctrl+C, when Django may not even be set up.
    """
    try:
        from django.db import connections

        connections.close_all()
    except Exception:  # noqa: BLE001, S110 - Django may not be set up yet
        pass
    try:
        database_recreate(server_url, name, create=False)
    except Exception as error:  # noqa: BLE001 - the caller is cleaning up
        print(f"could not drop database {name}: {error}", file=sys.stderr)


def database_options_add(parser: argparse.ArgumentParser, *, db_name: str, redis_db: int = 13) -> None:
    """Add the options every benchmark has: the server, its throw-away database, the cache, --keep-db."""
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL URL with the right to create databases",
    )
    parser.add_argument("--db-name", default=db_name, help="database created and dropped by the run")
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", f"redis://127.0.0.1:6379/{redis_db}"), help="the cache"
    )
    parser.add_argument("--keep-db", action="store_true", help="leave the database in place at the end")


def database_name_check(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuse a database name without "bench": the run drops and recreates it."""
    if "bench" not in args.db_name:
        parser.error("--db-name must contain 'bench': the run drops and recreates that database")
