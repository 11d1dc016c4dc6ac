"""Full-text search of the archive: PostgreSQL's with French stemming in production, a plain
word match on SQLite (development and the demo)."""

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet

from komunigi.discussions.models import Post, Thread

CONFIG = "french"


def matching(threads: QuerySet[Thread], query: str) -> QuerySet[Thread]:
    """The threads whose subject or one of whose posts matches ``query``."""
    query = query.strip()
    if not query:
        return threads
    if connection.vendor == "postgresql":
        wanted = SearchQuery(query, config=CONFIG, search_type="websearch")
        in_posts = (
            Post.objects.annotate(document=SearchVector("body", config=CONFIG))
            .filter(document=wanted)
            .values("thread")
        )
        return threads.annotate(title=SearchVector("subject", config=CONFIG)).filter(
            Q(title=wanted) | Q(pk__in=in_posts)
        )
    for word in query.split()[:10]:
        with_word = Post.objects.filter(body__icontains=word).values("thread")
        threads = threads.filter(Q(subject__icontains=word) | Q(pk__in=with_word))
    return threads
