"""Seeds a large data set for `make bench` into the configured database, fast (bulk inserts).

Idempotent by size: it adds only what is missing to reach the requested counts.
"""

import random
from datetime import datetime, timedelta

from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.utils import timezone

from articles.models import Article, Author, Category, FAQItem, Tag
from articles.rendering import reading_minutes, render_markdown

BODY = "\n\n".join(
    f"## Section {n}\n\n"
    + " ".join(["Machine learning engineers build, ship and run models in production."] * 12)
    + "\n\n- Python\n- SQL\n- Statistics\n"
    for n in range(1, 6)
)


@transaction.atomic
def seed_articles(count: int) -> list[int]:
    rng = random.Random(2026)
    categories = [
        Category.objects.get_or_create(slug=f"bench-cat-{n}", defaults={"name": f"Topic {n}"})[0]
        for n in range(6)
    ]
    authors = [
        Author.objects.get_or_create(
            slug=f"bench-author-{n}", defaults={"name": f"Bench Author {n}", "bio": "Writes."}
        )[0]
        for n in range(10)
    ]
    tags = [
        Tag.objects.get_or_create(slug=f"bench-tag-{n}", defaults={"name": f"Skill {n}"})[0]
        for n in range(30)
    ]
    existing = Article.objects.filter(slug__startswith="bench-").count()
    rendered = render_markdown(BODY)
    now = timezone.now()
    new = [
        Article(
            title=f"Benchmark article {n}: careers in machine learning",
            slug=f"bench-{n}",
            dek="A long-form guide used to measure the site under load.",
            body=BODY,
            body_html=rendered.html,
            table_of_contents=rendered.toc,
            word_count=rendered.word_count,
            reading_time=reading_minutes(rendered.word_count),
            author=rng.choice(authors),
            category=rng.choice(categories),
            status=Article.Status.PUBLISHED,
            published_at=now - timedelta(hours=n + 1),
            is_featured=n < 3,
        )
        for n in range(existing, count)
    ]
    Article.objects.bulk_create(new, batch_size=500)
    ids = list(Article.objects.filter(slug__startswith="bench-").values_list("pk", flat=True))
    Through = Article.tags.through
    Through.objects.filter(article_id__in=ids).delete()
    Through.objects.bulk_create(
        [
            Through(article_id=article_id, tag_id=tag.pk)
            for article_id in ids
            for tag in rng.sample(tags, 3)
        ],
        batch_size=2000,
    )
    if not FAQItem.objects.filter(article_id__in=ids).exists():
        FAQItem.objects.bulk_create(
            [
                FAQItem(article_id=article_id, question=f"Question {q}?", answer="An answer.")
                for article_id in ids[:200]
                for q in range(3)
            ]
        )
    if connection.vendor == "postgresql":
        head = SearchVector("title", weight="A", config="english") + SearchVector(
            "dek", weight="B", config="english"
        )
        Article.objects.filter(pk__in=ids).update(
            search_vector=head + SearchVector("body", weight="C", config="english"),
            search_rank_vector=head,
        )
    return ids


@transaction.atomic
def seed_comments(article_ids: list[int], *, total: int, on_first: int = 200) -> int:
    """`on_first` approved comments on the first article; the rest spread over the others."""
    from comments.models import Comment

    # Only the seeded comments count: the benchmark's POSTs add others (and remove them).
    existing = Comment.objects.filter(
        article_id__in=article_ids, author_email__startswith="reader"
    ).count()
    if existing >= total:
        join_threads(article_ids)
        return existing
    now = timezone.now()
    first, others = article_ids[0], article_ids[1:] or article_ids
    rows = []
    for n in range(existing, total):
        article_id = first if n < on_first else others[n % len(others)]
        rows.append(
            Comment(
                article_id=article_id,
                depth=1,
                author_name=f"Reader {n}",
                author_email=f"reader{n}@example.com",
                body="Thank you, this matches what I saw when I changed careers into ML. " * 2,
                status=Comment.Status.APPROVED,
                created_at=now - timedelta(minutes=total - n),
            )
        )
    Comment.objects.bulk_create(rows, batch_size=2000)
    render_missing_comment_html()
    join_threads(article_ids)
    return total


def render_missing_comment_html() -> None:
    """Bulk inserts skip `Comment.save()`, which makes each comment's HTML: made here instead."""
    from comments.models import Comment
    from comments.rendering import render_stored_html

    fields = ("pk", "author_name", "author_url", "body", "created_at")
    while batch := list(Comment.objects.filter(html="").only(*fields)[:2000]):
        Comment.objects.bulk_update(render_stored_html(batch), ["html"])


def rank_related_articles(article_ids) -> None:
    """Bulk inserts skip the receivers that rank related articles: ranked here instead, for the
    articles never ranked."""
    from articles.models import RelatedList
    from articles.related import related_lists_refresh

    _refresh_missing(RelatedList, article_ids, related_lists_refresh)


def join_threads(article_ids) -> None:
    """Bulk inserts skip the receivers that join each article's threads: joined here instead,
    for the articles whose threads were never joined."""
    from comments.models import Discussion
    from comments.services import discussion_refresh

    _refresh_missing(Discussion, article_ids, discussion_refresh)


