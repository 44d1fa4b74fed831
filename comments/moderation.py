"""The spam and moderation rules: pure functions that return a decision and the reasons for it.

Rules run in order and the first that decides wins, so moderators can read on each comment why it
was marked, held or approved:
1. a filled honeypot or a form sent too fast after it was shown: spam;
2. a term from the disallowed list in any field (or the sender's address): spam;
3. the same e-mail, text and article as an earlier comment: refused (the writer is told);
4. a moderator writing: approved;
5. too many links, or a term from the moderation list: held;
6. an e-mail with an earlier approved comment: approved (COMMENTS_APPROVE_KNOWN_AUTHORS);
7. anything else: held.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

LINK = re.compile(r"https?://|www\.|<a\s", re.IGNORECASE)


class Verdict(StrEnum):
    SPAM = "spam"
    DUPLICATE = "duplicate"
    HOLD = "hold"
    APPROVE = "approve"


@dataclass(frozen=True)
class Submission:
    name: str
    email: str
    url: str
    body: str
    ip_address: str = ""
    honeypot: str = ""
    seconds_to_submit: float | None = None  # None: the form's timestamp was missing or forged


@dataclass(frozen=True)
class Context:
    """What the rules need to know beyond the submission itself (looked up by the service)."""

    disallowed_terms: Iterable[str] = ()
    hold_terms: Iterable[str] = ()
    is_duplicate: bool = False
    is_moderator: bool = False
    has_approved_comment: bool = False
    max_links: int = 2
    min_seconds: float = 3
    approve_known_authors: bool = True


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    reasons: list[str] = field(default_factory=list)


def count_links(text: str) -> int:
    return len(LINK.findall(text))


def matching_terms(terms: Iterable[str], submission: Submission) -> list[str]:
    haystack = "\n".join(
        (submission.name, submission.email, submission.url, submission.body, submission.ip_address)
    ).casefold()
    return [term for term in terms if term.strip() and term.strip().casefold() in haystack]


def decide(submission: Submission, context: Context) -> Decision:
    spam = []
    if submission.honeypot.strip():
        spam.append("The hidden honeypot field was filled in.")
    if submission.seconds_to_submit is None:
        spam.append("The form's timestamp was missing or had been tampered with.")
    elif submission.seconds_to_submit < context.min_seconds:
        spam.append(
            f"Sent {max(submission.seconds_to_submit, 0):.1f} s after the form was shown "
            f"(under {context.min_seconds:g} s)."
        )
    spam += [
        f"Contains “{term}” from the disallowed list."
        for term in matching_terms(context.disallowed_terms, submission)
    ]
    if spam:
        return Decision(Verdict.SPAM, spam)

    if context.is_duplicate:
        return Decision(Verdict.DUPLICATE, ["Same e-mail, text and article as an earlier comment."])

    if context.is_moderator:
        return Decision(Verdict.APPROVE, ["Written by a moderator."])

    held = []
    links = count_links(submission.body) + count_links(submission.name)
    if links > context.max_links:
        held.append(f"Contains {links} links (more than {context.max_links}).")
    held += [
        f"Contains “{term}” from the moderation list."
        for term in matching_terms(context.hold_terms, submission)
    ]
    if held:
        return Decision(Verdict.HOLD, held)

    if context.approve_known_authors and context.has_approved_comment:
        return Decision(Verdict.APPROVE, ["The author has an earlier approved comment."])

    return Decision(Verdict.HOLD, ["A first comment from this author: held for moderation."])
