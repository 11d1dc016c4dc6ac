from typing import Any

from django import template

from komunigi.news import services
from komunigi.news.models import Issue, Subscriber

register = template.Library()


@register.simple_tag(takes_context=True)
def newsletter_subscription(context: template.Context) -> Subscriber | None:
    """The logged-in person's own subscription, for the section of "My account"."""
    return services.subscription_of(context["request"].user)


@register.simple_tag
def latest_news(count: int = 3) -> list[Issue]:
    """The newest published issues, for the home page."""
    return list(
        Issue.objects.published().only(
            "slug", "published_at", "title_fr", "title_en", "title_nl", "title_de", "title_es",
            "body_en", "body_nl", "body_de", "body_es",
        )[:count]
    )  # fmt: skip


@register.filter
def title_in(issue: Issue, language: Any) -> str:
    return issue.title_in(str(language))
