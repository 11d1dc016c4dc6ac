"""The archive's Atom feed, in the language of its address (/news/feed/, /en/news/feed/ …)."""

from datetime import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from komunigi.markdown import render_markdown
from komunigi.news.models import Issue

FEED_ITEMS = 20


class NewsFeed(Feed):
    feed_type = Atom1Feed

    def title(self) -> str:
        return _("%(community)s newsletter") % {"community": settings.KOMUNIGI_COMMUNITY_NAME}

    def subtitle(self) -> str:
        return _("The issues of the newsletter, newest first.")

    def link(self) -> str:
        return reverse("news")

    def items(self) -> list[Issue]:
        return list(Issue.objects.published()[:FEED_ITEMS])

    def item_title(self, item: Issue) -> str:
        return item.title_in(get_language())

    def item_description(self, item: Issue) -> str:
        return render_markdown(item.body_in(get_language()), top_heading=2)

    def item_link(self, item: Issue) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Issue) -> datetime | None:
        return item.published_at

    def item_updateddate(self, item: Issue) -> datetime | None:
        return item.updated_at
