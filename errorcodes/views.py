import re

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from decoder_site.ratelimit import over_limit

from .caching import cached_page
from .diagnosis import (
    API_MAX_RECIPIENTS,
    diagnose,
    diagnose_messages,
    mailbox_to_dict,
    report_csv,
    report_to_dict,
)
from .forms import DecodeForm
from .inputs import (
    InputError,
    declared_length,
    declared_too_large,
    is_mailbox,
    mailbox_messages,
    read_api_input,
    too_large_message,
)
from .models import Component, ErrorCode, FaqEntry, FormerSlug, Provider, SenderTool
from .ndr import decode
from .search import QUERY_MAX_LENGTH, directory_search, entry_for_address

SLUG = re.compile(r"[-a-zA-Z0-9_]{1,40}")


def over_decode_limit(request) -> bool:
    return over_limit(request, "decode", settings.DECODER_RATE_LIMIT)


def clean_query(value: str, limit: int = QUERY_MAX_LENGTH) -> str:
    """A search as typed, without control characters (PostgreSQL refuses NUL); line
    breaks and tabs of a pasted line become single spaces."""
    kept = "".join(ch if ch.isprintable() else " " if ch.isspace() else "" for ch in value)
    return " ".join(kept.split())[:limit].strip()


@cached_page
def directory(request):
    """The directory; with ?q= the entries ranked for the search (never cached)."""
    query = clean_query(request.GET.get("q", ""))
    results = directory_search(query) if query else None
    if results is not None:
        codes, groups = results.entries, results.groups
    else:
        codes = list(ErrorCode.objects.in_directory_order())
        groups = [
            (value, label, [code for code in codes if code.area == value])
            for value, label in ErrorCode.Area.choices
        ]
    return render(
        request,
        "errorcodes/directory.html",
        {
            "provider": Provider.objects.first(),
            "query": query,
            "query_max_length": QUERY_MAX_LENGTH,
            "results": results,
            "codes": codes,
            "groups": [group for group in groups if group[2]],
            "components": Component.objects.all(),
            "tools": SenderTool.objects.all(),
            "faqs": FaqEntry.objects.all(),
        },
    )


@cached_page
def code_detail(request, slug):
    code = (
        ErrorCode.objects.select_related("component", "provider")
        .prefetch_related("sources", "tools", "related")
        .filter(slug=slug)
        .first()
    )
    if code is None:
        # An entry merged into another keeps its address as a redirect.
        former = FormerSlug.objects.select_related("code").filter(slug=slug).first()
        if former is not None:
            return redirect(former.code, permanent=True)
        # A code as people write it: /codes/5.7.1/, /codes/5-7-720/, /codes/550-5.7.1/.
        target = entry_for_address(slug)
        if target is None:
            raise Http404("No directory entry for this code.")
        return redirect("errorcodes:code_detail", target, permanent=True)
    return render(request, "errorcodes/code_detail.html", {"code": code})


def form_page(request, form, status=200, errors=(), **context):
    """The decoder page; every answer to a POST is no-store (it may quote addresses)."""
    if errors:
        form.point_textarea_at_errors()
    context = {
        "form": form,
        "body_errors": list(errors),
        "max_bytes": settings.DECODER_MAX_BYTES,
        "read_max_bytes": settings.DECODER_READ_MAX_BYTES,
        **context,
    }
    response = render(request, "errorcodes/decode.html", context, status=status)
    if request.method == "POST":
        response["Cache-Control"] = "no-store"
    return response


def refused(request, form, status, errors, keep_text):
    """Say why, and give back what was pasted (up to what the decoder reads)."""
    text = (request.POST.get("text") or "")[: settings.DECODER_MAX_BYTES]
    page = DecodeForm(initial={"text": text}) if keep_text else form
    response = form_page(request, page, status=status, errors=errors)
    if status == 429:
        response["Retry-After"] = "60"
    return response


def decoded(request):
    """Read and decode the posted bounce: (form, report), or the refusal page."""
    if over_decode_limit(request):
        message = (
            "You have decoded a lot of bounces in a short time: wait a minute, then press "
            "Decode again (your text is kept below). Decoding in bulk? Use the JSON API or "
            "manage.py decode."
        )
        return refused(request, DecodeForm(), 429, [message], keep_text=True)
    if declared_too_large(request):
        return refused(request, DecodeForm(), 413, [too_large_message(declared_length(request))],
                       keep_text=False)  # fmt: skip
    form = DecodeForm(request.POST, request.FILES)
    if not form.is_valid():
        if form.has_error("__all__", "too_large"):
            errors = [*form.non_field_errors()]
            if request.POST.get("text"):
                errors.append(
                    "The box below keeps the beginning of your text, up to the limit: press "
                    "Decode to read that part, which holds the report in most bounces."
                )
            return refused(request, form, 413, errors, keep_text=True)
        return form_page(request, form, status=400)
    messages = form.cleaned_data.get("messages")
    if messages is not None:
        return form, diagnose_messages(messages)
    data = form.cleaned_data["data"]
    return form, diagnose(decode(data), source=data)


@sensitive_post_parameters()
@require_http_methods(["GET", "HEAD", "POST"])
def decode_page(request):
    """The paste-or-upload form, and the diagnosis on the same page."""
    if request.method != "POST":
        slug = request.GET.get("example", "")
        example = ErrorCode.objects.filter(slug=slug).first() if SLUG.fullmatch(slug) else None
        initial = {"text": example.example_bounce} if example else {}
        return form_page(request, DecodeForm(initial=initial))
    outcome = decoded(request)
    if not isinstance(outcome, tuple):
        return outcome
    form, report = outcome
    site = request.build_absolute_uri("/").rstrip("/")
    return form_page(
        request,
        form,
        report=report,
        copy_text=report.plain_text(site),
        left_out=form.cleaned_data.get("left_out", 0),
        from_upload=bool(request.FILES.get("file")),
    )


@sensitive_post_parameters()
@require_http_methods(["POST"])
def decode_csv(request):
    """The same decode, as a CSV file of one row per recipient: made, sent, forgotten."""
    outcome = decoded(request)
    if not isinstance(outcome, tuple):
        return outcome
    _, report = outcome
    response = HttpResponse(report_csv(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="bounce-recipients.csv"'
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt
@sensitive_post_parameters()
def api_decode(request):
    """POST a bounce, get the decoder's result as JSON."""
    if request.method != "POST":
        response = JsonResponse({"error": "Use POST."}, status=405)
        response["Allow"] = "POST"
        return response
    if over_decode_limit(request):
        response = JsonResponse({"error": "Too many requests; try again in a minute."}, status=429)
        response["Retry-After"] = "60"
        return response
    try:
        data = read_api_input(request)
        messages = mailbox_messages(data, "upload") if is_mailbox(data) else None
    except InputError as error:
        return JsonResponse({"error": error.message}, status=error.status)

    def entry_url(entry):
        return request.build_absolute_uri(entry.get_absolute_url())

    if messages is None:
        answer = report_to_dict(
            diagnose(decode(data)), entry_url, max_recipients=API_MAX_RECIPIENTS
        )
    else:
        answer = mailbox_to_dict(diagnose_messages(messages), entry_url, API_MAX_RECIPIENTS)
    response = JsonResponse(answer, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response
