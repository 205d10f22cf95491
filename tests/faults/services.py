"""Services a fault test can break: its own redis-server, and a door to PostgreSQL.

Each test stops only what it started, by the process it holds. Nothing here touches
the shared Redis or PostgreSQL server itself.
"""

from __future__ import annotations

import contextlib
import selectors
import shutil
import socket
import subprocess
import threading
import time

FAULT_PORTS = range(6390, 6400)


def free_port(candidates=FAULT_PORTS) -> int:
    for port in candidates:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {candidates}")


class RedisServer:
    """A redis-server of the test's own on a spare port; ``stop()`` and ``start()`` it."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(
            [
                binary,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as connection,
            ):
                connection.sendall(b"PING\r\n")
                if connection.recv(16).startswith(b"+PONG"):
                    return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


class TcpDoor:
    """A TCP forwarder to PostgreSQL that can be shut (every connection cut) and reopened.

    The application connects through it; shutting it is PostgreSQL going away for
    the application, without stopping the server that everyone else shares.
    """

    def __init__(self, target_port: int, target_host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self.port = free_port(range(15432, 15532))
        self._listener: socket.socket | None = None
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._open = threading.Event()

    def open(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        self._open.set()
        self._thread = threading.Thread(target=self._serve, name="tcp-door", daemon=True)
        self._thread.start()

    def shut(self) -> None:
        """Refuse new connections and cut every open one, as a dead server would."""
        self._open.clear()
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        if self._thread is not None:
            self._thread.join(timeout=5)
        with self._lock:
            for client, upstream in self._pairs:
                for end in (client, upstream):
                    with contextlib.suppress(OSError):
                        end.shutdown(socket.SHUT_RDWR)
                    end.close()
            self._pairs.clear()

    def _serve(self) -> None:
        selector = selectors.DefaultSelector()
        listener = self._listener
        selector.register(listener, selectors.EVENT_READ, None)
        peers: dict[socket.socket, socket.socket] = {}
        while self._open.is_set():
            try:
                events = selector.select(timeout=0.1)
            except (OSError, ValueError):
                break
            for key, _ in events:
                sock = key.fileobj
                if sock is listener:
                    try:
                        client, _ = listener.accept()
                        upstream = socket.create_connection(self.target)
                    except OSError:
                        continue
                    with self._lock:
                        self._pairs.append((client, upstream))
                    peers[client], peers[upstream] = upstream, client
                    selector.register(client, selectors.EVENT_READ, None)
                    selector.register(upstream, selectors.EVENT_READ, None)
                    continue
                try:
                    data = sock.recv(65536)
                except OSError:
                    data = b""
                other = peers.get(sock)
                if not data or other is None:
                    for end in (sock, other):
                        if end is not None:
                            with contextlib.suppress(KeyError, ValueError):
                                selector.unregister(end)
                            peers.pop(end, None)
                            end.close()
                    continue
                with contextlib.suppress(OSError):
                    other.sendall(data)
        selector.close()
