"""WordPress's authors, categories, tags, posts and pages made the site's, matched by the ids
kept in ImportedItem: importing the same export again creates nothing twice, updates what changed
on WordPress since, and leaves alone what did not (edits made on the site since survive).

Categories here are flat: a WordPress child category puts its posts in its top-level category,
and becomes a tag of those posts, so that nothing it said is lost.
"""

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from html import unescape
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator, slugify

from ..images import check_image_upload, clean_image_bytes
from ..models import Article, Author, Category, FAQItem, ImportedItem, OldPath, SitePage, Tag
from ..rendering import render_markdown
from . import wxr
from .html import wordpress_markdown
from .report import ImportReport, error_reason

Kind = ImportedItem.Kind
PROGRESS_EVERY = 100
UNCATEGORIZED = ("uncategorized", "Uncategorized")
SKIPPED_STATUSES = {"trash", "auto-draft", "inherit"}
BODY_IMAGE_RE = re.compile(r'!\[(?P<alt>[^\]]*)\]\((?P<url>[^)\s]+)(?:\s+"[^"]*")?\)')


def fingerprint(record) -> str:
    values = asdict(record)
    values.pop("comments", None)  # comments are matched one by one
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()


def wordpress_datetime(gmt: str, local: str) -> datetime | None:
    """The GMT date when WordPress wrote one (drafts have none), else the local one, read in the
    site's time zone (the export does not say WordPress's)."""
    for value, zone in ((gmt, UTC), (local, ZoneInfo(settings.TIME_ZONE))):
        if value and not value.startswith("0000"):
            try:
                return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=zone)
            except ValueError:
                continue
    return None


def plain_text(html: str) -> str:
    return " ".join(unescape(strip_tags(html or "")).split())


def path_of(url: str) -> str:
    """The path as Django hands it to a view: percent-escapes read (a Cyrillic slug, say)."""
    path = unquote(urlsplit(url).path) or "/"
    return path if path.endswith("/") else f"{path}/"


