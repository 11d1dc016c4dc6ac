"""The request of a page, endpoint or admin action that only logged-in people reach, and the
answer that serves a file people uploaded."""

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpRequest

from komunigi.community.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """For type checking only: Django passes its own request object. Annotate ``request``
    with it where ``request.user`` is a person, never an ``AnonymousUser`` — views behind
    ``login_required``, API endpoints with ``auth=PERSONAL``, admin actions (the admin site
    lets only active staff in) — which the type checker cannot know by itself."""

    user: User


def uploaded_file_response(file: FieldFile, *, content_type: str, filename: str) -> FileResponse:
    """A file from a user (a need's or a post's attachment), served safely: images show in
    the page, other files (PDF) are downloaded, never rendered from our origin, and nothing
    they might hold runs."""
    response = FileResponse(
        file.open("rb"),
        content_type=content_type,
        as_attachment=not content_type.startswith("image/"),
        filename=filename,
    )
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["X-Content-Type-Options"] = "nosniff"
    return response
