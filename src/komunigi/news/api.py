"""The newsletter archive in the JSON API: the issues /news/ shows (those whose sending has
started), in the caller's language as the pages give them; drafts and scheduled issues are
not there for anybody, as on the site."""

from datetime import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from komunigi.markdown import render_markdown
from komunigi.news.models import Issue
from komunigi.pagination import ApiPages

router = Router(tags=["news"])

LANGUAGE = "The caller's language (Accept-Language) if the issue was written in it, else French"


class IssueSummaryOut(Schema):
    slug: str
    title: str = Field(description="In the language below; also its e-mails' subject")
    language: str = Field(description=LANGUAGE)
    published_at: datetime = Field(description="When its sending started")
    sent_at: datetime | None = Field(description="When its sending finished")
    url: str

    @staticmethod
    def resolve_title(obj: Issue) -> str:
        return obj.title_in(get_language())

    @staticmethod
    def resolve_language(obj: Issue) -> str:
        return obj.language_for(get_language())

    @staticmethod
    def resolve_url(obj: Issue, context: dict) -> str:
        return context["request"].build_absolute_uri(obj.get_absolute_url())


class IssueOut(IssueSummaryOut):
    body: str = Field(description="Markdown, as written")
    body_html: str = Field(description="Rendered and sanitised, as its page shows it")
    languages: list[str] = Field(description="The languages it was written in")

    @staticmethod
    def resolve_body(obj: Issue) -> str:
        return obj.body_in(get_language())

    @staticmethod
    def resolve_body_html(obj: Issue) -> str:
        return render_markdown(obj.body_in(get_language()), top_heading=2)


@router.get(
    "/newsletter/issues",
    response=list[IssueSummaryOut],
    auth=None,
    summary="List the newsletter's issues",
)
@paginate(ApiPages, page_size=10)
def list_issues(request: HttpRequest):
    """The archive, newest first: the issues whose sending has started."""
    return Issue.objects.published().only(
        "slug", "published_at", "sent_at", "title_fr", "title_en", "title_nl", "title_de",
        "title_es", "body_en", "body_nl", "body_de", "body_es",
    )  # fmt: skip


@router.get(
    "/newsletter/issues/{slug}",
    response=IssueOut,
    auth=None,
    summary="One newsletter issue",
)
def get_issue(request: HttpRequest, slug: str) -> Issue:
    """Its text in the caller's language, or in French when it was not written in theirs."""
    return get_object_or_404(Issue.objects.published(), slug=slug)
