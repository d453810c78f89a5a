"""Find the directory entry that explains a decoded recipient."""

import re
from dataclasses import dataclass, field

from django.db.utils import DatabaseError

from .models import AntispamRule, ErrorCode, ExceptionIdentifier

# A concrete rule id inside an anti-spam table row's pattern: "S3150", "AS(1450)", "AS16012609".
RULE_TOKEN = re.compile(r"\bAS\(\d+\)|\bAS\d+\b|\bS\d{3,6}\b")
# "5.7.501-5.7.520" in ErrorCode.also_matches.
RANGE = re.compile(r"^([245])\.(\d{1,3})\.(\d{1,3})-\1\.\2\.(\d{1,3})$")


@dataclass
class EntryIndex:
    """Every status the directory covers, loaded with one query.

    The most specific entry wins: the entry of the Exchange exception or the
    anti-spam rule the bounce names (STOREDRV...AccountDisabledException is a
    disabled account whatever status it came with; S3140 is the Outlook.com
    block list), a variant whose token appears in the server's text, then the
    entry about the exact status, then the narrowest range that contains it.
    """

    exact: dict[str, str] = field(default_factory=dict)
    # status -> [(token, slug)] for entries that are one meaning of a shared status.
    variants: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    # (class.subject., first detail, last detail, slug), narrowest range first.
    ranges: list[tuple[str, int, int, str]] = field(default_factory=list)
    # Exchange exception identifier -> slug, longest identifier first.
    exceptions: list[tuple[str, str]] = field(default_factory=list)
    # Anti-spam rule id ("S3140", "AS(1450)") -> slug.
    rules: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls) -> "EntryIndex | None":
        """Build the index; None when the database is missing or not migrated."""
        try:
            rows = list(
                ErrorCode.objects.order_by("tier", "order").values_list(
                    "slug", "status", "also_matches", "variant"
                )
            )
            exceptions = list(
                ExceptionIdentifier.objects.exclude(entry=None).values_list("identifier", "entry")
            )
            rules = list(AntispamRule.objects.exclude(entry=None).values_list("pattern", "entry"))
        except DatabaseError:
            return None
        index = cls(
            exceptions=sorted(exceptions, key=lambda row: -len(row[0])),
            rules={token: slug for pattern, slug in rules for token in RULE_TOKEN.findall(pattern)},
        )
        for slug, status, _, variant in rows:
            if variant:
                index.variants.setdefault(status, []).append((variant, slug))
            else:
                index.exact.setdefault(status, slug)
        # Codes an entry also covers never take a code from the entry that is about it.
        for slug, _, also, variant in rows:
            for token in also.split():
                if match := RANGE.match(token):
                    prefix = f"{match.group(1)}.{match.group(2)}."
                    index.ranges.append((prefix, int(match.group(3)), int(match.group(4)), slug))
                elif variant:
                    index.variants.setdefault(token, []).append((variant, slug))
                else:
                    index.exact.setdefault(token, slug)
        index.ranges.sort(key=lambda r: r[2] - r[1])
        return index

    def __call__(
        self,
        status: str | None,
        exception: str | None = None,
        antispam_rule: str | None = None,
        diagnostic: str | None = None,
    ) -> str | None:
        """Return the slug of the entry for this recipient, or None."""
        if not status:
            return None
        if exception:
            for identifier, slug in self.exceptions:
                if exception.startswith(identifier):
                    return slug
        if antispam_rule and (slug := self.rules.get(antispam_rule)):
            return slug
        evidence = " ".join(filter(None, (exception, antispam_rule, diagnostic)))
        for token, slug in self.variants.get(status, ()):
            if token in evidence:
                return slug
        if slug := self.exact.get(status):
            return slug
        prefix, _, detail = status.rpartition(".")
        if detail.isdigit():
            for start, low, high, slug in self.ranges:
                if start == prefix + "." and low <= int(detail) <= high:
                    return slug
        return None
