from django.conf import settings
from django.contrib import admin
from django.shortcuts import render
from django.urls import include, path
from django_ratelimit.decorators import ratelimit

from .health import healthz


def login_rate(group, request) -> str:
    return settings.ADMIN_LOGIN_RATE_LIMIT


def limit_logins(login_view):
    """Answer 429 to a client that keeps posting to the admin login form."""

    @ratelimit(key="ip", rate=login_rate, method="POST", block=False, group="admin-login")
    def view(request, *args, **kwargs):
        if getattr(request, "limited", False):
            response = render(request, "429.html", status=429)
            response["Retry-After"] = "60"
            return response
        return login_view(request, *args, **kwargs)

    return view


admin.site.login = limit_logins(admin.site.login)

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path(settings.ADMIN_URL, admin.site.urls),
    path("", include("errorcodes.urls")),
]
