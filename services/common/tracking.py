"""Tracking codes as citizens write them back: `abcd-efgh 23`, read aloud or
copied from a receipt, is the code `ABCDEFGH23`. Codes are upper case without
0/O/1/I, so nothing else needs folding."""
import secrets

TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
TRACKING_LENGTH = 10


def new_tracking_code() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))


def normalise_tracking_code(code: str) -> str:
    return code.upper().replace("-", "").replace(" ", "")
