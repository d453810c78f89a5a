"""Find the directory entry that explains a decoded recipient."""

import re
from dataclasses import dataclass, field

from django.db.utils import DatabaseError

from .models import ErrorCode

# "5.7.501-5.7.520" in ErrorCode.also_matches.
RANGE = re.compile(r"^([245])\.(\d{1,3})\.(\d{1,3})-\1\.\2\.(\d{1,3})$")


@dataclass
class EntryIndex:
    """Every status the directory covers, loaded with one query."""

    exact: dict[str, str] = field(default_factory=dict)
    # (class.subject., first detail, last detail, slug), narrowest range first.
    ranges: list[tuple[str, int, int, str]] = field(default_factory=list)

    @classmethod
    def load(cls) -> "EntryIndex | None":
        """Build the index; None when the database is missing or not migrated."""
        try:
            rows = list(ErrorCode.objects.values_list("slug", "status", "also_matches"))
        except DatabaseError:
            return None
        index = cls()
        for slug, status, _ in rows:
            index.exact.setdefault(status.strip(), slug)
        # Codes an entry also covers never take a code from the entry that is about it.
        for slug, _, also in rows:
            for token in also.split():
                if match := RANGE.match(token):
                    prefix = f"{match.group(1)}.{match.group(2)}."
                    index.ranges.append((prefix, int(match.group(3)), int(match.group(4)), slug))
                else:
                    index.exact.setdefault(token, slug)
        index.ranges.sort(key=lambda r: r[2] - r[1])
        return index

    def __call__(self, status: str | None, exception: str | None = None) -> str | None:
        """Return the slug of the entry for this status, or None."""
        if not status:
            return None
        if slug := self.exact.get(status):
            return slug
        prefix, _, detail = status.rpartition(".")
        if detail.isdigit():
            for start, low, high, slug in self.ranges:
                if start == prefix + "." and low <= int(detail) <= high:
                    return slug
        return None
