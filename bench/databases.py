"""The throw-away PostgreSQL databases of the benchmarks: their URLs, dropped and created again."""

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
