"""Mailing lists and their threads in the JSON API, visible exactly as their pages are: the
lists a caller may read (`permissions.readable_lists`), their threads, and each thread's posts.
Authors appear as the pages show them (`Post.author_label`), never with their addresses."""

from datetime import datetime

from django.db.models import Count
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from komunigi.community.api_auth import PUBLIC, PUBLIC_OPENAPI
from komunigi.discussions import permissions
from komunigi.discussions.models import (
    Delivery,
    Post,
    PostSource,
    ReadAccess,
    Subscription,
    Thread,
)
from komunigi.needs.models import Need
from komunigi.pagination import ApiPages

router = Router(tags=["discussions"])


class MailingListOut(Schema):
    name: str
    slug: str
    description: str
    address: str = Field(description="Write to it to start a thread")
    read_access: ReadAccess
    thread_count: int
    subscribed: bool | None = Field(description="Whether the caller reads it; null if anonymous")
    delivery: Delivery | None = Field(description="How its messages reach the caller")
    url: str


class ThreadSummaryOut(Schema):
    id: int
    subject: str
    author: str | None = Field(description="Who started it, by name")
    started_at: datetime
    last_post_at: datetime
    post_count: int
    solved: bool
    url: str

    @staticmethod
    def resolve_author(obj: Thread) -> str | None:
        return obj.author.full_name if obj.author else None

    @staticmethod
    def resolve_started_at(obj: Thread) -> datetime:
        return obj.created_at

    @staticmethod
    def resolve_last_post_at(obj: Thread) -> datetime:
        return obj.last_activity_at

    @staticmethod
    def resolve_solved(obj: Thread) -> bool:
        return obj.solved_at is not None

    @staticmethod
    def resolve_url(obj: Thread, context: dict) -> str:
        return context["request"].build_absolute_uri(obj.get_absolute_url())


class AttachmentOut(Schema):
    name: str
    content_type: str
    size: int = Field(description="Bytes")
    url: str


class PostOut(Schema):
    id: int
    author: str = Field(description="As the page shows it: the name, and whom they spoke for")
    organisation: str | None = Field(description="The slug of the organisation they spoke for")
    created_at: datetime
    edited_at: datetime | None
    source: PostSource
    parent: int | None = Field(description="The post it answers")
    body: str = Field(description="Markdown, as written")
    body_html: str = Field(description="Rendered and sanitised")
    attachments: list[AttachmentOut]


class ThreadOut(ThreadSummaryOut):
    mailing_list: str = Field(description="The list's slug")
    solved_at: datetime | None
    answer: int | None = Field(description="The accepted answer, once solved")
    needs: list[int] = Field(description="The needs it is about (those the caller may see)")
    posts: list[PostOut] = Field(description="Oldest first")

    @staticmethod
    def resolve_mailing_list(obj: Thread) -> str:
        return obj.mailing_list.slug

    @staticmethod
    def resolve_answer(obj: Thread) -> int | None:
        return obj.answer_id

    @staticmethod
    def resolve_needs(obj: Thread, context: dict) -> list[int]:
        visible = Need.objects.visible_to(context["request"].user)
        return list(visible.filter(threads=obj).order_by("pk").values_list("pk", flat=True))

    @staticmethod
    def resolve_posts(obj: Thread, context: dict) -> list[dict]:
        posts = (
            obj.posts.select_related("author", "organisation")
            .prefetch_related("attachments")
            .defer("original")  # the e-mail as it arrived is for facilitators, on its own page
        )
        return [_post(context["request"], post) for post in posts]


@router.get(
    "/lists",
    response=list[MailingListOut],
    auth=PUBLIC,
    openapi_extra=PUBLIC_OPENAPI,
    summary="List the mailing lists",
)
def list_mailing_lists(request: HttpRequest) -> list[dict]:
    """The lists the caller may read: public ones for everybody, all of them for members."""
    readable = permissions.readable_lists(request.user).annotate(thread_count=Count("threads"))
    subscribed: dict[int, str] = {}
    if request.user.is_authenticated:
        subscribed = dict(
            Subscription.objects.filter(user=request.user).values_list("mailing_list", "delivery")
        )
    return [
        {
            "name": mailing_list.name,
            "slug": mailing_list.slug,
            "description": mailing_list.description,
            "address": mailing_list.address,
            "read_access": mailing_list.read_access,
            "thread_count": mailing_list.thread_count,
            "subscribed": mailing_list.pk in subscribed if request.user.is_authenticated else None,
            "delivery": subscribed.get(mailing_list.pk),
            "url": request.build_absolute_uri(mailing_list.get_absolute_url()),
        }
        for mailing_list in readable
    ]


@router.get(
    "/lists/{slug}/threads",
    response=list[ThreadSummaryOut],
    auth=PUBLIC,
    openapi_extra=PUBLIC_OPENAPI,
    summary="List a mailing list's threads",
)
@paginate(ApiPages, page_size=30)
def list_threads(request: HttpRequest, slug: str):
    """Latest activity first. A members-only list does not exist for the public (404)."""
    mailing_list = get_object_or_404(permissions.readable_lists(request.user), slug=slug)
    return mailing_list.threads.select_related("author").order_by("-last_activity_at", "-pk")


@router.get(
    "/threads/{thread_id}",
    response=ThreadOut,
    auth=PUBLIC,
    openapi_extra=PUBLIC_OPENAPI,
    summary="One thread, with its posts",
)
def get_thread(request: HttpRequest, thread_id: int) -> Thread:
    """Its posts, oldest first. Messages still held for a facilitator, or rejected, are not
    posts: they never appear."""
    return get_object_or_404(
        Thread.objects.readable_by(request.user).select_related("mailing_list", "author"),
        pk=thread_id,
    )


def _post(request: HttpRequest, post: Post) -> dict:
    return {
        "id": post.pk,
        "author": post.author_label,
        "organisation": post.organisation.slug if post.organisation else None,
        "created_at": post.created_at,
        "edited_at": post.edited_at,
        "source": post.source,
        "parent": post.parent_id,
        "body": post.body,
        "body_html": post.body_html,
        "attachments": [
            {
                "name": item.name,
                "content_type": item.content_type,
                "size": item.size,
                "url": request.build_absolute_uri(item.get_absolute_url()),
            }
            for item in post.attachments.all()
        ],
    }
