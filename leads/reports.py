"""The content-attribution report: which articles and campaigns bring information requests.

Numbers come from a few aggregate queries; the charts are SVG geometry computed here and drawn by
the template, so the page needs no script.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from math import sqrt
from statistics import median

from django import forms
from django.db.models import Count, Min, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from articles.models import Article

from .models import ArticleDayViews, Lead, Submission

DEFAULT_DAYS = 90


class DateRangeForm(forms.Form):
    start = forms.DateField(
        required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    end = forms.DateField(
        required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )

    def date_range(self) -> tuple[date, date]:
        today = timezone.localdate()
        start, end = today - timedelta(days=DEFAULT_DAYS - 1), today
        if self.is_bound and self.is_valid():
            start = self.cleaned_data["start"] or start
            end = self.cleaned_data["end"] or end
        if start > end:
            start, end = end, start
        return start, end


# Ranking rule: an article is ranked by conversion only with at least MIN_REQUESTS_TO_RANK
# requests in the period, and then by the lower end of the 95% Wilson score interval of its
# rate, not by the rate itself: one request on twenty views (5%) is no evidence against ten on
# four hundred (2.5%), and the lower bound says so (0.9% against 1.4%).
MIN_REQUESTS_TO_RANK = 3
WILSON_Z = 1.96  # 95%


def wilson_lower_bound(successes: int, trials: int, z: float = WILSON_Z) -> float:
    """The lower end of the Wilson score interval of a rate: small samples rank low."""
    if trials <= 0:
        return 0.0
    successes = min(successes, trials)
    rate = successes / trials
    spread = z * sqrt(rate * (1 - rate) / trials + z * z / (4 * trials * trials))
    return (rate + z * z / (2 * trials) - spread) / (1 + z * z / trials)


@dataclass
class ArticleRow:
    title: str
    url: str
    views: int
    requests: int

    @property
    def conversion_percent(self) -> float | None:
        return round(100 * self.requests / self.views, 2) if self.views else None

    @property
    def is_ranked(self) -> bool:
        return self.requests >= MIN_REQUESTS_TO_RANK and self.views > 0

    @property
    def chart_label(self) -> str:
        title = self.title if len(self.title) <= 70 else self.title[:69] + "…"
        return f"{title}: {self.requests} requests, {self.views} views"

    @property
    def lower_bound_percent(self) -> float:
        return round(100 * wilson_lower_bound(self.requests, self.views), 2)


@dataclass
class AttributionReport:
    start: date
    end: date
    total: int = 0
    # The article table's period: the chosen one, or from the first day views were counted.
    views_start: date | None = None
    articles: list[ArticleRow] = field(default_factory=list)
    campaigns: list[dict] = field(default_factory=list)
    weekly: list[tuple[str, int]] = field(default_factory=list)
    min_requests_to_rank: int = MIN_REQUESTS_TO_RANK

    @property
    def views_cover_the_period(self) -> bool:
        return self.views_start == self.start

    @property
    def top_by_conversion(self) -> list[ArticleRow]:
        ranked = [row for row in self.articles if row.is_ranked]
        return sorted(ranked, key=lambda row: (-row.lower_bound_percent, -row.requests))[:8]


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def attribution_report(*, start: date, end: date) -> AttributionReport:
    """Requests in the period, and per article its requests and views of one same period: the
    chosen one, or, where views were not yet counted by day, from the first day they were."""
    since, until = _bounds(start, end)
    submissions = Submission.objects.filter(created_at__gte=since, created_at__lt=until)
    report = AttributionReport(start=start, end=end, total=submissions.count())

    first_counted = ArticleDayViews.objects.aggregate(first=Min("day"))["first"]
    if first_counted is not None and first_counted <= end:
        report.views_start = max(start, first_counted)
        views_by_article = dict(
            ArticleDayViews.objects.filter(day__gte=report.views_start, day__lte=end)
            .values("article")
            .annotate(n=Sum("views"))
            .values_list("article", "n")
        )
        article_since, _ = _bounds(report.views_start, end)
    else:
        views_by_article, article_since = {}, since
    requests_by_article = dict(
        Submission.objects.filter(created_at__gte=article_since, created_at__lt=until)
        .exclude(article=None)
        .values("article")
        .annotate(n=Count("pk"))
        .values_list("article", "n")
    )
    articles = Article.objects.published().only("title", "slug")
    report.articles = sorted(
        (
            ArticleRow(
                title=article.title,
                url=article.get_absolute_url(),
                views=views_by_article.get(article.pk, 0),
                requests=requests_by_article.get(article.pk, 0),
            )
            for article in articles
        ),
        key=lambda row: (-row.requests, -row.views, row.title),
    )
    report.campaigns = [
        {**row, "share_percent": round(100 * row["requests"] / report.total, 1)}
        for row in submissions.values("utm_source", "utm_campaign")
        .annotate(requests=Count("pk"))
        .order_by("-requests", "utm_source", "utm_campaign")[:30]
    ]

    weekly = dict(
        submissions.annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(n=Count("pk"))
        .values_list("week", "n")
    )
    weekly = {
        (key.date() if isinstance(key, datetime) else key): count for key, count in weekly.items()
    }
    week = start - timedelta(days=start.weekday())
    while week <= end:
        report.weekly.append((week.strftime("%b %-d"), weekly.get(week, 0)))
        week += timedelta(days=7)
    return report


@dataclass
class Bar:
    label: str
    value: float
    x: float
    y: float
    width: float
    height: float
    label_x: float
    label_y: float
    value_x: float
    value_y: float


@dataclass
class Chart:
    width: int
    height: int
    bars: list[Bar]
    baseline_y: float = 0
    title: str = ""
    unit: str = ""
    empty: bool = False


def bar_chart(points: list[tuple[str, float]], *, title: str = "", height: int = 220) -> Chart:
    """Vertical bars, one a point (requests per week)."""
    width = max(320, 48 * len(points) + 40)
    top, bottom, left = 20, 40, 20
    plot_height = height - top - bottom
    peak = max((value for _, value in points), default=0) or 1
    slot = (width - left * 2) / max(len(points), 1)
    bars = []
    for index, (label, value) in enumerate(points):
        bar_height = plot_height * value / peak
        x = left + index * slot + slot * 0.15
        y = top + plot_height - bar_height
        bars.append(
            Bar(
                label=label,
                value=value,
                x=round(x, 1),
                y=round(y, 1),
                width=round(slot * 0.7, 1),
                height=round(bar_height, 1),
                label_x=round(x + slot * 0.35, 1),
                label_y=height - bottom + 16,
                value_x=round(x + slot * 0.35, 1),
                value_y=round(y - 4, 1),
            )
        )
    return Chart(
        width=int(width),
        height=height,
        bars=bars,
        baseline_y=top + plot_height,
        title=title,
        empty=not any(value for _, value in points),
    )


def horizontal_bar_chart(points: list[tuple[str, float]], *, unit: str = "") -> Chart:
    """Horizontal bars with their labels above (top articles by conversion)."""
    width, row_height, label_room = 640, 44, 18
    height = max(row_height * len(points) + 10, 60)
    peak = max((value for _, value in points), default=0) or 1
    bars = []
    for index, (label, value) in enumerate(points):
        y = index * row_height + label_room
        bar_width = (width - 80) * value / peak
        bars.append(
            Bar(
                label=label,
                value=value,
                x=0,
                y=y,
                width=round(bar_width, 1),
                height=row_height - label_room - 8,
                label_x=0,
                label_y=y - 5,
                value_x=round(bar_width + 6, 1),
                value_y=y + 13,
            )
        )
    return Chart(width=width, height=height, bars=bars, unit=unit, empty=not points)


SPEED_DAYS = 30


@dataclass
class SpeedToLead:
    """How fast one group of leads (all, a coach's, a program's) was first contacted."""

    label: str
    waits: list[timedelta] = field(default_factory=list)  # request to first contact
    waiting: int = 0  # not contacted yet
    over_target: int = 0  # of those, waiting longer than the target
    closed_unheard: int = 0  # closed without a recorded contact
    within_target: int = 0  # contacted within the target

    @property
    def contacted(self) -> int:
        return len(self.waits)

    @property
    def median(self) -> timedelta | None:
        return median(self.waits) if self.waits else None

    @property
    def within_target_percent(self) -> int | None:
        return round(100 * self.within_target / self.contacted) if self.waits else None


@dataclass
class SpeedReport:
    since: datetime
    target: timedelta
    overall: SpeedToLead
    by_coach: list[SpeedToLead]
    by_program: list[SpeedToLead]


def speed_to_lead(*, target: timedelta, now: datetime, days: int = SPEED_DAYS) -> SpeedReport:
    """Time from request to first recorded contact over the leads requested in the last `days`
    days that were contacted; beside it, how many still wait (and how many of them longer
    than the target) and how many were closed unheard, which a median over contacted leads alone
    would hide. One query."""
    since = now - timedelta(days=days)
    rows = Lead.objects.filter(created_at__gte=since).values_list(
        "created_at",
        "first_contacted_at",
        "awaiting_contact_since",
        "status",
        "owner_id",
        "owner__username",
        "owner__first_name",
        "owner__last_name",
        "program_id",
        "program__name",
    )
    overall = SpeedToLead("All coaches")
    coaches: dict[int | None, SpeedToLead] = {}
    programs: dict[int | None, SpeedToLead] = {}
    for (
        created,
        contacted,
        awaiting,
        status,
        owner_id,
        username,
        first,
        last,
        program_id,
        name,
    ) in rows:
        coach = coaches.setdefault(
            owner_id,
            SpeedToLead(" ".join(filter(None, (first, last))) or username or "Unassigned"),
        )
        program = programs.setdefault(program_id, SpeedToLead(name or "No program"))
        for group in (overall, coach, program):
            if contacted is not None:
                group.waits.append(contacted - created)
                group.within_target += contacted - created <= target
            elif awaiting is not None:
                group.waiting += 1
                group.over_target += now - awaiting > target
            elif status in Lead.CLOSED_STATUSES:
                group.closed_unheard += 1

    def ordered(groups: dict) -> list[SpeedToLead]:
        return sorted(groups.values(), key=lambda group: (group.label == "Unassigned", group.label))

    return SpeedReport(
        since=since,
        target=target,
        overall=overall,
        by_coach=ordered(coaches),
        by_program=ordered(programs),
    )
