"""A stalled or failing backend costs a visitor a clear 503 page, never a hang or a 500."""

import logging
import sys

from django.conf import settings
from django.db import DatabaseError, DataError
from django.shortcuts import render

logger = logging.getLogger(__name__)


class RequestDeadlineExceeded(BaseException):
    """Raised in a request that is still waiting after REQUEST_DEADLINE_SECONDS.

    A BaseException, like KeyboardInterrupt: the ``except Exception`` blocks that
    let a request go on without the cache must not swallow it.
    """


def gevent_is_serving() -> bool:
    """True in a gevent worker, where a waiting request can be interrupted."""
    monkey = sys.modules.get("gevent.monkey")
    return bool(monkey and monkey.is_module_patched("socket"))


def unavailable(request):
    response = render(request, "503.html", status=503)
    response["Retry-After"] = "30"
    response["Cache-Control"] = "no-store"
    return response


class RequestDeadlineMiddleware:
    """Answer 503 to a request still waiting (on a stalled database, say) at the deadline."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not gevent_is_serving():
            return self.get_response(request)
        import gevent

        try:
            with gevent.Timeout(settings.REQUEST_DEADLINE_SECONDS, RequestDeadlineExceeded):
                return self.get_response(request)
        except RequestDeadlineExceeded:
            logger.error("request deadline exceeded: answered 503")
            return unavailable(request)


def server_error(request):
    """handler500: a database that fails or does not answer is a 503 with a page that says
    so; data the database refuses (a NUL byte in a search) is the request's fault, a 400."""
    error = sys.exc_info()[1]
    if isinstance(error, DataError):
        return render(request, "400.html", status=400)
    if isinstance(error, DatabaseError):
        return unavailable(request)
    return render(request, "500.html", status=500)
