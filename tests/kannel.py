"""A real Kannel of the test's own: bearerbox, smsbox and the fake SMS centre (`fakesmsc`) on free
ports, configured in a folder of its own (kannel.conf and the three logs), stopped at the end.

    with Kannel(tmp_path, mo_url) as kannel:
        kannel.sendsms_url, kannel.username, kannel.password   # what the sms provider is given
        kannel.received()                                      # the MT messages fakesmsc got
        kannel.send_mo("+6281234567890", "INFO")               # an MO message: smsbox GETs mo_url
        kannel.stop("fakesmsc"); kannel.restart_fakesmsc()    # the SMSC away, and back

`fakesmsc` runs in its interactive mode, which it enters when no message is on its command line
(`-i` is the interval between generated messages, not "interactive"): each line on its stdin,
"sender receiver text|data|ucs2 ...", is an MO message, and each MT message Kannel sends it is
logged as `Got message N: <sender receiver type data>` (at log level 0). Kannel's fake SMSC
(gw/smsc/smsc_fake.c) makes the delivery reports itself: "sent to the SMSC" (8) when it hands a
message to fakesmsc and "delivered" (1) right after, so a dlr-url is called without a real
handset. Debian: kannel (bearerbox, smsbox in /usr/sbin) and kannel-extras (fakesmsc in
/usr/lib/kannel/test); infra/ensure-kannel.sh installs them."""
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import httpx

HOW_TO = "Kannel is missing: run infra/ensure-kannel.sh (apt-get install kannel kannel-extras)"
FAKESMSC_PATHS = ("/usr/lib/kannel/test/fakesmsc", "/usr/lib/kannel/fakesmsc")
SENDER = "KIM"  # the sendsms user's default sender (the provider sends no `from`)
# fakesmsc's log line for each MT message: "Got message 3: <KIM +62812... text Halo>"
KINDS = ("text", "data", "ucs-2", "udh")
GOT = re.compile(r"Got message \d+: <(.*)>$")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _binary(name: str, *paths: str) -> str:
    for path in (shutil.which(name), f"/usr/sbin/{name}", *paths):
        if path and os.access(path, os.X_OK):
            return path
    raise RuntimeError(HOW_TO)


@dataclass(frozen=True)
class Received:
    """One MT message as fakesmsc got it (concatenated parts joined)."""
    sender: str
    receiver: str
    text: str
    parts: int = 1
    kind: str = ""  # how fakesmsc logged it: text, data, ucs-2 or udh


def _concatenation(udh: bytes) -> tuple[int, int, int] | None:
    """(reference, total, number) from a UDH's concatenation element (IEI 0 or 8), else None."""
    i = 1  # udh[0] is the header's length
    while i + 1 < len(udh):
        iei, length = udh[i], udh[i + 1]
        value = udh[i + 2:i + 2 + length]
        if iei == 0 and length == 3:
            return value[0], value[1], value[2]
        if iei == 8 and length == 4:
            return int.from_bytes(value[:2], "big"), value[2], value[3]
        i += 2 + length
    return None


def _unquote(data: str) -> bytes:
    """Kannel's URL-encoding (octstr_url_encode) writes a space as `+` and a `+` as %2B."""
    return urllib.parse.unquote_to_bytes(data.replace("+", " "))


def _payload_text(payload: bytes) -> str:
    """A part's payload: a line of type `udh` does not say its coding. Kannel keeps GSM text as
    UTF-8, which has no zero byte; UCS-2 (UTF-16BE) text of Latin letters is half zero bytes."""
    if b"\x00" in payload and len(payload) % 2 == 0:
        return payload.decode("utf-16-be")
    return payload.decode("utf-8")


