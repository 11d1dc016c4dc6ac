from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Case, Count, F, Min, Q, Value, When, Window
from django.db.models.functions import DenseRank
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from komunigi.community.models import User, is_facilitator
from komunigi.discussions import moderation, permissions, search, services, tokens
from komunigi.discussions.forms import (
    EditPostForm,
    PostForm,
    SearchForm,
    SubscriptionForm,
    ThreadForm,
)
from komunigi.discussions.models import (
    Delivery,
    HeldMessage,
    HeldStatus,
    MailingList,
    Post,
    PostAttachment,
    Subscription,
    Thread,
)
from komunigi.errors import DomainError
from komunigi.http import AuthenticatedHttpRequest, uploaded_file_response
from komunigi.needs.models import Need
from komunigi.pagination import paginate

THREADS_PER_PAGE = 30
PRACTICE_PER_TOPIC = 5  # the latest solved threads shown under each topic
POSTS_PER_PAGE = 50


def _readable_list(request: HttpRequest, slug: str) -> MailingList:
    mailing_list = get_object_or_404(MailingList, slug=slug)
    if not permissions.can_read(request.user, mailing_list):
        raise Http404  # a members-only list does not exist for the public
    return mailing_list


def _readable_thread(request: HttpRequest, pk: int) -> Thread:
    thread = get_object_or_404(Thread.objects.select_related("mailing_list", "answer"), pk=pk)
    if not permissions.can_read(request.user, thread.mailing_list):
        raise Http404
    return thread


def lists(request: HttpRequest) -> HttpResponse:
    readable = permissions.readable_lists(request.user).annotate(thread_count=Count("threads"))
    subscribed: dict[int, str] = {}
    if request.user.is_authenticated:
        subscribed = dict(
            Subscription.objects.filter(user=request.user).values_list("mailing_list", "delivery")
        )
    rows = [(mailing_list, subscribed.get(mailing_list.pk)) for mailing_list in readable]
    return render(
        request,
        "discussions/lists.html",
        {"rows": rows, "deliveries": dict(Delivery.choices)},
    )


def _thread_rows(request: HttpRequest, threads: Any, form: SearchForm) -> Any:
    if form.is_valid():
        threads = search.matching(threads, form.cleaned_data["q"])
        if form.cleaned_data["solved"] == "yes":
            threads = threads.exclude(solved_at=None)
        elif form.cleaned_data["solved"] == "no":
            threads = threads.filter(solved_at=None)
        if form.cleaned_data["list"]:
            threads = threads.filter(mailing_list__slug=form.cleaned_data["list"])
        if form.cleaned_data["tag"]:
            threads = threads.filter(needs__tags__slug=form.cleaned_data["tag"]).distinct()
    return paginate(
        request,
        threads.select_related("mailing_list", "author").order_by("-last_activity_at", "-pk"),
        THREADS_PER_PAGE,
    )


def mailing_list(request: HttpRequest, slug: str) -> HttpResponse:
    the_list = _readable_list(request, slug)
    form = SearchForm(request.GET or None)
    subscription = None
    if request.user.is_authenticated:
        subscription = Subscription.objects.filter(mailing_list=the_list, user=request.user).first()
    return render(
        request,
        "discussions/mailing_list.html",
        {
            "mailing_list": the_list,
            "page": _thread_rows(request, the_list.threads.all(), form),
            "form": form,
            "subscription": subscription,
            "subscription_form": SubscriptionForm(
                initial={"delivery": subscription.delivery if subscription else Delivery.EVERY}
            ),
            "can_post": permissions.can_post(request.user, the_list),
            "can_subscribe": permissions.can_subscribe(request.user, the_list),
        },
    )


