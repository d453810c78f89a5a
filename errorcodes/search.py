"""Directory search: read what a visitor typed as a code, an identifier or words.

A query is read three ways at once, and every entry keeps its best reading:

- a status code ("5.7.1", "550-5.7.1", "5-7-720", "#5.7.1", or a whole pasted
  SMTP line): EntryIndex resolves it, ranges included, and picks the variant
  that the line's exception, anti-spam rule or token names;
- an identifier or token: Exchange exception ids ("AccountDisabled",
  "RESOLVER.ADR.RecipientNotFound"), anti-spam rules ("S3150", "AS(7910)"),
  variant tokens ("Spamhaus");
- words, found in an entry's code, title, summary or example bounce.

Entries are ranked by how directly the query names them (``Rank``), then in
directory order (critical codes first).
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import IntEnum

from .diagnosis import directory_knowledge, match_antispam_rule
from .lookup import RULE_TOKEN, EntryIndex
from .models import AntispamRule, ErrorCode, ExceptionIdentifier
from .ndr.statuscodes import find_antispam_rule, find_exception, find_status_match

# The longest query read: room for a whole pasted SMTP reply line.
QUERY_MAX_LENGTH = 300

# A code on its own, as typed or as in an address: "5.7.1", "5-7-1", "550 5.7.1",
# "550-5.7.1", "#5.7.1", "550 #5.7.1".
WHOLE_CODE = re.compile(r"#?(?:[245]\d\d[ -]{1,3}#?)?([245])[.-](\d{1,3})[.-](\d{1,3})")
# A dashed code leading a longer query: "5-7-1 spamhaus".
LEADING_DASHED_CODE = re.compile(r"#?(?:[245]\d\d[ -]{1,3}#?)?([245])-(\d{1,3})-(\d{1,3})\s")
# The start of a code: "5", "5.7", "5.7.", "4-7".
PARTIAL_CODE = re.compile(r"#?([245])(?:[.-](\d{1,3}))?[.-]?")
# Anti-spam rule ids as a visitor types them, in any case: "s3150", "as(7910)", "RP-001".
RULE_ID = re.compile(rf"{RULE_TOKEN.pattern}|\b[A-Z]{{2}}-\d{{3}}\b", re.IGNORECASE)
# The parts of an exception identifier: "STOREDRV", "Deliver", "AccountDisabledException".
IDENTIFIER_PARTS = re.compile(r"[.:;]\s*")
# A query of one token (an identifier, a rule id), not words.
SINGLE_TOKEN = re.compile(r"[\w.:;()#-]+")

# A partial identifier or rule id must be at least this long to be read as one.
MIN_PARTIAL = 3


class Rank(IntEnum):
    """How directly an entry answers the query; lower ranks first."""

    NAMED = 0  # the entry of the exact exception, rule or token the query names
    VARIANT = 1  # the entry of a token or rule family the query contains
    CODE = 2  # the entry the code resolves to (exact status, listed code or range)
    SAME_STATUS = 3  # another entry about the same status (a variant of it)
    LISTED = 4  # an entry that lists the code among those it also covers
    PARTIAL = 5  # the start of an identifier's part or of a rule id; the start of a code
    INSIDE = 6  # inside an identifier ("Disabled")
    TEXT = 7  # the words appear in the entry


# Ranks shown as the best matches; the rest are "other matches".
BEST = Rank.INSIDE


@dataclass(frozen=True)
class Hit:
    """Why an entry matches: its rank, how it was reached and what was matched."""

    rank: Rank
    via: str = ""  # "range", "listed", "exception", "rule", "rule-family", "variant"
    detail: str = ""  # the range, identifier or token that was matched


@dataclass(frozen=True)
class Resolution:
    """How the query reached its first entry, when that is not plain to see."""

    term: str  # what the query named: "5.7.720", "S3150", "AccountDisabled"
    via: str
    detail: str
    entry: ErrorCode


@dataclass
class SearchResults:
    """The ranked entries for a query, and what the query was read as."""

    query: str
    code: str | None = None  # the status code read from the query, "5.7.1"
    entries: list[ErrorCode] = field(default_factory=list)
    hits: dict[str, Hit] = field(default_factory=dict)
    resolution: Resolution | None = None

    @property
    def best(self) -> list[ErrorCode]:
        return [e for e in self.entries if self.hits[e.slug].rank <= BEST]

    @property
    def others(self) -> list[ErrorCode]:
        return [e for e in self.entries if self.hits[e.slug].rank > BEST]

    @property
    def groups(self) -> list[tuple[str, str, list[ErrorCode]]]:
        """(anchor, heading, entries) for the directory template, empty groups left out."""
        best, others = self.best, self.others
        groups = [
            ("best", "Best matches", best),
            ("other", "Other matches" if best else "Matches", others),
        ]
        return [group for group in groups if group[2]]


def normal_code(klass: str, subject: str, detail: str) -> str:
    """Return the status as the directory writes it: "5.7.01" -> "5.7.1"."""
    return f"{klass}.{int(subject)}.{int(detail)}"


def code_in_address(text: str) -> str | None:
    """Return the status named by a whole address part: "5.7.1", "5-7-720", "550-5.7.1"."""
    match = WHOLE_CODE.fullmatch(text.strip())
    return normal_code(*match.groups()) if match else None


def read_code(query: str) -> str | None:
    """Return the status code the query names or quotes ("550 5.7.1 ..." -> "5.7.1")."""
    text = query.strip().rstrip(".,;:")
    if code := code_in_address(text):
        return code
    if match := LEADING_DASHED_CODE.match(text + " "):
        return normal_code(*match.groups())
    found = find_status_match(text)
    return normal_code(*found[0].split(".")) if found else None


def code_prefix(query: str) -> str | None:
    """Return the start of a code the query is ("5.7" -> "5.7."), if it is one."""
    match = PARTIAL_CODE.fullmatch(query.strip())
    if not match:
        return None
    klass, subject = match.groups()
    return f"{klass}.{int(subject)}." if subject else f"{klass}."


def mentions_code(code: str) -> re.Pattern[str]:
    """A pattern for ``code`` as a whole code in text: 5.7.1, not 5.7.14 or 15.7.1."""
    return re.compile(rf"(?<![\d.]){re.escape(code)}(?!\.?\d)")


def has_token(text: str, token: str) -> bool:
    """True when ``token`` stands in ``text`` on its own (any case): "Spamhaus", "AS("."""
    end = r"(?![A-Za-z0-9])" if token[-1:].isalnum() else ""
    return re.search(rf"(?<![A-Za-z0-9]){re.escape(token)}{end}", text, re.IGNORECASE) is not None


def range_of(index: EntryIndex, code: str, slug: str) -> str | None:
    """Return the range of entry ``slug`` that holds ``code``: "5.7.709-5.7.749" (en dash)."""
    prefix, _, detail = code.rpartition(".")
    for start, low, high, owner in index.ranges:
        if owner == slug and start == prefix + "." and low <= int(detail) <= high:
            return f"{start}{low}\N{EN DASH}{start}{high}"
    return None


def code_hits(
    query: str, code: str, index: EntryIndex, entries: Iterable[ErrorCode]
) -> dict[str, Hit]:
    """Entries for a status code: the one the query's evidence names, the one the code
    resolves to (EntryIndex: exact, listed or range), the other entries about it."""
    hits: dict[str, Hit] = {}
    for entry in entries:
        if entry.status == code:
            hits[entry.slug] = Hit(Rank.SAME_STATUS)
        elif code in entry.also_matches.split():
            hits[entry.slug] = Hit(Rank.LISTED, "listed", code)
    base = index(code)
    if base:
        if base in hits and hits[base].rank == Rank.SAME_STATUS:
            hits[base] = Hit(Rank.CODE)
        elif detail := range_of(index, code, base):
            hits[base] = Hit(Rank.CODE, "range", detail)
        else:
            hits[base] = Hit(Rank.CODE, "listed", code)
    # The evidence around the code: an exception, a rule, a variant token.
    exception = find_exception(query)
    rule = find_antispam_rule(query)
    named = index(code, exception, rule, query)
    if named and named != base:
        if exception and index(code, exception) == named:
            identifier = next(
                (i for i, _ in index.exceptions if exception.startswith(i)), exception
            )
            hits[named] = Hit(Rank.NAMED, "exception", identifier)
        elif rule and index(code, None, rule) == named:
            hits[named] = Hit(Rank.NAMED, "rule", rule)
        else:
            token = next((t for t, s in index.variants.get(code, ()) if s == named), "")
            hits[named] = Hit(Rank.NAMED, "variant" if token else "", token)
    elif not (exception or rule):
        # A variant token typed in any case: "5.7.1 spamhaus".
        for token, slug in index.variants.get(code, ()):
            if has_token(query, token):
                hits[slug] = Hit(Rank.NAMED, "variant", token)
                break
    return hits


def exception_hits(query: str, exceptions: Iterable[ExceptionIdentifier]) -> dict[str, Hit]:
    """Entries of the exception identifiers the query names in full, or in part."""
    hits: dict[str, Hit] = {}
    text = query.lower()
    single = SINGLE_TOKEN.fullmatch(query) is not None
    for exception in exceptions:
        if not exception.entry_id:
            continue
        identifier = exception.identifier
        parts = [p.lower() for p in IDENTIFIER_PARTS.split(identifier) if p]
        if identifier.lower() in text or (single and text == parts[-1]):
            hit = Hit(Rank.NAMED, "exception", identifier)
        elif single and len(text) >= MIN_PARTIAL and any(p.startswith(text) for p in parts):
            hit = Hit(Rank.PARTIAL, "exception", identifier)
        elif single and len(text) > MIN_PARTIAL and text in identifier.lower():
            hit = Hit(Rank.INSIDE, "exception", identifier)
        else:
            continue
        if exception.entry_id not in hits or hit.rank < hits[exception.entry_id].rank:
            hits[exception.entry_id] = hit
    return hits


def rule_ids(pattern: str) -> list[str]:
    """The rule ids an anti-spam table row names: "AS(1440) / AS3130 ..." -> both."""
    return [token.upper() for token in RULE_ID.findall(pattern)]


def rule_hits(
    query: str, rules: Iterable[AntispamRule], entries: Iterable[ErrorCode]
) -> dict[str, Hit]:
    """Entries of the anti-spam rules and variant tokens the query names, in full or in part."""
    hits: dict[str, Hit] = {}
    rules = [rule for rule in rules if rule.entry_id]
    named = {token.upper() for token in RULE_ID.findall(query)}
    single = SINGLE_TOKEN.fullmatch(query) is not None
    start = query.upper()
    for rule in rules:
        ids = rule_ids(rule.pattern)
        if found := named.intersection(ids):
            hits.setdefault(rule.entry_id, Hit(Rank.NAMED, "rule", min(found)))
        elif (
            single
            and len(start) >= MIN_PARTIAL
            and any(c.isdigit() for c in start)
            and any(i.startswith(start) for i in ids)
        ):
            hits.setdefault(rule.entry_id, Hit(Rank.PARTIAL, "rule", rule.pattern))
    # A rule id the table does not list: the row of its family ("ASnnnn ..."), as the
    # decoder reads it.
    for token in sorted(named):
        if any(token in rule_ids(rule.pattern) for rule in rules):
            continue
        family = match_antispam_rule(rules, token)
        if family and family.entry_id not in hits:
            hits[family.entry_id] = Hit(Rank.VARIANT, "rule-family", token)
    for entry in entries:
        if entry.variant and has_token(query, entry.variant) and entry.slug not in hits:
            hits[entry.slug] = Hit(Rank.VARIANT, "variant", entry.variant)
    return hits


TEXT_FIELDS = ("status", "also_matches", "variant", "title", "microsoft_behaviour")


def text_hits(query: str, code: str | None, entries: Iterable[ErrorCode]) -> dict[str, Hit]:
    """Entries whose text holds the code as a whole code, or else every word of the query."""
    hits: dict[str, Hit] = {}
    if code:
        pattern = mentions_code(code)
        for entry in entries:
            text = " ".join((entry.title, entry.microsoft_behaviour, entry.example_bounce))
            if pattern.search(text):
                hits[entry.slug] = Hit(Rank.TEXT)
        return hits
    words = query.lower().split()
    for entry in entries:
        text = " ".join(getattr(entry, name) for name in (*TEXT_FIELDS, "example_bounce"))
        text = text.lower()
        if words and all(word in text for word in words):
            hits[entry.slug] = Hit(Rank.TEXT)
    return hits


def prefix_hits(prefix: str, entries: Iterable[ErrorCode]) -> dict[str, Hit]:
    """Entries whose code, or a code they also cover, starts with ``prefix`` ("5.7.")."""
    return {
        entry.slug: Hit(Rank.PARTIAL)
        for entry in entries
        if any(code.startswith(prefix) for code in (entry.status, *entry.also_matches.split()))
    }


def merge(into: dict[str, Hit], hits: dict[str, Hit]) -> None:
    """Keep each entry's best hit."""
    for slug, hit in hits.items():
        if slug not in into or hit.rank < into[slug].rank:
            into[slug] = hit


