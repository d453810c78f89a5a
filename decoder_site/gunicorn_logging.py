"""gunicorn access log as one JSON object per request, without query strings.

A prefilled decoder link or a search can carry text in its query string; the
path, status, size, duration and request id are enough to run the site.
"""

import json
import time

from gunicorn.glogging import Logger


class JsonAccessLogger(Logger):
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
