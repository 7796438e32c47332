"""E-mail over SMTP: one message to one address, in a plain-text and an HTML part.

`compose` builds the message (pure), `send` hands it to the server named by `SMTP_URL`, one
connection per message: at the default 10 messages a second a connection costs a few milliseconds on
the sending side, and a relay that closes idle connections cannot then break a message half-way.

What the server says decides the outcome: a 5xx reply is the address's or the message's for good
(`Rejected`), a 4xx reply, a lost connection or a timeout may pass (`RetryLater`). A refused login or
a server that cannot do what `SMTP_URL` asks (STARTTLS, AUTH) is ours, not the address's: it is
`RetryLater(whole_provider=True)`, so no recipient is marked as refusing mail for our mistake.
Neither the address nor the text ever goes into a reason: the server's words are scrubbed of
anything that looks like an address."""
import functools
import html
import os
import re
import smtplib
import ssl
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from urllib.parse import parse_qs, unquote, urlsplit

from services.channels.providers import Message, Rejected, RetryLater, Sent
from services.channels.settings import ChannelsSettings
from services.common.vocabulary import BROADCAST_PRIORITIES

DEFAULT_PORTS = {"smtp": 25, "smtps": 465}
TRUE_WORDS = {"1", "true", "yes", "on"}
# the server's words may quote the recipient ("<ani@desa.id>: mailbox unknown"): never keep one
ADDRESS_LIKE = re.compile(r"<?[^\s<>@]+@[^\s<>@]+>?")
REASON_LENGTH = 200

FOOTER = ("Anda menerima e-mail ini karena alamat ini terdaftar sebagai saluran informasi Kelompok "
          "Informasi Masyarakat (KIM) di KIM Platform.")
UNSUBSCRIBE = "Berhenti menerima e-mail ini"
READ_MORE = "Baca selengkapnya"


@dataclass(frozen=True)
class SmtpTarget:
    """Where and how to hand messages over: `tls` is TLS from the first byte (smtps://),
    `starttls` an upgrade after the greeting (smtp://...?starttls=1)."""
    host: str
    port: int
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    tls: bool = False


def parse_smtp_url(url: str) -> SmtpTarget:
    """smtp://user:pass@host:587?starttls=1, smtps://host (port 465), smtp://host (port 25);
    user and password are URL-decoded. A ValueError never quotes the URL (it holds the password)."""
    parts = urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS:
        raise ValueError("an SMTP URL starts with smtp:// or smtps://")
    if not parts.hostname:
        raise ValueError("the SMTP URL names no host")
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError:
        raise ValueError("the SMTP URL's port is not a number from 1 to 65535") from None
    query = parse_qs(parts.query)
    starttls = any(value.lower() in TRUE_WORDS for value in query.get("starttls", []))
    return SmtpTarget(
        host=parts.hostname, port=port,
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
        starttls=starttls and parts.scheme == "smtp", tls=parts.scheme == "smtps")


def off_reason(settings: ChannelsSettings) -> str | None:
    missing = [name for name, value in (("SMTP_URL", settings.smtp_url), ("SMTP_FROM", settings.smtp_from))
               if not value]
    if missing:
        return f"{' and '.join(missing)} not set"
    try:
        parse_smtp_url(settings.smtp_url or "")
    except ValueError as error:
        return f"SMTP_URL: {error}"
    if "@" not in parseaddr(settings.smtp_from or "")[1]:
        return "SMTP_FROM is not an e-mail address"
    return None


def subject(message: Message) -> str:
    """The title, after a marker a reader sees in the inbox list: an emergency first, then the
    priority's Indonesian label (services/common/vocabulary.py)."""
    if "darurat" in (message.category, message.priority):
        return f"[DARURAT] {message.title}"
    if message.priority in ("high", "urgent"):
        return f"[{BROADCAST_PRIORITIES.term(message.priority).id.upper()}] {message.title}"
    return message.title


def _web_link(url: str | None) -> str | None:
    # only our own web addresses become links: never a javascript: or data: one
    return url if url and url.startswith(("https://", "http://")) else None


