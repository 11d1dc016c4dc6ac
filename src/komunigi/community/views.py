import math
from datetime import timedelta
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.db.models.functions import Lower
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy, translate_url
from django.utils.translation import get_language, gettext_lazy, ngettext, ngettext_lazy, override
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from komunigi.audit.services import events_for, log_action
from komunigi.community import email_change as email_change_service
from komunigi.community import permissions, services, tasks
from komunigi.community.forms import (
    AccountForm,
    ApiTokenForm,
    DeclineJoinRequestForm,
    EmailChangeForm,
    InvitePersonForm,
    JoinRequestForm,
    RoleForm,
)
from komunigi.community.models import (
    ApiToken,
    JoinRequest,
    JoinRequestStatus,
    Membership,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    Role,
    User,
    normalize_email,
)
from komunigi.errors import DomainError
from komunigi.http import AuthenticatedHttpRequest
from komunigi.pagination import paginate
from komunigi.throttle import services as throttle

# What the join request's history says of each audit event, in the reader's language.
JOIN_REQUEST_EVENTS = {
    "community.join_request.received": gettext_lazy("Request received"),
    "community.join_request.message_added": gettext_lazy("The contact added a message"),
    "community.join_request.accepted": gettext_lazy("Accepted: organisation created"),
    "community.join_request.declined": gettext_lazy("Declined: message sent"),
}


ORGANISATIONS_PER_PAGE = 60
JOIN_REQUESTS_PER_PAGE = 30

# The ecosystem's tabs and headings: a kind with its count, its noun agreeing with the count.
KIND_COUNTED: dict[str, Any] = {
    OrganisationKind.SUPERMARKET: ngettext_lazy(
        "%(count)d cooperative supermarket", "%(count)d cooperative supermarkets", "count"
    ),
    OrganisationKind.PROVIDER: ngettext_lazy("%(count)d provider", "%(count)d providers", "count"),
    OrganisationKind.PARTNER: ngettext_lazy("%(count)d partner", "%(count)d partners", "count"),
    OrganisationKind.STAKEHOLDER: ngettext_lazy(
        "%(count)d stakeholder", "%(count)d stakeholders", "count"
    ),
}


def ecosystem(request: HttpRequest) -> HttpResponse:
    """Member organisations of one kind at a time (supermarkets first), grouped by country, a
    page at a time; how many of each kind, in one query."""
    members = Organisation.objects.members()
    counts = dict(
        members.values_list("kind").annotate(count=Count("pk")).values_list("kind", "count")
    )
    kinds = [
        (kind, KIND_COUNTED[kind] % {"count": counts[kind]})
        for kind in OrganisationKind.values
        if kind in counts
    ]
    chosen = request.GET.get("kind", "")
    if chosen not in counts:
        chosen = kinds[0][0] if kinds else ""
    page = paginate(
        request,
        members.filter(kind=chosen)
        .only("name", "slug", "kind", "country", "city", "status")
        .order_by("country", Lower("name")),
        ORGANISATIONS_PER_PAGE,
    )
    countries: dict[str, tuple[str, list[Organisation]]] = {}
    for found in page:  # each country's name asked for once, not once per organisation
        code = str(found.country.code)
        if code not in countries:
            countries[code] = (str(found.country.name), [])
        countries[code][1].append(found)
    former = Organisation.objects.filter(status=OrganisationStatus.FORMER).only("name", "slug")
    return render(
        request,
        "community/ecosystem.html",
        {
            "kinds": kinds,
            "chosen": chosen,
            "page": page,
            "countries": list(countries.values()),
            "former": former[:ORGANISATIONS_PER_PAGE],
        },
    )


def organisation(request: HttpRequest, slug: str) -> HttpResponse:
    return _render_organisation(request, _get_organisation(request, slug))


def _get_organisation(request: HttpRequest, slug: str) -> Organisation:
    organisation = get_object_or_404(Organisation, slug=slug)
    if not permissions.can_see_organisation(request.user, organisation):
        raise Http404  # as for an unknown address: applicants are not announced
    return organisation


