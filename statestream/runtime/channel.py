"""The command channel of a session: a Unix socket beside its shared memory.

Transport: :mod:`multiprocessing.connection` (a Listener in the core, a Client in every
tool), authenticated with a random key in a file only the session's user can read.
Messages are JSON (never pickle): ``{"id": n, "cmd": text}`` and ``{"id": n, "reply":
text}``. Every connection has its own ids, so a tool that times out or dies leaves
nothing that another tool could mistake for its own reply.
"""
from __future__ import annotations

import json
import os
import queue
import secrets
import threading
from multiprocessing import connection

from statestream.errors import UserError
from statestream.runtime import shm

MAX_MESSAGE = 64 * 1024


def socket_path(sid: str) -> str:
    return os.path.join(shm.shm_dir(), f"{shm.PREFIX}{sid}.sock")


def key_path(sid: str) -> str:
    return os.path.join(shm.shm_dir(), f"{shm.PREFIX}{sid}.key")


class Request:
    """One command waiting for the core; ``answer`` wakes whoever waits for it."""

    def __init__(self, text: str | None):
        self.text = text
        self.reply: str | None = None
        self.done = threading.Event()

    def answer(self, reply: str) -> None:
        self.reply = reply
        self.done.set()


class ChannelServer:
    """Accepts tools and queues their commands for the core (which answers them)."""

    def __init__(self, sid: str, answer_now=None):
        """``answer_now(text)``: a reply for commands that need not wait for the core
        (reading ones), or None."""
        self.answer_now = answer_now or (lambda text: None)
        self.requests: queue.Queue = queue.Queue()
        self.key = secrets.token_bytes(32)
        descriptor = os.open(key_path(sid), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(self.key)
        self.address = socket_path(sid)
        self.listener = connection.Listener(self.address, family="AF_UNIX")
        os.chmod(self.address, 0o600)
        self.closed = False
        self.connections: set = set()
        threading.Thread(target=self._accept, name="statestream-accept", daemon=True).start()

    def submit(self, text: str) -> Request:
        """A command from any thread: answered at once when it only reads, else queued
        for the core, which answers it between frames."""
        request = Request(text)
        try:
            reply = self.answer_now(text)
        except Exception as exc:  # noqa: BLE001 - a bug of ours must not end the session
            reply = f"error: internal error in command: {type(exc).__name__}: {exc}"
        if reply is not None:
            request.answer(reply)
        else:
            self.requests.put(request)
        return request

    def wake(self) -> None:
        """Wake a core that waits for commands (a streaming control changed)."""
        self.requests.put(Request(None))

    def _accept(self) -> None:
        while not self.closed:
            try:
                conn = self.listener.accept()
            except OSError:
                if self.closed:
                    return
                continue
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn) -> None:
        self.connections.add(conn)
        try:
            _authenticate(conn, self.key)
            while not self.closed:
                raw = conn.recv_bytes(MAX_MESSAGE)
                ident, text = _parse_request(raw)
                if text is None:
                    reply = "error: malformed request"
                else:
                    request = self.submit(text)
                    while not request.done.wait(0.5):
                        if self.closed:
                            return
                    reply = request.reply
                conn.send_bytes(json.dumps({"id": ident, "reply": reply}).encode())
        except (EOFError, OSError, connection.AuthenticationError, ValueError):
            pass  # the tool went away or was not one of ours: nothing stays pending
        finally:
            self.connections.discard(conn)
            try:
                conn.close()
            except OSError:
                pass  # close() of the channel closed it at the same moment

    def close(self) -> None:
        self.closed = True
        try:
            self.listener.close()
        except OSError:
            pass
        for conn in list(self.connections):
            try:
                conn.close()
            except OSError:
                pass
        while True:  # wake everyone still waiting
            try:
                self.requests.get_nowait().answer("error: the session has ended")
            except queue.Empty:
                break


def _authenticate(conn, key: bytes) -> None:
    """The Listener's handshake, done here so that a silent peer blocks only its thread."""
    connection.deliver_challenge(conn, key)
    connection.answer_challenge(conn, key)


def _parse_request(raw: bytes):
    try:
        message = json.loads(raw.decode("utf-8"))
        ident, text = message["id"], message["cmd"]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None, None
    if not isinstance(text, str) or isinstance(ident, bool) or not isinstance(ident, int):
        return None, None
    return ident, text


class ChannelClient:
    """A tool's end: ``request(text)`` returns the core's reply."""

    def __init__(self, sid: str):
        self.sid = sid
        self.conn = None
        self.next_id = 0
        self.lock = threading.Lock()

    def _connect(self):
        try:
            with open(key_path(self.sid), "rb") as handle:
                key = handle.read()
            return connection.Client(socket_path(self.sid), family="AF_UNIX", authkey=key)
        except FileNotFoundError:
            raise UserError(f"no running session {self.sid!r} (see statestream sessions)") \
                from None
        except (OSError, EOFError, connection.AuthenticationError) as exc:
            raise UserError(f"cannot reach session {self.sid}: {exc}") from None

    def request(self, text: str, timeout: float = 10.0) -> str:
        with self.lock:
            if self.conn is None:
                self.conn = self._connect()
            self.next_id += 1
            ident = self.next_id
            try:
                self.conn.send_bytes(json.dumps({"id": ident, "cmd": text}).encode())
                while True:
                    if not self.conn.poll(timeout):
                        self.close_connection()  # a late reply can never reach anyone
                        raise UserError(f"session {self.sid} did not answer {text!r} in "
                                        f"{timeout:g} s")
                    message = json.loads(self.conn.recv_bytes(MAX_MESSAGE).decode())
                    if message.get("id") == ident:
                        return str(message.get("reply"))
            except (EOFError, OSError):
                self.close_connection()
                raise UserError(f"session {self.sid} has ended") from None

    def close_connection(self) -> None:
        if self.conn is not None:
            try:
                self.conn.close()
            except OSError:
                pass
            self.conn = None

    close = close_connection
