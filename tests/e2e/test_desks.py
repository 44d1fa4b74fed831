"""The coaches' and moderators' desks in Chromium: a coach takes, works and exports a lead; a
moderator approves, replies and marks spam from the comment's page and the list; every list and
change page of both desks fits a 1366 px laptop without sideways scrolling."""

import csv
import io
import re

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import Page, expect

from comments.models import Comment
from leads.models import Lead, ProgramCoach
from tests.articles.factories import ArticleFactory
from tests.comments.factories import CommentFactory
from tests.leads.factories import LeadFactory, ProgramFactory, SubmissionFactory
from tests.roles import staff_member

from .conftest import DESKTOP_USER_AGENT

PASSWORD = "pw"  # tests.roles.staff_member's

# What scrolls sideways: the page itself, or any box that scrolls (the admin's result lists).
SIDEWAYS = """() => {
  const found = [];
  if (document.scrollingElement.scrollWidth > window.innerWidth) {
    found.push(`the page is ${document.scrollingElement.scrollWidth} px wide`);
  }
  for (const box of document.querySelectorAll("body *")) {
    const overflow = getComputedStyle(box).overflowX;
    if ((overflow === "auto" || overflow === "scroll") && box.scrollWidth > box.clientWidth + 1) {
      const name = box.id || box.className || box.tagName;
      found.push(`${name}: ${box.scrollWidth} > ${box.clientWidth}`);
    }
  }
  return found;
}"""


@pytest.fixture(autouse=True)
def _desk(transactional_db):
    cache.clear()


