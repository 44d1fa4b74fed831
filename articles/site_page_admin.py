"""Admin for the site's own pages; registered from ArticlesConfig.ready() so that this file, not
articles/admin.py (the editors' desk), is where it changes."""

from django.contrib import admin
from django.utils.html import format_html

from .site_page_models import SitePage, SitePageVersion


class SitePageVersionInline(admin.TabularInline):
    model = SitePageVersion
    fields = ("number", "title", "published_at", "link")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "published versions (kept unchanged: consents point at them)"
    view_on_site = False  # the address column links each one

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="address")
    def link(self, version: SitePageVersion) -> str:
        url = version.get_absolute_url()
        return format_html('<a href="{}">{}</a>', url, url)


@admin.register(SitePage)
class SitePageAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "version", "in_footer", "position", "updated_at")
    list_editable = ("in_footer", "position")
    search_fields = ("title", "body")
    prepopulated_fields = {"slug": ("title",)}
    fields = ("title", "slug", "summary", "body", "in_footer", "position", "version")
    readonly_fields = ("version",)
    inlines = [SitePageVersionInline]
    view_on_site = True
