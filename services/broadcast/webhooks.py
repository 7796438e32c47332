"""Webhook pushes: which addresses a push may reach, and the push itself.

A webhook's host name is resolved again at every push (DNS can change after
the webhook was set), every address it resolves to is checked, and the push
connects to the checked address (pinned), keeping the host name for TLS and
the Host header. A push has one total deadline (connect, send, answer) and
reads at most 64 KiB of the answer; redirects are never followed."""
import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpcore
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.broadcast.broadcasts.inbox import load_group
from services.broadcast.broadcasts.views import delivery_view
from services.broadcast.models import Broadcast, Delivery, Webhook
from services.common.errors import InvalidInput
from services.common.events import as_utc, utcnow
from services.common.scope import Actor

MAX_ANSWER_BYTES = 64 * 1024
# IPv6 forms that carry an IPv4 address inside: NAT64 (RFC 6052, RFC 8215)
NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
# deprecated site-local (RFC 3879): still routed inside some networks, and Python calls it global
SITE_LOCAL = ipaddress.ip_network("fec0::/10")

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]


class Refused(Exception):
    """The webhook's URL or one of its addresses may not be pushed to."""


# --- the address rules ------------------------------------------------------------------

def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if any(ip in network for network in NAT64):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    return None


def is_public(ip: IpAddress) -> bool:
    """Globally routable unicast, also for an IPv4 address inside an IPv6 one."""
    if ip.version == 6:
        inner = _embedded_ipv4(ip)
        if inner is not None and not is_public(inner):
            return False
        if ip in SITE_LOCAL:
            return False
    return ip.is_global and not ip.is_multicast


# --- URLs and name resolution --------------------------------------------------------------

