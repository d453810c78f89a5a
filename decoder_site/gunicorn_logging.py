"""gunicorn's logs as one JSON object per line, and its error answers with headers.

A prefilled decoder link or a search can carry text in its query string; the
path, status, size, duration and request id are enough to run the site.
"""

import html
import json
import time

from gunicorn import util
from gunicorn.glogging import Logger
from pythonjsonlogger.json import JsonFormatter


class JsonLogger(Logger):
    """Access lines without query strings; error lines (tracebacks included) as JSON."""

    def setup(self, cfg):
        super().setup(cfg)
        formatter = JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
        for handler in self.error_log.handlers:
            handler.setFormatter(formatter)

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "logger": "gunicorn.access",
            "request_id": atoms.get("{x-request-id}o", "-"),
            "client": atoms["h"],
            "method": atoms["m"],
            "path": atoms["U"],
            "status": atoms["s"],
            "bytes": atoms["B"],
            "ms": atoms["M"],
        }
        self.access_log.info(json.dumps(entry))


def error_page_headers() -> list[tuple[str, str]]:
    """The headers every answer of the site carries, for gunicorn's own answers."""
    from django.conf import settings

    from decoder_site.headers import PERMISSIONS_POLICY

    headers = [
        ("Content-Security-Policy", "default-src 'none'; base-uri 'none'; frame-ancestors 'none'"),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", settings.SECURE_REFERRER_POLICY),
        ("Permissions-Policy", PERMISSIONS_POLICY),
        ("Cache-Control", "no-store"),
    ]
    if settings.SECURE_HSTS_SECONDS:
        value = f"max-age={settings.SECURE_HSTS_SECONDS}"
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
            value += "; includeSubDomains"
        if settings.SECURE_HSTS_PRELOAD:
            value += "; preload"
        headers.append(("Strict-Transport-Security", value))
    return headers


def install_error_page() -> None:
    """Make gunicorn answer malformed requests with a plain page and the site's headers.

    gunicorn writes those answers itself (the request never reaches Django), through
    ``gunicorn.util.write_error``; this replaces that function in the worker.
    """
    headers = "".join(f"{name}: {value}\r\n" for name, value in error_page_headers())

    def write_error(sock, status_int, reason, mesg):
        body = (
            '<!doctype html><html lang="en"><meta charset="utf-8">'
            f"<title>{html.escape(reason)}</title><h1>{html.escape(reason)}</h1>"
            "<p>The request could not be read. "
            '<a href="/">Back to the Bounce Decoder</a></p></html>'
        ).encode()
        head = (
            f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
            f"Content-Type: text/html; charset=utf-8\r\nContent-Length: {len(body)}\r\n"
            f"{headers}\r\n"
        ).encode("latin-1")
        util.write_nonblock(sock, head + body)

    util.write_error = write_error
