"""User-written Markdown, rendered and sanitised: never raw HTML from users on a page."""

import markdown as markdown_library
import nh3

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a",
    "hr", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


def render_markdown(text: str, *, top_heading: int = 3) -> str:
    """Safe HTML for ``text``: Markdown rendered, then cleaned down to a small set of tags.

    Headings above ``top_heading`` are dropped to text: a comment on a need's page sits under
    its h1 and h2 (3), a document on a page of its own, such as minutes, under its h1 (2).
    """
    html = markdown_library.markdown(text, extensions=["extra", "sane_lists"])
    headings = {f"h{level}" for level in range(top_heading, 7)}
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS | headings,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
