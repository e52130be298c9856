"""A minimal, fast SMTP sink in its own process, so the benchmark measures our sending and
not a Python mail server sharing our interpreter. It accepts everything and counts messages."""

from __future__ import annotations

import multiprocessing
import os
import socketserver
import tempfile

from .web import free_port


class _Session(socketserver.StreamRequestHandler):
    def handle(self):
        write = self.wfile.write
        write(b"220 sink ESMTP\r\n")
        rcpts: list[str] = []
        while True:
            line = self.rfile.readline(65536)
            if not line:
                return
            verb = line[:4].upper()
            if verb == b"EHLO":
                write(b"250-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE 10485760\r\n")
            elif verb == b"DATA":
                write(b"354 go ahead\r\n")
                tail = b""
                while not tail.endswith(b"\r\n.\r\n"):
                    chunk = self.rfile.read1(65536)
                    if not chunk:
                        return
                    tail = (tail + chunk)[-5:]
                with self.server.count.get_lock():
                    self.server.count.value += 1
                    if self.server.log_path:
                        with open(self.server.log_path, "a") as fh:
                            fh.write("".join(r + "\n" for r in rcpts))
                rcpts = []
                write(b"250 accepted\r\n")
            elif verb == b"QUIT":
                write(b"221 bye\r\n")
                return
            else:  # HELO, MAIL, RCPT, RSET, NOOP
                if verb == b"RCPT":
                    rcpts.append(line.decode().split(":", 1)[1].strip().strip("<>").lower())
                elif verb in (b"MAIL", b"RSET"):
                    rcpts = []
                write(b"250 ok\r\n")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def _serve(port: int, count, log_path: str | None) -> None:
    server = _Server(("127.0.0.1", port), _Session)
    server.count, server.log_path = count, log_path
    server.serve_forever()


class FastSink:
    def __init__(self, log_recipients: bool = False):
        self.port = free_port()
        self.count = multiprocessing.Value("i", 0)
        self.log_path = tempfile.mktemp(prefix="sink-", suffix=".log") if log_recipients else None
        self.proc = multiprocessing.Process(target=_serve, args=(self.port, self.count, self.log_path), daemon=True)

    def start(self):
        self.proc.start()
        import socket
        import time

        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)

    def stop(self):
        self.proc.terminate()
        self.proc.join(5)
        if self.log_path and os.path.exists(self.log_path):
            os.unlink(self.log_path)

    def recipients(self) -> list[str]:
        """Every accepted recipient, once per message that reached it."""
        if not self.log_path or not os.path.exists(self.log_path):
            return []
        with open(self.log_path) as fh:
            return fh.read().split()

    @property
    def received(self) -> int:
        return self.count.value

    def config(self) -> dict:
        return {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": self.port, "MAIL_TIMEOUT": 10}
