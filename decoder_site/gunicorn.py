"""gunicorn settings (gunicorn --config python:decoder_site.gunicorn)."""

import multiprocessing
import os
from pathlib import Path

# Decoding is CPU-bound and short: a process per core plus one keeps every
# core busy while a worker waits on the database or the cache.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On SIGTERM (a deploy or scale-down) finish the requests in flight first.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
keepalive = 5
# Recycle workers now and then so a slow leak can never grow without bound.
max_requests = 2000
max_requests_jitter = 200
# Load the app once in the master: workers start faster and share memory.
preload_app = True

accesslog = "-"
errorlog = "-"
logger_class = "decoder_site.gunicorn_logging.JsonAccessLogger"

# A read-only root filesystem: heartbeat files in memory, no control socket.
if Path("/dev/shm").is_dir():
    worker_tmp_dir = "/dev/shm"
control_socket_disable = True
