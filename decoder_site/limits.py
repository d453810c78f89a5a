"""Requests the site refuses before any view reads them: odd methods, oversized bodies."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render

ALLOWED_METHODS = ("GET", "HEAD", "POST")


class RequestLimitsMiddleware:
    """405 for methods the site has no use for (TRACE, OPTIONS, PUT...), and 413 for a
    body declared larger than the site reads, before CSRF or a form reads any of it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        api = request.path.startswith("/api/")
        if request.method not in ALLOWED_METHODS:
            allowed = "POST" if api else ", ".join(ALLOWED_METHODS)
            response = (
                JsonResponse({"error": "Use POST."}, status=405)
                if api
                else render(request, "405.html", status=405)
            )
            response["Allow"] = allowed
            return response
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            limit = settings.DECODER_MAX_BYTES
            if api:
                return JsonResponse(
                    {"error": f"The bounce is larger than the {limit} byte limit."}, status=413
                )
            return render(request, "413.html", {"limit": limit}, status=413)
        return self.get_response(request)
