"""Factories for test data. They write through the ORM (fast); services are tested on their own."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from paceline.customers.models import (
    Account,
    Contact,
    Interaction,
    Segment,
    Subscription,
    Task,
)
from paceline.customers.services import account_refresh_commercials
from paceline.users.models import Role, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@vendor.test")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = Role.CSM
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Account {n:04d}")
    external_id = factory.Sequence(lambda n: f"acc-{n}")
    domain = factory.LazyAttribute(lambda a: a.name.lower().replace(" ", "") + ".example")
    segment = Segment.MID_MARKET


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    account = factory.SubFactory(AccountFactory)
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"contact{n}@customer.test")
    title = "Operations Manager"


class SubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscription
        skip_postgeneration_save = True

    account = factory.SubFactory(AccountFactory)
    product = "Paceline Platform"
    seats = 50
    arr = Decimal("12000.00")
    start_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=200))
    end_date = factory.LazyAttribute(lambda s: s.start_date + dt.timedelta(days=365))

    @factory.post_generation
    def refresh(obj, create, extracted, **kwargs):
        if create:
            account_refresh_commercials(account=obj.account)


class InteractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interaction

    account = factory.SubFactory(AccountFactory)
    kind = "call"
    occurred_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=3))
    subject = factory.Sequence(lambda n: f"Check-in call {n}")


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    account = factory.SubFactory(AccountFactory)
    title = factory.Sequence(lambda n: f"Follow up {n}")
    due_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=7))


# Success plans ----------------------------------------------------------------------------------

from paceline.success.models import Goal, SuccessMetric, SuccessPlan  # noqa: E402


class SuccessPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SuccessPlan

    account = factory.SubFactory(AccountFactory)
    title = factory.Sequence(lambda n: f"Success plan {n}")


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    plan = factory.SubFactory(SuccessPlanFactory)
    title = factory.Sequence(lambda n: f"Goal {n}")


class SuccessMetricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SuccessMetric

    goal = factory.SubFactory(GoalFactory)
    name = "Users trained"
    unit = "count"
    direction = "higher"
    baseline = Decimal("0")
    baseline_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=30))
    target = Decimal("100")
    target_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=60))
