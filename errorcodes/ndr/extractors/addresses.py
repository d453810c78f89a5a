"""Which addresses in a bounce's text are the failed recipients.

A bounce names many addresses besides the ones that failed: the postmaster to
write to, a blocklist's contact, the sender in a copied header, the address an
alias was expanded from, a message id.  Every mail system puts the failed
address in one of a few places, so each mention is judged by the words around
it on its line:

- strong: the address alone on its line (Exim, Gmail, qmail, Outlook lists),
  opening its line before a colon or "..." (Postfix "<a@b>: host ... said",
  sendmail "<a@b>... User unknown"), after "RCPT TO:", after a recipient label
  ("Recipient address:", "Original address:", "delivered to"), or beside
  failure wording ("Unknown user: a@b");
- not a recipient: after "contact", "From:", "Reply-To:", "mailto:", "MAIL FROM",
  "expanded from", a "key=" of a log, inside a URL, or on a copied header line;
- neutral: anything else.

When some address has a strong mention, only those are recipients.
"""

from __future__ import annotations

from ..lazyre import lazy
from ..statuscodes import find_wording
from .base import find_addresses

# SENDER is final: an address the words make the sender's is never a recipient,
# whatever is said of it elsewhere ("Domain of sender address a@b does not exist").
STRONG, NEUTRAL, NOT_RECIPIENT, SENDER = 2, 1, 0, -1

# Words just before an address that give it another role: "please contact <a@b>",
# "From: a@b", "MAIL FROM:<a@b>", "(expanded from <a@b>)", "Message-ID: <...>".
# Matched as whole words at the end of the text before the address, once the
# punctuation between them is stripped ("mailto:", "smtp.mailfrom=").
OTHER_ROLE_WORDS = (
    "contact", "contact us", "contact us at", "contact at", "write to", "send mail to",
    "send email to", "send e-mail to", "email us at", "mailto", "from", "sender",
    "sender address", "reply-to", "return-path", "message-id", "in-reply-to", "references",
    "cc", "bcc", "errors-to", "expanded from", "generated from", "envelope-from", "mailfrom",
    "authenticated as", "sent by", "forwarded by", "owner", "id",
)  # fmt: skip
# A greeting opening the line names the report's reader, the sender: "Hello a@b,".
GREETING_WORDS = frozenset({"hello", "hi", "dear", "hallo", "bonjour", "hola"})
# Words that make the address the sender's: "MAIL FROM:<a@b>", "Domain of sender address a@b",
# "A message sent by <a@b>", "envelope-from <a@b>", "From: a@b".
SENDER_WORDS = ("mail from", "sender address", "sent by", "envelope-from")
SENDER_LABELS = ("from:", "sender:", "mail from:")
# What stands between role words and the address.
ROLE_PUNCTUATION = " \t<\"'(:="
# A "key=" of a log line or a header parameter: "smtp.mailfrom=a@b", "sender=<a@b>".
# Only the recipient keys ("to=", "rcpt=", "orcpt=rfc822;") name a recipient.
KEY_RE = lazy(r"([a-z][\w.-]{0,30})=[<\"]?(?:rfc822;)?$")
RECIPIENT_KEYS = frozenset({"to", "rcpt", "recipient", "orcpt", "final-recipient"})
# A copied header line of another message: "To: a@b", "Delivered-To: a@b".
OTHER_HEADER_RE = lazy(
    r"[ \t]{0,4}(?:from|to|cc|bcc|reply-to|sender|return-path|delivered-to|envelope-to|"
    r"x-original-to|x-envelope-to|x-sender|x-apparently-to|resent-[\w-]{1,20}|"
    r"disposition-notification-to|list-[\w-]{1,20}|message-id|in-reply-to|references)"
    r"[ \t]{0,3}:"
)
# Labels and phrases after which an address is the failed recipient.
RECIPIENT_BEFORE_RE = lazy(
    r"(?:recipient(?: address)?|original address|failed recipients?|final-recipient|"
    r"original-recipient|x-failed-recipients|x-actual-recipient|recipients? list|"
    r"delivered to|deliver to|delivery to|delivering to|deliverable to|message to|mail to|"
    r"sent to|addressed to|message for|mail for|rcpt to|addressee|"
    r"destinatario|destinataire|empf\u00e4nger(?:adresse)?|adresse|"
    r"following (?:address|recipient)(?:e?s|\(e?s\))?)"
    r"[ \t]{0,3}(?:\([^)\n]{0,40}\))?[ \t]{0,3}[:=]?[ \t]{0,3}(?:rfc822;[ \t]{0,3})?[<\"'(]{0,2}$"
)
# What may stand around an address alone on its line: "<a@b>", "  a@b", "**a@b:".
LONE_BEFORE = " \t<>(\"'*-:\u2022"
# (Not a full stop: an address that ends a wrapped sentence is not alone on its line.)
LONE_AFTER = " \t<>)\"':;,"
# After an address that opens its line: "<a@b>: ...", "a@b... User unknown", "<a@b> (expanded".
OPENING_AFTER_RE = lazy(r">?[ \t]{0,3}(?::|\.\.\.|\(expanded from|\(generated from|on \S)")
# A reply code (and enhanced code) opening sendmail's error line: "554 <a@b>... error".
REPLY_PREFIX_RE = lazy(r"[245]\d\d(?:[ -][245]\.\d{1,3}\.\d{1,3})?")
# A line that ends with a reply or an enhanced code: "said: 553 5.1.8", "550-'5.7.1".
CODE_AT_END_RE = lazy(r"(?:[245]\d\d|[245]\.\d{1,3}\.\d{1,3})['\"]?[ \t:]*$")
# Failure reasons strong enough to name the address they stand beside.
ADDRESS_REASONS = frozenset(
    {"user_unknown", "host_unknown", "null_mx", "moved", "mailbox_full", "disabled", "filtered"}
)
# Words right after an address that make it the sender's: "<a@b>... Domain of sender
# address a@b does not exist", "a@b: sender address rejected".
SENDER_AFTER_RE = lazy(
    r"[>\s.:,]{0,6}(?:domain of sender|sender address|sender domain|sender rejected|"
    r"sender verify failed|envelope sender)"
)
# A parenthesis right after an address: "a@b (a@b) not listed", "a@b (Jane) ...".
PARENTHESIS_RE = lazy(r"^[ \t>]{0,3}\([^()\n]{0,80}\)")
# Local parts that name a mail system rather than a person.
SYSTEM_LOCALS = (
    "postmaster",
    "mailer-daemon",
    "abuse",
    "hostmaster",
    "noreply",
    "no-reply",
    "root",
)
# "smtp=a@b": a log key glued to the address by the address pattern, which allows "=".
GLUED_KEY_RE = lazy(r"([A-Za-z][A-Za-z.-]{0,20})=")
# How much of a line around an address is read, and how much of it right before
# the address holds the words that give it a role.
CONTEXT = 200
NEAR = 60
# How close failure words must stand to an address to be about it.
ADJACENT = 40