def parse_fakesmsc_log(lines: list[str]) -> list[Received]:
    """The MT messages in fakesmsc's log lines (what gw/smsc/smsc_fake.c writes to it):
    `text <UTF-8 as is>` for GSM text (Kannel's inner form of it is UTF-8), `data <URL-encoded>`
    for 8-bit, `ucs-2 <URL-encoded UTF-16BE>`, `udh <URL-encoded header> data <URL-encoded payload>`
    for one part of a long message (joined here by the header's concatenation reference). A line
    break in GSM text ends fakesmsc's line: a line that is no message continues the text before."""
    messages: list[Received] = []
    pending: dict[tuple[str, str, int], dict[int, bytes]] = {}
    for line in lines:
        match = GOT.search(line.rstrip("\n"))
        if not match:
            continue
        sender, receiver, kind, data = (match.group(1).split(" ", 3) + ["", "", ""])[:4]
        if kind not in KINDS and messages and messages[-1].kind == "text":
            # smsc_fake writes GSM text as is, line breaks too: fakesmsc reads the rest of the
            # text as lines of their own, continued here
            last = messages.pop()
            messages.append(Received(last.sender, last.receiver, last.text + "\n" + match.group(1), kind="text"))
        elif kind == "text":
            messages.append(Received(sender, receiver, data, kind="text"))
        elif kind == "data":
            messages.append(Received(sender, receiver, _unquote(data).decode("latin-1")))
        elif kind == "ucs-2":
            messages.append(Received(sender, receiver, _unquote(data).decode("utf-16-be")))
        elif kind == "udh":
            udh, _, payload = data.partition(" data ")
            concat = _concatenation(_unquote(udh))
            body = _unquote(payload)
            if concat is None:
                messages.append(Received(sender, receiver, _payload_text(body)))
                continue
            reference, total, number = concat
            parts = pending.setdefault((sender, receiver, reference), {})
            parts[number] = body
            if len(parts) == total:
                del pending[(sender, receiver, reference)]
                whole = b"".join(parts[n] for n in sorted(parts))
                messages.append(Received(sender, receiver, _payload_text(whole), parts=total))
        else:
            raise ValueError(f"fakesmsc logged an MT message of a type unknown here: {kind!r}")
    return messages