def sign_in(page: Page, live_server, username: str, path: str = "/admin/") -> None:
    page.goto(f"{live_server.url}/admin/login/?next={path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


@pytest.fixture
def laptop(browser):
    context = browser.new_context(
        viewport={"width": 1366, "height": 800}, user_agent=DESKTOP_USER_AGENT
    )
    yield context.new_page()
    context.close()


def long_lead() -> Lead:
    """A lead whose values are as long as real ones get: addresses, campaigns, a message."""
    article = ArticleFactory(title="Building an ML Portfolio That Actually Gets Interviews")
    lead = LeadFactory(
        first_name="Maximiliana",
        last_name="Oyelaran-Castellanos",
        email="maximiliana.oyelaran-castellanos@university-of-somewhere.example.com",
        phone="+442079460958",
        country="GB",
        program=ProgramFactory(name="Machine Learning Engineering Bootcamp (evening cohort)"),
    )
    page = article.get_absolute_url() + "?utm_source=newsletter&utm_campaign=" + "spring-" * 12
    SubmissionFactory(
        lead=lead,
        article=article,
        page=page,
        landing_page=page,
        landing_referrer="https://news.example.com/" + "issue-" * 20,
        message="When does the next cohort start? " * 12 + "https://example.com/" + "x" * 120,
        utm_source="newsletter",
        utm_campaign="spring-2026-portfolio-series-" * 4,
        last_utm_source="linkedin",
        last_utm_campaign="retargeting-" * 8,
    )
    return lead


def test_a_coach_takes_works_and_exports_a_lead(live_server, page: Page, tmp_path):
    coach = staff_member("coach", "cora", first_name="Cora", last_name="Coach")
    lead = LeadFactory(first_name="Grace", last_name="Hopper", phone="+442079460958")
    SubmissionFactory(lead=lead, message="Evening classes?", utm_source="newsletter")
    sign_in(page, live_server, "cora", "/admin/leads/lead/?owner=none")

    # Unassigned, shown as such; "Assign to me" from the list.
    row = page.locator("#result_list tbody tr", has_text="Grace Hopper")
    expect(row).to_contain_text("Unassigned")
    row.locator("input.action-select").check()
    page.locator("select[name=action]").select_option("assign_to_me")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_contain_text("1 lead(s) assigned to you.")
    lead.refresh_from_db()
    assert lead.owner == coach

    # The lead's page shows the owner; logging a call and saving keeps every other value.
    page.goto(f"{live_server.url}{lead.get_admin_url()}")
    expect(page.get_by_label("Owner:")).to_have_value(str(coach.pk))
    notes = page.locator("#notes-group")
    notes.locator("select[name='notes-0-kind']").select_option("call")
    notes.locator("textarea[name='notes-0-text']").fill("Called: wants the evening cohort.")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    lead.refresh_from_db()
    assert (lead.owner, lead.status, lead.phone) == (coach, "contacted", "+442079460958")
    assert lead.first_contacted_at is not None
    expect(page.get_by_label("Owner:")).to_have_value(str(coach.pk))

    # Export the selection to CSV, as a spreadsheet or a CRM import reads it.
    page.goto(f"{live_server.url}/admin/leads/lead/")
    page.locator("#result_list tbody tr", has_text="Grace Hopper").locator(
        "input.action-select"
    ).check()
    page.locator("select[name=action]").select_option("export_csv")
    with page.expect_download() as download:
        page.get_by_role("button", name="Go").click()
    saved = tmp_path / "leads.csv"
    download.value.save_as(saved)
    (exported,) = csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8-sig")))
    assert (exported["email"], exported["phone"], exported["owner"]) == (
        lead.email,
        "+442079460958",
        "Cora Coach",
    )
    assert exported["message"] == "Evening classes?"
    assert exported["requested_at"].endswith("Z")


def test_a_new_request_is_routed_to_the_next_coach_shown_in_the_list(live_server, page: Page):
    ana, ben = staff_member("coach", "ana"), staff_member("coach", "ben")
    program = ProgramFactory(name="Data Science Certificate")
    ProgramCoach.objects.create(program=program, coach=ana, last_assigned_at=timezone.now())
    ProgramCoach.objects.create(program=program, coach=ben)
    from leads.services import lead_submit
    from tests.leads.test_services import lead_request

    lead_submit(request=lead_request(program, first_name="Routed", email="routed@example.com"))
    sign_in(page, live_server, "ana", "/admin/leads/lead/")

    expect(page.locator("#result_list tbody tr", has_text="Routed")).to_contain_text("ben")


def test_a_moderator_approves_replies_and_marks_spam_from_the_comment_page_and_the_list(
    live_server, page: Page, browser
):
    staff_member("moderator", "mona")
    article = ArticleFactory(title="How to become a machine learning engineer")
    question = CommentFactory(article=article, author_name="Ada Reader", body="Where to start?")
    held = CommentFactory(
        parent=question, pending=True, author_name="Bo Learner", body="Same question: maths?"
    )
    spam = CommentFactory(article=article, pending=True, author_name="Spammer", body="Buy now")
    sign_in(page, live_server, "mona", f"/admin/comments/comment/{held.pk}/change/")

    # The comment's page: its whole thread, then Approve.
    thread = page.locator(".comment-thread")
    expect(thread).to_contain_text("Where to start?")
    expect(thread.locator("[aria-current=true]")).to_contain_text("Same question: maths?")
    page.locator(".comment-moderate").get_by_role("button", name="Approve").click()
    expect(page.locator(".messagelist")).to_contain_text("is now “Approved”")
    held.refresh_from_db()
    assert held.status == Comment.Status.APPROVED

    # A reply as the site, from the same page; readers see it at once.
    page.get_by_label("Your reply, shown on the site").fill("Start with linear algebra.")
    page.get_by_role("button", name="Reply").click()
    expect(page.locator(".messagelist")).to_contain_text("Your reply is on the site.")
    reader = browser.new_context(user_agent=DESKTOP_USER_AGENT).new_page()
    reader.goto(live_server.url + article.get_absolute_url())
    expect(reader.locator(f"#comment-{held.pk}")).to_contain_text("Start with linear algebra.")
    reader.context.close()

    # Spam from its row in the list, back to the same filtered list.
    page.goto(f"{live_server.url}/admin/comments/comment/?status__exact=pending")
    page.locator("#result_list tbody tr", has_text="Spammer").get_by_role(
        "button", name=re.compile(r"^Spam \(")
    ).click()
    expect(page.locator(".messagelist")).to_contain_text("is now “Spam”")
    expect(page).to_have_url(f"{live_server.url}/admin/comments/comment/?status__exact=pending")
    spam.refresh_from_db()
    assert spam.status == Comment.Status.SPAM


def test_every_list_and_change_page_of_the_desks_fits_a_laptop(live_server, laptop: Page):
    staff_member("coach", "root", is_superuser=True)  # sees every page of both desks
    lead = long_lead()
    owner = staff_member("coach", "owner-with-a-rather-long-username")
    Lead.objects.filter(pk=lead.pk).update(owner=owner)
    ProgramCoach.objects.create(program=lead.program, coach=owner)
    for n in range(3):
        LeadFactory(first_name=f"Person{n}", email=f"someone.with.a.long.address{n}@example.com")
    article = lead.submissions.get().article
    root = CommentFactory(article=article, body="A question " * 40, author_name="Ada " * 10)
    reply = CommentFactory(parent=root, pending=True, body="https://example.com/" + "y" * 200)
    from leads.services import leads_escalate_overdue

    Lead.objects.filter(pk=lead.pk).update(awaiting_contact_since=timezone.now().replace(year=2025))
    leads_escalate_overdue()
    submission = lead.submissions.get()
    pages = [
        "/admin/leads/lead/",
        lead.get_admin_url(),
        "/admin/leads/lead/queue/",
        "/admin/leads/lead/attribution/",
        "/admin/leads/submission/",
        f"/admin/leads/submission/{submission.pk}/change/",
        "/admin/leads/program/",
        f"/admin/leads/program/{lead.program_id}/change/",
        "/admin/leads/coachemail/",
        "/admin/leads/consenttext/",
        "/admin/leads/webhookdelivery/",
        "/admin/leads/contacttarget/",
        "/admin/comments/comment/",
        f"/admin/comments/comment/{reply.pk}/change/",
        f"/admin/comments/comment/{reply.pk}/reply/",
        "/admin/comments/moderationterm/",
        "/admin/comments/notification/",
    ]
    sign_in(laptop, live_server, "root")

    wide = {}
    for path in pages:
        laptop.goto(live_server.url + path)
        expect(laptop.locator("#content")).to_be_visible()
        found = laptop.evaluate(SIDEWAYS)
        if found:
            wide[path] = found
    assert not wide, wide
