import io
from datetime import timedelta

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from articles.models import Article, Author, Category, FAQItem, SitePage, Tag


def image_bytes(size=(1600, 900), image_format="JPEG", color=(40, 90, 160), **save_kwargs) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, image_format, **save_kwargs)
    return buffer.getvalue()


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Sequence(lambda n: f"Author {n}")
    slug = factory.Sequence(lambda n: f"author-{n}")
    role = "ML Engineer"
    bio = "Writes about machine learning careers."


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    name = factory.Sequence(lambda n: f"Tag {n}")
    slug = factory.Sequence(lambda n: f"tag-{n}")


class ArticleFactory(factory.django.DjangoModelFactory):
    """A live article by default; `draft` and `scheduled` traits for the other states."""

    class Meta:
        model = Article
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Machine learning careers, part {n}")
    slug = factory.Sequence(lambda n: f"ml-careers-{n}")
    dek = "What the job is, what it pays and how to get there."
    body = "## What the job is\n\nBuilding models and the systems around them.\n\n- Python\n- SQL\n"
    author = factory.SubFactory(AuthorFactory)
    category = factory.SubFactory(CategoryFactory)
    status = Article.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))

    class Params:
        draft = factory.Trait(status=Article.Status.DRAFT, published_at=None)
        scheduled = factory.Trait(
            published_at=factory.LazyFunction(lambda: timezone.now() + timedelta(days=2))
        )
        with_image = factory.Trait(
            featured_image=factory.LazyFunction(
                lambda: ContentFile(image_bytes(), name="featured.jpg")
            ),
            featured_image_alt="A chart of machine learning job postings",
        )

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.set(extracted)


class FAQItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FAQItem

    article = factory.SubFactory(ArticleFactory)
    question = factory.Sequence(lambda n: f"Question {n}?")
    answer = "An answer in a few words."
    position = factory.Sequence(int)


class SitePageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SitePage

    title = "Privacy policy"
    slug = "privacy"
    summary = "What we keep about our readers."
    body = "## What we keep\n\nYour name and the text of your comment."


def editorial_group(name: str):
    """The group the data migration makes; made again after a transactional test flushed it."""
    import importlib

    from django.contrib.auth.models import Group, Permission

    migration = importlib.import_module("articles.migrations.0010_writers_and_editors_groups")
    group, created = Group.objects.get_or_create(name=name)
    if created:
        group.permissions.set(
            Permission.objects.filter(
                content_type__app_label="articles", codename__in=migration.PERMISSIONS[name]
            )
        )
    return group


def staff_member(group: str, username: str, *, with_author: bool = True):
    """A staff account in a group made by the migrations (Writers, Editors), writing as an author
    of its own."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(
        username, email=f"{username}@example.com", password="pw", is_staff=True
    )
    user.groups.add(editorial_group(group))
    if with_author:
        AuthorFactory(name=username.title(), slug=username, user=user)
    return user