class WordPressImporter:
    """Reads one export; `on_post(article, item)` is called after each post is imported (the
    comments app brings its comments across), `progress(n)` every PROGRESS_EVERY records."""

    def __init__(
        self,
        *,
        report: ImportReport,
        media_dir: Path | None = None,
        dry_run: bool = False,
        on_post: Callable[[Article, wxr.Item], None] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.report = report
        self.media_dir = media_dir
        self.dry_run = dry_run  # the caller rolls the database back; files are not written
        self.on_post = on_post
        self.progress = progress
        self.authors: dict[str, Author] = {}
        self.top_category: dict[str, str] = {}  # WordPress category slug -> top-level slug
        self.child_names: dict[str, str] = {}  # child category slug -> its name
        self.attachments: dict[str, tuple[str, str]] = {}  # attachment id -> (url, alt)
        self.featured: list[tuple[int, wxr.Item]] = []  # articles whose image comes at the end
        self.other_types: dict[str, int] = {}

    # The file, record by record --------------------------------------------------------------

    def run(self, source) -> wxr.Channel:
        channel = wxr.Channel()
        for number, record in enumerate(wxr.read_export(source, channel), start=1):
            self._import_one(record)
            if self.progress and number % PROGRESS_EVERY == 0:
                self.progress(number)
        self._featured_images()
        for post_type, number in sorted(self.other_types.items()):
            self.report.count(post_type, "skipped")
            self.report.notes.append(f"{number} item(s) of type {post_type!r}: not imported")
        return channel

    def _import_one(self, record) -> None:
        kind, wp_id, title = self._describe(record)
        try:
            with transaction.atomic():  # one bad item undoes only itself
                if isinstance(record, wxr.Author):
                    self._author(record)
                elif isinstance(record, wxr.Term):
                    self._term(record)
                else:
                    self._item(record)
        except Exception as error:  # reported and skipped: the rest goes on
            self.report.skip(kind, wp_id, title, error_reason(error))

    @staticmethod
    def _describe(record) -> tuple[str, str, str]:
        if isinstance(record, wxr.Author):
            return "author", record.login, record.display_name
        if isinstance(record, wxr.Term):
            return record.kind, record.slug, record.name
        return record.post_type or "item", record.wp_id, record.title

    def _imported(self, kind: str, wp_id: str) -> ImportedItem | None:
        return ImportedItem.objects.filter(kind=kind, wordpress_id=wp_id).first()

    def _previous(self, kind: str, model, record) -> tuple[object | None, bool]:
        """The row made from this item by an earlier import, if any, and whether the item is
        still as it was then."""
        imported = self._imported(kind, record.wp_id)
        obj = model.objects.filter(pk=imported.object_id).first() if imported else None
        return obj, obj is not None and imported.fingerprint == fingerprint(record)

    def _keep(self, kind: str, wp_id: str, obj, record) -> None:
        ImportedItem.objects.update_or_create(
            kind=kind,
            wordpress_id=wp_id,
            defaults={"object_id": obj.pk, "fingerprint": fingerprint(record)},
        )

    def _save(self, kind: str, record, obj, values: dict, *, created: bool, title: str) -> list:
        """Set the values, save when something changed, and say so in the report."""
        changed = [name for name, value in values.items() if getattr(obj, name, None) != value]
        for name in changed:
            setattr(obj, name, values[name])
        if created or changed:
            obj.save()
        action = "created" if created else "updated" if changed else "unchanged"
        self.report.count(kind, action)
        if action == "updated":
            self.report.note(kind, record_id(record), title, "updated: " + ", ".join(changed))
        return changed

    # Authors and terms ---------------------------------------------------------------------

    def _author(self, record: wxr.Author) -> None:
        name = record.display_name or record.login
        imported = self._imported(Kind.AUTHOR, record.login)
        author = Author.objects.filter(pk=imported.object_id).first() if imported else None
        user = (
            get_user_model()
            .objects.filter(email__iexact=record.email, is_staff=True)
            .exclude(email="")
            .first()
            if record.email
            else None
        )
        if author is None and user is not None:
            author = Author.objects.filter(user=user).first()
        if author is None:
            author = Author.objects.filter(slug=slugify(record.login)).first()
            if author is not None and imported is None:
                self.report.note("author", record.login, name, f"is the author “{author.name}”")
        created = author is None
        if created:
            author = Author(slug=slugify(record.login) or f"author-{record.wp_id}")
        values = {"name": name[:120]}
        if user is not None and author.user_id is None:
            values["user"] = user
        if created or (imported and imported.fingerprint != fingerprint(record)):
            self._save("author", record, author, values, created=created, title=name)
        else:
            self.report.count("author", "unchanged")
        self._keep(Kind.AUTHOR, record.login, author, record)
        self.authors[record.login] = author

    def _term(self, record: wxr.Term) -> None:
        if record.kind == "category":
            self._category(record)
        elif record.kind == "post_tag":
            tag, created = self._tag(record.slug, record.name)
            self.report.count("tag", "created" if created else "unchanged")
            self._keep(Kind.TAG, record.slug, tag, record)

    def _category(self, record: wxr.Term) -> None:
        if record.parent_slug and record.parent_slug in self.top_category:
            top = self.top_category[record.parent_slug]
            self.top_category[record.slug] = top
            self.child_names[record.slug] = record.name
            category = Category.objects.get(slug=top)
            self.report.count("category", "nested")
            self.report.note(
                "category",
                record.slug,
                record.name,
                f"nested: its posts go in “{category.name}” with the tag “{record.name}”",
            )
            self._keep(Kind.CATEGORY, record.slug, category, record)
            return
        slug = slugify(unquote(record.slug)) or f"category-{record.wp_id}"
        category, created = Category.objects.get_or_create(
            slug=slug, defaults={"name": record.name[:80], "description": record.description}
        )
        self.report.count("category", "created" if created else "unchanged")
        if record.parent_slug:
            self.report.note(
                "category", record.slug, record.name, "its parent comes later: kept top-level"
            )
        self.top_category[record.slug] = slug
        self._keep(Kind.CATEGORY, record.slug, category, record)

    def _tag(self, slug: str, name: str) -> tuple[Tag, bool]:
        tag_slug = slugify(unquote(slug))[:60] or slugify(name)[:60]
        return Tag.objects.get_or_create(slug=tag_slug, defaults={"name": name[:60]})

    def _post_tag(self, slug: str, name: str) -> Tag:
        """A tag a post names (a child category, say) that the export did not list first."""
        tag, created = self._tag(slug, name)
        if created:
            self.report.count("tag", "created")
        return tag

    # Items ----------------------------------------------------------------------------------

    def _item(self, item: wxr.Item) -> None:
        if item.post_type == "attachment":
            alt = item.meta.get("_wp_attachment_image_alt", "") or item.title
            self.attachments[item.wp_id] = (item.attachment_url, alt)
        elif item.post_type == "post":
            self._post(item)
        elif item.post_type == "page":
            self._page(item)
        else:
            self.other_types[item.post_type] = self.other_types.get(item.post_type, 0) + 1

    def _post(self, item: wxr.Item) -> None:
        if item.status in SKIPPED_STATUSES:
            self.report.skip("post", item.wp_id, item.title, f"its status is {item.status!r}")
            return
        article, unchanged = self._previous(Kind.POST, Article, item)
        if unchanged:
            self.report.count("post", "unchanged")
        else:
            article = self._post_saved(item, article)
            self._keep(Kind.POST, item.wp_id, article, item)
        self._old_path(item, article=article)
        if self.on_post:
            self.on_post(article, item)

    def _post_saved(self, item: wxr.Item, article: Article | None) -> Article:
        created = article is None
        article = article or Article()
        title = self._title(item, limit=200)
        converted = self._converted(item, title)
        status, published_at = self._status(item, title)
        category, extra_tags = self._post_category(item, title)
        values = {
            "title": title,
            "slug": self._slug(item, title, Article, article, limit=200),
            "dek": self._dek(item, converted.markdown, title),
            "body": converted.markdown,
            "status": status,
            "published_at": published_at,
            "is_featured": item.is_sticky,
            "comments_enabled": item.comment_status != "closed",
            "meta_description": item.meta.get("_yoast_wpseo_metadesc", "")[:160],
            "seo_title": yoast_title(item.meta.get("_yoast_wpseo_title", "")),
            "author": self._post_author(item),
            "category": category,
        }
        self._save("post", item, article, values, created=created, title=title)
        tags = [
            self._post_tag(slug, name) for domain, slug, name in item.terms if domain == "post_tag"
        ]
        article.tags.set([*tags, *extra_tags])
        self._faq(article, converted.faq)
        written = wordpress_datetime(item.date_gmt, item.date)
        modified = wordpress_datetime(item.modified_gmt, "") or written
        if written:  # the dates WordPress kept, not the import's
            Article.objects.filter(pk=article.pk).update(created_at=written, updated_at=modified)
        if item.meta.get("_thumbnail_id") and not article.featured_image:
            self.featured.append((article.pk, item))
        return article

    def _title(self, item: wxr.Item, *, limit: int) -> str:
        title = item.title.strip()
        if not title:
            title = f"Untitled (WordPress {item.post_type} {item.wp_id})"
            self.report.note(item.post_type, item.wp_id, "", f"no title: named “{title}”")
        elif len(title) > limit:
            title = Truncator(title).chars(limit)
            self.report.note(item.post_type, item.wp_id, title, f"title cut to {limit} characters")
        return title

    def _slug(self, item: wxr.Item, title: str, model, current, *, limit: int) -> str:
        wanted = slugify(unquote(item.slug)) or slugify(title) or f"{item.post_type}-{item.wp_id}"
        slug = wanted[:limit].strip("-")
        taken = model.objects.filter(slug=slug).exclude(pk=current.pk).exists()
        if taken:
            slug = f"{slug[: limit - len(item.wp_id) - 4]}-wp{item.wp_id}"
        if taken or slug != unquote(item.slug):
            self.report.note(item.post_type, item.wp_id, title, f"its address is /{slug}/")
        return slug

    def _status(self, item: wxr.Item, title: str) -> tuple[str, datetime | None]:
        date = wordpress_datetime(item.date_gmt, item.date)
        if item.status in ("publish", "future") and not item.password:
            return Article.Status.PUBLISHED, date or timezone.now()
        if item.password or item.status == "private":
            why = "password-protected" if item.password else "private"
            self.report.note("post", item.wp_id, title, f"{why} on WordPress: kept as a draft")
        return Article.Status.DRAFT, None

    def _dek(self, item: wxr.Item, markdown: str, title: str) -> str:
        """The excerpt, else the body's start: every article has a summary."""
        text = plain_text(item.excerpt) or plain_text(render_markdown(markdown).html)
        if not text:
            return title
        return Truncator(text).chars(400)

    def _post_author(self, item: wxr.Item) -> Author:
        author = self.authors.get(item.creator)
        if author is None:
            author, _ = Author.objects.get_or_create(
                slug=slugify(item.creator) or "wordpress",
                defaults={"name": item.creator or "WordPress"},
            )
            self.authors[item.creator] = author
        return author

    def _post_category(self, item: wxr.Item, title: str) -> tuple[Category, list[Tag]]:
        """Its first category's top-level one; child categories and the others as tags."""
        slugs = [slug for domain, slug, _ in item.terms if domain == "category"]
        tops = [self.top_category.get(slug, slugify(unquote(slug))) for slug in slugs]
        extra = [
            self._post_tag(slug, self.child_names[slug])
            for slug in slugs
            if slug in self.child_names
        ]
        if not tops:
            category, _ = Category.objects.get_or_create(
                slug=UNCATEGORIZED[0], defaults={"name": UNCATEGORIZED[1]}
            )
            return category, extra
        category = Category.objects.filter(slug=tops[0]).first()
        if category is None:
            name = next(name for domain, slug, name in item.terms if domain == "category")
            category = Category.objects.create(slug=tops[0], name=name[:80])
        for other in dict.fromkeys(tops[1:]):
            if other != category.slug:
                other_name = Category.objects.filter(slug=other).values_list("name", flat=True)
                extra.append(self._post_tag(other, other_name.first() or other))
                self.report.note("post", item.wp_id, title, f"also in “{other}”: kept as a tag")
        return category, extra

    def _faq(self, article: Article, faq: list[tuple[str, str]]) -> None:
        current = list(article.faqs.values_list("question", "answer"))
        if current == faq:
            return
        article.faqs.all().delete()
        for position, (question, answer) in enumerate(faq):
            FAQItem.objects.create(
                article=article, question=question[:300], answer=answer, position=position
            )

    def _page(self, item: wxr.Item) -> None:
        if item.comments:
            reason = f"its {len(item.comments)} comment(s) are left out: site pages have none"
            self.report.note("page", item.wp_id, item.title, reason)
        if item.status != "publish" or item.password:
            self.report.skip("page", item.wp_id, item.title, f"not published ({item.status})")
            return
        page, unchanged = self._previous(Kind.PAGE, SitePage, item)
        if unchanged:
            self.report.count("page", "unchanged")
            return
        created = page is None
        title = self._title(item, limit=120)
        if created:
            slug = slugify(unquote(item.slug)) or slugify(title)
            if SitePage.objects.filter(slug=slug[:60]).exists():
                raise ValidationError(f"a site page already has the address /{slug}/")
            page = SitePage(slug=slug[:60], in_footer=False)
            page.clean()  # an address another page of the site has
        converted = self._converted(item, title)
        values = {
            "title": title,
            "body": converted.markdown,
            "summary": item.meta.get("_yoast_wpseo_metadesc", "")[:160],
        }
        self._save("page", item, page, values, created=created, title=title)
        self._keep(Kind.PAGE, item.wp_id, page, item)
        self._old_path(item, site_page=page)

    def _old_path(self, item: wxr.Item, *, article=None, site_page=None) -> None:
        """Its permalink answers a redirect here, unless it is the address it has now."""
        old_path = path_of(item.link) if item.link else ""
        if old_path not in ("/", (article or site_page).get_absolute_url()):
            OldPath.objects.update_or_create(
                path=old_path[:255], defaults={"article": article, "site_page": site_page}
            )

    # Bodies and their images ----------------------------------------------------------------

    def _converted(self, item: wxr.Item, title: str):
        converted = wordpress_markdown(item.content, attachments=self._attachment_urls())
        for note in converted.notes:
            self.report.note(item.post_type, item.wp_id, title, note)
        converted.markdown = BODY_IMAGE_RE.sub(
            lambda match: self._body_image(match, item, title), converted.markdown
        )
        return converted

    def _body_image(self, match, item: wxr.Item, title: str) -> str:
        """An image of the old site's uploads, copied from --media-dir into the site's storage
        (checked and cleaned like any upload); one that cannot be had keeps its old address."""
        url = match["url"]
        if "/uploads/" not in urlsplit(url).path:
            return match[0]
        try:
            if self.media_dir is None:
                raise ValidationError("no --media-dir (nothing is downloaded)")
            relative = uploads_path(url)
            name = str(PurePosixPath("articles/body") / relative)
            if not self.dry_run and not default_storage.exists(name):
                name = default_storage.save(name, ContentFile(self._image_data(relative, url)))
            elif self.dry_run:
                self._image_data(relative, url)
        except ValidationError as error:
            reason = error_reason(error)
            self.report.note(item.post_type, item.wp_id, title, f"body image {url}: {reason}")
            self.report.count("image", "skipped")
            return match[0]
        self.report.count("image", "created")
        return f"![{match['alt']}]({default_storage.url(name)})"

    def _image_data(self, relative: PurePosixPath, url: str) -> bytes:
        source = self.media_dir / relative
        if not source.is_file():
            raise ValidationError(f"{url} is not in the media directory (looked for {source})")
        with source.open("rb") as file:
            upload = File(file, name=source.name)
            check_image_upload(upload)
            data, _ = clean_image_bytes(upload)
        return data

    # Featured images, once every attachment has been read -------------------------------------

    def _attachment_urls(self) -> dict[str, str]:
        return {wp_id: url for wp_id, (url, _) in self.attachments.items()}

    def _featured_images(self) -> None:
        for article_id, item in self.featured:
            try:
                with transaction.atomic():
                    self._featured_image(Article.objects.get(pk=article_id), item)
            except Exception as error:
                reason = error_reason(error)
                self.report.note("post", item.wp_id, item.title, f"featured image: {reason}")
                self.report.count("image", "skipped")

    def _featured_image(self, article: Article, item: wxr.Item) -> None:
        attachment_id = item.meta["_thumbnail_id"]
        if attachment_id not in self.attachments:
            raise ValidationError(f"attachment {attachment_id} is not in the export")
        url, alt = self.attachments[attachment_id]
        if self.media_dir is None:
            raise ValidationError(f"{url} not imported: no --media-dir (nothing is downloaded)")
        relative = uploads_path(url)
        data = self._image_data(relative, url)
        if self.dry_run:
            self.report.count("image", "created")
            return
        article.featured_image.save(relative.name, ContentFile(data), save=False)
        article.featured_image_alt = (alt or article.title)[:250]
        article.save()
        self.report.count("image", "created")


def yoast_title(value: str) -> str:
    """Yoast's SEO title when it is plain words that fit (not `%%title%% %%sep%% %%sitename%%`,
    which the site's own title already does)."""
    return value if value and "%%" not in value and len(value) <= 70 else ""


def uploads_path(url: str) -> PurePosixPath:
    """`https://old.example/wp-content/uploads/2020/05/a.jpg` -> `2020/05/a.jpg`."""
    path = unquote(urlsplit(url).path)
    _, found, after = path.partition("/uploads/")
    relative = PurePosixPath(after if found else path.lstrip("/"))
    if ".." in relative.parts:
        raise ValidationError(f"{url} leaves the media directory")
    return relative


def record_id(record) -> str:
    return getattr(record, "wp_id", "") or getattr(record, "login", "")