def search(
    query: str,
    entries: Iterable[ErrorCode],
    index: EntryIndex | None,
    exceptions: Iterable[ExceptionIdentifier] = (),
    rules: Iterable[AntispamRule] = (),
) -> SearchResults:
    """Rank the directory's entries for ``query`` (already cleaned of control characters)."""
    query = " ".join(query.split())[:QUERY_MAX_LENGTH]
    results = SearchResults(query=query)
    if not query:
        return results
    entries = sorted(entries, key=lambda e: (e.tier, e.order, e.status))
    by_slug = {entry.slug: entry for entry in entries}
    hits: dict[str, Hit] = {}
    if (slug := query.lower()) in by_slug:
        hits[slug] = Hit(Rank.NAMED)
    prefix = code_prefix(query)
    code = None if prefix else read_code(query)
    results.code = code
    if code and index:
        merge(hits, code_hits(query, code, index, entries))
    if prefix:
        merge(hits, prefix_hits(prefix, entries))
    merge(hits, exception_hits(query, exceptions))
    if not code:
        merge(hits, rule_hits(query, rules, entries))
    if not prefix:
        merge(hits, text_hits(query, code, entries))
    hits = {slug: hit for slug, hit in hits.items() if slug in by_slug}
    results.hits = hits
    position = {entry.slug: n for n, entry in enumerate(entries)}
    results.entries = sorted(
        (by_slug[slug] for slug in hits), key=lambda e: (hits[e.slug].rank, position[e.slug])
    )
    results.resolution = resolution(results)
    return results


def resolution(results: SearchResults) -> Resolution | None:
    """How the first entry was reached, when the query named it through a range, a
    listed code, an exception, a rule or a token; None for a plain or ambiguous match."""
    if not results.entries:
        return None
    first = results.entries[0]
    hit = results.hits[first.slug]
    if not hit.via:
        return None
    if hit.rank >= Rank.PARTIAL and sum(h.rank == hit.rank for h in results.hits.values()) > 1:
        return None  # "RESOLVER": many identifiers, no single answer
    term = results.code if hit.via in ("range", "listed") and results.code else results.query
    return Resolution(term, hit.via, hit.detail, first)


def directory_search(query: str) -> SearchResults:
    """Search the directory as of its current version (the decoder's copy of it)."""
    known = directory_knowledge()
    return search(query, known.entries.values(), known.index, known.exceptions, known.rules)


def entry_for_address(slug: str) -> str | None:
    """Return the slug of the entry an address names as a code ("5.7.1", "5-7-720",
    "550-5.7.1") or in capitals ("5-7-1-S3150"); None when it names none."""
    known = directory_knowledge()
    if slug.lower() in known.entries:
        return slug.lower()
    code = code_in_address(slug)
    return known.index(code) if code and known.index else None
