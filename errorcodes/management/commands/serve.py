import os
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Prepare the database and static files, then serve the site with gunicorn: "
        "migrate, sync_directory, collectstatic, gunicorn."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument(
            "--no-collectstatic",
            action="store_true",
            help="Skip collectstatic (the Docker image collects at build time).",
        )

    def handle(self, *args, host, port, no_collectstatic, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("sync_directory")
        if not no_collectstatic:
            call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"Serving the Bounce Decoder on http://{host}:{port}/")
        self.stdout.flush()
        argv = [
            sys.executable, "-m", "gunicorn", "decoder_site.wsgi",
            "--config", "python:decoder_site.gunicorn",
            "--bind", f"{host}:{port}",
        ]  # fmt: skip
        # Replace this process so gunicorn receives signals (Ctrl-C, SIGTERM) directly.
        os.execv(sys.executable, argv)
