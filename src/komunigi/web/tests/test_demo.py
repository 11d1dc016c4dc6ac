import pytest
from django.apps import apps
from django.core import serializers
from django.core.management import CommandError, call_command

from komunigi.community.models import Membership, Organisation, Role, User

pytestmark = pytest.mark.django_db


def snapshot() -> str:
    """Every row of the community's tables, serialised: equal snapshots mean nothing changed."""
    models = [
        model
        for app in ("community", "needs", "meetings", "funding")
        for model in apps.get_app_config(app).get_models()
    ]
    return "\n".join(
        serializers.serialize("json", model.objects.order_by("pk")) for model in models
    )


def test_demo_loads_the_decks_ecosystem(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("demo", "--no-serve")
    members = Organisation.objects.members()
    assert members.filter(kind="supermarket").count() == 10
    assert sorted(
        members.filter(kind__in=["provider", "partner"]).values_list("name", flat=True)
    ) == [
        "Coop IT Easy",
        "Coopdevs",
        "GRAP",
        "LemonSide",
        "collectiv-a",
    ]
    assert members.get(kind="stakeholder").name == "Odoo Community Association"
    assert set(Organisation.objects.values_list("country", flat=True)) == {
        "BE",
        "CH",
        "DE",
        "ES",
        "FR",
    }
    for supermarket in members.filter(kind="supermarket"):
        roles = sorted(supermarket.memberships.values_list("role", flat=True))
        assert roles == [Role.MEMBER, Role.REPRESENTATIVE], supermarket.name
    assert User.objects.filter(is_facilitator=True, is_superuser=False).count() == 1
    assert User.objects.filter(is_superuser=True).count() == 1
    assert Membership.objects.filter(organisation__slug="coop-it-easy").count() == 3

    output = capsys.readouterr().out
    assert "password for all: komunigi-demo" in output
    assert "facilitation@komunigi.example" in output
    assert "claire.dubois@bees-coop.example" in output


def test_demo_logins_work() -> None:
    call_command("demo", "--no-serve")
    claire = User.objects.get(email="claire.dubois@bees-coop.example")
    assert claire.check_password("komunigi-demo")


def test_running_the_demo_twice_changes_nothing() -> None:
    call_command("demo", "--no-serve")
    first = snapshot()
    call_command("demo", "--no-serve")
    assert snapshot() == first


def test_demo_keeps_what_people_changed() -> None:
    call_command("demo", "--no-serve")
    claire = User.objects.get(email="claire.dubois@bees-coop.example")
    claire.set_password("my own password")
    claire.save()
    call_command("demo", "--no-serve")
    claire.refresh_from_db()
    assert claire.check_password("my own password")


def test_demo_refuses_to_run_in_production(settings) -> None:
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="not in production"):
        call_command("demo", "--no-serve")
    assert Organisation.objects.count() == 0


def test_demo_refuses_a_malformed_address() -> None:
    with pytest.raises(CommandError, match=r"--addr must look like 127\.0\.0\.1:8000"):
        call_command("demo", "--addr", "localhost")


def test_demo_loads_the_decks_co_financings_and_a_counted_round() -> None:
    from komunigi.needs.models import Need, PriorityRound

    call_command("demo", "--no-serve")
    delivered = set(Need.objects.filter(status="delivered").values_list("title", flat=True))
    assert delivered == {
        "Migration d'Odoo 9 à Odoo 12",
        "Améliorer les e-mails de rappel avant les shifts",
        "Formulaire de prise de part : case à cocher et texte configurables",
    }
    # Labels were approved last month and are being co-financed; deposits are on the next
    # meeting's agenda (scheduled).
    for title, status in [
        ("Générer les étiquettes d'articles dans Odoo", "funding"),
        ("Gérer les consignes (bocaux, bouteilles)", "scheduled"),
    ]:
        need = Need.objects.get(title=title)
        assert (need.status, need.quotes.count() > 0, need.interests.count() > 1) == (
            status,
            True,
            True,
        )
    assert Need.objects.filter(status__in=["open", "quoted", "scheduled", "funding"]).count() >= 12
    migration = Need.objects.get(title="Migration d'Odoo 9 à Odoo 12")
    assert migration.interests.count() == 6
    [priority_round] = PriorityRound.objects.all()
    assert (priority_round.status, priority_round.ballots.count()) == ("closed", 8)
    first = Need.objects.get(pk=priority_round.result["order"][0][0])
    assert first.title == "Générer les étiquettes d'articles dans Odoo"


def test_demo_has_the_meetings_that_decided_the_co_financings_and_the_next_one() -> None:
    from komunigi.meetings.demo import next_meeting_title
    from komunigi.meetings.models import Decision, Meeting

    call_command("demo", "--no-serve")
    past = Meeting.objects.filter(kind="users", status="closed")
    assert past.count() == 4
    assert all(m.minutes_status == "published" and m.minutes for m in past)
    approved = Decision.objects.filter(outcome="approved").select_related("item__need")
    assert sorted(d.item.need.title for d in approved) == [
        "Améliorer les e-mails de rappel avant les shifts",
        "Formulaire de prise de part : case à cocher et texte configurables",
        "Générer les étiquettes d'articles dans Odoo",
        "Migration d'Odoo 9 à Odoo 12",
    ]
    assert Meeting.objects.get(kind="core").status == "closed"
    upcoming = Meeting.objects.get(title=next_meeting_title())
    decisions = [i.need.title for i in upcoming.items.all() if i.need]
    assert decisions == ["Gérer les consignes (bocaux, bouteilles)"]
