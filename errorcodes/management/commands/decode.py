"""manage.py decode [--format text|json|csv] [--only hard] FILE...: decode bounces from the shell.

The same command line as the Django-free ``bounce-decoder decode`` (errorcodes/ndr/cli.py),
plus each recipient's directory ``entry``; the default format stays text.
"""

from __future__ import annotations

from argparse import Namespace

from django.core.management.base import BaseCommand, CommandError

from errorcodes.lookup import EntryIndex
from errorcodes.ndr.cli import add_arguments, check_arguments, print_schema, run


class Command(BaseCommand):
    help = (
        "Decode bounce messages, mbox files, Maildir and plain folders, zip archives "
        "(or - for standard input) to text, JSON Lines, CSV, or the addresses to drop."
    )
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        add_arguments(parser, default_format="text")

    def handle(self, *args, **options):
        def usage_error(message: str) -> None:
            raise CommandError(message, returncode=2)

        namespace = Namespace(**options)
        check_arguments(namespace, usage_error)
        if namespace.schema:
            print_schema(self.stdout._out)
            return
        code = run(
            namespace.files,
            fmt=namespace.format,
            entry_lookup=EntryIndex.load(),
            stdout=self.stdout._out,
            stderr=self.stderr._out,
            only=namespace.only,
            jobs=namespace.jobs,
        )
        if code:
            # The unreadable inputs were already named on stderr, one line each.
            raise SystemExit(code)
