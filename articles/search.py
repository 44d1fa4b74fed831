"""Site search: PostgreSQL full-text search with weights and English stemming, a plain fallback
elsewhere that stems the words the same way (Snowball's English stemmer, which PostgreSQL's
`english` configuration uses), so "portfolio" and "portfolios" find the same articles on both.
Only published articles are ever found; a query of stop words or punctuation alone finds none.

On PostgreSQL each article keeps a stored `search_vector` (title weighted A; dek and the names of
its tags, category and author B; body C), refreshed when the article, its tags, its author or its
category change, and indexed with GIN.
"""

import os
import re
from functools import cache

import snowballstemmer
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Case, F, Q, QuerySet, TextField, Value, When
from django.utils.html import strip_tags

from .models import Article

SEARCH_CONFIG = "english"
MAX_QUERY_LENGTH = 200
MAX_WORDS = 12
WORD_RE = re.compile(r"\w+")
MIN_TERM_LENGTH = 3  # a shorter common start ("ai" of "aids") would match too much
# PostgreSQL's english.stop (tsearch_data), the words its full-text search leaves out.
POSTGRESQL_ENGLISH_STOP = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom this
    that these those am is are was were be been being have has had having do does did doing a an
    the and but if or because as until while of at by for with about against between into through
    during before after above below to from up down in out on off over under again further then
    once here there when where why how all any both each few more most other some such no nor not
    only own same so than too very s t can will just don should now
"""
STOP_WORDS = frozenset(POSTGRESQL_ENGLISH_STOP.split())


def clean_query(raw: str) -> str:
    """The query as searched: no control characters, collapsed spaces, bounded length."""
    printable = "".join(ch for ch in raw if ch.isprintable() or ch.isspace())
    return " ".join(printable.split())[:MAX_QUERY_LENGTH].strip()


@cache
def _stemmer():
    return snowballstemmer.stemmer("english")


def search_terms(query: str) -> list[str]:
    """What the query looks for without PostgreSQL, stop words and punctuation left out: each
    word cut to the part its forms share, the common start of the word and its Snowball stem
    ("portfolios" -> "portfolio"; "salaries", stem "salari", -> "salar", matching "salary" too:
    Snowball writes a final "y" as "i")."""
    words = [word for word in WORD_RE.findall(query.lower()) if word not in STOP_WORDS]
    words = words[:MAX_WORDS]
    terms = []
    for word, stem in zip(words, _stemmer().stemWords(words), strict=True):
        shared = os.path.commonprefix([word, stem.removesuffix("i")])
        terms.append(shared if len(shared) >= MIN_TERM_LENGTH else word)
    return list(dict.fromkeys(terms))


def uses_full_text_search() -> bool:
    return connection.vendor == "postgresql"


def _weighted(text: str, weight: str) -> SearchVector:
    return SearchVector(Value(text, output_field=TextField()), weight=weight, config=SEARCH_CONFIG)


def _vectors_for(article: Article) -> dict[str, SearchVector]:
    """The full vector that finds an article, and the small one (no body) that ranks it."""
    names = " ".join(
        [article.category.name, article.author.name, *(tag.name for tag in article.tags.all())]
    )
    head = _weighted(article.title, "A") + _weighted(article.dek, "B") + _weighted(names, "B")
    return {
        "search_vector": head + _weighted(strip_tags(article.body_html), "C"),
        "search_rank_vector": head,
    }


def refresh_search_vectors(article_ids) -> None:
    """Store the search vector of each article (PostgreSQL only; other databases search live)."""
    if not uses_full_text_search():
        return
    articles = Article.objects.filter(pk__in=list(article_ids)).select_related("author", "category")
    for article in articles.prefetch_related("tags"):
        Article.objects.filter(pk=article.pk).update(**_vectors_for(article))


def search_articles(query: str) -> QuerySet[Article]:
    """Published articles matching `query`, best first.

    On PostgreSQL the full vector finds the articles and the small title/dek vector ranks them:
    a match in the title outranks one in the dek, which outranks one only in the body (those
    come newest first). Ranking the full vector costs a body-sized read per match.
    """
    query = clean_query(query)
    published = Article.objects.published().for_cards()
    terms = search_terms(query)
    if not terms:  # "a", "'", "the": nothing to look for, so nothing found (not every article)
        return published.none()
    if uses_full_text_search():
        search_query = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
        return (
            published.filter(search_vector=search_query)
            .annotate(rank=SearchRank(F("search_rank_vector"), search_query))
            .order_by(F("rank").desc(nulls_last=True), "-published_at", "-pk")
        )
    return _fallback_search(published, terms)


def _fallback_search(published: QuerySet[Article], words: list[str]) -> QuerySet[Article]:
    """Articles whose text contains every term, title and dek hits first."""
    matches = published
    for word in words:
        matching_ids = Article.objects.filter(
            Q(title__icontains=word)
            | Q(dek__icontains=word)
            | Q(body__icontains=word)
            | Q(tags__name__icontains=word)
            | Q(category__name__icontains=word)
            | Q(author__name__icontains=word)
        ).values("pk")
        matches = matches.filter(pk__in=matching_ids)
    title_hits = sum(
        (
            Case(When(title__icontains=word, then=Value(2)), default=Value(0))
            + Case(When(dek__icontains=word, then=Value(1)), default=Value(0))
            for word in words
        ),
        Value(0),
    )
    return matches.annotate(rank=title_hits).order_by("-rank", "-published_at", "-pk")
