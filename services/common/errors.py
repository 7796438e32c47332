"""Domain error types. Services raise them; the gateway maps each to one HTTP
status in one place (services/gateway/problems.py).

An error carries a human `detail` and optional structured `extra` (for
example the id of the existing record on a conflict, or per-field errors).
Both travel through nameko's RPC error serialisation as `exc_args`; `extra`
as a JSON string, because nameko turns every non-string value into a string.
"""
import json


class DomainError(Exception):
    def __init__(self, detail: str, **extra):
        super().__init__(detail, json.dumps(extra, default=str))
        self.detail = detail
        self.extra = extra

    def __str__(self):
        return self.detail


class NotFound(DomainError):
    """The thing does not exist (or its existence is private to the caller)."""


class OutOfScope(DomainError):
    """The caller may not touch this region or group."""


class Conflict(DomainError):
    """The write would duplicate something that exists (extra: existing id)."""


class PreconditionFailed(DomainError):
    """The client's version of the record is stale (If-Match)."""


class InvalidTransition(DomainError):
    """The workflow does not allow this step from the current state (extra: allowed)."""


class InvalidInput(DomainError):
    """The input is well-formed but wrong (extra: errors, a list of field problems)."""


def invalid(field: str, rule: str, detail: str, detail_en: str) -> InvalidInput:
    """One field's problem: `rule` (English, for developers) names what it must be."""
    return InvalidInput(detail, detail_en=detail_en, errors=[{"field": field, "message": rule}])


class Unprocessable(DomainError):
    """A message that can never be processed, because it breaks rules its
    producer should have checked: dead-lettered at once, never retried. The
    detail is its reason and names fields and rules only, never values."""