def _refresh_missing(model, article_ids, refresh, *, batch: int = 200) -> None:
    """`refresh` the articles that have no row of `model` (keyed by the article) yet."""
    done = set(model.objects.filter(pk__in=article_ids).values_list("pk", flat=True))
    missing = [pk for pk in article_ids if pk not in done]
    for start in range(0, len(missing), batch):
        refresh(article_ids=missing[start : start + batch])


def seed_regulars(article_ids: list[int], *, count: int = 8) -> list[str]:
    """Readers who come back: each has an approved comment (on one of the least read articles), so
    that what they write next is approved at once (COMMENTS_APPROVE_KNOWN_AUTHORS). Returns their
    e-mail addresses."""
    from comments.models import Comment
    from comments.services import discussion_refresh

    emails = [f"regular{n}@example.com" for n in range(count)]
    known = set(
        Comment.objects.filter(author_email__in=emails, status=Comment.Status.APPROVED).values_list(
            "author_email", flat=True
        )
    )
    Comment.objects.bulk_create(
        Comment(
            article_id=article_ids[-1 - n % len(article_ids)],
            depth=1,
            author_name=f"Regular Reader {n}",
            author_email=email,
            body="I come back to this site every week: thank you for these guides.",
            status=Comment.Status.APPROVED,
        )
        for n, email in enumerate(emails)
        if email not in known
    )
    render_missing_comment_html()
    discussion_refresh(article_ids=[article_ids[-1 - n % len(article_ids)] for n in range(count)])
    return emails


def seed_programs() -> list:
    """The active programs the information request form offers."""
    from leads.models import Program

    return [
        Program.objects.get_or_create(
            slug=f"bench-program-{n}",
            defaults={"name": f"Machine learning program {n}", "position": n},
        )[0]
        for n in range(4)
    ]


@transaction.atomic
def seed_leads(article_ids: list[int], *, total: int) -> int:
    """`total` people who asked for information, each with one request and its consent record,
    spread over the articles and the last 180 days. E-mails are marked sent, so that running the
    task worker against this database sends nothing."""
    from leads.models import ConsentRecord, ConsentText, Lead, Submission

    programs = seed_programs()
    existing = Lead.objects.filter(email__startswith="bench-lead-").count()
    if existing >= total:
        return existing
    rng = random.Random(2027)
    consent = ConsentText.objects.current()
    now = timezone.now()
    stages = [""] + [stage for stage, _ in Lead.CareerStage.choices]
    statuses = [Lead.Status.NEW] * 5 + [Lead.Status.CONTACTED] * 3 + [Lead.Status.QUALIFIED]
    leads = []
    for n in range(existing, total):
        created_at = now - timedelta(minutes=rng.randrange(180 * 24 * 60))
        status = rng.choice(statuses)
        leads.append(
            Lead(
                first_name="Bench",
                last_name=f"Reader {n}",
                email=f"bench-lead-{n}@example.com",
                program=programs[n % len(programs)],
                career_stage=rng.choice(stages),
                country=rng.choice(["GB", "US", "DE", "IN", ""]),
                status=status,
                first_contacted_at=(
                    None if status == Lead.Status.NEW else created_at + timedelta(hours=5)
                ),
                created_at=created_at,
                last_submitted_at=created_at,
            )
        )
    Lead.objects.bulk_create(leads, batch_size=2000)
    sent, skipped = Submission.Delivery.SENT, Submission.Delivery.SKIPPED
    submissions = Submission.objects.bulk_create(
        [
            Submission(
                lead=lead,
                program=lead.program,
                first_name=lead.first_name,
                last_name=lead.last_name,
                email=lead.email,
                country=lead.country,
                career_stage=lead.career_stage,
                message="I would like to know more about the program.",
                created_at=lead.created_at,
                page="/get-info/",
                article_id=article_ids[n % len(article_ids)],
                confirmation_status=sent,
                notification_status=skipped,
                webhook_status=skipped,
            )
            for n, lead in enumerate(leads)
        ],
        batch_size=2000,
    )
    ConsentRecord.objects.bulk_create(
        [
            ConsentRecord(
                lead=submission.lead,
                submission=submission,
                kind=ConsentRecord.Kind.GIVEN,
                consent_text=consent,
                wording=consent.text if consent else "",
                recorded_at=submission.created_at,
            )
            for submission in submissions
        ],
        batch_size=2000,
    )
    return total


def remove_submissions(email_prefix: str, *, since: datetime) -> None:
    """Delete the comments and information requests a benchmark or load test sent (their e-mail
    addresses start with `email_prefix`), with the e-mails queued for them and the sessions
    opened since the run began (a comment's writer gets one), so that the data set stays the
    same from one run to the next. Only for the benchmark's and the load test's own databases."""
    from django.conf import settings
    from django.contrib.sessions.models import Session
    from django_tasks_db.models import DBTaskResult

    from comments.models import Comment
    from leads.models import Lead, Submission

    submissions = list(
        Submission.objects.filter(email__startswith=email_prefix).values_list("pk", flat=True)
    )
    with transaction.atomic():
        Comment.objects.filter(author_email__startswith=email_prefix).delete()
        Lead.objects.filter(email__startswith=email_prefix).delete()
        DBTaskResult.objects.filter(
            task_path__startswith="leads.", args_kwargs__kwargs__submission_id__in=submissions
        ).delete()
        opened_since = since + timedelta(seconds=settings.SESSION_COOKIE_AGE)
        Session.objects.filter(expire_date__gte=opened_since).delete()
