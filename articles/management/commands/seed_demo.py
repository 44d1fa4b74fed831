from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from articles.demo import AUTHORS, CATEGORIES, demo_articles, draw_featured_image
from articles.models import Article, Author, Category, FAQItem, Tag
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
        categories = {}
        for position, data in enumerate(CATEGORIES):
            categories[data["slug"]], _ = Category.objects.update_or_create(
                slug=data["slug"],
                defaults={
                    "name": data["name"],
                    "description": data["description"],
                    "position": position,
                },
            )
        palettes = {data["slug"]: data["palette"] for data in CATEGORIES}
        authors = {}
        for data in AUTHORS:
            authors[data["slug"]], _ = Author.objects.update_or_create(
                slug=data["slug"],
                defaults={"name": data["name"], "role": data["role"], "bio": data["bio"]},
            )

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
            article.title = demo.title
            article.dek = demo.dek
            article.body = demo.body
            article.category = categories[demo.category]
            article.author = authors[demo.author]
            article.status = demo.status
            article.is_featured = demo.featured
            article.featured_image_alt = demo.image_alt
            article.featured_image_caption = demo.image_caption
            if not article.featured_image:
                article.featured_image.save(
                    f"{demo.slug}.jpg",
                    ContentFile(draw_featured_image(demo.slug, palettes[demo.category])),
                    save=False,
                )
            article.full_clean()
            article.save()
            article.tags.set(
                Tag.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0]
                for name in demo.tags
            )
            article.faqs.all().delete()
            FAQItem.objects.bulk_create(
                FAQItem(article=article, question=question, answer=answer, position=position)
                for position, (question, answer) in enumerate(demo.faqs)
            )
            article.update_reading_time()
            if is_new and article.published_at:
                # A demo article has not been edited since it came out: no "Updated" date.
                Article.objects.filter(pk=article.pk).update(updated_at=article.published_at)

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
        """A writer and an editor in the groups the migrations made, to try the workflow."""
        for username, group in (("writer", "Writers"), ("editor", "Editors")):
            user, _ = get_user_model().objects.get_or_create(
                username=username, defaults={"email": f"{username}@localhost"}
            )
            user.is_staff, user.is_superuser = True, False
            user.set_password(password)
            user.save()
            user.groups.set(Group.objects.filter(name=group))
            if username == "writer":
                writes_as.user = user
                writes_as.save(update_fields=["user"])
        self.stdout.write("Staff 'writer' (Writers) and 'editor' (Editors) are ready too.")
