from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Layout
from django import forms
from django.conf import settings
from django.http import QueryDict
from django.utils.functional import cached_property

from articles.selectors import privacy_policy_note
from articles.visitors import form_shown_token, seconds_since_shown

TIMESTAMP_SALT = "comments.form-shown-at"


def form_timestamp(now: float | None = None) -> str:
    return form_shown_token(TIMESTAMP_SALT, now)


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Comment",
        max_length=settings.COMMENTS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": settings.COMMENTS_MAX_LENGTH}),
    )
    author_name = forms.CharField(
        label="Name", max_length=100, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    author_email = forms.EmailField(
        label="Email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    author_url = forms.URLField(
        label="Website",
        required=False,
        max_length=200,
        assume_scheme="https",
        # A text box, not type="url": browsers refuse "example.com" there, which the form takes
        # as https://example.com.
        widget=forms.TextInput(attrs={"autocomplete": "url", "inputmode": "url"}),
    )
    remember = forms.BooleanField(
        label="Save my name, email, and website in this browser for the next time I comment.",
        required=False,
    )
    notify_replies = forms.BooleanField(label="Notify me of replies by email", required=False)
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    # A field people never see (hidden by comments.css): bots that fill every field fill it.
    homepage = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    shown_at = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, data=None, *args, user=None, **kwargs):
        if data is not None:
            # NUL bytes have no place in text (PostgreSQL refuses them): drop them on the way in,
            # so they are neither stored nor echoed back into the page.
            cleaned = QueryDict(mutable=True)
            items = data.lists() if isinstance(data, QueryDict) else data.items()
            for key, values in items:
                values = values if isinstance(values, list) else [values]
                cleaned.setlist(key, [str(value).replace("\x00", "") for value in values])
            data = cleaned
        super().__init__(data, *args, **kwargs)
        self.is_staff_author = bool(user is not None and user.is_authenticated and user.is_staff)
        if self.is_staff_author:
            for name in ("author_name", "author_email", "author_url", "remember"):
                del self.fields[name]
        if not self.is_bound:
            self.initial.setdefault("shown_at", form_timestamp())

    @cached_property
    def helper(self) -> FormHelper:
        """How crispy-forms lays the form out: built when the form is shown, not when it is
        only validated (every successful post)."""
        helper = FormHelper()
        helper.form_tag = False
        helper.disable_csrf = True  # the template's <form> carries the token
        author_fields = (
            []
            if self.is_staff_author
            else [
                Div(
                    Div(Field("author_name"), css_class="col-md-6"),
                    Div(Field("author_email"), css_class="col-md-6"),
                    css_class="row",
                ),
                Field("author_url"),
            ]
        )
        helper.layout = Layout(
            HTML(
                '<p class="comment-notes small text-body-secondary">'
                "Your email address will not be published. Required fields are marked "
                '<span class="asteriskField">*</span></p>'
                if not self.is_staff_author
                else ""
            ),
            Field("body"),
            *author_fields,
            *([] if self.is_staff_author else [Field("remember")]),
            Field("notify_replies"),
            Div(Field("homepage"), css_class="comment-hp"),
            Field("parent"),
            Field("shown_at"),
        )
        return helper

    def clean_author_name(self) -> str:
        name = " ".join(self.cleaned_data["author_name"].split())
        if not name:
            raise forms.ValidationError("Please type your name.")
        return name

    def clean_author_url(self) -> str:
        url = self.cleaned_data["author_url"]
        if url and not url.lower().startswith(("http://", "https://")):
            raise forms.ValidationError("Enter a web address starting with http:// or https://.")
        return url

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].replace("\r\n", "\n").strip()
        if not body:
            raise forms.ValidationError("Please type a comment.")
        return body

    @cached_property
    def privacy_note(self) -> str:
        """What the site keeps of a comment and why: the privacy policy, linked under the form."""
        return privacy_policy_note()

    @property
    def seconds_to_submit(self) -> float | None:
        return seconds_since_shown(self.data.get(self.add_prefix("shown_at"), ""), TIMESTAMP_SALT)
