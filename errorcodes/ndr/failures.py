"""What the decoder's safety nets catch: counted and logged, never the input's content.

``decode()`` promises to return a result whatever it is given, so it catches
every exception at the top (and a few steps that can be done without, such as
locating evidence or re-reading a forwarded bounce, catch their own).  An
exception caught there is a bug that cost a bounce some or all of its reading;
it must not pass unnoticed:

- ``decode_failures()`` returns how many such exceptions this process has
  caught; ``failure_counts()`` breaks the number down by net, exception type and
  place.  A test or the web app reads them.
- Each one is logged on the ``"errorcodes.ndr"`` logger at ERROR level, with the
  exception's type and where it was raised (``module:function:line``) only: no
  message and no traceback, which could quote addresses or text of the input.
- Inside ``with strict():`` (tests, fuzzing) the exception is re-raised after
  being counted, so that the test fails with its traceback.
"""

from __future__ import annotations

from _thread import allocate_lock  # threading.Lock itself, without importing threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import logging

# logging (and traceback) are imported when the first exception is caught: most
# processes never catch one, and importing logging costs the command line 5 ms.
LOGGER_NAME = "errorcodes.ndr"
PACKAGE = __name__.rpartition(".")[0]  # "errorcodes.ndr"

_lock = allocate_lock()  # web app workers may decode in threads
_counts: Counter[str] = Counter()
# A context variable, so that one test's (or thread's) strict mode is its own.
_strict: ContextVar[bool] = ContextVar("errorcodes_ndr_strict", default=False)
# Set on an exception once counted: in strict mode an inner net re-raises it and
# the top-level net catches it again.
_COUNTED = "_errorcodes_ndr_counted"


def decode_failures() -> int:
    """Return how many exceptions the decoder's safety nets caught in this process.

    Zero in a healthy process: each one is a bug that made ``decode()`` return
    less (often an empty result) than the input holds.
    """
    with _lock:
        return sum(_counts.values())


def failure_counts() -> dict[str, int]:
    """Return the caught exceptions counted by "Type at module:function:line, caught by net"."""
    with _lock:
        return dict(_counts)


@contextmanager
def strict() -> Iterator[None]:
    """Make the safety nets re-raise what they catch (after counting it), for tests."""
    token = _strict.set(True)
    try:
        yield
    finally:
        _strict.reset(token)


def caught(exc: Exception, net: str) -> None:
    """Count and log ``exc``, caught by the safety net named ``net``.

    Call it from the ``except`` block; in strict mode it re-raises ``exc``.
    """
    if not getattr(exc, _COUNTED, False):
        key = f"{_type_name(exc)} at {where(exc)}, caught by {net}"
        with _lock:
            _counts[key] += 1
        # The key names code only; str(exc) could quote the input.
        _logger().error("bounce decoding failed: %s", key)
        setattr(exc, _COUNTED, True)  # every exception has a __dict__
    if _strict.get():
        raise exc


def _logger() -> logging.Logger:
    import logging

    return logging.getLogger(LOGGER_NAME)


def __getattr__(name: str) -> object:
    """``failures.logger``, the "errorcodes.ndr" logger, made on first use."""
    if name == "logger":
        return _logger()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def where(exc: BaseException) -> str:
    """Return "module:function:line" of the innermost frame of this package in the
    traceback, and of the innermost frame outside it when it was raised there
    ("errorcodes.ndr.source:decode_header_value:220 via email.header:decode_header:126").
    """
    import traceback

    own = outer = None
    for frame, line in traceback.walk_tb(exc.__traceback__):
        module = frame.f_globals.get("__name__", "?")
        place = f"{module}:{frame.f_code.co_name}:{line}"
        if module.startswith(PACKAGE) and module != __name__:
            own, outer = place, None
        else:
            outer = place
    if own is None:
        return outer or "?"
    return f"{own} via {outer}" if outer else own


def _type_name(exc: BaseException) -> str:
    cls = type(exc)
    return (
        cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"
    )
