"""How fast the dispatcher may send: per provider (Telegram's bot, the WhatsApp number, Kannel, the SMTP
relay) and, where the provider says so, per address (Telegram: 20 messages a minute into one group).

A limit is about what the receiver sees: at most `limit` messages arriving in any `seconds`. A message
arrives somewhere between the start of its send and the provider's answer, so counting starts is not
enough (a slow send can arrive together with later ones). The rule here: a send may start only while
fewer than `limit` sends are still in flight or were completed less than `seconds` ago. Then any
`limit + 1` arrivals span more than `seconds`: when the last of them to start started, the others were
in flight or had completed (after arriving) in the last `seconds`, and there are at most `limit - 1`.

Pure bookkeeping: no I/O, no clock of its own (every call is given `now`, e.g. time.monotonic()), no
locks (the dispatcher's one green thread calls it)."""
import math
from bisect import bisect_right, insort
from collections.abc import Hashable
from dataclasses import dataclass

from services.channels.settings import ChannelsSettings

# a completion exactly `seconds` ago has aged out, even after the float rounding of `now + wait`
EPSILON = 1e-9


class Window:
    """At most `limit` arrivals in any `seconds`, for one sender or one address."""

    def __init__(self, limit: int, seconds: float):
        if limit < 1 or not seconds > 0:
            raise ValueError("a window holds at least one send over a positive time")
        self.limit, self.seconds = limit, seconds
        self.paused_until = -math.inf
        self._in_flight: set[int] = set()
        self._completed: list[float] = []  # completion times of the last `seconds`, in order
        self._tokens = 0

    @classmethod
    def rate(cls, count: float, seconds: float = 1.0) -> "Window":
        """`count` sends per `seconds`, a fractional count kept exact: 2.5 a second is 2 per 0.8 s."""
        if not count > 0:
            raise ValueError("a rate is positive")
        limit = max(1, math.floor(count))
        return cls(limit, seconds * limit / count)

    def _age(self, now: float) -> None:
        del self._completed[:bisect_right(self._completed, now - self.seconds + EPSILON)]

    def wait_time(self, now: float) -> float:
        """Seconds until a send may start: 0 now, math.inf until a send in flight is done (or forgotten)."""
        self._age(now)
        wait = 0.0
        busy = len(self._in_flight) + len(self._completed)
        if busy >= self.limit:
            # this many completions must age out first (the sends in flight cannot)
            must_age = busy - self.limit + 1
            wait = (self._completed[must_age - 1] + self.seconds - now
                    if must_age <= len(self._completed) else math.inf)
        return max(wait, self.paused_until - now, 0.0)

    def start(self, now: float) -> int:
        """A send starts (call it once wait_time(now) is 0); its token, for done or forget."""
        self._tokens += 1
        self._in_flight.add(self._tokens)
        return self._tokens

    def done(self, token: int, now: float) -> None:
        """The provider answered (whatever it said: the message may have arrived). An unknown or
        finished token changes nothing."""
        if token in self._in_flight:
            self._in_flight.remove(token)
            insort(self._completed, now)

    def forget(self, token: int) -> None:
        """The send never reached the provider (refused before, no connection): it counts for nothing."""
        self._in_flight.discard(token)

    def pause(self, until: float) -> None:
        """Nothing starts before `until` (a 429's Retry-After); a longer pause already set stays."""
        self.paused_until = max(self.paused_until, until)

    def idle(self, now: float) -> bool:
        """Nothing to remember: no send in flight or recent, no pause in force."""
        self._age(now)
        return not self._in_flight and not self._completed and self.paused_until <= now

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)


@dataclass(frozen=True)
class Ticket:
    """One send's place in its provider's window and, when there is one, its address's."""
    address: Hashable
    provider_token: int
    address_token: int | None


class Limits:
    """One provider's limits: its own window, and a window per address when `per_address` is given
    (created at the address's first send, dropped once idle)."""

    def __init__(self, provider: Window, per_address: tuple[int, float] | None = None):
        self.provider = provider
        self.per_address = per_address
        self.addresses: dict[Hashable, Window] = {}
        self.paused: dict[Hashable, float] = {}  # address -> no send before
        self._next_sweep = -math.inf

    def _window(self, address: Hashable) -> Window | None:
        if self.per_address is None:
            return None
        window = self.addresses.get(address)
        if window is None:
            window = self.addresses[address] = Window(*self.per_address)
        return window

    def wait_time(self, address: Hashable, now: float) -> float:
        """Seconds until a send to `address` may start: the longer of the provider's and the address's."""
        window = self.addresses.get(address)
        own = window.wait_time(now) if window else 0.0
        return max(self.provider.wait_time(now), own, self.paused.get(address, -math.inf) - now)

    def start(self, address: Hashable, now: float) -> Ticket:
        self._sweep(now)
        window = self._window(address)
        return Ticket(address, self.provider.start(now), window.start(now) if window else None)

    def done(self, ticket: Ticket, now: float) -> None:
        self.provider.done(ticket.provider_token, now)
        window = self.addresses.get(ticket.address)
        if window and ticket.address_token is not None:
            window.done(ticket.address_token, now)

    def forget(self, ticket: Ticket) -> None:
        self.provider.forget(ticket.provider_token)
        window = self.addresses.get(ticket.address)
        if window and ticket.address_token is not None:
            window.forget(ticket.address_token)

    def pause(self, until: float, address: Hashable | None = None) -> None:
        """A 429: the whole provider's (`address` None: the bot's, the number's) or one address's."""
        if address is None:
            self.provider.pause(until)
            return
        # kept beside the windows: an address without a limit of its own can still be paused
        self.paused[address] = max(self.paused.get(address, -math.inf), until)

    def _sweep(self, now: float) -> None:
        # at most once per address window's span: each window is looked at about once per its life
        if now < self._next_sweep:
            return
        self._next_sweep = now + (self.per_address[1] if self.per_address else 60.0)
        for address in [address for address, window in self.addresses.items() if window.idle(now)]:
            del self.addresses[address]
        for address in [address for address, until in self.paused.items() if until <= now]:
            del self.paused[address]


def limits_for(settings: ChannelsSettings) -> dict[str, Limits]:
    """Every provider kind's limits from the settings, by kind."""
    return {
        "telegram": Limits(Window.rate(settings.telegram_rate_per_second),
                           per_address=_per(settings.telegram_chat_rate_per_minute, 60.0)),
        "whatsapp": Limits(Window.rate(settings.whatsapp_rate_per_second)),
        "sms": Limits(Window.rate(settings.kannel_rate_per_second)),
        "email": Limits(Window.rate(settings.smtp_rate_per_second)),
    }


def _per(count: float, seconds: float) -> tuple[int, float]:
    window = Window.rate(count, seconds)
    return window.limit, window.seconds
