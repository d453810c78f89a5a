"""Settings for the test suite: the real settings with a throwaway secret key."""

import os
import tempfile

os.environ.setdefault("DJANGO_SECRET_KEY", "test-suite-only-not-secret")

from decoder_site.settings import *  # noqa: F403

# Tests render pages without running collectstatic first.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# File-based rate-limit counters in a directory of this run's own, not the machine's.
if CACHES["ratelimit"]["BACKEND"].endswith("FileBasedCache"):  # noqa: F405
    CACHES["ratelimit"]["LOCATION"] = tempfile.mkdtemp(prefix="bounce-decoder-ratelimit-")  # noqa: F405
