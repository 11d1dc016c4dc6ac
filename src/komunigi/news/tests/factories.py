"""Factories for the newsletter's models: plain, predictable, no surprises."""

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from komunigi.news.models import Issue, IssueStatus, Subscriber, SubscriberStatus
from komunigi.news.services import address_hash, new_key


class IssueFactory(DjangoModelFactory):
    class Meta:
        model = Issue

    slug = factory.Sequence(lambda n: f"issue-{n}")
    status = IssueStatus.DRAFT
    title_fr = factory.Sequence(lambda n: f"Lettre n° {n}")
    body_fr = "Des **nouvelles** de la communauté."


class SubscriberFactory(DjangoModelFactory):
    class Meta:
        model = Subscriber

    email = factory.Sequence(lambda n: f"reader{n}@example.org")
    address_hash = factory.LazyAttribute(lambda o: address_hash(o.email))
    language = "fr"
    status = SubscriberStatus.CONFIRMED
    source = "web"
    key = factory.LazyFunction(new_key)
    requested_at = factory.LazyFunction(timezone.now)
    consent_at = factory.LazyFunction(timezone.now)