class Candidate:
    """A failed-recipient candidate: where it is first named, and how surely."""

    def __init__(
        self,
        address: str,
        position: int,
        role: int,
    ) -> None:
        self.address = address
        self.position = position
        self.role = role


def clean(raw: str, text: str, start: int) -> tuple[str, int, str | None]:
    """Return the address as reported (lower case), its start, and a glued log key.

    "'bob@example.org'" loses the quote it is wrapped in; "smtp=bob@example.org"
    is split into its key and the address.
    """
    key = None
    end = start + len(raw)
    # 'bob@example.org' is quoted; 'ops@example.org (no closing quote) keeps its quote.
    if raw[:1] in "'`" and raw.count(raw[0]) == 1 and text[end : end + 1] == raw[0]:
        raw, start = raw[1:], start + 1
    glued = GLUED_KEY_RE.match(raw)
    if glued and "@" in raw[glued.end() :]:
        key = glued.group(1).lower()
        raw, start = raw[glued.end() :], start + glued.end()
    return raw.strip(".").lower(), start, key


def judge(
    text: str, low: str, start: int, end: int, key: str | None, sender_only: bool = False
) -> int:
    """Return the role of the mention ``text[start:end]`` from the words on its line.

    With ``sender_only``, only whether the words make it the sender's is read
    (SENDER, else NEUTRAL): all a mention of an address already known to have
    failed can change.
    """
    line_start = low.rfind("\n", max(0, start - CONTEXT), start) + 1
    line_end = low.find("\n", end, end + CONTEXT)
    before = low[max(line_start, start - CONTEXT) : start]
    after = low[end : line_end if line_end >= 0 else end + CONTEXT]
    if key is not None:
        return STRONG if key in RECIPIENT_KEYS else NOT_RECIPIENT
    # The role words sit right before the address: only the end of the line is read
    # by the patterns anchored there.
    near = before[-NEAR:]
    last_word = near.rsplit(None, 1)[-1] if near.strip() else ""
    if SENDER_AFTER_RE.match(after) or _names_sender(near):
        return SENDER
    if sender_only:
        return NEUTRAL
    if (
        _ends_with_words(near.rstrip(ROLE_PUNCTUATION), OTHER_ROLE_WORDS)
        or near.strip(ROLE_PUNCTUATION + ",") in GREETING_WORDS
        or "://" in last_word
        or (line_start >= start - CONTEXT and OTHER_HEADER_RE.match(before))
    ):
        return NOT_RECIPIENT
    if "=" in last_word and (keyed := KEY_RE.search(near)) is not None:
        return STRONG if keyed.group(1) in RECIPIENT_KEYS else NOT_RECIPIENT
    wrapped_reply = False
    if not before.strip(LONE_BEFORE) and line_start > 1:
        # The address starts its line: a paste re-wrapped between "sent from" or
        # "delivered to" and the address leaves the words on the line above, and
        # one wrapped inside a server's reply leaves its code there.
        above = low[max(0, line_start - 1 - NEAR) : line_start - 1].rsplit("\n", 1)[-1]
        above = above.rstrip() + " "
        wrapped_reply = CODE_AT_END_RE.search(above) is not None
        if _names_sender(above):
            return SENDER
        if _ends_with_words(above.rstrip(ROLE_PUNCTUATION), OTHER_ROLE_WORDS):
            return NOT_RECIPIENT
        if RECIPIENT_BEFORE_RE.search(above):
            return STRONG
    opening = before.strip(LONE_BEFORE)
    if (
        (not opening or REPLY_PREFIX_RE.fullmatch(opening))
        and not wrapped_reply
        and (not after.strip(LONE_AFTER) or OPENING_AFTER_RE.match(after))
    ):
        return STRONG
    if RECIPIENT_BEFORE_RE.search(near):
        return STRONG
    if _beside_failure_words(near, after):
        return STRONG
    return NEUTRAL


