"""The route a message took, drawn as an inline SVG timeline (no script, no styles
from elsewhere: colours come from the page's own CSS variables, so dark mode works).

One row per hop, top to bottom, oldest first: a dot, the server that received the
message, and a bar as long as the time the message waited before that hop, so the
hop that held it stands out. A text table says the same for screen readers.
"""

from dataclasses import dataclass
from html import escape

ROW_HEIGHT = 44
LABEL_X = 28
BAR_X = 28
BAR_MAX = 200
WIDTH = 280


@dataclass
class Stop:
    """One hop as the chart shows it."""

    host: str
    delay_seconds: int | None
    slowest: bool = False


def human_delay(seconds: int | None) -> str:
    """ "3 s", "4 min", "2 h 05 min", "1 d 3 h"; "" when unknown."""
    if seconds is None:
        return ""
    seconds = max(int(seconds), 0)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400:
        hours, minutes = divmod(seconds // 60, 60)
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(seconds // 3600, 24)
    return f"{days} d {hours} h"


def route_svg(stops: list[Stop]) -> str:
    """Return the SVG markup (escaped text) for ``stops``; "" for fewer than two."""
    if len(stops) < 2:
        return ""
    longest = max((s.delay_seconds or 0) for s in stops) or 1
    height = ROW_HEIGHT * len(stops) + 8
    rows = []
    for i, stop in enumerate(stops):
        y = 8 + i * ROW_HEIGHT
        cls = "route-stop is-slowest" if stop.slowest else "route-stop"
        if i:
            rows.append(
                f'<line class="route-line" x1="10" y1="{y - ROW_HEIGHT + 14}" x2="10" y2="{y}"/>'
            )
        rows.append(f'<g class="{cls}">')
        rows.append(f'<circle cx="10" cy="{y + 7}" r="6"/>')
        rows.append(
            f'<text x="{LABEL_X}" y="{y + 12}" class="route-host">{escape(short(stop.host))}</text>'
        )
        if stop.delay_seconds:
            width = max(4, round(BAR_MAX * stop.delay_seconds / longest))
            rows.append(
                f'<rect class="route-bar" x="{BAR_X}" y="{y + 20}" '
                f'width="{width}" height="8" rx="2"/>'
            )
            rows.append(
                f'<text x="{BAR_X + width + 6}" y="{y + 28}" class="route-delay">'
                f"{escape(human_delay(stop.delay_seconds))}</text>"
            )
        rows.append("</g>")
    return (
        f'<svg class="route-chart" viewBox="0 0 {WIDTH + 80} {height}" role="img" '
        f'aria-labelledby="route-title" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="route-title">The message\'s route, {len(stops)} hops, oldest first; '
        f"the bars show how long it waited before each hop</title>" + "".join(rows) + "</svg>"
    )


def short(host: str, limit: int = 40) -> str:
    """A host name that fits its row: the end of a long name is the telling part."""
    host = host or "(not named)"
    return host if len(host) <= limit else "…" + host[-(limit - 1) :]
