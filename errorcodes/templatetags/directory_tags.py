import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

HEADING_TAG = re.compile(r"<(/?)h([1-6])>")


@register.filter
def shift_headings(html: SafeString, levels: int) -> SafeString:
    """Move headings of already sanitised HTML down ``levels`` levels (at most h6).

    Entry text is written with h3 sections for the code's own page; inside a
    decoded recipient (an h3 itself) the same sections must sit lower.
    """

    def shift(match: re.Match) -> str:
        return f"<{match.group(1)}h{min(int(match.group(2)) + int(levels), 6)}>"

    return mark_safe(HEADING_TAG.sub(shift, html))


# Where a long token may break: after punctuation that separates its parts
# (STOREDRV.Deliver.Exception:AccountDisabledException, host.example.com, a/b=c),
# and between the words of a CamelCase name (Account|Disabled|Exception).
BREAK_AFTER = re.compile(r"(?<=\w)([.:;,/=_@\]\)-])(?=\w)")
CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z][a-z])")
LONG_TOKEN = re.compile(r"\S{16,}")


@register.filter(needs_autoescape=True)
def breakable(text, autoescape=True) -> SafeString:
    """Escape ``text`` and mark the sensible break points of its long tokens with <wbr>,
    so a narrow screen wraps RecipientNotFound at a word, never inside one."""
    if text is None:
        return mark_safe("")

    def soften(match: re.Match) -> str:
        token = CAMEL.sub("\0", BREAK_AFTER.sub("\\1\0", match.group(0)))
        return "<wbr>".join(escape(part) for part in token.split("\0"))

    parts = re.split(r"(\S{16,})", str(text))
    return mark_safe(
        "".join(
            soften(LONG_TOKEN.match(part)) if i % 2 else escape(part)
            for i, part in enumerate(parts)
        )
    )


@register.filter
def anchor_heading(html: SafeString, spec: str) -> SafeString:
    """Give the heading of sanitised HTML that starts with a text an id to jump to:
    ``{{ html|anchor_heading:"Common causes,causes" }}``."""
    text, _, anchor = spec.partition(",")
    pattern = re.compile(rf"<h([2-6])>(?={re.escape(text)})")
    return mark_safe(pattern.sub(rf'<h\1 id="{anchor}">', html, count=1))


@register.filter
def delay(seconds) -> str:
    """A delay in words: "4 min", "2 h 05 min"."""
    from errorcodes.routechart import human_delay

    return human_delay(seconds)
