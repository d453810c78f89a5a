from django.conf import settings
from django.contrib import admin
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path

from .health import healthz
from .logins import limit_logins

admin.site.login = limit_logins(admin.site.login)
handler500 = "decoder_site.availability.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Browsers ask for /favicon.ico on pages without an icon link (the admin's).
    path("favicon.ico", lambda request: redirect(static("favicon.svg"), permanent=True)),
    path(settings.ADMIN_URL, admin.site.urls),
    path("", include("errorcodes.urls")),
]
