"""The site's URLs plus one view that fails, to see the 500 page."""

from django.urls import path

from decoder_site.urls import urlpatterns as site_urlpatterns


def broken(request):
    raise RuntimeError("secret-internal-detail")


urlpatterns = [path("broken/", broken), *site_urlpatterns]
