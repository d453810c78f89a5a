"""Reading a bounce out of an HTTP request, within the decoder's size limit."""

import json

from django.conf import settings
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError
from django.template.defaultfilters import filesizeformat

from .ndr import trim_attached_original
from .ndr.mailboxes import ZIP_MAGICS, MailboxError, ZipLimits, is_mbox, messages_in
from .ndr.source import CFB_SIGNATURE

# Room for multipart boundaries and the form's other fields around the bounce.
FORM_OVERHEAD = 64 * 1024
RAW_TYPES = {
    "text/plain",
    "message/rfc822",
    "application/octet-stream",
    "application/vnd.ms-outlook",  # a .msg saved from Outlook
    "application/mbox",
    "application/zip",
    "application/x-zip-compressed",
}


class InputError(Exception):
    """The request carries no usable bounce; ``status`` is the HTTP status to answer."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def declared_length(request: HttpRequest) -> int:
    """Return the body size the client declared (0 when absent or garbled)."""
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def declared_too_large(request: HttpRequest) -> bool:
    """True when the declared body size is over what is read, before anything is read."""
    return declared_length(request) > settings.DECODER_READ_MAX_BYTES + FORM_OVERHEAD


def too_large_message(size: int | None = None) -> str:
    limit = settings.DECODER_MAX_BYTES
    said = f"That is {filesizeformat(size)} ({size:,} bytes); " if size else ""
    return (
        f"{said}the decoder reads bounces of up to {filesizeformat(limit)} ({limit:,} bytes). "
        "A bounce is much smaller: send only the report part (down to where the original "
        "message begins), or the whole saved message (.eml), whose attached original is left "
        "out when that brings it under the limit."
    )


class TooLarge(Exception):
    def __init__(self, size: int):
        super().__init__(size)
        self.size = size


def fit_to_limit(data: bytes | str) -> tuple[bytes | str, int]:
    """Return the bounce within DECODER_MAX_BYTES and how many bytes were left out.

    A whole message over the limit usually carries the original message with its
    attachments, of which the decoder reads only the headers: that body is cut
    first. Raise TooLarge when the bounce is still too big.
    """
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if len(raw) <= settings.DECODER_MAX_BYTES:
        return data, 0
    if raw.startswith(CFB_SIGNATURE) and len(raw) <= settings.DECODER_READ_MAX_BYTES:
        # An Outlook .msg is mostly its attachments; the reader takes only its text,
        # headers and recipient rows (and stops at 4 MB itself).
        return data, 0
    cut = trim_attached_original(raw)
    if len(cut) <= settings.DECODER_MAX_BYTES:
        return cut, len(raw) - len(cut)
    raise TooLarge(len(raw))


def read_api_input(request: HttpRequest) -> bytes | str:
    """Return the bounce sent to the API as a raw body, JSON or multipart upload."""
    if declared_too_large(request):
        raise InputError(413, too_large_message(declared_length(request)))
    # WSGI reads nothing without a length, so a chunked body arrives empty too.
    if declared_length(request) == 0:
        raise InputError(400, "The request holds no bounce text.")
    content_type = request.content_type or ""
    try:
        if content_type in RAW_TYPES:
            data = request.read(settings.DECODER_READ_MAX_BYTES + 1)
        elif content_type == "application/json":
            data = json_text(request.read(settings.DECODER_READ_MAX_BYTES + FORM_OVERHEAD))
        elif content_type == "multipart/form-data":
            upload = request.FILES.get("file")
            data = upload.read() if upload else request.POST.get("text", "")
        else:
            raise InputError(
                415,
                "Send the bounce as text/plain, message/rfc822, application/json "
                '{"text": "..."} or a multipart/form-data upload named "file".',
            )
    except MultiPartParserError as exc:
        raise InputError(400, "The multipart body could not be read.") from exc
    if not data.strip():
        raise InputError(400, "The request holds no bounce text.")
    if is_mailbox(data):
        return data  # read message by message, each within the limit
    try:
        data, _ = fit_to_limit(data)
    except TooLarge as error:
        raise InputError(413, too_large_message(error.size)) from error
    return data


def json_text(body: bytes) -> str:
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(400, "The body is not valid JSON.") from exc
    except RecursionError as exc:  # "[[[[..." a hundred thousand deep
        raise InputError(400, "The JSON is nested too deeply.") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("text"), str):
        raise InputError(400, 'Send a JSON object with a "text" string.')
    return payload["text"]


def is_mailbox(data: bytes | str) -> bool:
    """True for an upload that holds many messages: a zip archive or an mbox."""
    head = data[:256] if isinstance(data, bytes) else data[:256].encode("utf-8", "replace")
    return head.startswith(ZIP_MAGICS) or is_mbox(head)


def mailbox_messages(data: bytes | str, name: str) -> list[tuple[str, bytes]]:
    """Return the (label, bounce) pairs of an mbox or zip upload, each within the limit.

    Raise InputError (413) for more messages than the site decodes at once, or an
    archive the limits refuse: the command line reads any number.
    """
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    most = settings.DECODER_BULK_MAX_MESSAGES
    limits = ZipLimits(members=most + 1, total_bytes=16 * settings.DECODER_READ_MAX_BYTES)
    found = []
    try:
        for message in messages_in(raw, name, limits=limits):
            if len(found) == most:
                raise InputError(413, too_many_message(most))
            key = message.key
            label = (
                name
                if key is None
                else (f"{name} #{key + 1}" if isinstance(key, int) else f"{name}: {key}")
            )
            try:
                bounce, _ = fit_to_limit(message.data)
            except TooLarge:
                continue  # one message too large: the others are still read
            found.append((label, bounce))
    except MailboxError as error:
        raise InputError(413, f"The archive cannot be read here: {error}. {CLI_HINT}") from error
    return found


CLI_HINT = (
    "For larger mailboxes, use the command line: "
    "bounce-decoder decode --format csv bounces.mbox > results.csv"
)


def too_many_message(most: int) -> str:
    return f"The site decodes up to {most} messages at once. {CLI_HINT}"
