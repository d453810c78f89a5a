"""WSGI entry point (gunicorn decoder_site.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "decoder_site.settings")

application = get_wsgi_application()
