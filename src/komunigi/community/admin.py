from operator import itemgetter
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from komunigi.audit.admin import AuditedAdmin
from komunigi.audit.services import log_action
from komunigi.community import services
from komunigi.community.models import (
    LANGUAGE_NAMES,
    ApiToken,
    JoinRequest,
    Membership,
    Organisation,
    User,
)
from komunigi.community.permissions import can_manage_account
from komunigi.errors import DomainError
from komunigi.http import AuthenticatedHttpRequest


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class OrganisationAdminForm(forms.ModelForm):
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")
    languages = forms.MultipleChoiceField(
        label=_("languages"),
        choices=sorted(LANGUAGE_NAMES.items(), key=itemgetter(1)),
        required=False,
    )

    class Meta:
        model = Organisation
        fields = [
            "name",
            "slug",
            "kind",
            "status",
            "country",
            "city",
            "website",
            "languages",
            "description",
            "member_households",
            "odoo_series",
            "joined_on",
        ]


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    form = OrganisationAdminForm
    list_display = ["name", "kind", "status", "country", "city", "member_households", "joined_on"]
    list_filter = ["kind", "status", "country", "odoo_series"]
    search_fields = ["name", "city"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role", "organisation__kind"]
    search_fields = ["user__full_name", "user__email", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]
    list_select_related = ["user", "organisation"]


class KomunigiUserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email", "full_name", "language"]


class KomunigiUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    form = KomunigiUserChangeForm
    add_form = KomunigiUserCreationForm
    list_display = ["email", "full_name", "language", "is_facilitator", "is_staff", "is_active"]
    list_filter = ["is_facilitator", "is_staff", "is_superuser", "is_active", "language"]
    search_fields = ["email", "full_name"]
    ordering = ["full_name"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["full_name", "language", "time_zone"]}),
        (
            _("Permissions"),
            {
                "fields": [
                    "is_active",
                    "is_facilitator",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ]
            },
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "email",
                    "full_name",
                    "language",
                    "usable_password",
                    "password1",
                    "password2",
                ],
            },
        )
    ]
    # Facilitators may manage people, but not hand out powers (their own included), nor move
    # an account to another address (then reset its password there: a takeover). A person
    # changes their own address from "My account", confirming it from the new one.
    _SUPERUSER_ONLY_FIELDS = [
        "is_facilitator",
        "is_staff",
        "is_superuser",
        "groups",
        "user_permissions",
    ]

    def get_list_display(self, request: HttpRequest) -> Any:
        """Facilitators also see, for each person, the way to what they chose to be told (to
        answer "why did I not get it?"); the page is theirs alone, so is the column."""
        shown = list(super().get_list_display(request))
        if getattr(request.user, "is_facilitator", False):
            shown.append("notification_choices")
        return shown

    @admin.display(description=_("Notifications"))
    def notification_choices(self, obj: User) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("person_notification_preferences", args=[obj.pk]),
            _("What %(name)s receives") % {"name": obj},
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += self._SUPERUSER_ONLY_FIELDS
            if obj is not None:
                readonly.append("email")
        return readonly

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Whoever grants or removes facilitator rights (a site administrator) is audited by
        name, beside the admin's own change message."""
        super().save_model(request, obj, form, change)
        if "is_facilitator" in form.changed_data:
            verb = "granted" if obj.is_facilitator else "removed"
            log_action(request.user, f"community.user.facilitator_{verb}", obj)

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> Any:
        """Only a site administrator sets another person's password here: a facilitator who
        could would take the account over. A person changes their own from "My account"."""
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and not can_manage_account(request.user, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and not can_manage_account(request.user, obj):
            return False
        return super().has_delete_permission(request, obj)


@admin.register(JoinRequest)
class JoinRequestAdmin(AuditedAdmin):
    list_display = [
        "organisation_name",
        "kind",
        "country",
        "contact_name",
        "status",
        "created_at",
        "decision_page",
    ]
    list_filter = ["status", "kind", "country"]
    search_fields = ["organisation_name", "contact_name", "contact_email"]
    actions = ["accept_selected"]
    readonly_fields = [
        "status",
        "language",
        "submitted_from",
        "created_at",
        "decided_at",
        "decided_by",
        "decline_message",
        "organisation",
    ]

    @admin.display(description=_("decision"))
    def decision_page(self, obj: JoinRequest) -> str:
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), _("Accept or decline"))

    @admin.action(description=_("Accept the selected requests"), permissions=["change"])
    def accept_selected(
        self, request: AuthenticatedHttpRequest, queryset: QuerySet[JoinRequest]
    ) -> None:
        accepted = 0
        for join_request in queryset:
            try:
                services.accept_join_request(join_request, actor=request.user)
            except DomainError as error:
                self.message_user(
                    request, f"{join_request.organisation_name}: {error.message}", messages.ERROR
                )
            else:
                accepted += 1
        if accepted:
            self.message_user(
                request,
                ngettext("%d request accepted.", "%d requests accepted.", accepted) % accepted,
                messages.SUCCESS,
            )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "user__email", "prefix"]
    readonly_fields = ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    exclude = ["token_hash"]
    actions = ["revoke_selected"]
    list_select_related = ["user"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens are created by their owner, who alone sees the secret

    @admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
    def revoke_selected(
        self, request: AuthenticatedHttpRequest, queryset: QuerySet[ApiToken]
    ) -> None:
        for token in queryset.filter(revoked_at=None):
            services.revoke_api_token(token, actor=request.user)
        self.message_user(request, _("The selected tokens are revoked."), messages.SUCCESS)
