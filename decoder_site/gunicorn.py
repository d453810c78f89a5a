"""gunicorn settings (gunicorn --config python:decoder_site.gunicorn)."""

import multiprocessing
import os

# Decoding is CPU-bound and short: a process per core plus one keeps both
# cores busy while a worker waits on the database.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak can never grow without bound.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
# Path without the query string: a prefilled decoder link can carry an address.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
