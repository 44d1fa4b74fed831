from django import forms
from django.core import signing
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from .models import Article, BodyImage, article_link_target
from .rendering import article_link_slugs

KEPT_IMAGE_SALT = "articles.kept-featured-image"

# The buttons of the editorial workflow under the article form (articles/admin.py shows each role
# its own); the status is never a field: it moves only through these.
WORKFLOW_ACTIONS = {
    "_submit_for_review": "Submit for review",
    "_send_back": "Send back to writer",
    "_publish_now": "Publish now",
    "_schedule": "Schedule",
    "_unpublish": "Unpublish",
}


class TextField(forms.CharField):
    """Text as typed, with a browser's CRLF line ends made LF: a save that changes nothing is
    no change (nor a revision with a changed body)."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n") if isinstance(value, str) else value


class ArticleAdminForm(forms.ModelForm):
    """Sizes the editor's fields for what goes in them: a short dek, a long Markdown body; checks
    what the pressed workflow button needs (a note to send back, a time ahead to schedule).

    A file input cannot be filled again by the server, so an image chosen in a save that failed
    is stored at once and named in `kept_featured_image` (signed): the next save uses it unless
    another file is chosen or "Clear" is ticked."""

    kept_featured_image = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Article
        fields = (
            "title",
            "slug",
            "dek",
            "body",
            "published_at",
            "review_note",
            "author",
            "category",
            "tags",
            "is_featured",
            "featured_image",
            "featured_image_alt",
            "featured_image_caption",
            "featured_image_credit",
            "comments_enabled",
            "seo_title",
            "meta_description",
        )
        field_classes = {"dek": TextField, "body": TextField, "review_note": TextField}
        widgets = {
            "title": forms.TextInput(attrs={"class": "vLargeTextField"}),
            "dek": forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"}),
            "body": forms.Textarea(attrs={"rows": 30, "class": "vLargeTextField"}),
            "featured_image_alt": forms.TextInput(attrs={"class": "vLargeTextField"}),
            "featured_image_caption": forms.TextInput(attrs={"class": "vLargeTextField"}),
            "seo_title": forms.TextInput(attrs={"class": "vLargeTextField"}),
            "meta_description": forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"}),
            "review_note": forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "published_at" in self.fields:
            halves = getattr(self.fields["published_at"].widget, "widgets", ())  # admin's split
            for half, name in zip(halves, ("Publication date", "Publication time"), strict=False):
                half.attrs["aria-label"] = name
            now = timezone.localtime()
            self.fields["published_at"].help_text += (
                f" Times are {timezone.get_current_timezone_name()} (UTC{now:%z}); "
                f"it is {now:%H:%M} there now."
            )
        kept = self.kept_image_name()
        if kept and "featured_image" in self.fields:
            self._say_kept(kept)

    def _say_kept(self, name: str) -> None:
        text = f"Kept from your last try: {name.rsplit('/', 1)[-1]}. Choose another to replace it."
        self.fields["featured_image"].help_text = text
        self["featured_image"].help_text = text  # the bound field may be made already

    def kept_image_name(self) -> str | None:
        token = self.data.get("kept_featured_image") if self.is_bound else None
        if not token:
            return None
        try:
            return signing.loads(token, salt=KEPT_IMAGE_SALT)
        except signing.BadSignature:
            return None

    def keep_chosen_image(self) -> None:
        """After a save that failed: store the image chosen in it, for the next try."""
        upload = getattr(self, "cleaned_data", {}).get("featured_image")
        if not isinstance(upload, UploadedFile):
            return
        field = Article._meta.get_field("featured_image")
        name = default_storage.save(field.generate_filename(self.instance, upload.name), upload)
        self.data = self.data.copy()
        self.data["kept_featured_image"] = signing.dumps(name, salt=KEPT_IMAGE_SALT)
        self._say_kept(name)

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        unknown = [slug for slug in article_link_slugs(body) if article_link_target(slug) is None]
        if unknown:
            names = ", ".join(f"article:{slug}" for slug in unknown)
            raise forms.ValidationError(f"No article has the address {names}: check the slug.")
        return body

    def clean_featured_image(self):
        image = self.cleaned_data.get("featured_image")
        kept = self.kept_image_name()
        if kept and not isinstance(image, UploadedFile) and image is not False:
            return kept  # a name in storage: the model field takes it as the file
        return image

    @property
    def workflow_action(self) -> str | None:
        """The workflow button pressed, if any (a plain save is none)."""
        return next((name for name in WORKFLOW_ACTIONS if name in self.data), None)

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("featured_image") and not cleaned.get("featured_image_alt", "").strip():
            self.add_error("featured_image_alt", "Describe the featured image in its alt text.")
        action = self.workflow_action
        if not {"review_note", "published_at"} <= set(self.fields):
            return cleaned  # a writer's form: the admin refuses an editor's button to them
        if action == "_send_back" and not cleaned.get("review_note", "").strip():
            self.add_error("review_note", "Tell the writer what to change before sending it back.")
        if action == "_schedule":
            at = cleaned.get("published_at")
            if at is None or at <= timezone.now():
                self.add_error("published_at", "Pick a date and time ahead to schedule.")
        return cleaned


class BodyImageForm(forms.ModelForm):
    """An image uploaded into the body from the editor: checked (a real image, bounded in bytes
    and pixels, an image's extension), with the alt text it needs before it is inserted."""

    class Meta:
        model = BodyImage
        fields = ("image", "alt", "caption", "credit")
        error_messages = {
            "image": {"required": "Choose an image to upload."},
            "alt": {"required": "Describe the image for readers who cannot see it (alt text)."},
        }
