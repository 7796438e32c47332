"""A real SMTP server for tests: aiosmtpd on a free 127.0.0.1 port, recording what it receives.

    with SmtpServer(user="kim", password="rahasia") as server:
        settings = ChannelsSettings(smtp_url=server.url, smtp_from="KIM <kim@desa.id>")
        ...
        [received] = server.wait_for(1)

It can require a login, speak TLS (STARTTLS or from the first byte, with a self-signed certificate
made by the `openssl` command; point SSL_CERT_FILE at `.ca_file` to trust it), refuse a recipient
for good (550) and put off the next messages (451).

Under eventlet's monkey patching aiosmtpd's "thread" is a green thread and its asyncio loop selects
on green sockets, so the loop and the test share one OS thread, each yielding while it waits on a
socket: that works (services/channels/tests/test_email.py runs so), and without monkey patching it is
a real thread, as aiosmtpd means it."""
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import warnings
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    login: str | None  # who logged in, when the server asked for it


class _Controller(Controller):
    """aiosmtpd's controller on a socket bound before it starts: a free port, and no other
    process can take it between choosing and binding."""

    def __init__(self, handler: Any, listener: socket.socket, **kwargs: Any):
        self.listener = listener
        super().__init__(handler, hostname="127.0.0.1", port=listener.getsockname()[1], **kwargs)

    def factory(self):
        # a login without TLS is what a test server on 127.0.0.1 wants; aiosmtpd warns at every connection
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
            return super().factory()

    def _create_server(self):
        return self.loop.create_server(self._factory_invoker, sock=self.listener, ssl=self.ssl_context)


class _Handler:
    """What aiosmtpd calls; apart from the server, whose properties aiosmtpd would read when it looks
    for hooks among the handler's attributes."""

    def __init__(self, server: "SmtpServer"):
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return await self.server._rcpt(envelope, address)

    async def handle_DATA(self, server, session, envelope):
        return await self.server._data(session, envelope)


class SmtpServer:
    def __init__(self, user: str | None = None, password: str | None = None,
                 tls: Literal["starttls", "implicit"] | None = None):
        self.user, self.password, self.tls = user, password, tls
        self._received: list[Received] = []
        self._refused: dict[str, str] = {}
        self._deferred, self._defer_reply = 0, ""
        self._changed = threading.Condition()
        self._controller: _Controller | None = None
        self._certificates: Path | None = None
        self.port = 0

    # --- what a test tells it
    def refuse(self, address: str, reply: str = "550 5.1.1 <{address}>: mailbox unavailable") -> None:
        """Refuse this recipient at RCPT TO, for good unless `reply` says 4xx."""
        with self._changed:
            self._refused[address.lower()] = reply.format(address=address)

    def defer(self, count: int = 1, reply: str = "451 4.3.0 Try again later") -> None:
        """Answer the next `count` messages' DATA with `reply` instead of taking them."""
        with self._changed:
            self._deferred, self._defer_reply = count, reply

    # --- what it saw
    @property
    def messages(self) -> list[Received]:
        with self._changed:
            return list(self._received)

    def wait_for(self, count: int, timeout: float = 10) -> list[Received]:
        """The first `count` messages, once they are in; AssertionError when they are not within `timeout`."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self._received) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"the SMTP server received {len(self._received)} of {count} messages")
                self._changed.wait(left)
            return list(self._received[:count])

    @property
    def url(self) -> str:
        scheme = "smtps" if self.tls == "implicit" else "smtp"
        login = f"{quote(self.user, safe='')}:{quote(self.password or '', safe='')}@" if self.user else ""
        query = "?starttls=1" if self.tls == "starttls" else ""
        return f"{scheme}://{login}127.0.0.1:{self.port}{query}"

    @property
    def ca_file(self) -> str:
        """The self-signed certificate to trust (SSL_CERT_FILE) when the server speaks TLS."""
        assert self._certificates, "the server speaks no TLS"
        return str(self._certificates / "cert.pem")

    # --- aiosmtpd's handler hooks (run on its event loop, through _Handler)
    async def _rcpt(self, envelope, address: str):
        with self._changed:
            reply = self._refused.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def _data(self, session, envelope):
        with self._changed:
            if self._deferred > 0:
                self._deferred -= 1
                return self._defer_reply
            message = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
            login = session.auth_data.decode() if isinstance(session.auth_data, bytes) else None
            self._received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message, login))
            self._changed.notify_all()
        return "250 OK"

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        valid = (isinstance(auth_data, LoginPassword) and self.user is not None
                 and auth_data.login == self.user.encode() and auth_data.password == (self.password or "").encode())
        # handled=False: aiosmtpd then answers a failure with 535 itself (its default, True, answers nothing)
        return AuthResult(success=valid, handled=False, auth_data=auth_data.login if valid else None)

    # --- life
    def _tls_context(self) -> ssl.SSLContext:
        self._certificates = Path(tempfile.mkdtemp(prefix="smtp-test-"))
        if not shutil.which("openssl"):
            raise RuntimeError("the TLS test server needs the openssl command: apt-get install openssl")
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", "key.pem", "-out", "cert.pem", "-days", "1", "-subj", "/CN=127.0.0.1",
             "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
            cwd=self._certificates, check=True, capture_output=True)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self._certificates / "cert.pem", self._certificates / "key.pem")
        return context

    def start(self) -> "SmtpServer":
        # IPPROTO_TCP named: asyncio sets TCP_NODELAY only on sockets that say so, and without it each
        # line of a multi-line reply (EHLO's) waits for the client's delayed ACK, some 40 ms
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        self.port = listener.getsockname()[1]
        options: dict[str, Any] = {"server_hostname": "localhost"}
        if self.user:
            options.update(authenticator=self._authenticate, auth_required=True,
                           auth_require_tls=self.tls == "starttls")  # aiosmtpd sees only STARTTLS as TLS
        if self.tls == "starttls":
            options.update(tls_context=self._tls_context(), require_starttls=True)
        elif self.tls == "implicit":
            options.update(ssl_context=self._tls_context())
        self._controller = _Controller(_Handler(self), listener, **options)
        try:
            self._controller.start()
        except BaseException:
            listener.close()
            raise
        return self

    def stop(self) -> None:
        if self._controller:
            self._controller.stop()
            self._controller = None
        if self._certificates:
            shutil.rmtree(self._certificates, ignore_errors=True)

    def __enter__(self) -> "SmtpServer":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
