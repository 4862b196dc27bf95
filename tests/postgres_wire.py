"""A TCP proxy between Django and PostgreSQL that counts the statements the server receives.

It reads the frontend side of PostgreSQL's wire protocol (https://www.postgresql.org/docs/current/
protocol-message-formats.html): after the untyped start-up message, every message is a type byte
and a 4-byte length that counts itself. A statement reaches the server as a Query ('Q', the simple
protocol, which psycopg2 uses) or as an Execute ('E', the extended protocol). Whatever Django sends
(its health check's SELECT 1, BEGIN, COMMIT) is counted, which Django's own query capture misses.
"""

import contextlib
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Iterator

import psycopg2
from django.db import connection

STATEMENT_TYPES = (b"Q", b"E")
# Start-up requests answered by one byte before the real start-up message (encryption offers).
ENCRYPTION_REQUEST_CODES = (80877103, 80877104)  # SSLRequest, GSSENCRequest


class StatementCountingProxy:
    """Listen on 127.0.0.1:`port`, forward to `upstream`, and count frontend messages by type."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.messages: Counter[bytes] = Counter()
        self.lock = threading.Lock()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        self.running = True
        threading.Thread(target=self.accept, daemon=True).start()

    @property
    def statements(self) -> int:
        with self.lock:
            return sum(self.messages[kind] for kind in STATEMENT_TYPES)

    def accept(self) -> None:
        while self.running:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            self.sockets += [client, server]
            threading.Thread(target=self.frontend, args=(client, server), daemon=True).start()
            threading.Thread(target=self.backend, args=(server, client), daemon=True).start()

    def frontend(self, client: socket.socket, server: socket.socket) -> None:
        """Forward what Django sends, counting each message before it goes on to the server."""
        buffer, started = b"", False
        try:
            while chunk := client.recv(65536):
                buffer += chunk
                while True:
                    if not started:  # untyped: length, then a request code or the protocol version
                        if len(buffer) < 8:
                            break
                        length, code = struct.unpack("!ii", buffer[:8])
                        if len(buffer) < length:
                            break
                        started = code not in ENCRYPTION_REQUEST_CODES
                    else:
                        if len(buffer) < 5:
                            break
                        length = struct.unpack("!i", buffer[1:5])[0] + 1
                        if len(buffer) < length:
                            break
                        with self.lock:
                            self.messages[buffer[:1]] += 1
                    server.sendall(buffer[:length])
                    buffer = buffer[length:]
        except OSError:
            pass
        finally:
            hang_up(server)

    def backend(self, server: socket.socket, client: socket.socket) -> None:
        try:
            while chunk := server.recv(65536):
                client.sendall(chunk)
        except OSError:
            pass
        finally:
            hang_up(client)

    def close(self) -> None:
        self.running = False
        self.listener.close()
        for sock in self.sockets:
            hang_up(sock)


def hang_up(sock: socket.socket) -> None:
    """Close both ways at once. A bare close() while the other thread is blocked in recv() on the
    same socket sends nothing (the pending call keeps it open), and the peer would wait forever."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


@contextlib.contextmanager
def default_connection_counted() -> Iterator[StatementCountingProxy]:
    """Send the default connection through a counting proxy, persistent and health-checked as in production."""
    upstream = (connection.settings_dict["HOST"] or "127.0.0.1", int(connection.settings_dict["PORT"] or 5432))
    proxy = StatementCountingProxy(upstream)
    saved = {key: connection.settings_dict[key] for key in ("HOST", "PORT", "CONN_MAX_AGE", "CONN_HEALTH_CHECKS")}
    saved_options = connection.settings_dict["OPTIONS"]
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=proxy.port, CONN_MAX_AGE=600, CONN_HEALTH_CHECKS=True)
    # Plain text on the wire, so the proxy can read it.
    connection.settings_dict["OPTIONS"] = {**saved_options, "sslmode": "disable", "gssencmode": "disable"}
    # Connected before anything is counted, as a worker is long before most requests (opening a
    # connection sends statements of its own, SET TIME ZONE).
    connection.ensure_connection()
    try:
        yield proxy
    finally:
        connection.close()
        connection.settings_dict.update(saved)
        connection.settings_dict["OPTIONS"] = saved_options
        proxy.close()


def backend_terminate(pid: int, server: tuple[str, int]) -> None:
    """End a backend from another connection (a server restart, a proxy's timeout), and wait until it is gone."""
    settings_dict = connection.settings_dict
    other = psycopg2.connect(
        dbname=settings_dict["NAME"],
        user=settings_dict["USER"],
        password=settings_dict["PASSWORD"] or None,
        host=server[0],
        port=server[1],
    )
    try:
        other.autocommit = True
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            for _ in range(100):
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
                if cursor.fetchone()[0] == 0:
                    return
                time.sleep(0.05)
    finally:
        other.close()
    raise AssertionError(f"backend {pid} did not end")
