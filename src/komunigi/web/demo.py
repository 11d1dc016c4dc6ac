"""The whole demo community, every app's part in the order they build on each other: what
`komunigi demo` serves and what the tests that need realistic data load."""

from komunigi.commons.demo import load_demo_modules
from komunigi.community.demo import DemoLogin, load_demo_community
from komunigi.discussions.demo import load_demo_lists
from komunigi.funding.demo import load_demo_funding
from komunigi.funding.demo_maintenance import load_demo_maintenance
from komunigi.meetings.demo import load_demo_meetings
from komunigi.needs.demo import load_demo_follows, load_demo_needs
from komunigi.news.demo import load_demo_news


def load_demo() -> list[DemoLogin]:
    """Load the demo community; returns its logins."""
    logins = load_demo_community()
    load_demo_needs()
    load_demo_meetings()
    load_demo_funding()  # after the meetings: last month's approved the open campaign
    load_demo_follows()
    load_demo_news()
    load_demo_lists()
    load_demo_modules()
    load_demo_maintenance()  # after the catalogue: who runs what
    return logins
