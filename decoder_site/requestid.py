"""A request id on every response and every log line of the request."""

import contextvars
import logging
import re
import uuid

current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

# Accept a load balancer's id only when it is short and plain (it goes into logs).
INCOMING_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


class RequestIdMiddleware:
    """Take X-Request-ID from the proxy or make one; echo it on the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if INCOMING_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = current_request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Add the current request id to every log record.

    Django attaches the request object to its own records; a JSON formatter
    would print it with its query string, so only method and path are kept.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        # Django logs a request's outcome after the middleware has returned.
        record.request_id = getattr(request, "request_id", None) or current_request_id.get()
        if request is not None and hasattr(request, "path"):
            record.request = f"{request.method} {request.path}"
        return True
