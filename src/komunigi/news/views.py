import csv
from typing import Any

from csp.constants import NONE, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from komunigi.errors import DomainError
from komunigi.http import AuthenticatedHttpRequest
from komunigi.news import emails, permissions, services, tokens
from komunigi.news.forms import IssueForm, ScheduleForm, SubscribeForm, SubscriberSearchForm
from komunigi.news.models import Issue, Subscriber, SubscriberStatus
from komunigi.pagination import paginate
from komunigi.throttle import services as throttle

ISSUES_PER_PAGE = 10
MANAGED_ISSUES_PER_PAGE = 20
SUBSCRIBERS_PER_PAGE = 50


# The public archive


def archive(request: HttpRequest) -> HttpResponse:
    issues = Issue.objects.published().only(
        "slug", "published_at", "title_fr", "title_en", "title_nl", "title_de", "title_es",
        "body_en", "body_nl", "body_de", "body_es",
    )  # fmt: skip
    page = paginate(request, issues, ISSUES_PER_PAGE)
    language = get_language()
    rows = [(issue, issue.title_in(language)) for issue in page]
    return render(request, "news/archive.html", {"page": page, "rows": rows})


def issue_detail(request: HttpRequest, slug: str) -> HttpResponse:
    issue = get_object_or_404(Issue.objects.published(), slug=slug)
    language = get_language()
    title, body = issue.text_in(language)
    return render(
        request,
        "news/issue.html",
        {
            "issue": issue,
            "title": title,
            "body": body,
            "shown_language": issue.language_for(language),
        },
    )


# Subscribing and unsubscribing


def subscribe(request: HttpRequest) -> HttpResponse:
    form = SubscribeForm(request.POST or None, initial={"language": get_language()})
    if request.method == "POST":
        if form.is_from_robot:
            return redirect("news_subscribe_sent")  # tell robots nothing; store nothing
        if form.is_valid():
            try:
                services.request_subscription(
                    email=form.cleaned_data["email"],
                    language=form.cleaned_data["language"],
                    client=throttle.client_key(request),
                )
            except DomainError as error:
                form.add_error(None, error.message)
                return render(request, "news/subscribe.html", {"form": form}, status=429)
            # The same answer for every address: known, unknown, confirmed or not.
            return redirect("news_subscribe_sent")
        return render(request, "news/subscribe.html", {"form": form}, status=400)
    return render(request, "news/subscribe.html", {"form": form})


def subscribe_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "news/subscribe_sent.html", {"days": tokens.CONFIRMATION_VALIDITY.days})


def _invalid_link(request: HttpRequest) -> HttpResponse:
    return render(request, "news/invalid_link.html", status=400)


@never_cache  # a page per personal link: no proxy keeps it
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button, POST confirms: a mail scanner opening every link must not
    subscribe anyone."""
    if request.method == "POST":
        try:
            services.confirm_subscription(token)
        except services.InvalidLink:
            return _invalid_link(request)
        return render(request, "news/confirmed.html")
    try:
        key, _language = tokens.read_confirmation_token(token)
    except tokens.BadToken:
        return _invalid_link(request)
    if not Subscriber.objects.filter(key=key).exists():
        return _invalid_link(request)
    return render(request, "news/confirm.html")


@never_cache
@csrf_exempt  # RFC 8058: mail clients POST here without a session, a cookie or a form
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button, POST unsubscribes (a mail client's one-click, or the button).
    The signed token is the authority: no login, no CSRF token."""
    if request.method == "POST":
        try:
            services.unsubscribe(token)
        except services.InvalidLink:
            return _invalid_link(request)
        return render(request, "news/unsubscribed.html")
    try:
        tokens.read_unsubscribe_token(token)
    except tokens.BadToken:
        return _invalid_link(request)
    return render(request, "news/unsubscribe.html")


@login_required
@require_POST
def account_subscribe(request: AuthenticatedHttpRequest) -> HttpResponse:
    services.subscribe_from_account(request.user)
    messages.success(request, _("You are subscribed to the newsletter."))
    return redirect(reverse("account") + "#newsletter")


