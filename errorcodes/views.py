import re

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from decoder_site.ratelimit import over_limit

from .caching import cached_page
from .diagnosis import API_MAX_RECIPIENTS, diagnose, report_to_dict
from .forms import DecodeForm, too_large_error
from .inputs import InputError, declared_too_large, read_api_input
from .models import Component, ErrorCode, FaqEntry, FormerSlug, Provider, SenderTool
from .ndr import decode

SLUG = re.compile(r"[-a-zA-Z0-9_]{1,40}")


def over_decode_limit(request) -> bool:
    return over_limit(request, "decode", settings.DECODER_RATE_LIMIT)


def clean_query(value: str) -> str:
    """A search as typed, without control characters (PostgreSQL refuses NUL)."""
    return "".join(ch for ch in value if ch.isprintable()).strip()[:100]


@cached_page
def directory(request):
    query = clean_query(request.GET.get("q", ""))
    codes = ErrorCode.objects.search(query).in_directory_order()
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
        former = get_object_or_404(FormerSlug.objects.select_related("code"), slug=slug)
        return redirect(former.code, permanent=True)
    return render(request, "errorcodes/code_detail.html", {"code": code})


@sensitive_post_parameters()
@require_http_methods(["GET", "HEAD", "POST"])
def decode_page(request):
    """The paste-or-upload form, and the diagnosis on the same page."""
    if request.method != "POST":
        slug = request.GET.get("example", "")
        example = ErrorCode.objects.filter(slug=slug).first() if SLUG.fullmatch(slug) else None
        initial = {"text": example.example_bounce} if example else {}
        return render(request, "errorcodes/decode.html", {"form": DecodeForm(initial=initial)})
    if over_decode_limit(request):
        response = render(request, "errorcodes/decode_limited.html", status=429)
        response["Retry-After"] = "60"
        return response
    if declared_too_large(request):
        form = DecodeForm()
        form.point_textarea_at_errors()
        context = {"form": form, "body_errors": too_large_error().messages}
        return render(request, "errorcodes/decode.html", context, status=413)
    form = DecodeForm(request.POST, request.FILES)
    if not form.is_valid():
        status = 413 if form.has_error("__all__", "too_large") else 400
        return render(request, "errorcodes/decode.html", {"form": form}, status=status)
    data = form.cleaned_data["data"]
    report = diagnose(decode(data), source=data)
    response = render(request, "errorcodes/decode.html", {"form": form, "report": report})
    # The answer quotes other people's addresses: no cache anywhere may keep it.
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
    except InputError as error:
        return JsonResponse({"error": error.message}, status=error.status)
    report = diagnose(decode(data))
    response = JsonResponse(
        report_to_dict(
            report,
            lambda entry: request.build_absolute_uri(entry.get_absolute_url()),
            max_recipients=API_MAX_RECIPIENTS,
        ),
        json_dumps_params={"ensure_ascii": False},
    )
    response["Cache-Control"] = "no-store"
    return response
