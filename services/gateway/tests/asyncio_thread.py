"""Running a coroutine from a synchronous test."""
import asyncio
import threading


def run(coroutine, timeout: float = 60):
    """Its result, run in a thread of its own: another test may leave an event loop running in this one."""
    outcome = {}

    def target():
        try:
            outcome["value"] = asyncio.run(coroutine)
        except Exception as exc:
            outcome["raised"] = exc
    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout=timeout)
    if "raised" in outcome:
        raise outcome["raised"]
    return outcome["value"]
