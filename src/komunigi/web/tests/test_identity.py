"""What a shared link shows (Open Graph), and the one way dates are written."""

import datetime
import re
import zoneinfo
from html import unescape

import pytest
from django.test import Client
from django.utils import timezone, translation

from komunigi import dates
from komunigi.needs.tests.factories import NeedFactory

pytestmark = pytest.mark.django_db


def meta(html: str) -> dict[str, str]:
    found = re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)">', html)
    return {key: unescape(value) for key, value in found}


def test_a_shared_link_previews_the_page_with_its_title_and_the_logo(client: Client) -> None:
    need = NeedFactory(title="Étiquettes & rayons")

    tags = meta(client.get(need.get_absolute_url()).content.decode())

    assert tags["og:title"] == "Étiquettes & rayons"
    assert tags["og:site_name"] == "Komunigi"
    assert tags["og:url"] == f"http://127.0.0.1:8000{need.get_absolute_url()}"
    assert tags["og:locale"] == "fr_FR"
    assert tags["og:description"] == tags["description"] == "Something goes wrong."
    image = tags["og:image"].removeprefix("http://127.0.0.1:8000")
    assert image.endswith(".png")
    assert client.get(image).status_code == 200


def test_a_page_in_english_previews_in_english(client: Client) -> None:
    tags = meta(client.get("/en/co-financing/budget/").content.decode())

    assert tags["og:title"] == "The community's budget"
    assert tags["og:locale"] == "en_US"
    assert tags["og:description"].startswith("Cooperative supermarkets decide together")


def test_dates_and_moments_read_alike_in_every_language() -> None:
    moment = datetime.datetime(2026, 12, 1, 7, 34, tzinfo=datetime.UTC)
    with translation.override("fr"), timezone.override(zoneinfo.ZoneInfo("Europe/Brussels")):
        assert dates.show_date(moment) == "1 décembre 2026"
        assert dates.show_moment(moment) == "1 décembre 2026 à 08:34"
    with translation.override("en"), timezone.override(zoneinfo.ZoneInfo("Europe/Brussels")):
        assert dates.show_date(datetime.date(2026, 12, 1)) == "1 December 2026"
        assert dates.show_moment(moment) == "1 December 2026 at 08:34"
