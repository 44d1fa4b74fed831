"""Each spam and moderation rule, alone (pure) and through the submit service (stored reasons)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comments.models import Comment, ModerationTerm
from comments.moderation import Context, Submission, Verdict, decide
from comments.services import comment_submit

from .factories import CommentFactory, ModerationTermFactory


def submission(**overrides) -> Submission:
    values = {
        "name": "Ada Reader",
        "email": "ada@example.com",
        "url": "",
        "body": "A fair and friendly comment.",
        "seconds_to_submit": 30.0,
    }
    values.update(overrides)
    return Submission(**values)


def test_filled_honeypot_is_spam():
    decision = decide(submission(honeypot="http://cheap-pills.example"), Context())
    assert decision.verdict == Verdict.SPAM
    assert decision.reasons == ["The hidden honeypot field was filled in."]


def test_form_sent_under_three_seconds_is_spam():
    decision = decide(submission(seconds_to_submit=1.2), Context(min_seconds=3))
    assert decision.verdict == Verdict.SPAM
    assert "Sent 1.2 s after the form was shown (under 3 s)." in decision.reasons


def test_form_without_a_valid_timestamp_is_spam():
    decision = decide(submission(seconds_to_submit=None), Context())
    assert decision.verdict == Verdict.SPAM
    assert "timestamp" in decision.reasons[0]


@pytest.mark.parametrize(
    "field, value",
    [
        ("body", "Buy CASINO chips"),
        ("name", "Casino King"),
        ("email", "king@casino.example"),
        ("url", "https://casino.example"),
        ("ip_address", "casino"),
    ],
)
def test_disallowed_term_in_any_field_is_spam(field, value):
    decision = decide(submission(**{field: value}), Context(disallowed_terms=["casino"]))
    assert decision.verdict == Verdict.SPAM
    assert decision.reasons == ["Contains “casino” from the disallowed list."]


def test_disallowed_address_is_spam():
    decision = decide(
        submission(ip_address="203.0.113.9"), Context(disallowed_terms=["203.0.113."])
    )
    assert decision.verdict == Verdict.SPAM


def test_more_than_two_links_are_held():
    body = "See https://a.example, https://b.example and www.c.example"
    decision = decide(submission(body=body), Context(max_links=2, has_approved_comment=True))
    assert decision.verdict == Verdict.HOLD
    assert decision.reasons == ["Contains 3 links (more than 2)."]


def test_two_links_from_a_known_author_are_approved():
    body = "See https://a.example and https://b.example"
    decision = decide(submission(body=body), Context(max_links=2, has_approved_comment=True))
    assert decision.verdict == Verdict.APPROVE


def test_moderation_list_word_is_held_even_for_known_author():
    decision = decide(
        submission(body="What about crypto jobs?"),
        Context(hold_terms=["Crypto"], has_approved_comment=True),
    )
    assert decision.verdict == Verdict.HOLD
    assert decision.reasons == ["Contains “Crypto” from the moderation list."]


def test_duplicate_is_refused():
    decision = decide(submission(), Context(is_duplicate=True, has_approved_comment=True))
    assert decision.verdict == Verdict.DUPLICATE


def test_known_author_is_approved():
    decision = decide(submission(), Context(has_approved_comment=True))
    assert decision.verdict == Verdict.APPROVE
    assert decision.reasons == ["The author has an earlier approved comment."]


def test_known_author_is_held_when_the_setting_is_off():
    decision = decide(submission(), Context(has_approved_comment=True, approve_known_authors=False))
    assert decision.verdict == Verdict.HOLD


def test_first_comment_is_held():
    decision = decide(submission(), Context())
    assert decision.verdict == Verdict.HOLD
    assert decision.reasons == ["A first comment from this author: held for moderation."]


def test_spam_rules_come_before_the_known_author_rule():
    decision = decide(submission(honeypot="x"), Context(has_approved_comment=True))
    assert decision.verdict == Verdict.SPAM


# Through the service: the verdict becomes the status, and the reasons are stored.


def submit(article, **overrides) -> Comment:
    values = {
        "article": article,
        "name": "Ada Reader",
        "email": "ada@example.com",
        "body": "A fair and friendly comment.",
        "seconds_to_submit": 30.0,
    }
    values.update(overrides)
    return comment_submit(**values)


def test_service_stores_spam_and_its_reason(article):
    comment = submit(article, honeypot="filled")
    assert comment.status == Comment.Status.SPAM
    assert comment.moderation_reasons == ["The hidden honeypot field was filled in."]


def test_service_uses_the_staff_managed_lists(article):
    ModerationTermFactory(term="casino", action=ModerationTerm.Action.DISALLOW)
    ModerationTermFactory(term="bootcamp", action=ModerationTerm.Action.HOLD)

    spam = submit(article, body="Casino bonus")
    held = submit(article, email="bea@example.com", body="Which bootcamp?")

    assert spam.status == Comment.Status.SPAM
    assert held.status == Comment.Status.PENDING
    assert held.moderation_reasons == ["Contains “bootcamp” from the moderation list."]


def test_a_change_to_the_lists_applies_to_the_next_comment(article):
    """The terms are kept in the cache (no query per comment), and forgotten when staff change
    them: the next comment is judged by the new list."""
    submit(article, email="first@example.com", body="Warms the cached list.")
    with CaptureQueriesContext(connection) as queries:
        submit(article, email="second@example.com", body="Casino bonus, first time.")
    tables = [q["sql"].split(" FROM ", 1)[-1].split()[0] for q in queries if "SELECT" in q["sql"]]
    # The author's history in one query, then who moderates: nothing about the terms.
    assert tables == ['"comments_comment"', '"auth_user"'], tables

    term = ModerationTermFactory(term="casino", action=ModerationTerm.Action.DISALLOW)
    assert submit(article, email="third@example.com", body="Casino bonus").status == "spam"

    term.action = ModerationTerm.Action.HOLD
    term.save()
    later = submit(article, email="known@example.com", body="Casino night?")
    assert later.moderation_reasons[0] == "Contains “casino” from the moderation list."

    term.delete()
    last = submit(article, email="fourth@example.com", body="Casino bonus, once more.")
    assert "casino" not in " ".join(last.moderation_reasons)


def test_service_holds_a_first_comment(article):
    comment = submit(article)
    assert comment.status == Comment.Status.PENDING
    assert comment.moderation_reasons == ["A first comment from this author: held for moderation."]


def test_service_approves_an_author_with_an_earlier_approved_comment(article, known_author):
    comment = submit(article, email="ADA@example.com", body="Another thought.")
    assert comment.status == Comment.Status.APPROVED
    assert comment.moderation_reasons == ["The author has an earlier approved comment."]


def test_service_does_not_trust_an_author_whose_earlier_comment_was_held(article):
    CommentFactory(article=article, author_email="ada@example.com", pending=True)
    assert submit(article, body="Second try").status == Comment.Status.PENDING


def test_service_refuses_a_duplicate_with_a_message_at_the_text(article):
    CommentFactory(article=article, author_email="ada@example.com", body="Same words.")
    with pytest.raises(ValidationError) as error:
        submit(article, body="Same words.")
    assert "already said that" in error.value.message_dict["body"][0]
    assert Comment.objects.count() == 1


def test_same_text_on_another_article_is_not_a_duplicate(article):
    CommentFactory(author_email="ada@example.com", body="Same words.")
    assert submit(article, body="Same words.").pk


def test_service_approves_a_moderator(article, staff_user):
    staff_user.email = "editor@example.com"
    comment = submit(article, user=staff_user, name="ignored", email="ignored@example.com")
    assert comment.status == Comment.Status.APPROVED
    assert comment.author_email == "editor@example.com"
    assert comment.moderation_reasons == ["Written by a moderator."]
