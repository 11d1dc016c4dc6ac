"""One function per e-mail about needs, each in the recipient's language."""

from django.utils.translation import override

from komunigi.community.models import User
from komunigi.needs.models import Comment
from komunigi.notifications import events
from komunigi.notifications.emails import absolute_url
from komunigi.notifications.services import notify


def send_comment_notification(comment: Comment, recipient: User) -> None:
    with override(recipient.language):
        url = absolute_url(comment.need.get_absolute_url()) + f"#comment-{comment.pk}"
    notify(recipient, events.NEED_COMMENT, {"comment": comment, "need": comment.need, "url": url})
