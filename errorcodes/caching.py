"""Whole-response caching of the directory pages, invalidated on every change.

Every cached page key carries the directory's current version, a random token
kept in the database (``DirectoryVersion``). Saving anything in the admin, or
running sync_directory, replaces the token: every worker and instance misses
from then on and renders afresh.

Views opt in with ``cached_page``, which stores their 200 responses;
``CachedPageMiddleware`` answers a request for a stored page before URL
resolution, the view and the middleware below it run at all. Only canonical
addresses are cached: the path alone, so that ``/?x=1``, ``/?x=2``... cannot
fill the cache, and never a search (a visitor may search for an address).
"""

import contextlib
import gzip
import hashlib
import logging
import time
import uuid
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import patch_vary_headers

from decoder_site.availability import gevent_is_serving

logger = logging.getLogger(__name__)

# Each process also keeps the pages it has served, under the same versioned
# keys: only the small version token then travels from the database per
# second, not the whole page. A new version simply stops matching old keys.
LOCAL_PAGES: dict[str, tuple[bytes, str, bytes]] = {}
LOCAL_PAGES_MAX = 128

# How long a process goes on with the version it has when the database does not
# answer, before asking again; and how long it waits for that answer when it
# already has a version to go on with (gevent workers only).
VERSION_RETRY_SECONDS = 5.0
VERSION_READ_SECONDS = 0.3


class VersionReadTimeout(Exception):
    pass


def read_deadline(seconds: float | None):
    """Give up on a database that does not answer within ``seconds``, where gevent can
    interrupt the wait; elsewhere (runserver, tests) the database's own timeouts apply."""
    if seconds is None or not gevent_is_serving():
        return contextlib.nullcontext()
    import gevent

    return gevent.Timeout(seconds, VersionReadTimeout)


def remember_locally(key: str, page: tuple[bytes, str, bytes]) -> None:
    if len(LOCAL_PAGES) >= LOCAL_PAGES_MAX:
        LOCAL_PAGES.clear()
    LOCAL_PAGES[key] = page


class _Version:
    """The version token as this process last read it, and when to read it again."""

    token = ""
    next_read = float("-inf")
    reading = False


def directory_version() -> str:
    """Return the directory's version token, read from the database at most every
    DIRECTORY_VERSION_SECONDS, so every process sees an edit that quickly.

    One request at a time reads it; the others go on with the token they have.
    When the database does not answer, the last token stays in use (cached pages
    keep being served) and the read is retried after VERSION_RETRY_SECONDS.
    """
    now = time.monotonic()
    if _Version.token and (now < _Version.next_read or _Version.reading):
        return _Version.token
    from .models import DirectoryVersion

    _Version.reading = True
    try:
        with read_deadline(VERSION_READ_SECONDS if _Version.token else None):
            row = DirectoryVersion.objects.order_by("pk").only("token").first()
            if row is None:
                row = DirectoryVersion.objects.create(token=uuid.uuid4().hex)
    except (DatabaseError, VersionReadTimeout):
        if not _Version.token:
            raise
        logger.warning("database unavailable: directory version kept", exc_info=True)
        _Version.next_read = now + VERSION_RETRY_SECONDS
        return _Version.token
    finally:
        _Version.reading = False
    _Version.token, _Version.next_read = row.token, now + settings.DIRECTORY_VERSION_SECONDS
    return row.token


def invalidate_directory(**_signal_kwargs) -> None:
    """Make every cached directory page stale, in every process."""
    from .models import DirectoryVersion

    token = uuid.uuid4().hex
    if not DirectoryVersion.objects.update(token=token):
        DirectoryVersion.objects.create(token=token)
    _Version.token, _Version.next_read = (
        token,
        time.monotonic() + settings.DIRECTORY_VERSION_SECONDS,
    )


def cacheable(request) -> bool:
    """Only GET/HEAD of a canonical address; a search is the visitor's own business."""
    return request.method in ("GET", "HEAD") and not request.GET.get("q", "").strip()


def page_key(request) -> str:
    path = hashlib.sha256(request.path.encode()).hexdigest()
    return f"directory:page:{directory_version()}:{path}"


def cached_page(view):
    """Store the view's 200 responses to canonical GET/HEAD requests."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if cacheable(request) and response.status_code == 200:
            # Compressed once, when stored: these pages carry no secret (no CSRF
            # token), so gzip cannot leak one (BREACH).
            page = (response.content, response["Content-Type"], gzip_page(response.content))
            try:
                key = page_key(request)
                remember_locally(key, page)
                cache.set(key, page, settings.DIRECTORY_CACHE_SECONDS)
            except Exception:  # a cache outage must not take the pages down with it
                logger.warning("page cache unavailable: page not stored", exc_info=True)
            return page_response(request, page)
        return response

    wrapper.is_cached_page = True
    return wrapper


def serves_cached_pages(request) -> bool:
    """True when the address belongs to a view that stores its pages (not /healthz,
    the admin or the decoder, which never pay for a version read here)."""
    try:
        return getattr(resolve(request.path_info).func, "is_cached_page", False)
    except Resolver404:
        return False


class CachedPageMiddleware:
    """Answer GET/HEAD requests for a stored directory page straight from the cache."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if cacheable(request) and serves_cached_pages(request):
            try:
                key = page_key(request)
                hit = LOCAL_PAGES.get(key)
                if hit is None and (hit := cache.get(key)) is not None:
                    remember_locally(key, hit)
            except Exception:  # a cache or database outage: render, or fail there
                logger.warning("page cache unavailable: rendering", exc_info=True)
                hit = None
            if hit and len(hit) == 3:
                return page_response(request, hit)
        return self.get_response(request)


def gzip_page(content: bytes) -> bytes:
    return gzip.compress(content, compresslevel=9, mtime=0)


def page_response(request, page: tuple[bytes, str, bytes]) -> HttpResponse:
    """The stored page, compressed when the client takes gzip."""
    content, content_type, compressed = page
    accepts_gzip = "gzip" in request.headers.get("Accept-Encoding", "")
    response = HttpResponse(compressed if accepts_gzip else content, content_type=content_type)
    if accepts_gzip:
        response["Content-Encoding"] = "gzip"
    patch_vary_headers(response, ("Accept-Encoding",))
    return response
