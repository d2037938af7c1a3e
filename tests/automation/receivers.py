"""Real local receivers for notifications: an SMTP server (aiosmtpd) and an HTTP server that
records every request and answers from a script (e.g. 500 then 200), or holds the request open
until told to drop it (a receiver a worker can be killed in the middle of talking to)."""

from __future__ import annotations

import email
import socket
import threading
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOLD = "hold"  # an answer that keeps the connection open until ``release()``, then drops it


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """An SMTP handler that keeps the messages it accepts."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.port = free_port()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"


@dataclass(frozen=True)
class Recorded:
    path: str
    headers: dict[str, str]
    body: bytes
    answered: int | None


class Receiver:
    """An HTTP server on 127.0.0.1 (a free port) answering POSTs with the scripted codes in order;
    the last code repeats. Every request is recorded with the code it got (None: dropped)."""

    def __init__(self, answers=(200,)):
        self.answers = list(answers)
        self.requests: list[Recorded] = []
        self.arrived = threading.Event()
        self._release = threading.Event()
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (the http.server API)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._lock:
                    answer = receiver.answers.pop(0) if len(receiver.answers) > 1 else receiver.answers[0]
                    receiver.requests.append(Recorded(self.path, dict(self.headers), body,
                                                      None if answer == HOLD else answer))
                receiver.arrived.set()
                if answer == HOLD:
                    receiver._release.wait(60)
                    self.close_connection = True
                    return
                self.send_response(answer)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> Receiver:
        self._thread.start()
        return self

    def release(self) -> None:
        self._release.set()

    def stop(self) -> None:
        self.release()
        self.server.shutdown()
        self.server.server_close()

    def answered(self) -> list[int | None]:
        return [r.answered for r in self.requests]
