"""Any change to the directory makes its cached pages stale."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from .caching import invalidate_directory
from .models import DIRECTORY_MODELS, ErrorCode, SenderTool


def connect() -> None:
    for model in DIRECTORY_MODELS:
        post_save.connect(invalidate_directory, sender=model, dispatch_uid=f"dir-save-{model}")
        post_delete.connect(invalidate_directory, sender=model, dispatch_uid=f"dir-del-{model}")
    for through in (ErrorCode.related.through, SenderTool.codes.through):
        m2m_changed.connect(invalidate_directory, sender=through, dispatch_uid=f"dir-m2m-{through}")
