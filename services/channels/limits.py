"""Send-rate limits as the providers state them ("30 messages a second per bot, 20 a minute into
one group"), kept so that the provider never counts more: a send may start only when the
`limit`-th send before it has COMPLETED at least `seconds` ago. A send arrives at the provider
between its start and its completion, so even with jitter on the way no window of `seconds`
at the provider holds more than `limit` arrivals. Pure: the caller passes the clock."""
from dataclasses import dataclass, field

POLL = 0.02  # seconds: how soon to look again while the sends that hold a start back are in flight


@dataclass
class Window:
    limit: int
    seconds: float
    completed: list[float] = field(default_factory=list)  # completion times, oldest first (at most `limit`)
    in_flight: int = 0
    paused_until: float = 0.0

    def wait_time(self, now: float) -> float:
        """Seconds until a send may start (0: now)."""
        wait = max(0.0, self.paused_until - now)
        back = len(self.completed) + self.in_flight - self.limit  # the send `limit` places back
        if back >= 0:
            if back >= len(self.completed):
                return max(wait, POLL)  # it is still in flight: look again soon
            wait = max(wait, self.completed[back] + self.seconds - now)
        return wait

    def start(self, now: float):
        self._forget_old(now)
        self.in_flight += 1

    def done(self, now: float, reached_provider: bool = True):
        self.in_flight = max(0, self.in_flight - 1)
        if reached_provider:
            self.completed.append(now)
        self._forget_old(now)

    def pause(self, until: float):
        self.paused_until = max(self.paused_until, until)

    def idle(self, now: float) -> bool:
        return not self.in_flight and (not self.completed or self.completed[-1] + self.seconds <= now) \
            and self.paused_until <= now

    def _forget_old(self, now: float):
        # only the sends of the last window, and at most `limit` of them, can still hold a start back
        while self.completed and (self.completed[0] + self.seconds <= now or len(self.completed) > self.limit):
            self.completed.pop(0)


@dataclass
class Limits:
    """A provider's limit (per bot, per number, per SMTP account) and, when it has one, a limit per
    address (Telegram: per group chat). Per-address windows are made when first used and dropped
    when idle."""
    overall: Window
    per_address: tuple[int, float] | None = None
    addresses: dict[str, Window] = field(default_factory=dict)

    def window(self, address: str) -> Window | None:
        if self.per_address is None:
            return None
        if address not in self.addresses:
            self.addresses[address] = Window(*self.per_address)
        return self.addresses[address]

    def wait_time(self, address: str, now: float) -> float:
        own = self.window(address)
        return max(self.overall.wait_time(now), own.wait_time(now) if own else 0.0)

    def start(self, address: str, now: float):
        self.overall.start(now)
        own = self.window(address)
        if own:
            own.start(now)

    def done(self, address: str, now: float, reached_provider: bool = True):
        self.overall.done(now, reached_provider)
        own = self.addresses.get(address)
        if own:
            own.done(now, reached_provider)

    def pause(self, until: float, address: str | None = None):
        target = self.window(address) if address is not None else None
        (target or self.overall).pause(until)

    def prune(self, now: float):
        for address in [a for a, w in self.addresses.items() if w.idle(now)]:
            del self.addresses[address]