def plain_text(message: Message) -> str:
    lines = [message.title, "", message.body.strip(), ""]
    link = _web_link(message.link)
    if link:
        lines += [f"{READ_MORE}: {link}", ""]
    lines += ["-- ", FOOTER]
    unsubscribe = _web_link(message.unsubscribe_url)
    if unsubscribe:
        lines.append(f"{UNSUBSCRIBE}: {unsubscribe}")
    return "\n".join(lines) + "\n"


def html_text(message: Message) -> str:
    """The same text, escaped: paragraphs at blank lines, line breaks kept."""
    paragraphs = [part.strip() for part in re.split(r"\n\s*\n", message.body.strip()) if part.strip()]
    body = "\n".join(f"<p>{html.escape(part).replace(chr(10), '<br>')}</p>" for part in paragraphs)
    link = _web_link(message.link)
    more = f'\n<p><a href="{html.escape(link)}">{READ_MORE}</a></p>' if link else ""
    unsubscribe = _web_link(message.unsubscribe_url)
    leave = f'<br><a href="{html.escape(unsubscribe)}">{UNSUBSCRIBE}</a>' if unsubscribe else ""
    return (
        '<!DOCTYPE html>\n<html lang="id">\n<head><meta charset="utf-8">'
        f"<title>{html.escape(message.title)}</title></head>\n<body>\n"
        f"<h1>{html.escape(message.title)}</h1>\n{body}{more}\n"
        f'<hr>\n<p style="font-size:small;color:#555">{html.escape(FOOTER)}{leave}</p>\n'
        "</body>\n</html>\n")


def _message_id(reference: str, sender: str) -> str:
    domain = sender.rpartition("@")[2] or "localhost"
    # a Message-ID's left part is a dot-atom: keep the reference readable, drop anything else
    left = re.sub(r"[^A-Za-z0-9.\-_]", "", reference).strip(".")
    return f"<{left}@{domain}>" if left else make_msgid(domain=domain)


def compose(settings: ChannelsSettings, address: str, message: Message) -> EmailMessage:
    sender = parseaddr(settings.smtp_from or "")[1]
    email = EmailMessage()
    email["From"] = settings.smtp_from
    email["To"] = address
    email["Subject"] = subject(message)
    email["Date"] = format_datetime(datetime.now(UTC))
    email["Message-ID"] = _message_id(message.reference, sender)
    # RFC 3834: no vacation replies or other automatic answers to a broadcast
    email["Auto-Submitted"] = "auto-generated"
    unsubscribe = _web_link(message.unsubscribe_url)
    if unsubscribe:
        # RFC 8058: the mail client's own "unsubscribe" button POSTs to it, no page to open
        email["List-Unsubscribe"] = f"<{unsubscribe}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email.set_content(plain_text(message))
    email.add_alternative(html_text(message), subtype="html")
    # after the parts: making the message multipart moves every Content-* header into its first part
    email["Content-Language"] = "id"
    return email


def _words(code: int, text: bytes | str, address: str = "") -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    words = ADDRESS_LIKE.sub("<address>", " ".join(words.split()))
    local = address.rpartition("@")[0]
    if len(local) >= 3:
        # a server may quote the mailbox's name alone ("user ani.warga unknown")
        words = re.sub(re.escape(local), "<address>", words, flags=re.IGNORECASE)
    return f"SMTP {code} {words}"[:REASON_LENGTH]


def _outcome(code: int, text: bytes | str, address: str) -> Exception:
    if 500 <= code < 600:
        return Rejected(_words(code, text, address))
    return RetryLater(_words(code, text, address))


class _DeadlineSMTP(smtplib.SMTP):
    """smtplib's timeout bounds each read and each write; this bounds the whole conversation, so a
    server that trickles its answers (a line every few seconds) cannot hold a send for long: before
    each read and write the socket's timeout is set to the time left."""

    def __init__(self, *args, deadline: float, **kwargs):
        self.deadline = deadline
        super().__init__(*args, **kwargs)

    def time_left(self) -> None:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the SMTP conversation took longer than its deadline")
        if self.sock:
            self.sock.settimeout(left)

    def send(self, s) -> None:
        self.time_left()
        super().send(s)

    def getreply(self):
        if self.file is None and self.sock:
            self.file = _DeadlineReader(self.sock.makefile("rb"), self)
        return super().getreply()


