"""The request of a page, endpoint or admin action that only logged-in people reach."""

from django.http import HttpRequest

from komunigi.community.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """For type checking only: Django passes its own request object. Annotate ``request``
    with it where ``request.user`` is a person, never an ``AnonymousUser`` — views behind
    ``login_required``, API endpoints with ``auth=PERSONAL``, admin actions (the admin site
    lets only active staff in) — which the type checker cannot know by itself."""

    user: User
