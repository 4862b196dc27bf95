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
from collections import Counter

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
