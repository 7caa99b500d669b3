"""A tiny SMTP server for the tests: it takes every message and keeps it (Python 3.12 removed
smtpd, and aiosmtpd is not a dependency). Hooks let a test act at the worst moments: when a
client connects, and when a message is whole but not yet answered with 250."""

import socket
import threading
from collections.abc import Callable


class SmtpSink:
    def __init__(
        self,
        *,
        on_connect: Callable[[int], None] | None = None,
        on_message: Callable[[int], None] | None = None,
    ):
        """`on_connect(n)` / `on_message(n)`: called for the n-th connection / message (from 1)."""
        self.on_connect, self.on_message = on_connect, on_message
        self.messages: list[bytes] = []
        self.connections = 0
        self._lock = threading.Lock()
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def start(self) -> "SmtpSink":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.close()

    def _serve(self) -> None:
        while True:
            try:
                client, _address = self._server.accept()
            except OSError:  # stopped
                return
            with self._lock:
                self.connections += 1
                number = self.connections
            threading.Thread(target=self._talk, args=(client, number), daemon=True).start()

    def _talk(self, client: socket.socket, number: int) -> None:
        with client, client.makefile("rb") as lines:
            try:
                if self.on_connect:
                    self.on_connect(number)
                client.sendall(b"220 sink ESMTP\r\n")
                for line in lines:
                    verb = line[:4].upper()
                    if verb == b"DATA":
                        client.sendall(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                        self._receive(lines)
                        client.sendall(b"250 2.0.0 Queued\r\n")
                    elif verb == b"QUIT":
                        client.sendall(b"221 2.0.0 Bye\r\n")
                        return
                    elif verb in (b"EHLO", b"HELO", b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                        client.sendall(b"250 OK\r\n")
                    else:
                        client.sendall(b"502 5.5.2 Not implemented\r\n")
            except OSError:  # the client died (the test killed it)
                return

    def _receive(self, lines) -> None:
        body = []
        for line in lines:
            if line == b".\r\n":
                break
            body.append(line)
        with self._lock:
            self.messages.append(b"".join(body))
            number = len(self.messages)
        # Taken: from here on the message counts as delivered, whatever happens to the client.
        if self.on_message:
            self.on_message(number)
