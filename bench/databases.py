"""The throw-away PostgreSQL databases of the benchmarks: their URLs, dropped and created again."""

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
