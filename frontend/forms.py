"""Forms of the web pages. Each validates everything it receives; services validate again."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from booking.dispatch.services.bookings import BookingInput
from booking.models import Category, DutyBasis, Gender, Modality
from tolk.errors import DomainError
from tolk.reference.languages import search_terms
from tolk.times import local_instant

REGISTER_NUMBER_RE = re.compile(r"^[A-Za-z0-9-]{1,16}$")


def set_choices(field: forms.Field, choices: list[tuple[str, Any]]) -> None:
    """Choices known only per request (the user's platforms, the years with data)."""
    assert isinstance(field, forms.ChoiceField)  # noqa: S101 - a programming error otherwise
    field.choices = choices


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


def _language_choices(codes: list[str]) -> list[tuple[str, Any]]:
    from frontend.templatetags.tolk import language_label

    named = sorted(((code, language_label(code)) for code in codes), key=lambda c: c[1].lower())
    return [("", _("Choose a language"))] + [(code, f"{name} – {code}") for code, name in named]


class LanguageSelect(forms.Select):
    """The language list, each option carrying what people type for it (`data-terms`: names in
    bokmål and English, common names and spellings such as farsi, sorani, kinesisk, and the
    codes), so the search field finds a language by any of them."""

    def create_option(self, name: str, value: Any, label: Any, selected: Any, index: int,
                      subindex: int | None = None, attrs: dict[str, Any] | None = None
                      ) -> dict[str, Any]:
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value:
            option["attrs"]["data-terms"] = "|".join(search_terms(str(value)))
        return option


def _clock_change_message(code: str, wall: dt.time) -> str:
    shown = f"{wall:%H:%M}"
    if code == "nonexistent_local_time":
        return str(_("The clocks go forward that night: %(time)s does not exist. Choose "
                     "another time.")) % {"time": shown}
    if code == "ambiguous_local_time":
        return str(_("The clocks go back that night: %(time)s occurs twice. Choose a time "
                     "before 02:00 or from 03:00.")) % {"time": shown}
    return str(_("Enter a valid date and time."))


class BookingForm(forms.Form):
    """The 'Book an interpreter' form. It collects the request; every rule of the Interpreter Act
    is applied by `booking.dispatch.services.bookings` (the same code the API uses)."""

    language = forms.ChoiceField(
        label=_("Language"),
        widget=LanguageSelect,
        help_text=_("Type in the search field to narrow the list."),
    )
    dialect = forms.CharField(
        label=_("Dialect or variant"), max_length=100, required=False,
        help_text=_("For example Levantine Arabic, if it matters for the conversation."),
    )
    modality = forms.ChoiceField(
        label=_("How will the interpreting take place?"),
        choices=Modality.choices,
        widget=forms.RadioSelect,
        initial=Modality.ONSITE,
    )
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(
        label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    end_time = forms.TimeField(
        label=_("To"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    municipality = forms.ChoiceField(label=_("Municipality"), required=False)
    address = forms.CharField(
        label=_("Address"), max_length=300, required=False,
        help_text=_("Street address and room, so the interpreter finds the way."),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    platform = forms.ChoiceField(
        label=_("Platform"), required=False,
        help_text=_("Only platforms your organisation has approved as secure (§ 8)."),
    )
    duty_basis = forms.ChoiceField(
        label=_("Why is an interpreter used?"),
        choices=DutyBasis.choices,
        widget=forms.RadioSelect,
    )
    assessment_note = forms.CharField(
        label=_("Assessment of the need"), required=False, max_length=2000,
        help_text=_("Required when the interpreter is necessary: say briefly why."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    topic_notes = forms.CharField(
        label=_("Topic"), required=False, max_length=2000,
        help_text=_("What the conversation is about, so the interpreter can judge whether they "
                    "are competent (§ 14). Never names or ID numbers of the person."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    terminology_notes = forms.CharField(
        label=_("Terminology"), required=False, max_length=2000,
        help_text=_("Special terms the interpreter should prepare for."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    case_reference = forms.CharField(
        label=_("Case reference"), max_length=64, required=False,
        help_text=_("Your own case number, used to keep blocked interpreters off the case."),
    )
    preferred_gender = forms.ChoiceField(
        label=_("Preferred gender of the interpreter"), required=False,
        choices=[("", _("No preference")), *Gender.choices],
    )
    min_category = forms.ChoiceField(
        label=_("Lowest acceptable register category"), required=False,
        choices=[("", _("Any category A–E")), *Category.choices],
        help_text=_("Your organisation's guidelines may already require a higher category."),
    )

    def __init__(self, *args: Any, languages: list[str], municipalities: list[tuple[str, str]],
                 platforms: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self.fields["language"], _language_choices(languages))
        set_choices(self.fields["municipality"], municipalities)
        set_choices(
            self.fields["platform"], [("", _("Choose a platform")), *((p, p) for p in platforms)]
        )
        # Required for on-site or for remote interpreting only: not labelled optional.
        for name in ("municipality", "address", "platform"):
            self.fields[name].conditional = True  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, start, end = data.get("date"), data.get("start_time"), data.get("end_time")
        if day and start and end:
            # Oslo wall times, as instants: on a clock change day a time may not exist or may
            # exist twice, and the length is real time, not the difference of the clock faces.
            for name, field, wall in (("start", "start_time", start), ("end", "end_time", end)):
                try:
                    data[name] = local_instant(dt.datetime.combine(day, wall), field=name)
                except DomainError as error:
                    self.add_error(field, _clock_change_message(error.code, wall))
            if "start" in data and "end" in data and data["end"] <= data["start"]:
                self.add_error("end_time", _("The end must be after the start."))
        modality = data.get("modality")
        if modality == Modality.ONSITE:
            if not data.get("address"):
                self.add_error("address", _("Give the address for on-site interpreting."))
            if not data.get("municipality"):
                self.add_error("municipality", _("Choose the municipality."))
        elif modality and not data.get("platform"):
            self.add_error("platform", _("Choose the platform for remote interpreting."))
        return data

    def booking_input(self) -> BookingInput:
        data = self.cleaned_data
        onsite = data["modality"] == Modality.ONSITE
        return BookingInput(
            language=data["language"],
            modality=data["modality"],
            start=data["start"],
            end=data["end"],
            duty_basis=data["duty_basis"],
            municipality=data.get("municipality") or "",
            address=data.get("address", "") if onsite else "",
            platform="" if onsite else data.get("platform", ""),
            dialect=data.get("dialect", ""),
            assessment_note=data.get("assessment_note", ""),
            topic_notes=data.get("topic_notes", ""),
            terminology_notes=data.get("terminology_notes", ""),
            case_reference=data.get("case_reference", ""),
            preferred_gender=data.get("preferred_gender", ""),
            min_category=data.get("min_category", ""),
        )

    # Fields of the service's error messages → the form field that shows them.
    SERVICE_FIELDS = {"start": "start_time", "end": "end_time"}

    def add_service_error(self, error: DomainError) -> None:
        """Show a rule violation from the service next to the field it concerns."""
        for name in error.fields or {}:
            target = self.SERVICE_FIELDS.get(name, name)
            if target in self.fields:
                self.add_error(target, error.detail)
                return
        self.add_error(None, error.detail)


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"), max_length=500, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    confirm = forms.BooleanField(
        label=_("Yes, cancel the booking"),
        error_messages={"required": _("Tick the box to confirm the cancellation.")},
    )


class OfferWaveForm(forms.Form):
    limit = forms.IntegerField(
        label=_("How many interpreters get the offer at once?"), min_value=1, max_value=100,
        initial=5, required=False,
        help_text=_("The best-ranked candidates who have not had an offer get it; the first to "
                    "accept gets the assignment. Or tick candidates in the list to offer it to "
                    "them only."),
    )
    register_numbers = forms.MultipleChoiceField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The candidates are validated by the service (they must still be candidates); here only
        # the shape of each number.
        chosen = self.data.getlist("register_numbers") if hasattr(self.data, "getlist") else []
        set_choices(self.fields["register_numbers"], [(n, n) for n in chosen[:100]])

    def clean_register_numbers(self) -> list[str]:
        numbers = list(dict.fromkeys(self.cleaned_data.get("register_numbers") or []))
        if len(numbers) > 100 or not all(REGISTER_NUMBER_RE.match(n) for n in numbers):
            raise forms.ValidationError(_("Choose at most 100 interpreters from the list."))
        return numbers


class BlockForm(forms.Form):
    """§ 16: block an interpreter for one case or for all the organisation's bookings."""

    register_number = forms.CharField(
        label=_("Register number"), max_length=16,
        help_text=_("The interpreter's number (tolkenummer) as printed on the interpreter card."),
    )
    case_reference = forms.CharField(
        label=_("Case reference"), max_length=64, required=False,
        help_text=_("Leave empty to block the interpreter for all your organisation's bookings."),
    )
    reason = forms.CharField(
        label=_("Reason (Interpreter Act § 16)"), min_length=10, max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: the interpreter is related to or knows a party in the case."),
    )