@login_required
@require_POST
def account_unsubscribe(request: AuthenticatedHttpRequest) -> HttpResponse:
    services.unsubscribe_from_account(request.user)
    messages.success(request, _("You are unsubscribed from the newsletter."))
    return redirect(reverse("account") + "#newsletter")


# Facilitation: writing and sending issues


def _writer_only(request: HttpRequest) -> None:
    if not permissions.can_write_newsletter(request.user):
        raise PermissionDenied


def _managed_issue(request: HttpRequest, pk: int) -> Issue:
    _writer_only(request)
    return get_object_or_404(Issue, pk=pk)


@login_required
def manage_issues(request: HttpRequest) -> HttpResponse:
    _writer_only(request)
    issues = Issue.objects.only(
        "slug", "status", "title_fr", "scheduled_at", "published_at", "sent_at", "created_at"
    ).order_by("-created_at", "-pk")
    page = paginate(request, issues, MANAGED_ISSUES_PER_PAGE)
    confirmed = Subscriber.objects.confirmed().count()
    return render(request, "news/manage_issues.html", {"page": page, "confirmed": confirmed})


@login_required
def issue_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    _writer_only(request)
    form = IssueForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            issue = services.create_issue(actor=request.user, texts=form.texts())
            messages.success(request, _("The draft is saved: preview it, test it, then send it."))
            return redirect(issue.get_manage_url())
        return render(request, "news/issue_form.html", {"form": form}, status=400)
    return render(request, "news/issue_form.html", {"form": form})


@login_required
def issue_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    issue = _managed_issue(request, pk)
    if not issue.is_editable:
        messages.error(request, _("This issue can no longer be changed: it was sent."))
        return redirect(issue.get_manage_url())
    form = IssueForm(request.POST or None, instance=issue)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.update_issue(issue, actor=request.user, texts=form.texts())
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The issue is saved."))
                return redirect(issue.get_manage_url())
        return render(request, "news/issue_form.html", {"form": form, "issue": issue}, status=400)
    return render(request, "news/issue_form.html", {"form": form, "issue": issue})


