import pytest
from django.conf import settings

from errorcodes.sync import sync_directory


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Install the shipped directory once into the test database."""
    with django_db_blocker.unblock():
        sync_directory(settings.DIRECTORY_FIXTURES_DIR)
