"""manage.py decode [--format text|json] FILE...: decode bounce files from the shell."""

from __future__ import annotations

import re

from django.core.management.base import BaseCommand
from django.db.utils import OperationalError, ProgrammingError

from errorcodes.ndr.cli import EntryLookup, run

# "5.7.501-5.7.520" in ErrorCode.also_matches.
RANGE_RE = re.compile(r"^([245])\.(\d{1,3})\.(\d{1,3})-\1\.\2\.(\d{1,3})$")


def build_entry_lookup() -> EntryLookup | None:
    """Load every directory status once; return None when the database is not usable."""
    from errorcodes.models import ErrorCode

    try:
        rows = list(ErrorCode.objects.values_list("slug", "status", "also_matches"))
    except (OperationalError, ProgrammingError):
        return None
    exact: dict[str, str] = {}
    ranges: list[tuple[str, int, int, str]] = []
    for slug, status, also in rows:
        if status:
            exact.setdefault(status.strip(), slug)
        for token in (also or "").split():
            match = RANGE_RE.match(token)
            if match:
                prefix = f"{match.group(1)}.{match.group(2)}."
                ranges.append((prefix, int(match.group(3)), int(match.group(4)), slug))
            else:
                exact.setdefault(token, slug)

    def lookup(status: str | None, exception: str | None) -> str | None:
        for key in (exception, status):
            if key and key in exact:
                return exact[key]
        if status and status.count(".") == 2:
            prefix, _, detail = status.rpartition(".")
            if detail.isdigit():
                for start_prefix, low, high, slug in ranges:
                    if start_prefix == prefix + "." and low <= int(detail) <= high:
                        return slug
        return None

    return lookup


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
            entry_lookup=build_entry_lookup(),
            stdout=self.stdout._out,
            stderr=self.stderr._out,
        )
        if code:
            # The unreadable files were already named on stderr, one line each.
            raise SystemExit(code)
