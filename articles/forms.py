from django import forms
from django.utils import timezone

from .models import Article

# The buttons of the editorial workflow under the article form (articles/admin.py shows each role
# its own); the status is never a field: it moves only through these.
WORKFLOW_ACTIONS = {
    "_submit_for_review": "Submit for review",
    "_send_back": "Send back to writer",
    "_publish_now": "Publish now",
    "_schedule": "Schedule",
    "_unpublish": "Unpublish",
}


class ArticleAdminForm(forms.ModelForm):
    """Sizes the editor's fields for what goes in them: a short dek, a long Markdown body; checks
    what the pressed workflow button needs (a note to send back, a time ahead to schedule)."""

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

    @property
    def workflow_action(self) -> str | None:
        """The workflow button pressed, if any (a plain save is none)."""
        return next((name for name in WORKFLOW_ACTIONS if name in self.data), None)

    def clean(self) -> dict:
        cleaned = super().clean()
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
