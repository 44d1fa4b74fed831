"""SQL queries per page, counted in this process with the page cache off: what a page costs when
it is rendered. Counted at two data sizes, the counts must be the same (no N+1 on the data).

    python -m bench.queries --articles 200 --comments 5000 --leads 1000

seeds that data set into DATABASE_URL (only what is missing) and prints the counts as JSON:
bench/run.py runs it on a second, smaller database beside its own count.
"""

import argparse
import json
import os

QUERY = "/search/?q=machine+learning+engineers"


def seed(*, articles: int, comments: int, leads: int) -> list[int]:
    """The benchmark's data set (bench/seed.py); returns the articles' ids, oldest first (the
    first has the 200 comments)."""
    from bench.seed import rank_related_articles, seed_articles, seed_comments, seed_leads

    ids = sorted(seed_articles(articles))
    rank_related_articles(ids)
    seed_comments(ids, total=comments)
    seed_leads(ids, total=leads)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # plans for the seeded rows, not for empty tables
    return ids


def pages(ids: list[int]) -> dict[str, str]:
    """The pages whose queries are counted: by name, their path."""
    from articles.models import Article

    commented = Article.objects.get(pk=ids[0])
    ordinary = Article.objects.get(pk=ids[len(ids) // 2])
    return {
        "home": "/",
        "article, 200 comments": commented.get_absolute_url(),
        "article": ordinary.get_absolute_url(),
        "list": "/articles/",
        "list, page 2": "/articles/?page=2",
        "search": QUERY,
    }


def count_queries(targets: dict[str, str]) -> dict[str, int]:
    """Each page's queries on its second request (the first warms what a long-running worker
    would have warm)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    counts = {}
    for name, path in targets.items():
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        counts[name] = len(queries)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, required=True)
    parser.add_argument("--comments", type=int, required=True)
    parser.add_argument("--leads", type=int, required=True)
    args = parser.parse_args()
    os.environ["DJANGO_PAGE_CACHE_SECONDS"] = "0"
    import django

    django.setup()
    ids = seed(articles=args.articles, comments=args.comments, leads=args.leads)
    print(json.dumps(count_queries(pages(ids))))


if __name__ == "__main__":
    main()