def _render_organisation(
    request: HttpRequest,
    organisation: Organisation,
    invite_form: InvitePersonForm | None = None,
    status: int = 200,
) -> HttpResponse:
    people: QuerySet[Membership] | list[Membership] = []
    if request.user.is_authenticated:
        # Names of people are for logged-in members of the community, not for the public web.
        people = organisation.memberships.select_related("user").by_role()
    can_manage = permissions.can_manage_people(request.user, organisation)
    return render(
        request,
        "community/organisation.html",
        {
            "organisation": organisation,
            "people": people,
            "can_manage": can_manage,
            "invite_form": invite_form or InvitePersonForm(),
            "roles": Role.choices,
        },
        status=status,
    )


def _managed(request: HttpRequest, slug: str) -> Organisation:
    organisation = _get_organisation(request, slug)
    if not permissions.can_manage_people(request.user, organisation):
        raise PermissionDenied
    return organisation


@login_required
@require_POST
def organisation_invite(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    organisation = _managed(request, slug)
    form = InvitePersonForm(request.POST)
    if form.is_valid():
        try:
            membership = services.invite_person(
                organisation, actor=request.user, **form.cleaned_data
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("%(name)s is added and was sent an e-mail.")
                % {"name": membership.user.full_name or membership.user.email},
            )
            return redirect(organisation.get_absolute_url() + "#people")
    return _render_organisation(request, organisation, invite_form=form, status=400)


@login_required
@require_POST
def membership_role(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = _managed(request, slug)
    membership = get_object_or_404(organisation.memberships.select_related("user"), pk=pk)
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            services.change_role(membership, actor=request.user, role=form.cleaned_data["role"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The role is changed."))
    return redirect(organisation.get_absolute_url() + "#people")


@login_required
@require_POST
def membership_remove(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = _managed(request, slug)
    membership = get_object_or_404(organisation.memberships.select_related("user"), pk=pk)
    try:
        services.remove_membership(membership, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(name)s is no longer in %(organisation)s.")
            % {"name": membership.user.full_name, "organisation": organisation.name},
        )
    return redirect(organisation.get_absolute_url() + "#people")


def join(request: HttpRequest) -> HttpResponse:
    form = JoinRequestForm(request.POST or None)
    if request.method == "POST":
        if form.is_from_robot:
            return redirect("join_thanks")  # tell robots nothing; store nothing
        if form.is_valid():
            try:
                outcome = services.submit_join_request(
                    **form.cleaned_data_for_service(),
                    language=get_language(),
                    submitted_from=throttle.client_ip(request),
                    client=throttle.client_key(request),
                )
            except DomainError as error:
                form.add_error(None, error.message)
                return render(request, "community/join.html", {"form": form}, status=429)
            if outcome.already_pending:
                messages.info(
                    request,
                    _(
                        "A request from this address is already waiting for an answer: it "
                        "stays in the queue and a facilitator will reply to it soon."
                    ),
                )
            return redirect("join_thanks")
    return render(request, "community/join.html", {"form": form})


def join_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "community/join_thanks.html")


def _facilitator_only(request: HttpRequest) -> None:
    if not permissions.can_handle_join_requests(request.user):
        raise PermissionDenied


@login_required
def join_requests(request: HttpRequest) -> HttpResponse:
    _facilitator_only(request)
    pending = JoinRequest.objects.filter(status=JoinRequestStatus.PENDING).order_by("created_at")
    decided = (
        JoinRequest.objects.exclude(status=JoinRequestStatus.PENDING)
        .select_related("decided_by", "organisation")
        .order_by("-decided_at", "-pk")
    )
    return render(
        request,
        "community/join_requests.html",
        {
            "pending": paginate(request, pending, JOIN_REQUESTS_PER_PAGE),
            "decided": paginate(request, decided, JOIN_REQUESTS_PER_PAGE, param="answered"),
        },
    )


@login_required
def join_request(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _facilitator_only(request)
    join_request = get_object_or_404(
        JoinRequest.objects.select_related("decided_by", "organisation"), pk=pk
    )
    decline_form = DeclineJoinRequestForm(request.POST if "decline" in request.POST else None)
    if request.method == "POST":
        try:
            if "accept" in request.POST:
                organisation = services.accept_join_request(join_request, actor=request.user)
                messages.success(
                    request,
                    _("%(name)s is now a member; its contact was sent an invitation.")
                    % {"name": organisation.name},
                )
                if organisation.kind == OrganisationKind.SUPERMARKET:
                    # Welcoming a new supermarket: offer to sponsor its first shares.
                    return redirect(
                        reverse("sponsorships") + f"?organisation={organisation.slug}&welcome=1"
                    )
                return redirect(join_request.get_absolute_url())
            if "decline" in request.POST and decline_form.is_valid():
                services.decline_join_request(
                    join_request, actor=request.user, message=decline_form.cleaned_data["message"]
                )
                messages.success(request, _("The request was declined and the contact told why."))
                return redirect(join_request.get_absolute_url())
        except DomainError as error:
            messages.error(request, error.message)
        join_request.refresh_from_db()
    return render(
        request,
        "community/join_request.html",
        {
            "join_request": join_request,
            "decline_form": decline_form,
            "history": [
                (event, JOIN_REQUEST_EVENTS.get(event.action, event.action))
                for event in events_for(join_request)
            ],
        },
    )


@login_required
def account(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = AccountForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        # The form checked the values on a copy; the service writes them and their trace.
        user = User.objects.get(pk=request.user.pk)
        services.update_profile(
            user,
            full_name=form.cleaned_data["full_name"],
            language=form.cleaned_data["language"],
            time_zone=form.cleaned_data["time_zone"],
        )
        with override(user.language):
            messages.success(request, _("Your account was updated."))
            return redirect(reverse("account"))
    return _render_account(request, form=form, token_form=ApiTokenForm())


@login_required
def email_change(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = EmailChangeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        email_change_service.request_change(request.user, form.cleaned_data["email"])
        messages.success(
            request,
            _("We sent a link to %(address)s: follow it to use that address.")
            % {"address": form.cleaned_data["email"]},
        )
        return redirect(reverse("account"))
    return render(
        request,
        "community/email_change.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@never_cache
def email_change_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """A GET only asks (a link scanner must not change anything); the POST makes the change."""
    try:
        change = email_change_service.read(token)
        if request.method == "POST":
            email_change_service.confirm(token)
            messages.success(request, _("Your account uses its new e-mail address."))
            return redirect(
                reverse("account") if request.user.is_authenticated else reverse("login")
            )
    except DomainError as error:
        return render(
            request, "community/email_change_confirm.html", {"error": error.message}, status=400
        )
    return render(request, "community/email_change_confirm.html", {"change": change})


def _render_account(
    request: AuthenticatedHttpRequest,
    *,
    form: AccountForm,
    token_form: ApiTokenForm,
    new_token: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    response = render(
        request,
        "community/account.html",
        {
            "form": form,
            "token_form": token_form,
            "tokens": request.user.api_tokens.all(),
            "new_token": new_token,
            "memberships": request.user.memberships.select_related("organisation"),
        },
        status=status,
    )
    if new_token:
        response["Cache-Control"] = "no-store"  # the secret must not stay in any cache
    return response


@login_required
@require_POST
def api_token_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    token_form = ApiTokenForm(request.POST)
    form = AccountForm(instance=request.user)
    if not token_form.is_valid():
        return _render_account(request, form=form, token_form=token_form, status=400)
    token, raw = services.create_api_token(
        request.user,
        name=token_form.cleaned_data["name"],
        expires_at=token_form.expires_at(),
        read_only=token_form.cleaned_data["read_only"],
    )
    # Shown once, in this very answer: the secret is stored nowhere but in its hash.
    return _render_account(
        request,
        form=form,
        token_form=ApiTokenForm(),
        new_token={"name": token.name, "secret": raw},
        status=201,
    )


@login_required
@require_POST
def api_token_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk)
    if not permissions.can_revoke_api_token(request.user, token):
        raise PermissionDenied
    services.revoke_api_token(token, actor=request.user)
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect(reverse("account") + "#api-tokens")


# Failed logins counted per quarter of an hour. On one account from one network, the first
# few are free, then each waits twice as long as the one before (2 s, 4 s … at most the
# quarter of an hour); one network trying many accounts is stopped for the quarter of an hour.
# Nothing counts per account alone: someone elsewhere cannot lock its owner out.
LOGIN_WINDOW = timedelta(minutes=15)
LOGIN_FAILURES_PER_CLIENT = 20
FREE_LOGIN_FAILURES = 3
# Password-reset requests allowed per hour, from one network and for one address.
RESET_WINDOW = timedelta(hours=1)
RESETS_PER_CLIENT = 10
RESETS_PER_ACCOUNT = 3


class LoginView(auth_views.LoginView):
    template_name = "community/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        waiting = self._wait()
        if waiting:
            # No password is checked: the form comes back with the address typed, unbound.
            form = self.get_form_class()(
                request, initial={"username": request.POST.get("username")}
            )
            seconds = max(1, math.ceil(waiting.total_seconds()))
            throttled = ngettext(
                "Too many failed attempts. Try again in %(seconds)s second, or set a new "
                "password by e-mail.",
                "Too many failed attempts. Try again in %(seconds)s seconds, or set a new "
                "password by e-mail.",
                seconds,
            ) % {"seconds": seconds}
            context = self.get_context_data(form=form, throttled=throttled)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: Any) -> HttpResponse:
        throttle.record("login-client", throttle.client_key(self.request))
        throttle.record("login-pair", self._pair())
        return super().form_invalid(form)

    def _account(self) -> str:
        return normalize_email(self.request.POST.get("username", ""))

    def _pair(self) -> str:
        return f"{throttle.client_key(self.request)} {self._account()}"[:254]

    def _wait(self) -> timedelta:
        """How long this client waits before trying this account again (nothing: go on)."""
        if throttle.is_blocked(
            "login-client",
            throttle.client_key(self.request),
            limit=LOGIN_FAILURES_PER_CLIENT,
            window=LOGIN_WINDOW,
        ):
            return LOGIN_WINDOW
        return throttle.wait(
            "login-pair",
            self._pair(),
            free=FREE_LOGIN_FAILURES,
            window=LOGIN_WINDOW,
            longest=LOGIN_WINDOW,
        )

    def get_success_url(self) -> str:
        # After logging in, people see the site in their own language.
        # Logged in: by the form just now, or before (redirect_authenticated_user).
        user = cast(User, self.request.user)
        return translate_url(super().get_success_url(), user.language)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "community/password_change.html"
    success_url = reverse_lazy("account")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user = cast(User, self.request.user)  # the view is behind login_required
        log_action(user, "community.user.password_changed", user)
        messages.success(self.request, _("Your password was changed."))
        return response


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """Where invitation and password-reset links lead: set a password and be logged in.

    The link works once: setting the password changes what its token was made from.
    """

    template_name = "community/set_password.html"
    post_reset_login = True
    post_reset_login_backend = settings.AUTHENTICATION_BACKENDS[0]
    success_url = reverse_lazy("dashboard")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if self.user is not None:
            context["memberships"] = Membership.objects.filter(user=self.user).select_related(
                "organisation"
            )
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        log_action(form.user, "community.user.password_set", form.user)
        messages.success(self.request, _("Your password is set and you are logged in."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "community/password_reset.html"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        client = throttle.client_key(self.request)
        if not throttle.allow(
            "password-reset-client", client, limit=RESETS_PER_CLIENT, window=RESET_WINDOW
        ):
            form.add_error(None, _("Too many requests from your network: try again later."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        email = normalize_email(form.cleaned_data["email"])
        # Beyond a few links an hour, an address gets nothing more, and the page says the same.
        if throttle.allow(
            "password-reset-account", email, limit=RESETS_PER_ACCOUNT, window=RESET_WINDOW
        ):
            tasks.request_password_reset.enqueue(email)
        return redirect(self.success_url)
