"""Whole-response caching of the directory pages, invalidated on every change.

Every cached page key carries the directory's current version, a random token
kept in the shared cache. Saving anything in the admin, or running
sync_directory, replaces the token: every instance that shares the cache
(Redis) misses from then on and renders afresh.

Views opt in with ``cached_page``, which stores their 200 responses;
``CachedPageMiddleware`` answers a request for a stored page before URL
resolution, the view and the middleware below it run at all.
"""

import hashlib
import logging
import uuid
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

VERSION_KEY = "directory:version"
logger = logging.getLogger(__name__)


def directory_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY, "")
    return version


def invalidate_directory(**_signal_kwargs) -> None:
    """Make every cached directory page stale, on every instance."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def page_key(request) -> str:
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"directory:page:{directory_version()}:{path}"


def cached_page(view):
    """Store the view's 200 responses to GET/HEAD for CachedPageMiddleware to serve."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            try:
                cache.set(
                    page_key(request),
                    (response.content, response["Content-Type"]),
                    settings.DIRECTORY_CACHE_SECONDS,
                )
            except Exception:  # a cache outage must not take the pages down with it
                logger.warning("page cache unavailable: page not stored", exc_info=True)
        return response

    return wrapper


class CachedPageMiddleware:
    """Answer GET/HEAD requests for a stored directory page straight from the cache."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD"):
            try:
                hit = cache.get(page_key(request))
            except Exception:  # a cache outage must not take the pages down with it
                logger.warning("page cache unavailable: rendering", exc_info=True)
                hit = None
            if hit:
                content, content_type = hit
                return HttpResponse(content, content_type=content_type)
        return self.get_response(request)
