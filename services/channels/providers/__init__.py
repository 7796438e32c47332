"""What every provider module (`telegram`, `whatsapp`, `sms`, `email`) offers the dispatcher.

A provider module has:

- `off_reason(settings) -> str | None`: why the kind is off (a setting missing, named), None when on;
- `send(settings, client, address, message) -> Sent`: one message to one address, raising
  `RetryLater` for what may pass (429, 5xx, a connection lost) and `Rejected` for what will not
  (the provider refuses the address or the message); `client` is an `httpx.Client` (None for e-mail);
- the pure parsing of its callbacks, where it has some.

Nothing here touches the database or the bus: the dispatcher (`services/channels/dispatch.py`)
decides when to send and records what happened."""
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Message:
    """One message for one channel, in no provider's form yet."""
    title: str
    body: str
    category: str = "informasi"
    priority: str = "normal"
    # the full message on the web: SMS sends a short text with it when the text is long, e-mail links it
    link: str | None = None
    # e-mail: the one-click unsubscribe address (List-Unsubscribe)
    unsubscribe_url: str | None = None
    # WhatsApp: the group wrote to us in the last 24 hours, so free text is allowed (else a template)
    in_session: bool = False
    # our own id for the message (Kannel's delivery report and e-mail's Message-ID carry it)
    reference: str = ""


@dataclass(frozen=True)
class Sent:
    provider_ids: list[str] = field(default_factory=list)  # one per part when the provider splits
    parts: int = 1


class RetryLater(Exception):
    """Try again later: `retry_after` seconds when the provider said so; `whole_provider` when the
    limit is the bot's or the number's, not this address's. A message sent in parts may fail after
    some went: `parts_sent` of them did (counted from the first part, with their `provider_ids`),
    and the retry sends the rest (`send(..., first_part=parts_sent)`), not the whole again."""

    def __init__(self, reason: str, retry_after: float | None = None, whole_provider: bool = False,
                 parts_sent: int = 0, provider_ids: list[str] | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.whole_provider = whole_provider
        self.parts_sent = parts_sent
        self.provider_ids = provider_ids or []


class Rejected(Exception):
    """The provider refuses this message or address for good; `reason` is its words (no personal data)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def module(kind: str):
    """The provider module of a channel kind."""
    import importlib
    return importlib.import_module(f"services.channels.providers.{kind}")


def off_reason(kind: str, settings) -> str | None:
    return module(kind).off_reason(settings)
