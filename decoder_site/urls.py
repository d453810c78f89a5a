from django.conf import settings
from django.contrib import admin
from django.shortcuts import render
from django.urls import include, path

from .health import healthz
from .ratelimit import over_limit


def limit_logins(login_view):
    """Answer 429 to a client that keeps posting to the admin login form."""

    def view(request, *args, **kwargs):
        if request.method == "POST" and over_limit(
            request, "admin-login", settings.ADMIN_LOGIN_RATE_LIMIT
        ):
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
