"""manage.py decode [--format text|json] FILE...: decode bounce files from the shell."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from errorcodes.lookup import EntryIndex
from errorcodes.ndr.cli import run


class Command(BaseCommand):
    help = "Decode bounce messages (files or - for standard input) to JSON Lines or text."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--format", choices=("text", "json"), default="text")

    def handle(self, *args, **options):
        code = run(
            options["files"],
            fmt=options["format"],
            entry_lookup=EntryIndex.load(),
            stdout=self.stdout._out,
            stderr=self.stderr._out,
        )
        if code:
            # The unreadable files were already named on stderr, one line each.
            raise SystemExit(code)
