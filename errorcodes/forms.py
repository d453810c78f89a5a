from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from .inputs import (
    InputError,
    TooLarge,
    fit_to_limit,
    is_mailbox,
    mailbox_messages,
    too_large_message,
)


def too_large_error(size: int | None = None) -> ValidationError:
    return ValidationError(too_large_message(size), code="too_large")


class DecodeForm(forms.Form):
    text = forms.CharField(
        label="Bounce message or SMTP error line",
        required=False,
        strip=False,
        widget=forms.Textarea(
            attrs={
                "rows": 10,
                "spellcheck": "false",
                "autocomplete": "off",
                "placeholder": "Paste the whole bounce (NDR), the \u201cDiagnostic information "
                "for administrators\u201d part, or an SMTP line such as\n"
                "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found "
                "by SMTP address lookup",
            }
        ),
    )
    file = forms.FileField(
        label="Or upload a saved bounce",
        required=False,
        help_text="A saved message (.eml, or .msg from Outlook), a text file (.txt), or "
        "many bounces at once: an mbox or a .zip of messages.",
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".eml,.msg,.txt,.mbox,.zip,message/rfc822,text/plain,"
                "application/vnd.ms-outlook,application/mbox,application/zip"
            }
        ),
    )

    def full_clean(self):
        super().full_clean()
        if self.non_field_errors():
            self.point_textarea_at_errors()

    def point_textarea_at_errors(self) -> None:
        """Tie the form-wide error message to the paste box for screen readers."""
        self.fields["text"].widget.attrs.update(
            {"aria-describedby": "form-errors", "aria-invalid": "true"}
        )

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        text = cleaned.get("text") or ""
        if upload:
            if upload.size > settings.DECODER_READ_MAX_BYTES:
                raise too_large_error(upload.size)
            data = upload.read()
        elif text.strip():
            data = text
        else:
            raise ValidationError(
                "Paste a bounce message or an SMTP error line, or choose a file to upload.",
                code="empty",
            )
        if upload and not data.strip():
            raise ValidationError("The uploaded file is empty.", code="empty")
        if is_mailbox(data):
            try:
                cleaned["messages"] = mailbox_messages(data, upload.name if upload else "pasted")
            except InputError as error:
                raise ValidationError(error.message, code="too_large") from error
            cleaned["data"], cleaned["left_out"] = data, 0
            return cleaned
        try:
            cleaned["data"], cleaned["left_out"] = fit_to_limit(data)
        except TooLarge as error:
            raise too_large_error(error.size) from error
        return cleaned