class _DeadlineSMTP_SSL(_DeadlineSMTP, smtplib.SMTP_SSL):
    pass


class _DeadlineReader:
    """The reply stream smtplib reads lines from, its timeout set to the time left before each line."""

    def __init__(self, stream, smtp: _DeadlineSMTP):
        self.stream, self.smtp = stream, smtp

    def readline(self, size: int = -1) -> bytes:
        self.smtp.time_left()
        return self.stream.readline(size)

    def close(self) -> None:
        self.stream.close()


@functools.lru_cache(maxsize=4)
def _tls_context(cert_file: str | None, cert_dir: str | None) -> ssl.SSLContext:
    """The system's trusted authorities, or those SSL_CERT_FILE / SSL_CERT_DIR name (the key): reading
    them takes some 20 ms, more than the rest of a send to a near relay, so once per process."""
    return ssl.create_default_context()


def _connect(target: SmtpTarget, timeout: float) -> smtplib.SMTP:
    deadline = time.monotonic() + timeout
    context = (_tls_context(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
               if target.tls or target.starttls else None)
    if target.tls:
        smtp: smtplib.SMTP = _DeadlineSMTP_SSL(target.host, target.port, timeout=timeout, context=context,
                                               deadline=deadline)
    else:
        smtp = _DeadlineSMTP(target.host, target.port, timeout=timeout, deadline=deadline)
    try:
        if target.starttls:
            smtp.starttls(context=context)
        if target.user:
            smtp.login(target.user, target.password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def send(settings: ChannelsSettings, client: None, address: str, message: Message) -> Sent:
    """Hands the message over; `provider_ids` is its Message-ID. `provider_timeout_seconds` bounds
    the whole conversation, from connecting to the last reply."""
    if "@" not in address or any(char in address for char in "\r\n<>, "):
        raise Rejected("not an e-mail address")
    email = compose(settings, address, message)
    target = parse_smtp_url(settings.smtp_url or "")
    sender = parseaddr(settings.smtp_from or "")[1]
    try:
        smtp = _connect(target, settings.provider_timeout_seconds)
    except smtplib.SMTPAuthenticationError as error:
        raise RetryLater(f"SMTP login refused: {_words(error.smtp_code, error.smtp_error)}",
                         whole_provider=True) from None
    except smtplib.SMTPNotSupportedError:
        raise RetryLater("the SMTP server does not offer what SMTP_URL asks (STARTTLS or AUTH)",
                         whole_provider=True) from None
    except smtplib.SMTPResponseException as error:
        # a greeting of 554 or the like: the server refuses us, not this address
        raise RetryLater(_words(error.smtp_code, error.smtp_error), whole_provider=True) from None
    except ssl.SSLError as error:
        raise RetryLater(f"SMTP TLS failed: {error.reason or type(error).__name__}",
                         whole_provider=True) from None
    except (OSError, smtplib.SMTPException) as error:
        # refused, unreachable, timed out, disconnected: the server may be back soon
        raise RetryLater(f"SMTP server unreachable: {type(error).__name__}", whole_provider=True) from None
    try:
        smtp.send_message(email, from_addr=sender, to_addrs=[address])
    except smtplib.SMTPRecipientsRefused as error:
        code, text = next(iter(error.recipients.values()), (550, b"recipient refused"))
        raise _outcome(code, text, address) from None
    except smtplib.SMTPNotSupportedError:
        raise Rejected("the SMTP server takes no address outside ASCII (no SMTPUTF8)") from None
    except smtplib.SMTPResponseException as error:
        # SMTPSenderRefused, SMTPDataError and the like carry the server's code
        raise _outcome(error.smtp_code, error.smtp_error, address) from None
    except (OSError, smtplib.SMTPException) as error:
        raise RetryLater(f"SMTP connection lost: {type(error).__name__}") from None
    finally:
        _quit(smtp)
    return Sent(provider_ids=[email["Message-ID"]])


def _quit(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        # the message is handed over (or not) already: a server that hangs up first changes nothing
        smtp.close()