@login_required
def thread_new(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    the_list = _readable_list(request, slug)
    if not permissions.can_post(request.user, the_list):
        raise PermissionDenied
    form = ThreadForm(
        request.POST or None,
        request.FILES or None,
        visible_needs=Need.objects.visible_to(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            thread = services.start_thread(
                the_list,
                author=request.user,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                needs=form.cleaned_data["needs"],
                attachments=[form.cleaned_data["file"]] if form.cleaned_data["file"] else [],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your message was posted to the list."))
            return redirect(thread)
    return render(
        request,
        "discussions/thread_new.html",
        {"mailing_list": the_list, "form": form},
        status=400 if form.errors else 200,
    )


def thread(request: HttpRequest, pk: int, reply_form: PostForm | None = None) -> HttpResponse:
    the_thread = _readable_thread(request, pk)
    posts = (
        the_thread.posts.select_related(
            "author", "organisation", "parent__author", "parent__organisation"
        )
        .prefetch_related("attachments")
        # The e-mails as they arrived stay in the database until asked for.
        .defer("original", "parent__original")
        .annotate(
            has_original=Case(
                When(original=b"", then=Value(False)),
                default=Value(True),
                output_field=BooleanField(),
            )
        )
    )
    page = paginate(request, posts, POSTS_PER_PAGE)
    user = request.user
    return render(
        request,
        "discussions/thread.html",
        {
            "thread": the_thread,
            "mailing_list": the_thread.mailing_list,
            "page": page,
            "question": the_thread.posts.select_related("author", "organisation").first()
            if the_thread.answer_id
            else None,
            "needs": list(the_thread.needs.all()),
            "editable": {p.pk for p in page if permissions.can_edit_post(user, p)},
            "can_post": permissions.can_post(user, the_thread.mailing_list),
            "can_mark_solved": permissions.can_mark_solved(user, the_thread),
            "can_read_originals": permissions.can_read_original(user),
            "reply_form": reply_form or PostForm(initial=_quoting(the_thread, request)),
        },
        status=400 if reply_form is not None else 200,
    )


def _quoting(the_thread: Thread, request: HttpRequest) -> dict[str, Any]:
    """``?reply=<post>``: the answer starts with that post quoted, and goes under it."""
    wanted = request.GET.get("reply", "")
    post = the_thread.posts.filter(pk=int(wanted)).first() if wanted.isdigit() else None
    if post is None:
        return {}
    quoted = "\n".join(f"> {line}" if line else ">" for line in post.body.splitlines())
    return {"parent": post.pk, "body": f"{post.author_label}:\n{quoted}\n\n"}


@login_required
@require_POST
def thread_reply(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    the_thread = _readable_thread(request, pk)
    if not permissions.can_post(request.user, the_thread.mailing_list):
        raise PermissionDenied
    form = PostForm(request.POST, request.FILES)
    if not form.is_valid():
        return thread(request, pk, reply_form=form)
    parent = None
    if form.cleaned_data["parent"]:
        parent = the_thread.posts.filter(pk=form.cleaned_data["parent"]).first()
    try:
        post = services.reply(
            the_thread,
            author=request.user,
            body=form.cleaned_data["body"],
            parent=parent,
            attachments=[form.cleaned_data["file"]] if form.cleaned_data["file"] else [],
        )
    except DomainError as error:
        form.add_error("body", error.message)
        return thread(request, pk, reply_form=form)
    messages.success(request, _("Your answer was posted."))
    return redirect(post.get_absolute_url())


@login_required
def post_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    post = get_object_or_404(Post.objects.select_related("thread__mailing_list"), pk=pk)
    _readable_thread(request, post.thread_id)
    if not permissions.can_edit_post(request.user, post):
        messages.error(request, _("A message can be edited by its author within 15 minutes."))
        return redirect(post.get_absolute_url())
    form = EditPostForm(request.POST or None, initial={"body": post.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_post(post, actor=request.user, body=form.cleaned_data["body"])
        except DomainError as error:
            form.add_error("body", error.message)
        else:
            messages.success(request, _("Your message was corrected."))
            return redirect(post.get_absolute_url())
    return render(
        request,
        "discussions/post_edit.html",
        {"post": post, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def thread_solved(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    the_thread = _readable_thread(request, pk)
    if "reopen" in request.POST:
        services.mark_unsolved(the_thread, actor=request.user)
        messages.success(request, _("The thread is open again."))
        return redirect(the_thread)
    answer = get_object_or_404(Post, pk=request.POST.get("answer") or 0, thread=the_thread)
    services.mark_solved(the_thread, actor=request.user, answer=answer)
    messages.success(request, _("Marked as solved: the thread joins the practice base."))
    return redirect(the_thread)


@login_required
@require_POST
def subscription(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    the_list = _readable_list(request, slug)
    if "unsubscribe" in request.POST:
        services.unsubscribe(the_list, user=request.user)
        messages.success(request, _("You left the list %(name)s.") % {"name": the_list.name})
        return redirect(the_list)
    form = SubscriptionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how the list's messages reach you."))
        return redirect(the_list)
    services.subscribe(the_list, user=request.user, delivery=form.cleaned_data["delivery"])
    messages.success(
        request,
        _("You read the list %(name)s: %(delivery)s.")
        % {"name": the_list.name, "delivery": Delivery(form.cleaned_data["delivery"]).label},
    )
    return redirect(the_list)


# As for notifications: mail clients POST here without a session or a CSRF token (RFC 8058);
# a GET only asks.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def list_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    found = tokens.read_unsubscribe_token(token)
    the_list = person = None
    if found is not None:
        the_list = MailingList.objects.filter(pk=found[0]).first()
        person = User.objects.filter(pk=found[1], is_active=True).first()
    if the_list is None or person is None:
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    context = {"person": person, "label": the_list.name, "token": token, "mailing_list": the_list}
    if request.method == "POST":
        services.unsubscribe(the_list, user=person)
        return render(request, "notifications/unsubscribed.html", context)
    return render(request, "discussions/unsubscribe.html", context)


def practice(request: HttpRequest) -> HttpResponse:
    """Solved threads, question and accepted answer first: what the next supermarket finds.
    Without a search or a filter, by topic first (the needs' tags: Odoo areas)."""
    form = SearchForm(request.GET or None)
    threads = Thread.objects.readable_by(request.user).exclude(answer=None)
    tags = list(_practice_tags(request))
    context = {"form": form, "tags": tags, "lists": permissions.readable_lists(request.user)}
    if not (form.is_valid() and any(form.cleaned_data.values())):
        others = list(
            threads.exclude(needs__tags__isnull=False)
            .select_related("mailing_list")
            .order_by("-solved_at", "-pk")[: PRACTICE_PER_TOPIC + 1]
        )
        return render(
            request,
            "discussions/practice.html",
            {
                **context,
                "rows": [],
                "topics": _by_topic(threads, tags),
                "others": others[:PRACTICE_PER_TOPIC],
                "more_others": len(others) > PRACTICE_PER_TOPIC,
            },
        )
    page = _thread_rows(request, threads, form)
    # The question is each thread's first post (the lowest id: posts are numbered as they come).
    first_ids = (
        Post.objects.filter(thread__in=[t.pk for t in page])
        .values("thread")
        .annotate(first=Min("pk"))
        .values_list("first", flat=True)
    )
    shown = Post.objects.filter(
        Q(pk__in=list(first_ids)) | Q(pk__in=[t.answer_id for t in page])
    ).select_related("author", "organisation")
    by_pk = {post.pk: post for post in shown}
    # Sorted newest first, so that each thread keeps its lowest, first, post.
    newest_first = sorted(by_pk.values(), key=lambda post: post.pk, reverse=True)
    firsts = {post.thread_id: post for post in newest_first}
    accepted = {t.pk: by_pk.get(t.answer_id) for t in page if t.answer_id}
    rows = [(t, firsts.get(t.pk), accepted.get(t.pk)) for t in page]
    return render(request, "discussions/practice.html", {**context, "page": page, "rows": rows})


def _practice_tags(request: HttpRequest) -> Any:
    from komunigi.needs.models import Tag

    solved = Thread.objects.readable_by(request.user).exclude(answer=None)
    return (
        Tag.objects.filter(needs__threads__in=solved)
        .annotate(count=Count("needs__threads", filter=Q(needs__threads__in=solved), distinct=True))
        .order_by("name")
        .distinct()
    )


def _by_topic(threads: Any, tags: list[Any]) -> list[tuple[Any, list[Thread]]]:
    """Each tag with its latest PRACTICE_PER_TOPIC solved threads, in one query whatever the
    number of tags (a thread about needs of several tags is under each)."""
    ranked = (
        threads.annotate(
            topic=F("needs__tags"),
            rank=Window(
                DenseRank(),
                partition_by=F("needs__tags"),
                order_by=[F("solved_at").desc(), F("pk").desc()],
            ),
        )
        .filter(topic__isnull=False, rank__lte=PRACTICE_PER_TOPIC)
        .select_related("mailing_list")
        .order_by("rank")
    )
    by_tag: dict[int, dict[int, Thread]] = {}
    for thread in ranked:  # a thread with two needs of one tag comes twice
        by_tag.setdefault(thread.topic, {}).setdefault(thread.pk, thread)
    return [(tag, list(by_tag[tag.pk].values())) for tag in tags if tag.pk in by_tag]


def _facilitator(request: HttpRequest) -> None:
    if not is_facilitator(request.user):
        raise PermissionDenied


@login_required
def held_messages(request: AuthenticatedHttpRequest) -> HttpResponse:
    _facilitator(request)
    pending = HeldMessage.objects.filter(status=HeldStatus.PENDING).select_related("mailing_list")
    return render(
        request,
        "discussions/held_messages.html",
        {"page": paginate(request, pending, THREADS_PER_PAGE)},
    )


@login_required
@require_POST
def held_message_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _facilitator(request)
    held = get_object_or_404(HeldMessage, pk=pk)
    decision = request.POST.get("decision")
    try:
        if decision in ("approve", "allow"):
            moderation.approve(held, actor=request.user, allow_sender=decision == "allow")
            messages.success(request, _("The message was posted."))
        elif decision == "reject":
            moderation.reject(held, actor=request.user, note=request.POST.get("note", ""))
            messages.success(request, _("The message was rejected; its sender was told."))
        else:
            messages.error(request, _("Choose what to do with the message."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("held_messages")


@login_required
def post_original(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The message as it arrived by e-mail, quotes and signature included (facilitators)."""
    if not permissions.can_read_original(request.user):
        raise PermissionDenied
    post = get_object_or_404(Post, pk=pk)
    if not post.original:
        raise Http404
    response = HttpResponse(bytes(post.original), content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="post-{post.pk}.eml"'
    return response


def post_attachment(request: HttpRequest, pk: int) -> FileResponse:
    item = get_object_or_404(PostAttachment.objects.select_related("post"), pk=pk)
    _readable_thread(request, item.post.thread_id)
    return uploaded_file_response(item.file, content_type=item.content_type, filename=item.name)
