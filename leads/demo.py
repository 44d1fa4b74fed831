"""Demo programs, coaches and requests, added when `manage.py seed_demo` loads the articles.

Safe to run again: what exists is left as it is (a program staff renamed, coaches they moved),
only what is missing is added.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from articles.models import Article

from .models import (
    COACHES_GROUP,
    ArticleDayViews,
    ConsentRecord,
    ConsentText,
    Lead,
    Program,
    ProgramCoach,
    Submission,
)

PROGRAMS = [
    ("machine-learning-engineering", "Machine Learning Engineering Bootcamp"),
    ("data-science-certificate", "Data Science Certificate"),
    ("mlops-and-deployment", "MLOps and Model Deployment"),
    ("ai-product-management", "AI Product Management"),
    ("applied-deep-learning", "Applied Deep Learning (part-time)"),
]

# username, first name, last name, active. Their passwords are unusable: an administrator sets
# one (`manage.py changepassword amira.haddad`) to sign in as a coach.
COACHES = [
    ("amira.haddad", "Amira", "Haddad", True),
    ("ben.okoro", "Ben", "Okoro", True),
    ("carla.mendes", "Carla", "Mendes", True),
    ("dev.patel", "Dev", "Patel", False),  # left the team: routing skips him
]

# program: (lead coach, coaches in turn). The part-time program has none: its requests stay
# unassigned, as the desk shows.
ROUTING = {
    "machine-learning-engineering": ("amira.haddad", ["amira.haddad", "ben.okoro"]),
    "data-science-certificate": ("ben.okoro", ["ben.okoro", "carla.mendes"]),
    "mlops-and-deployment": ("carla.mendes", ["carla.mendes", "dev.patel"]),
    "ai-product-management": ("amira.haddad", ["amira.haddad"]),
}

N, C, Q, A, E, X = (
    Lead.Status.NEW,
    Lead.Status.CONTACTED,
    Lead.Status.QUALIFIED,
    Lead.Status.APPLIED,
    Lead.Status.ENROLLED,
    Lead.Status.NOT_INTERESTED,
)
DEMO_LEADS = [
    # first, last, program, status, requested (hours ago), first contact after (minutes), owner,
    # source article (index), utm source, campaign
    ("Ada", "Okafor", 0, N, 0.3, None, "amira.haddad", 0, "newsletter", "spring"),
    ("Bruno", "Silva", 1, N, 2, None, "ben.okoro", 1, "google", "brand"),
    ("Chen", "Wei", 2, C, 120, 35, "carla.mendes", 2, "linkedin", "mlops"),
    ("Dana", "Levi", 0, Q, 216, 150, "ben.okoro", 0, "", ""),
    ("Emil", "Nowak", 3, E, 480, 50, "amira.haddad", 1, "google", "brand"),
    ("Farah", "Ali", 4, N, 3, None, None, 2, "newsletter", "spring"),
    ("Goran", "Ivic", 1, C, 72, 240, "carla.mendes", 0, "linkedin", "ds"),
    ("Hana", "Sato", 0, X, 290, None, "ben.okoro", 1, "", ""),
    ("Ines", "Duarte", 2, A, 360, 25, "carla.mendes", 2, "google", "mlops"),
    ("Jon", "Berg", 0, C, 150, 70, "amira.haddad", 0, "newsletter", "spring"),
]  # fmt: skip

VIEW_DAYS = 30


def _coaches() -> dict:
    group, _ = Group.objects.get_or_create(name=COACHES_GROUP)
    users = {}
    for username, first, last, active in COACHES:
        user, created = get_user_model().objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@example.com",
                "is_staff": True,
                "is_active": active,
            },
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            user.groups.add(group)
        users[username] = user
    return users


def _routing(programs: dict, coaches: dict) -> None:
    """Routing of a program that has none yet (no coaches, no lead coach); a program staff
    configured, or emptied on purpose since, keeps what they chose."""
    for slug, (lead_coach, names) in ROUTING.items():
        program = programs.get(slug)
        if program is None or program.lead_coach_id or program.routing.exists():
            continue
        program.lead_coach = coaches[lead_coach]
        program.save(update_fields=["lead_coach"])
        ProgramCoach.objects.bulk_create(
            ProgramCoach(program=program, coach=coaches[name]) for name in names
        )


def _daily_views(articles: list[Article], today) -> int:
    """A month of views for the demo articles that have none counted by day yet."""
    added = 0
    for index, article in enumerate(articles):
        if ArticleDayViews.objects.filter(article=article).exists():
            continue
        ArticleDayViews.objects.bulk_create(
            ArticleDayViews(
                article=article,
                day=today - timedelta(days=day),
                views=20 + (index * 13 + day * 7) % 45,
            )
            for day in range(VIEW_DAYS)
        )
        added += 1
    return added


def seed(sender=None, stdout=None, **kwargs) -> None:
    programs = {}
    for position, (slug, name) in enumerate(PROGRAMS):
        programs[slug], _ = Program.objects.get_or_create(
            slug=slug, defaults={"name": name, "position": position, "is_active": True}
        )
    ordered = [programs[slug] for slug, _ in PROGRAMS]
    coaches = _coaches()
    _routing(programs, coaches)
    articles = list(Article.objects.published()[:3])
    consent = ConsentText.objects.current()
    now = timezone.now()
    created = 0
    for (
        first,
        last,
        program,
        status,
        hours,
        minutes,
        owner,
        article,
        source,
        campaign,
    ) in DEMO_LEADS:
        email = f"{first}.{last}@example.com".lower()
        when = now - timedelta(hours=hours)
        contacted = when + timedelta(minutes=minutes) if minutes is not None else None
        lead, is_new = Lead.objects.get_or_create(
            email=email,
            defaults={
                "first_name": first,
                "last_name": last,
                "program": ordered[program],
                "status": status,
                "owner": coaches[owner] if owner else None,
                "created_at": when,
                "last_submitted_at": when,
                "first_contacted_at": contacted,
                "closed_at": (contacted or when + timedelta(days=1))
                if status in Lead.CLOSED_STATUSES
                else None,
            },
        )
        if not is_new:
            continue
        created += 1
        source_article = articles[article % len(articles)] if articles else None
        submission = Submission.objects.create(
            lead=lead,
            program=ordered[program],
            first_name=first,
            last_name=last,
            email=email,
            message="I would like to know about start dates and fees.",
            page=source_article.get_absolute_url() if source_article else "/get-info/",
            article=source_article,
            created_at=when,
            utm_source=source,
            utm_campaign=campaign,
            last_utm_source=source,
            last_utm_campaign=campaign,
            confirmation_status=Submission.Delivery.SKIPPED,
            notification_status=Submission.Delivery.SKIPPED,
        )
        ConsentRecord.objects.create(
            lead=lead,
            submission=submission,
            kind=ConsentRecord.Kind.GIVEN,
            consent_text=consent,
            wording=consent.text if consent else "",
            recorded_at=when,
        )
    viewed = _daily_views(list(Article.objects.published()), timezone.localdate(now))
    if stdout is not None:
        stdout.write(
            f"Leads: {len(PROGRAMS)} programs, {len(COACHES)} coaches, {created} new demo "
            f"requests, daily views for {viewed} article(s)."
        )
