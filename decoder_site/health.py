"""GET /healthz: can this instance write to its database and use its caches?

Under gunicorn (gevent workers) it answers within HEALTH_TIMEOUT_SECONDS
whatever is stalled: the checks run side by side, each in its own greenlet, and
one that has not finished by then counts as failed.
"""

import uuid
from collections.abc import Callable

from django.core.cache import caches
from django.db import connections, transaction
from django.db.models import F
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from errorcodes.ndr import decode_failures

from .availability import gevent_is_serving

HEALTH_TIMEOUT_SECONDS = 1.5


def check_database() -> str:
    """Write to the database (rolled back): a read-only database is not healthy."""
    from errorcodes.models import DirectoryVersion

    try:
        with transaction.atomic():
            if not DirectoryVersion.objects.update(token=F("token")):
                DirectoryVersion.objects.create(token="healthz")
            transaction.set_rollback(True)
    except Exception as exc:  # any failure means unhealthy, whatever the backend raises
        return f"error: {type(exc).__name__}"
    return "ok"


def check_cache(alias: str) -> str:
    cache = caches[alias]
    key, value = f"healthz:{uuid.uuid4().hex}", "ok"
    try:
        cache.set(key, value, 10)
        found = cache.get(key)
        cache.delete(key)
    except Exception as exc:
        return f"error: {type(exc).__name__}"
    return "ok" if found == value else "error: value not read back"


def run_checks(checks: dict[str, Callable[[], str]]) -> dict[str, str]:
    if not gevent_is_serving():  # runserver, tests: one after the other
        return {name: check() for name, check in checks.items()}
    import gevent

    def alone(check):
        try:
            return check()
        finally:
            connections.close_all()  # this greenlet's own connection, stalled or not

    jobs = {name: gevent.spawn(alone, check) for name, check in checks.items()}
    gevent.joinall(list(jobs.values()), timeout=HEALTH_TIMEOUT_SECONDS)
    results = {}
    for name, job in jobs.items():
        if job.ready():
            results[name] = job.value if job.successful() else "error: failed"
        else:
            job.kill(block=False)
            results[name] = "error: timeout"
    return results


@never_cache
@require_GET
def healthz(request):
    checks = run_checks(
        {
            "database": check_database,
            "cache": lambda: check_cache("default"),
            "ratelimit": lambda: check_cache("ratelimit"),
        }
    )
    healthy = all(result == "ok" for result in checks.values())
    return JsonResponse(
        {
            "status": "ok" if healthy else "error",
            "checks": checks,
            # Bugs the decoder's safety nets caught in this worker (it logs each one):
            # worth a look when not 0, but no reason to take the instance out.
            "decode_failures": decode_failures(),
        },
        status=200 if healthy else 503,
    )
