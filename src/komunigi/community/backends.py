from typing import Any

from django.contrib.auth.backends import ModelBackend

# Facilitators manage the community's own data through the admin, but not Django's users'
# permission tables (auth) nor anything that would let them make themselves superusers.
FACILITATOR_APP_LABELS = frozenset(
    {"community", "needs", "meetings", "funding", "audit", "notifications", "django_tasks_db"}
)


class FacilitatorBackend(ModelBackend):
    """Django's permissions, plus every permission on the community's apps for facilitators."""

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        if _is_active_facilitator(user_obj) and perm.split(".", 1)[0] in FACILITATOR_APP_LABELS:
            return True
        return super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        if _is_active_facilitator(user_obj) and app_label in FACILITATOR_APP_LABELS:
            return True
        return super().has_module_perms(user_obj, app_label)


def _is_active_facilitator(user_obj: Any) -> bool:
    return bool(user_obj.is_active and getattr(user_obj, "is_facilitator", False))