def _ends_with_words(text: str, words: tuple[str, ...]) -> bool:
    """Return True when ``text`` ends with one of ``words`` as whole words."""
    if not text.endswith(words):
        return False
    return any(
        text.endswith(word) and not text[-len(word) - 1 : -len(word)].isalnum() for word in words
    )


def _names_sender(near: str) -> bool:
    """Return True when the words right before an address make it the sender's."""
    labelled = near.rstrip(" \t<\"'(")
    return _ends_with_words(labelled, SENDER_LABELS) or _ends_with_words(
        labelled.rstrip(ROLE_PUNCTUATION), SENDER_WORDS
    )


def _beside_failure_words(near: str, after: str) -> bool:
    """Return True when failure words about an address stand right beside it.

    IMail "Unknown user: a@b", sendmail "a@b... User unknown", Domino "User a@b
    (a@b) not listed in Domino Directory"; not words further off, which are
    about something else ("Unknown address error 550 5.7.1 <a@b>... denied").
    """
    near = near[-ADJACENT:]
    said = find_wording(near)
    if (
        said is not None
        and said.reason.reason in ADDRESS_REASONS
        and not near[said.start + len(said.phrase) :].strip(" \t:<(\"'-.,;")
    ):
        return True
    following = PARENTHESIS_RE.sub("", after[:160], count=1)
    said = find_wording(following[:ADJACENT])
    return (
        said is not None
        and said.reason.reason in ADDRESS_REASONS
        and not following[: said.start].strip(" \t>):.;,\"'-")
    )


def candidates(text: str, low: str, exclude: set[str], only: set[str]) -> list[Candidate]:
    """Return the failed recipients named in ``text``, in order of their first mention.

    ``low`` is ``text`` lower-cased (same length); ``exclude`` holds the sender
    side's addresses; ``only``, when not empty, the addresses the headers name as
    failed (X-Failed-Recipients), which are then the only ones considered.
    """
    found: dict[str, Candidate] = {}
    for match in find_addresses(text):
        address, start, key = clean(match.group(0), text, match.start())
        if address in exclude or (only and address not in only) or address[:1] in "/|":
            continue  # the sender's, not listed as failed, or a file path or a pipe
        known = found.get(address)
        settled = known is not None and known.role in (STRONG, SENDER)
        if known is not None and known.role == SENDER:
            continue
        role = judge(text, low, start, match.end(), key, sender_only=settled)
        if known is None:
            found[address] = Candidate(address, start, role)
        elif role == SENDER or (role == STRONG and known.role in (NEUTRAL, NOT_RECIPIENT)):
            # Blocks start at the mention that names the address as failed.
            known.role, known.position = role, start if role == STRONG else known.position
    ranked = [c for c in found.values() if c.role > NOT_RECIPIENT]
    strong = [c for c in ranked if c.role == STRONG]
    if strong and not only:
        ranked = strong
    people = [
        c
        for c in ranked
        if c.role == STRONG or not c.address.split("@")[0].startswith(SYSTEM_LOCALS)
    ]
    ranked = people or ranked
    return sorted(ranked, key=lambda c: c.position)
