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
import time
import uuid
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

VERSION_KEY = "directory:version"
logger = logging.getLogger(__name__)

# Each process also keeps the pages it has served, under the same versioned
# keys: only the small version token then travels from a shared cache per
# request, not the whole page. A new version simply stops matching old keys.
LOCAL_PAGES: dict[str, tuple[bytes, str]] = {}
LOCAL_PAGES_MAX = 128


def remember_locally(key: str, page: tuple[bytes, str]) -> None:
    if len(LOCAL_PAGES) >= LOCAL_PAGES_MAX:
        LOCAL_PAGES.clear()
    LOCAL_PAGES[key] = page


# The version token as this process last read it, and when (monotonic seconds).
_local_version: list = ["", float("-inf")]


def directory_version() -> str:
    """Return the directory's version token, read from the shared cache at most
    every DIRECTORY_VERSION_SECONDS: other instances see a change that quickly."""
    token, read_at = _local_version
    now = time.monotonic()
    if token and now - read_at < settings.DIRECTORY_VERSION_SECONDS:
        return token
    token = cache.get(VERSION_KEY)
    if token is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        token = cache.get(VERSION_KEY, "")
    _local_version[:] = [token, now]
    return token


def invalidate_directory(**_signal_kwargs) -> None:
    """Make every cached directory page stale, on every instance."""
    token = uuid.uuid4().hex
    cache.set(VERSION_KEY, token, None)
    _local_version[:] = [token, time.monotonic()]


def page_key(request) -> str:
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"directory:page:{directory_version()}:{path}"


def cached_page(view):
    """Store the view's 200 responses to GET/HEAD for CachedPageMiddleware to serve."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            page = (response.content, response["Content-Type"])
            try:
                key = page_key(request)
                cache.set(key, page, settings.DIRECTORY_CACHE_SECONDS)
                remember_locally(key, page)
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
                key = page_key(request)
                hit = LOCAL_PAGES.get(key)
                if hit is None and (hit := cache.get(key)) is not None:
                    remember_locally(key, hit)
            except Exception:  # a cache outage must not take the pages down with it
                logger.warning("page cache unavailable: rendering", exc_info=True)
                hit = None
            if hit:
                content, content_type = hit
                return HttpResponse(content, content_type=content_type)
        return self.get_response(request)
