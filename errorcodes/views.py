from django.shortcuts import get_object_or_404, render

from .models import Component, ErrorCode, FaqEntry, Provider, SenderTool


def directory(request):
    return render(
        request,
        "errorcodes/directory.html",
        {
            "provider": Provider.objects.first(),
            "codes": ErrorCode.objects.in_directory_order().select_related("component"),
            "components": Component.objects.all(),
            "tools": SenderTool.objects.all(),
            "faqs": FaqEntry.objects.all(),
        },
    )


def code_detail(request, slug):
    code = get_object_or_404(ErrorCode.objects.select_related("component", "provider"), slug=slug)
    return render(request, "errorcodes/code_detail.html", {"code": code})
