"""Factories that build the world the tests tell stories about."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import Membership, Organization, Role, Team, User
from okr.models import Cycle, CycleStatus, KeyResult, Level, Metric, Objective


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    name = factory.Faker("name")
    # People in the stories own their addresses; a test about an unverified account says so.
    email_verified_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create and results:
            instance.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Org {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.MEMBER


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class CycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cycle

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Cycle {n}")
    start_date = factory.LazyFunction(lambda: timezone.now().date() - datetime.timedelta(days=30))
    end_date = factory.LazyFunction(lambda: timezone.now().date() + datetime.timedelta(days=60))
    status = CycleStatus.ACTIVE


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective

    organization = factory.SelfAttribute("cycle.organization")
    cycle = factory.SubFactory(CycleFactory)
    title = factory.Sequence(lambda n: f"Objective {n}")
    level = Level.COMPANY
    owner = factory.SubFactory(UserFactory)


class KeyResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KeyResult

    organization = factory.SelfAttribute("objective.organization")
    objective = factory.SubFactory(ObjectiveFactory)
    title = factory.Sequence(lambda n: f"Key result {n}")
    owner = factory.SelfAttribute("objective.owner")
    metric = Metric.NUMBER
    start_value = Decimal(0)
    target_value = Decimal(100)
    current_value = factory.SelfAttribute("start_value")
