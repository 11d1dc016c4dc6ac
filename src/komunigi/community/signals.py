"""What follows a change to a person's account wherever it is made (their own page, a reset
link, the admin): a new password or a closed account revokes every API token they had."""

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from komunigi.community.models import User


@receiver(post_save, sender=User, dispatch_uid="komunigi.community.revoke_tokens")
def revoke_tokens_on_password_change_or_deactivation(
    sender: type[User], instance: User, created: bool, **kwargs: Any
) -> None:
    if created:
        return
    # Django keeps the new raw password on the instance until the save that stores it ends.
    password_changed = getattr(instance, "_password", None) is not None
    if password_changed or not instance.is_active:
        from komunigi.community.services import revoke_api_tokens_of

        revoke_api_tokens_of(
            instance, because="password changed" if password_changed else "account closed"
        )
