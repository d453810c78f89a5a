"""Per-client rate limits that fail open when the cache is down."""

import logging

from django_ratelimit.core import is_ratelimited

logger = logging.getLogger(__name__)


def over_limit(request, group: str, rate: str) -> bool:
    """Count this request against the client's (IP's) limit; True when it is over.

    A cache outage lets requests through instead of failing them: the limit
    protects the service, and refusing everyone would be the worse outage.
    """
    try:
        return is_ratelimited(request, group=group, key="ip", rate=rate, increment=True)
    except Exception:
        logger.warning("rate limit cache unavailable: request allowed", exc_info=True)
        return False
