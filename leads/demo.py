"""Demo programs and a few demo requests, added when `manage.py seed_demo` loads the articles."""

from datetime import timedelta

from django.utils import timezone

from articles.models import Article

from .models import ConsentRecord, ConsentText, Lead, Program, Submission

PROGRAMS = [
    ("machine-learning-engineering", "Machine Learning Engineering Bootcamp"),
    ("data-science-certificate", "Data Science Certificate"),
    ("mlops-and-deployment", "MLOps and Model Deployment"),
    ("ai-product-management", "AI Product Management"),
    ("applied-deep-learning", "Applied Deep Learning (part-time)"),
]

DEMO_LEADS = [
    # first, last, e-mail, program, status, days ago, utm source, campaign
    ("Ada", "Okafor", "ada.okafor@example.com", 0, Lead.Status.NEW, 0, "newsletter", "spring"),
    ("Bruno", "Silva", "bruno.silva@example.com", 1, Lead.Status.NEW, 2, "google", "brand"),
    ("Chen", "Wei", "chen.wei@example.com", 2, Lead.Status.CONTACTED, 5, "linkedin", "mlops"),
    ("Dana", "Levi", "dana.levi@example.com", 0, Lead.Status.QUALIFIED, 9, "", ""),
    ("Emil", "Nowak", "emil.nowak@example.com", 3, Lead.Status.ENROLLED, 20, "google", "brand"),
]


def seed(sender=None, stdout=None, **kwargs) -> None:
    for position, (slug, name) in enumerate(PROGRAMS):
        Program.objects.update_or_create(
            slug=slug, defaults={"name": name, "position": position, "is_active": True}
        )
    programs = list(Program.objects.filter(slug__in=[slug for slug, _ in PROGRAMS]))
    programs.sort(key=lambda program: program.position)
    articles = list(Article.objects.published()[:3])
    consent = ConsentText.objects.current()
    now = timezone.now()
    created = 0
    for index, (first, last, email, program, status, days, source, campaign) in enumerate(
        DEMO_LEADS
    ):
        when = now - timedelta(days=days, hours=index)
        lead, is_new = Lead.objects.get_or_create(
            email=email,
            defaults={
                "first_name": first,
                "last_name": last,
                "program": programs[program],
                "status": status,
                "created_at": when,
                "last_submitted_at": when,
                "first_contacted_at": None if status == Lead.Status.NEW else when,
                "closed_at": when if status in Lead.CLOSED_STATUSES else None,
            },
        )
        if not is_new:
            continue
        created += 1
        article = articles[index % len(articles)] if articles else None
        submission = Submission.objects.create(
            lead=lead,
            program=programs[program],
            first_name=first,
            last_name=last,
            email=email,
            message="I would like to know about start dates and fees.",
            page=article.get_absolute_url() if article else "/get-info/",
            article=article,
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
    if stdout is not None:
        stdout.write(f"Leads: {len(PROGRAMS)} programs, {created} new demo requests.")
