"""One function per e-mail about needs, each in the recipient's language."""

from django.utils.translation import override

from komunigi.community.models import User
from komunigi.needs.models import Comment
from komunigi.notifications.emails import absolute_url, send_templated_email


def send_comment_notification(comment: Comment, recipient: User) -> None:
    with override(recipient.language):
        url = absolute_url(comment.need.get_absolute_url()) + f"#comment-{comment.pk}"
    send_templated_email(
        "need-comment",
        to=recipient.email,
        language=recipient.language,
        context={"comment": comment, "need": comment.need, "recipient": recipient, "url": url},
    )
