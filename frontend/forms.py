"""Forms of the web pages. Each validates everything it receives; services validate again."""

from __future__ import annotations

import re

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

REGISTER_NUMBER_RE = re.compile(r"^[A-Za-z0-9-]{1,16}$")


class LoginForm(AuthenticationForm):
    """Django's login form with autocomplete hints for password managers."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class CardCheckForm(forms.Form):
    number = forms.CharField(
        label=_("Register number"),
        max_length=16,
        help_text=_("The interpreter's number (tolkenummer) as printed on the interpreter card."),
        widget=forms.TextInput(attrs={"inputmode": "text", "autocomplete": "off"}),
    )

    def clean_number(self) -> str:
        number = self.cleaned_data["number"].strip()
        if not REGISTER_NUMBER_RE.match(number):
            raise forms.ValidationError(
                _("A register number has only letters, digits and hyphens (at most 16)."),
                code="invalid_register_number",
            )
        return number
