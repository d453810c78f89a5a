"""Markdown to safe HTML for text that site admins edit."""

import re

import nh3

# Enough for explanations and fix steps: paragraphs, lists, emphasis, code,
# links and small tables. Anything else (script, style, iframes, event
# handlers, javascript: URLs) is removed by nh3.
ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "code", "pre", "kbd", "blockquote",
    "ul", "ol", "li", "a", "h3", "h4", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
MARKDOWN_EXTENSIONS = ["fenced_code", "tables", "sane_lists"]

LIST_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,3}[.)])\s")
# A bare https address in running text ("go to https://sender.office.com/ and ..."),
# made a link; a full stop, comma or closing bracket after it ends the sentence.
BARE_URL = r"(?<![\w<\"'=/])(https://[^\s<>\"'`]+[^\s<>\"'`.,;:!?)\]])"


def separate_lists(source: str) -> str:
    """Put a blank line before a list that follows a paragraph directly.

    Editors write lists the GitHub way, right under a line of text; Python-Markdown
    would otherwise run such a list into the paragraph.
    """
    lines, in_fence, previous = [], False, ""
    for line in source.splitlines():
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        elif (
            not in_fence
            and LIST_ITEM.match(line)
            and previous.strip()
            and not LIST_ITEM.match(previous)
            and not previous.startswith((" ", "\t"))
        ):
            lines.append("")
        lines.append(line)
        previous = line
    return "\n".join(lines)


def render_markdown(source: str) -> str:
    """Render Markdown to HTML that is safe to show on a public page.

    Links are https (or mailto) only and open no window back to the site
    (rel="noopener noreferrer"); bare https addresses become links too.
    """
    # Imported here: only saving and syncing render, and Markdown's import is
    # among the slowest of every process start (manage.py decode among them).
    import markdown

    html = markdown.markdown(
        separate_lists(source or ""), extensions=[*MARKDOWN_EXTENSIONS, _bare_links()]
    )
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"https", "mailto"},
        link_rel="noopener noreferrer",
    )


def _bare_links():
    """A Markdown extension that links bare https addresses (Python-Markdown links only
    <https://...> and [text](https://...))."""
    from xml.etree import ElementTree

    from markdown.extensions import Extension
    from markdown.inlinepatterns import InlineProcessor

    class BareLink(InlineProcessor):
        def handleMatch(self, m, data):
            link = ElementTree.Element("a", href=m.group(1))
            link.text = m.group(1)
            return link, m.start(0), m.end(0)

    class BareLinks(Extension):
        def extendMarkdown(self, md):
            # After code spans and explicit links, so neither is linked twice.
            md.inlinePatterns.register(BareLink(BARE_URL, md), "bare_link", 90)

    return BareLinks()
