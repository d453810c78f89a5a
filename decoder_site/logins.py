"""Limits on failed admin sign-ins, per client and per account.

Only failures count. A client (its real address, behind trusted proxies) that
fails too often in a minute is refused for the rest of that minute; that never
touches anyone else. An account that fails too often in an hour, from anywhere,
is locked until the hour is over, and the sign-in page says so and how to
unlock it (``manage.py unlock_admin USERNAME``), because a correct password is
then refused too.
"""

import hashlib
import time

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.cache import caches
from django.dispatch import receiver
from django.shortcuts import render

from .clientip import client_ip

CLIENT_WINDOW_SECONDS = 60
ACCOUNT_WINDOW_SECONDS = 3600


def _counters():
    return caches[settings.RATELIMIT_USE_CACHE]


def client_key(request) -> str:
    return "login-failures:client:" + hashlib.sha256(client_ip(request).encode()).hexdigest()


def account_key(username: str) -> str:
    digest = hashlib.sha256(username.strip().lower().encode()).hexdigest()
    return "login-failures:account:" + digest


def failures(key: str) -> int:
    try:
        count, _ = _counters().get(key, (0, 0))
    except Exception:  # counters unavailable: sign-ins go on, unlimited
        return 0
    return count


def count_failure(key: str, window: int) -> None:
    """Add a failure to the window that began with the first one (kept as (count, end))."""
    now = time.time()
    counters = _counters()
    try:
        count, ends = counters.get(key, (0, now + window))
        counters.set(key, (count + 1, ends), max(1, int(ends - now)))
    except Exception:
        pass  # a failure that cannot be counted is not worth a 500


def unlock_account(username: str) -> None:
    _counters().delete(account_key(username))


@receiver(user_login_failed, dispatch_uid="count-admin-login-failures")
def remember_failure(sender, credentials, request=None, **kwargs):
    if request is None:
        return
    count_failure(client_key(request), CLIENT_WINDOW_SECONDS)
    count_failure(account_key(credentials.get("username", "")), ACCOUNT_WINDOW_SECONDS)


def limit_logins(login_view):
    """Refuse sign-ins from a client, or to an account, that failed too often."""

    def view(request, *args, **kwargs):
        if request.method == "POST":
            if failures(client_key(request)) >= settings.ADMIN_LOGIN_CLIENT_FAILURES:
                response = render(request, "429.html", status=429)
                response["Retry-After"] = str(CLIENT_WINDOW_SECONDS)
                return response
            username = request.POST.get("username", "")
            if (
                username
                and failures(account_key(username)) >= settings.ADMIN_LOGIN_ACCOUNT_FAILURES
            ):
                response = render(request, "admin_locked.html", {"username": username}, status=429)
                response["Retry-After"] = str(ACCOUNT_WINDOW_SECONDS)
                return response
        return login_view(request, *args, **kwargs)

    return view
