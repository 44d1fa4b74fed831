from functools import cache

import phonenumbers
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Layout
from django import forms
from django.conf import settings
from django.utils.functional import cached_property, lazy

from articles.selectors import privacy_policy_note
from articles.visitors import form_shown_token, seconds_since_shown

from .attribution import local_path
from .countries import COUNTRIES
from .models import ConsentText, Lead, Program
from .services import active_programs

lazy_privacy_policy_note = lazy(privacy_policy_note, str)

TIME_TRAP_SALT = "leads.form-started"
MESSAGE_MAX_LENGTH = 2000
STALE_FORM = (
    "This form was changed or is out of date, so your request was not sent. "
    "Please check your details and send it again."
)


COUNTRY_CODES = frozenset(code for code, _ in COUNTRIES)


@cache
def country_choices() -> list[tuple[str, str]]:
    return [("", "Choose a country"), *COUNTRIES]


def started_token(now: float | None = None) -> str:
    """When the form was shown, signed, for the time trap."""
    return form_shown_token(TIME_TRAP_SALT, now)


class ProgramField(forms.ModelChoiceField):
    """The active programs, offered from the database and checked against the cached list
    (services.active_programs): a request costs no query for its program."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value)
        number = int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None
        program = active_programs().get(number)
        if program is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return program


class LeadForm(forms.Form):
    """The information request: the same form in the modal, on /get-info/ and from the CTA box."""

    first_name = forms.CharField(
        label="First name",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label="Last name",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    email = forms.EmailField(
        label="E-mail",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": "Enter a valid e-mail address, like name@example.com."},
    )
    phone = forms.CharField(
        label="Phone",
        required=False,
        max_length=32,
        help_text="Optional. With the country code, e.g. +44 20 7946 0958.",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    program = ProgramField(
        label="Program of interest",
        queryset=Program.objects.none(),
        empty_label="Choose a program",
        error_messages={"required": "Choose the program you would like to hear about."},
    )
    career_stage = forms.ChoiceField(
        label="Where are you in your career?",
        required=False,
        choices=[("", "Choose one (optional)"), *Lead.CareerStage.choices],
    )
    country = forms.ChoiceField(
        label="Country",
        required=False,
        choices=country_choices,
        widget=forms.Select(attrs={"autocomplete": "country"}),
    )
    message = forms.CharField(
        label="Message",
        required=False,
        max_length=MESSAGE_MAX_LENGTH,
        help_text="Optional. Anything you would like the coach to know (up to 2,000 characters).",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    consent = forms.BooleanField(
        required=True,
        error_messages={"required": "Tick this box so that a coach may contact you."},
    )
    # Hidden: which consent wording was shown, where the form was sent from, and the bot traps.
    consent_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    page = forms.CharField(widget=forms.HiddenInput, required=False, max_length=500)
    article = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)
    started = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)
    website = forms.CharField(
        label="Leave this field empty",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, consent_text: ConsentText | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = Program.objects.active()
        self.consent_text = consent_text
        self.shown_consent_text = consent_text
        self.fields["consent"].label = (
            consent_text.text if consent_text else "I agree to be contacted about this program."
        )
        self.fields["consent"].help_text = lazy_privacy_policy_note()  # read when shown
        if not self.is_bound:
            self.initial.setdefault(
                "consent_version", consent_text.version if consent_text else None
            )
            self.initial.setdefault("started", started_token())

    @cached_property
    def helper(self) -> FormHelper:
        """The crispy layout, built only when the form is shown (not for a POST that succeeds)."""
        helper = FormHelper(self)
        helper.form_tag = False
        helper.disable_csrf = True
        helper.layout = Layout(
            Div(
                Div(Field("first_name"), css_class="col-sm-6"),
                Div(Field("last_name"), css_class="col-sm-6"),
                css_class="row",
            ),
            Div(
                Div(Field("email"), css_class="col-sm-6"),
                Div(Field("phone"), css_class="col-sm-6"),
                css_class="row",
            ),
            "program",
            Div(
                Div(Field("career_stage"), css_class="col-sm-6"),
                Div(Field("country"), css_class="col-sm-6"),
                css_class="row",
            ),
            "message",
            "consent",
            Div(Field("website"), css_class="lead-form-trap", aria_hidden="true"),
            "consent_version",
            "page",
            "article",
            "started",
        )
        return helper

    def clean(self) -> dict:
        cleaned_data = super().clean()
        if any(self.fields[name].widget.is_hidden for name in self._errors if name in self.fields):
            # Only a changed or very old page gets here: nothing marked below would explain it.
            self.add_error(None, STALE_FORM)
        return cleaned_data

    @property
    def visible_error_count(self) -> int:
        """The fields marked in red: the error summary counts these, not the hidden ones."""
        return sum(
            1
            for name in self.errors
            if name in self.fields and not self.fields[name].widget.is_hidden
        )

    def clean_first_name(self) -> str:
        return " ".join(self.cleaned_data["first_name"].split())

    def clean_last_name(self) -> str:
        return " ".join(self.cleaned_data["last_name"].split())

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip()

    def clean_phone(self) -> str:
        raw = self.cleaned_data["phone"].strip()
        if not raw:
            return ""
        region = (self.data.get(self.add_prefix("country")) or "").upper() or None
        try:
            number = phonenumbers.parse(raw, region if region in COUNTRY_CODES else None)
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            raise forms.ValidationError(
                "Enter a valid phone number with its country code, e.g. +44 20 7946 0958."
            )
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def clean_page(self) -> str:
        return local_path(self.cleaned_data["page"])

    def clean_consent_version(self) -> int | None:
        """The version of the wording the person saw; `shown_consent_text` is that wording (the
        current one when the form named none, or one that does not exist)."""
        version = self.cleaned_data["consent_version"]
        self.shown_consent_text = self.consent_text
        if version is None or (self.consent_text and version == self.consent_text.version):
            return version  # the usual case: the current wording, already read
        shown = ConsentText.objects.filter(version=version).first()  # a form shown before a change
        if shown is None:
            return None
        self.shown_consent_text = shown
        return version

    @property
    def looks_automated(self) -> bool:
        """The honeypot was filled in, or the form came back faster than a person types."""
        if self.data.get(self.add_prefix("website")):
            return True
        elapsed = seconds_since_shown(self.data.get(self.add_prefix("started"), ""), TIME_TRAP_SALT)
        return elapsed is None or elapsed < settings.LEADS_MIN_FILL_SECONDS
