"""Template tags for the admin's dashboard."""

from django import template
from django.urls import reverse

from ..admin.review import due_for_review, review_days

register = template.Library()


@register.inclusion_tag("admin/errorcodes/_review_queue.html", takes_context=True)
def review_queue(context) -> dict:
    """How many error codes are due for review, for someone who may look at them."""
    user = context["request"].user
    if not user.has_perm("errorcodes.view_errorcode"):
        return {"shown": False}
    due = due_for_review()
    oldest = due.order_by("checked_on").exclude(checked_on=None).first()
    return {
        "shown": True,
        "due": due.count(),
        "never": due.filter(checked_on=None).count(),
        "oldest": oldest.checked_on if oldest else None,
        "days": review_days(),
        "url": reverse("admin:errorcodes_errorcode_changelist") + "?review=due",
    }