def target_of(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of a webhook URL; Refused when it is not one."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused("not an http or https URL")
    try:
        port = parts.port
    except ValueError:
        raise Refused("the port is not a number from 1 to 65535") from None
    if port == 0:
        raise Refused("the port is not a number from 1 to 65535")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def system_resolver(host: str, port: int) -> list[str]:
    return [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def hosts_file_resolver(path: str) -> Resolver:
    """For tests only: names in a hosts-style file (`ADDRESS NAME...` per line)
    answer from it, read anew at every resolution; other names from DNS."""
    def resolve(host: str, port: int) -> list[str]:
        answers = []
        for line in Path(path).read_text().splitlines():
            address, *names = line.split("#")[0].split() or [""]
            if host.lower() in (n.lower() for n in names):
                answers.append(address)
        return answers or system_resolver(host, port)
    return resolve


def checked_addresses(host: str, port: int, allow_private: bool, resolver: Resolver) -> list[IpAddress]:
    """Every address the host resolves to now; Refused when any of them is not public."""
    try:
        addresses = [ipaddress.ip_address(a.split("%")[0]) for a in resolver(host, port)]
    except (OSError, UnicodeError, ValueError):
        raise Refused("the host name does not resolve") from None
    if not addresses:
        raise Refused("the host name does not resolve")
    for ip in addresses:
        if not allow_private and not is_public(ip):
            raise Refused(f"{ip} is not a public address")
    return addresses


def check_webhook_url(url: str, allow_private: bool, resolver: Resolver = system_resolver):
    """When a webhook is set: a clear field error for a URL that could not be pushed to."""
    try:
        _scheme, host, port = target_of(url)
        checked_addresses(host, port, allow_private, resolver)
    except Refused as refused:
        reason = str(refused)
        if reason.startswith("the port"):
            raise InvalidInput("Nomor port webhook harus 1 sampai 65535.", detail_en="The webhook port must be "
                               "from 1 to 65535.", errors=[{"field": "url", "message": reason}]) from None
        if reason.startswith("the host"):
            raise InvalidInput("Nama host webhook tidak dikenal.", detail_en="The webhook host does not resolve.",
                               errors=[{"field": "url", "message": "a host that resolves"}]) from None
        if reason.startswith("not an"):
            raise InvalidInput("Alamat webhook tidak valid.", detail_en="Invalid webhook URL.",
                               errors=[{"field": "url", "message": "an http or https URL"}]) from None
        raise InvalidInput("Webhook ke alamat lokal atau privat tidak diizinkan.",
                           detail_en="Webhooks to local or private addresses are not allowed.",
                           errors=[{"field": "url", "message": "a public address"}]) from None


# --- the push ----------------------------------------------------------------------------------

class _Deadline:
    def __init__(self, seconds: float):
        self.at = time.monotonic() + seconds

    def left(self, timeout: float | None) -> float:
        remaining = self.at - time.monotonic()
        if remaining <= 0:
            raise httpcore.ReadTimeout("the push deadline passed")
        return remaining if timeout is None else min(timeout, remaining)


class _DeadlineStream(httpcore.NetworkStream):
    """Every read and write waits at most until the push's deadline, so an
    endpoint that drips its answer cannot hold the push."""

    def __init__(self, stream: httpcore.NetworkStream, deadline: _Deadline):
        self.stream, self.deadline = stream, deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.stream.read(max_bytes, self.deadline.left(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.stream.write(buffer, self.deadline.left(timeout))

    def close(self) -> None:
        self.stream.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None) -> httpcore.NetworkStream:
        tls = self.stream.start_tls(ssl_context, server_hostname, self.deadline.left(timeout))
        return _DeadlineStream(tls, self.deadline)

    def get_extra_info(self, info: str):
        return self.stream.get_extra_info(info)


class _PinnedBackend(httpcore.NetworkBackend):
    """Connects to the address that was checked, whatever name the URL has."""

    def __init__(self, address: IpAddress, deadline: _Deadline):
        self.address, self.deadline = address, deadline
        self.backend = httpcore.SyncBackend()

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        stream = self.backend.connect_tcp(str(self.address), port, self.deadline.left(timeout), local_address,
                                          socket_options)
        return _DeadlineStream(stream, self.deadline)

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise httpcore.ConnectError("no unix sockets")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def push(job: dict, *, allow_private: bool, deadline_seconds: float,
         resolver: Resolver = system_resolver) -> tuple[bool, str | None]:
    """Send one push: (accepted, why not). Resolves the host now, refuses any
    address that is not public, and ends by `deadline_seconds` in any case."""
    deadline = _Deadline(deadline_seconds)
    try:
        _scheme, host, port = target_of(job["url"])
        addresses = checked_addresses(host, port, allow_private, resolver)
    except Refused as refused:
        return False, f"refused: {refused}"
    error = "no address"
    for address in addresses:  # the next checked address only when this one cannot be reached at all
        try:
            status = _post(job, address, deadline)
        except httpcore.ConnectError as exc:
            error = exc.__class__.__name__
            continue
        except httpcore.TimeoutException:
            return False, "no answer before the deadline"
        except Exception as exc:  # a network or protocol error, or a URL httpcore cannot send (say, non-ASCII)
            return False, exc.__class__.__name__
        return (True, None) if 200 <= status < 300 else (False, f"HTTP {status}")
    return False, error


def _post(job: dict, address: IpAddress, deadline: _Deadline) -> int:
    """POST the job to `address`; its status. Reads at most MAX_ANSWER_BYTES of the answer."""
    headers = [(b"Content-Type", b"application/json"), (b"X-KIM-Signature", job["signature"].encode()),
               (b"X-KIM-Delivery", str(job["delivery_id"]).encode())]
    with (httpcore.ConnectionPool(network_backend=_PinnedBackend(address, deadline), retries=0) as pool,
          pool.stream("POST", job["url"], headers=headers, content=job["body"]) as response):
            read = 0
            for chunk in response.iter_stream():  # the answer matters only by its status
                read += len(chunk)
                if read >= MAX_ANSWER_BYTES:
                    break
            return response.status


# --- setting a webhook, and the push queue in the database ------------------------------------------------------------

def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def set_webhook(session: Session, actor: Actor, kim_id: str, url: str, allow_private: bool,
                resolver: Resolver = system_resolver) -> dict:
    kim = load_group(session, actor, kim_id)
    check_webhook_url(url, allow_private, resolver)
    secret = secrets.token_urlsafe(32)
    hook = session.get(Webhook, kim.id) or Webhook(kim_id=kim.id)
    hook.url, hook.secret, hook.updated_at = url, secret, utcnow()
    session.add(hook)
    return {"kim_id": kim.id, "url": url, "secret": secret,
            "signature": "X-KIM-Signature: sha256=<hex HMAC-SHA256 of the body with this secret>"}


def lease_due_pushes(session: Session, limit: int, lease_seconds: float) -> list[dict]:
    """Pick pushes that are due and lease them (so no other worker takes them
    while this one waits on the network); returns what to send."""
    now = utcnow()
    rows = session.execute(
        select(Delivery, Broadcast, Webhook).join(Webhook, Webhook.kim_id == Delivery.kim_id)
        .outerjoin(Broadcast, Broadcast.id == Delivery.broadcast_id)
        .where(Delivery.push_state == "pending", Delivery.next_push_at <= now)
        .order_by(Delivery.next_push_at).limit(limit).with_for_update(of=Delivery, skip_locked=True)).all()
    jobs = []
    for delivery, broadcast, hook in rows:
        delivery.next_push_at = now + timedelta(seconds=lease_seconds)
        body = json.dumps(delivery_view(delivery, broadcast), separators=(",", ":")).encode()
        jobs.append({"delivery_id": delivery.id, "url": hook.url, "body": body,
                     "signature": sign(hook.secret, body)})
    return jobs


def next_push_in(session: Session) -> float | None:
    """Seconds until the next push that is pending falls due (0 when one is due now), or None when
    none is pending: what the timer that sends them waits before it looks again."""
    first = session.scalar(
        select(func.min(Delivery.next_push_at)).join(Webhook, Webhook.kim_id == Delivery.kim_id)
        .where(Delivery.push_state == "pending"))
    return None if first is None else max(0.0, (as_utc(first) - utcnow()).total_seconds())


def record_push(session: Session, delivery_id: int, ok: bool, error: str | None, max_attempts: int,
                backoff_seconds: float) -> str:
    delivery = session.get(Delivery, delivery_id, with_for_update=True)
    delivery.push_attempts += 1
    if ok:
        delivery.push_state, delivery.next_push_at, delivery.push_error = "sent", None, None
    elif delivery.push_attempts >= max_attempts:
        delivery.push_state, delivery.next_push_at, delivery.push_error = "failed", None, (error or "")[:300]
    else:
        wait = backoff_seconds * 2 ** (delivery.push_attempts - 1)
        delivery.next_push_at, delivery.push_error = utcnow() + timedelta(seconds=wait), (error or "")[:300]
    return delivery.push_state
