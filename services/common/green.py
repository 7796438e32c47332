"""eventlet's monkey patch, which every nameko service runs first thing.

nameko 2.14 needs eventlet, whose import warns that it is deprecated; the
notice says nothing an operator can act on and buries the warnings that do,
so exactly that one is filtered (by its text: its class lives in eventlet)."""
import warnings

DEPRECATION_NOTICE = r"\s*Eventlet is deprecated"


def monkey_patch():
    warnings.filterwarnings("ignore", message=DEPRECATION_NOTICE)
    import eventlet
    eventlet.monkey_patch()
