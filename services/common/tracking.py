"""Tracking codes as citizens write them back: `abcd-efgh 23`, read aloud or
copied from a receipt, is the code `ABCDEFGH23`. Codes are upper case without
0/O/1/I, so nothing else needs folding."""


def normalise_tracking_code(code: str) -> str:
    return code.upper().replace("-", "").replace(" ", "")