@login_required
def issue_manage(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_issue_page(request, _managed_issue(request, pk))


def _render_issue_page(
    request: HttpRequest,
    issue: Issue,
    schedule_form: ScheduleForm | None = None,
    status: int = 200,
) -> HttpResponse:
    languages = dict(settings.LANGUAGES)
    return render(
        request,
        "news/manage_issue.html",
        {
            "issue": issue,
            "progress": services.progress(issue),
            "previews": [(code, languages[code]) for code in issue.languages],
            "schedule_form": schedule_form
            or ScheduleForm(initial={"scheduled_at": issue.scheduled_at}),
            "confirmed": Subscriber.objects.confirmed().count(),
        },
        status=status,
    )


@login_required
def issue_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar alone, which the issue's page reloads while anything remains to be
    sent (after the issue is marked sent too: the outbox may still be delivering it)."""
    issue = _managed_issue(request, pk)
    return render(
        request, "news/_progress.html", {"issue": issue, "progress": services.progress(issue)}
    )


# django-csp types the views it decorates as taking the request alone.
@login_required
@csp_replace(  # type: ignore[arg-type]
    {"style-src": [UNSAFE_INLINE], "script-src": [NONE], "img-src": ["https:"]}
)
def issue_preview(request: HttpRequest, pk: int, language: str) -> HttpResponse:
    """The issue's HTML e-mail exactly as subscribers of ``language`` get it. Its inline
    styles (what mail programs need) are allowed on this one page; scripts never are."""
    issue = _managed_issue(request, pk)
    if language not in dict(settings.LANGUAGES):
        raise Http404
    return HttpResponse(emails.render_issue(issue, language)["html"])


@login_required
@require_POST
def issue_test(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    issue = _managed_issue(request, pk)
    services.send_test(issue, actor=request.user)
    messages.success(request, _("A test was sent to %(email)s.") % {"email": request.user.email})
    return redirect(issue.get_manage_url())


@login_required
@require_POST
def issue_send(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    issue = _managed_issue(request, pk)
    try:
        services.send_issue_now(issue, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The issue is being sent."))
    return redirect(issue.get_manage_url())


@login_required
@require_POST
def issue_schedule(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    issue = _managed_issue(request, pk)
    form = ScheduleForm(request.POST)
    if form.is_valid():
        try:
            services.schedule_issue(issue, actor=request.user, at=form.cleaned_data["scheduled_at"])
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The issue is scheduled."))
            return redirect(issue.get_manage_url())
    return _render_issue_page(request, issue, schedule_form=form, status=400)


@login_required
@require_POST
def issue_unschedule(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    issue = _managed_issue(request, pk)
    try:
        services.unschedule_issue(issue, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The issue is back to draft: it will not be sent."))
    return redirect(issue.get_manage_url())


# Facilitation: subscribers


def _subscribers_only(request: HttpRequest) -> None:
    if not permissions.can_manage_subscribers(request.user):
        raise PermissionDenied


def _filtered_subscribers(form: SubscriberSearchForm) -> QuerySet[Subscriber]:
    found = Subscriber.objects.only(
        "email", "language", "status", "source", "requested_at", "consent_at"
    ).order_by("email")
    if form.is_valid():
        if form.cleaned_data["q"]:
            found = found.filter(email__icontains=form.cleaned_data["q"].strip())
        if form.cleaned_data["status"]:
            found = found.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["language"]:
            found = found.filter(language=form.cleaned_data["language"])
    return found


@login_required
def subscribers(request: HttpRequest) -> HttpResponse:
    _subscribers_only(request)
    form = SubscriberSearchForm(request.GET)
    counts: dict[str, dict[str, int]] = {}
    for row in Subscriber.objects.values("language", "status").annotate(n=Count("pk")):
        counts.setdefault(row["language"], {})[row["status"]] = row["n"]
    by_language = [
        (
            name,
            counts.get(code, {}).get(SubscriberStatus.CONFIRMED, 0),
            counts.get(code, {}).get(SubscriberStatus.PENDING, 0),
        )
        for code, name in settings.LANGUAGES
    ]
    totals = (sum(row[1] for row in by_language), sum(row[2] for row in by_language))
    page = paginate(request, _filtered_subscribers(form), SUBSCRIBERS_PER_PAGE)
    return render(
        request,
        "news/subscribers.html",
        {
            "form": form,
            "page": page,
            "by_language": by_language,
            "totals": totals,
            "query": request.GET.urlencode(),
        },
    )


@login_required
def subscribers_csv(request: HttpRequest) -> HttpResponse:
    """The subscribers the search shows, all of them, as CSV (for a spreadsheet)."""
    _subscribers_only(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="newsletter-subscribers.csv"'
    response["Cache-Control"] = "no-store"
    writer = csv.writer(response)
    writer.writerow(["email", "language", "status", "source", "requested_at", "consent_at"])
    rows: Any = _filtered_subscribers(SubscriberSearchForm(request.GET))
    for subscriber in rows.iterator():
        writer.writerow(
            [
                _spreadsheet_safe(subscriber.email),
                subscriber.language,
                subscriber.status,
                subscriber.source,
                subscriber.requested_at.isoformat(),
                subscriber.consent_at.isoformat() if subscriber.consent_at else "",
            ]
        )
    return response


def _spreadsheet_safe(value: str) -> str:
    """A cell a spreadsheet would take for a formula is written as text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


@login_required
@require_POST
def subscriber_erase(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _subscribers_only(request)
    subscriber = get_object_or_404(Subscriber, pk=pk)
    services.erase_subscriber(subscriber, actor=request.user)
    messages.success(
        request,
        _("%(email)s is erased and will not be added again.") % {"email": subscriber.email},
    )
    return redirect(reverse("news_subscribers") + "?" + request.POST.get("query", ""))
