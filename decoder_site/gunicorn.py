"""gunicorn settings (gunicorn --config python:decoder_site.gunicorn).

The workers are gevent workers: every connection gets a greenlet, so a client
that sends its request slowly (or not at all), or a request waiting on a stalled
database or cache, costs one greenlet instead of a whole worker. gevent must
patch the standard library before the application is loaded (preload_app), so
it happens here, first.
"""

from gevent import monkey

monkey.patch_all()

import multiprocessing  # noqa: E402
import os  # noqa: E402
from pathlib import Path  # noqa: E402

worker_class = "gevent"
# Decoding is CPU-bound and short: a process per core plus one keeps every
# core busy while one worker is in the middle of a large decode.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
# Open connections per worker, idle or slow ones included; past this the
# worker stops accepting and the kernel's backlog holds new connections.
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", "1000"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On SIGTERM (a deploy or scale-down) finish the requests in flight first.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
# A connection has this long to send each request's line and headers (gevent
# workers time the read); a body is bounded by REQUEST_DEADLINE_SECONDS.
keepalive = 5
# No recycling after so many requests: a recycled gevent worker stops accepting
# and waits for its open connections, slow ones included, before a new worker
# starts, and with every worker recycling under load the site stalls for
# seconds. What a worker keeps in memory is bounded instead (page and
# directory caches of fixed size).
max_requests = 0
# Load the app once in the master: workers start faster and share memory.
preload_app = True
# A request line or header over 8 KB is refused (414/431) before Django sees it.
limit_request_line = 8190
limit_request_field_size = 8190

accesslog = "-"
errorlog = "-"
logger_class = "decoder_site.gunicorn_logging.JsonLogger"

# A read-only root filesystem: heartbeat files in memory, no control socket.
if Path("/dev/shm").is_dir():
    worker_tmp_dir = "/dev/shm"
control_socket_disable = True


def post_worker_init(worker):
    """Before serving: gunicorn's own error answers (400, 414, 431) get the site's
    security headers, and the worker reads the directory, so that decoding goes on
    through a database outage that starts later."""
    from django.db import connections

    from decoder_site.gunicorn_logging import install_error_page
    from errorcodes.diagnosis import directory_knowledge

    install_error_page()
    try:
        directory_knowledge()
    except Exception:  # a database that is down now is read on the first decode instead
        worker.log.warning("directory not read at worker start", exc_info=True)
    finally:
        connections.close_all()
