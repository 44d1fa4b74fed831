from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from articles.demo import (
    AUTHORS,
    CATEGORIES,
    demo_articles,
    demo_image_name,
    demo_site_pages,
    draw_featured_image,
    is_current_demo_image,
)
from articles.models import Article, Author, Category, FAQItem, SitePage, Tag
from articles.signals import demo_content_seeded


class Command(BaseCommand):
    help = (
        "Load the demo content: categories, authors and articles about AI and ML careers. "
        "Safe to run again: it updates what is there and duplicates nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--admin-password",
            help=(
                "Also create (or reset) a superuser 'admin', a 'writer' (Writers group, writing as "
                "the first demo author) and an 'editor' (Editors group) with this password, for "
                "local use."
            ),
        )

    @transaction.atomic
    def handle(self, *args, **options):
        categories = {
            data["slug"]: upsert(
                Category,
                slug=data["slug"],
                values={
                    "name": data["name"],
                    "description": data["description"],
                    "position": position,
                },
            )
            for position, data in enumerate(CATEGORIES)
        }
        palettes = {data["slug"]: data["palette"] for data in CATEGORIES}
        authors = {
            data["slug"]: upsert(
                Author,
                slug=data["slug"],
                values={"name": data["name"], "role": data["role"], "bio": data["bio"]},
            )
            for data in AUTHORS
        }

        now = timezone.now().replace(minute=0, second=0, microsecond=0)
        created = 0
        for demo in demo_articles():
            article = Article.objects.filter(slug=demo.slug).first()
            is_new = article is None
            if is_new:
                article = Article(slug=demo.slug)
                if demo.status != "draft":
                    article.published_at = now - timedelta(days=demo.published_days_ago)
                created += 1
            changed = assign(
                article,
                {
                    "title": demo.title,
                    "dek": demo.dek,
                    "body": demo.body,
                    "category_id": categories[demo.category].pk,
                    "author_id": authors[demo.author].pk,
                    "status": demo.status,
                    "is_featured": demo.featured,
                    "featured_image_alt": demo.image_alt,
                    "featured_image_caption": demo.image_caption,
                    "featured_image_credit": demo.image_credit,
                },
            )
            if not is_current_demo_image(article.featured_image.name, demo.slug):
                drawn = draw_featured_image(demo.slug, palettes[demo.category], demo.image_motif)
                article.featured_image.save(
                    demo_image_name(demo.slug), ContentFile(drawn), save=False
                )
                changed = True
            if is_new or changed:  # an unchanged article keeps its "modified" time
                article.full_clean()
                article.save()
            tags = [
                Tag.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0]
                for name in demo.tags
            ]
            article.tags.set(tags)  # adds and removes only the differences
            faqs = list(article.faqs.values_list("question", "answer"))
            if faqs != list(demo.faqs):
                article.faqs.all().delete()
                FAQItem.objects.bulk_create(
                    FAQItem(article=article, question=question, answer=answer, position=position)
                    for position, (question, answer) in enumerate(demo.faqs)
                )
                article.update_reading_time()
            if is_new and article.published_at:
                # A demo article has not been edited since it came out: no "Updated" date.
                Article.objects.filter(pk=article.pk).update(updated_at=article.published_at)

        for demo_page in demo_site_pages():
            page = SitePage.objects.filter(slug=demo_page.slug).first()
            if page is None:  # staff may have edited an existing one: it is theirs now
                page = SitePage(slug=demo_page.slug, title=demo_page.title, body=demo_page.body)
                page.summary, page.position = demo_page.summary, demo_page.position
                page.full_clean()
                page.save()

        demo_content_seeded.send(sender=self.__class__, stdout=self.stdout)

        if options["admin_password"]:
            user, _ = get_user_model().objects.get_or_create(
                username="admin", defaults={"email": "admin@localhost"}
            )
            user.is_staff = user.is_superuser = True
            user.set_password(options["admin_password"])
            user.save()
            self.stdout.write("Superuser 'admin' is ready for /admin/.")
            self.desk_accounts(options["admin_password"], writes_as=authors[AUTHORS[0]["slug"]])

        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content ready: {Article.objects.count()} articles ({created} new), "
                f"{Category.objects.count()} categories, {Author.objects.count()} authors."
            )
        )

    def desk_accounts(self, password: str, *, writes_as: Author) -> None:
        """A writer and an editor in the groups the migrations made, to try the workflow; left
        alone when they are already as asked (running the command again changes nothing)."""
        for username, group in (("writer", "Writers"), ("editor", "Editors")):
            user, created = get_user_model().objects.get_or_create(
                username=username, defaults={"email": f"{username}@localhost"}
            )
            if (
                created
                or not user.is_staff
                or user.is_superuser
                or not user.check_password(password)
            ):
                user.is_staff, user.is_superuser = True, False
                user.set_password(password)
                user.save()
            user.groups.set(Group.objects.filter(name=group))
            if username == "writer" and writes_as.user_id != user.pk:
                writes_as.user = user
                writes_as.save(update_fields=["user"])
        self.stdout.write("Staff 'writer' (Writers) and 'editor' (Editors) are ready too.")


def assign(instance, values: dict) -> bool:
    """Set the fields that differ from `values`: True if any did."""
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, values[name])
    return bool(changed)


def upsert(model, *, slug: str, values: dict):
    """The row with this slug, created or brought up to `values`; saved only if it changed, so
    running the command again moves nothing (no modified time, no dropped page)."""
    instance = model.objects.filter(slug=slug).first() or model(slug=slug)
    if assign(instance, values) or instance.pk is None:
        instance.full_clean()
        instance.save()
    return instance
