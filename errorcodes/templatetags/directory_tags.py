import re

from django import template
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
