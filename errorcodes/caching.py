"""Whole-response caching of the directory pages, invalidated on every change.

Every cached page key carries the directory's current version, a random token
kept in the shared cache. Saving anything in the admin, or running
sync_directory, replaces the token: every instance that shares the cache
(Redis) misses from then on and renders afresh.
"""

import hashlib
import uuid
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

VERSION_KEY = "directory:version"


def directory_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY, "")
    return version


def invalidate_directory(**_signal_kwargs) -> None:
    """Make every cached directory page stale, on every instance."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def cached_page(view):
    """Serve GET/HEAD responses of ``view`` from the cache while the directory is unchanged."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
        key = f"directory:page:{directory_version()}:{path}"
        if (hit := cache.get(key)) is not None:
            content, content_type = hit
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            cache.set(
                key,
                (response.content, response["Content-Type"]),
                settings.DIRECTORY_CACHE_SECONDS,
            )
        return response

    return wrapper
