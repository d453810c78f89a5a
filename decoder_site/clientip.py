"""The client's address, as the nearest trusted proxy saw it."""

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    """Return the address rate limits and logs key on.

    Each trusted proxy appends the address it received the request from to
    X-Forwarded-For, so with N trusted proxies the client is the N-th entry from
    the right; anything further left was written by the client and proves
    nothing. Without trusted proxies the header is ignored.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXY_HOPS
    if hops <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < hops:
        return remote
    candidate = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
