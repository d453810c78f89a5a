import os
import secrets
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


def local_secret_key(base_dir: Path) -> str:
    """A secret key for this copy of the site, made once and kept beside it."""
    path = base_dir / ".secret-key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


class Command(BaseCommand):
    help = (
        "Prepare the database and static files, then serve the site with gunicorn as "
        "visitors see it (debug off; --debug for development): migrate, sync_directory, "
        "collectstatic, gunicorn."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument(
            "--debug",
            action="store_true",
            help="Serve with Django's debug mode on (tracebacks, no caching of errors).",
        )
        parser.add_argument(
            "--no-collectstatic",
            action="store_true",
            help="Skip collectstatic (the Docker image collects at build time).",
        )

    def handle(self, *args, host, port, debug, no_collectstatic, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("sync_directory")
        if not no_collectstatic:
            call_command("collectstatic", interactive=False, verbosity=0)
        # As visitors see it: the site's own error pages, no debug information. On
        # loopback there is no TLS in front, so no redirect to HTTPS either.
        env = os.environ
        env["DJANGO_DEBUG"] = "1" if debug else "0"
        if not env.get("DJANGO_SECRET_KEY"):
            env["DJANGO_SECRET_KEY"] = local_secret_key(settings.BASE_DIR)
        if host in LOOPBACK:
            env.setdefault("DJANGO_SSL_REDIRECT", "0")
        self.stdout.write(f"Serving the Bounce Decoder on http://{host}:{port}/")
        self.stdout.flush()
        argv = [
            sys.executable, "-m", "gunicorn", "decoder_site.wsgi",
            "--config", "python:decoder_site.gunicorn",
            "--bind", f"{host}:{port}",
        ]  # fmt: skip
        # Replace this process so gunicorn receives signals (Ctrl-C, SIGTERM) directly.
        os.execv(sys.executable, argv)