class Kannel:
    """A context manager: bearerbox + smsbox + fakesmsc, configured in `folder`; `mo_url` is the
    sms-service's get-url (Kannel's escapes such as %p and %b filled in by smsbox)."""

    def __init__(self, folder: Path | str, mo_url: str, username: str = "kim", password: str = "rahasia",
                 core: str = ""):
        self.bearerbox = _binary("bearerbox")
        self.smsbox = _binary("smsbox")
        self.fakesmsc = _binary("fakesmsc", *FAKESMSC_PATHS)
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.mo_url = mo_url
        self.username, self.password = username, password
        self.admin_port, self.smsbox_port = _free_port(), _free_port()
        self.smsc_port, self.sendsms_port = _free_port(), _free_port()
        self.admin_password = "admin"
        self.sendsms_url = f"http://127.0.0.1:{self.sendsms_port}/cgi-bin/sendsms"
        self.conf = self.folder / "kannel.conf"
        self.processes: dict[str, subprocess.Popen] = {}
        self.mo_sent = 0
        self.core = core  # more lines for the core group
        self._fakesmsc_log_from = 0

    def config(self) -> str:
        log = self.folder
        # `%` in the get-url is Kannel's escape character: the URL is written as given
        return f"""\
group = core
admin-port = {self.admin_port}
admin-password = {self.admin_password}
admin-allow-ip = 127.0.0.1
smsbox-port = {self.smsbox_port}
box-allow-ip = 127.0.0.1
log-file = "{log / 'bearerbox.log'}"
log-level = 0
access-log = "{log / 'access.log'}"
dlr-storage = internal
{self.core}

group = smsc
smsc = fake
smsc-id = fake
port = {self.smsc_port}
connect-allow-ip = 127.0.0.1

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = {self.smsbox_port}
sendsms-port = {self.sendsms_port}
log-file = "{log / 'smsbox.log'}"
log-level = 0
access-log = "{log / 'smsbox-access.log'}"
mo-recode = true

group = sendsms-user
username = {self.username}
password = {self.password}
default-sender = {SENDER}
max-messages = 10
concatenation = true

group = sms-service
keyword = default
catch-all = true
get-url = "{self.mo_url}"
# the gateway's answer is not sent back to the phone
max-messages = 0
accept-x-kannel-headers = false
"""

    def __enter__(self) -> "Kannel":
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def _spawn(self, name: str, argv: list[str], stdin=None) -> None:
        out = open(self.folder / f"{name}.out", "ab")  # noqa: SIM115 (closed with the process)
        self.processes[name] = subprocess.Popen(argv, cwd=self.folder, stdin=stdin, stdout=out,
                                                stderr=subprocess.STDOUT, start_new_session=True)
        out.close()

    def start(self) -> None:
        self.conf.write_text(self.config())
        self._spawn("bearerbox", [self.bearerbox, str(self.conf)])
        self._wait(lambda: self._status() is not None, "bearerbox's admin port")
        self._spawn("smsbox", [self.smsbox, str(self.conf)])
        self._wait(lambda: self._answers(self.sendsms_port), "smsbox's sendsms port")
        self._wait(lambda: "smsbox" in (self._status() or ""), "smsbox connected to bearerbox")
        self._start_fakesmsc()

    def _start_fakesmsc(self) -> None:
        # a new fakesmsc counts its messages from 1 again: its part of the log only
        log = self.folder / "fakesmsc.out"
        self._fakesmsc_log_from, self.mo_sent = (log.stat().st_size if log.exists() else 0), 0
        self._spawn("fakesmsc", [self.fakesmsc, "-v", "0", "-H", "127.0.0.1", "-r", str(self.smsc_port),
                                 "-i", "0"], stdin=subprocess.PIPE)
        self._wait(self.smsc_online, "the fake SMSC online (fakesmsc connected)")

    def smsc_online(self) -> bool:
        status = self._status() or ""
        return bool(re.search(r"fake\[fake\].*\(online", status) or re.search(r"\bfake\b.*online", status))

    def _status(self) -> str | None:
        try:
            answer = httpx.get(f"http://127.0.0.1:{self.admin_port}/status.txt",
                               params={"password": self.admin_password}, timeout=2)
        except httpx.HTTPError:
            return None
        return answer.text if answer.status_code == 200 else None

    @staticmethod
    def _answers(port: int) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            return False

    def _wait(self, condition, what: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"Kannel's {name} exited ({process.returncode}) waiting for {what}; "
                                       f"logs in {self.folder}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"timed out waiting for {what}; logs in {self.folder}")
            time.sleep(0.1)

    def received(self) -> list[Received]:
        """The MT messages fakesmsc got so far."""
        return parse_fakesmsc_log(self._fakesmsc_log().splitlines())

    def send_mo(self, from_number: str, text: str, to: str = "1234") -> None:
        """An MO message from `from_number` to the short number `to`: GSM text that is printable
        ASCII as `text`, anything else as `ucs2` (URL-encoded UTF-16BE)."""
        if text.isascii() and text.isprintable():
            line = f"{from_number} {to} text {text}\n"
        else:
            line = f"{from_number} {to} ucs2 {urllib.parse.quote_from_bytes(text.encode('utf-16-be'))}\n"
        fakesmsc = self.processes["fakesmsc"]
        assert fakesmsc.stdin is not None
        fakesmsc.stdin.write(line.encode())
        fakesmsc.stdin.flush()
        # fakesmsc select()s on stdin and then fgets() one line: a second line already in stdio's
        # buffer would wait there for more input, so one line at a time, each seen sent
        self.mo_sent += 1
        self._wait(lambda: f"fakesmsc: sent message {self.mo_sent}\n" in self._fakesmsc_log(since_start=True),
                   f"fakesmsc to send MO message {self.mo_sent}")

    def _fakesmsc_log(self, since_start: bool = False) -> str:
        log = self.folder / "fakesmsc.out"
        if not log.exists():
            return ""
        with log.open("rb") as out:
            out.seek(self._fakesmsc_log_from if since_start else 0)
            return out.read().decode("utf-8", "replace")

    def restart_fakesmsc(self) -> None:
        """The SMSC back after `stop("fakesmsc")`: Kannel sends it what it queued meanwhile."""
        self._start_fakesmsc()

    def stop(self, name: str | None = None) -> None:
        """Stop one box (`bearerbox`, `smsbox`, `fakesmsc`) or, without a name, all of them."""
        names = [name] if name else ["fakesmsc", "smsbox", "bearerbox"]
        for each in names:
            process = self.processes.pop(each, None)
            if process is None or process.poll() is not None:
                continue
            if process.stdin:
                process.stdin.close()
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
