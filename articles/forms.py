from django import forms

from .models import Article


class ArticleAdminForm(forms.ModelForm):
    """Sizes the editor's fields for what goes in them: a short dek, a long Markdown body."""

    class Meta:
        model = Article
        fields = (
            "title",
            "slug",
            "dek",
            "body",
            "status",
            "published_at",
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
        }
