"""Factories for touchpoint plans, steps, need areas, resources and needs."""

from __future__ import annotations

import factory
from django.utils import timezone

from paceline.engagement.models import Need, NeedArea, Resource, TouchpointPlan, TouchpointStep
from tests.factories import AccountFactory


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TouchpointPlan

    name = factory.Sequence(lambda n: f"Plan {n}")
    segment = ""
    auto_apply = True


class StepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TouchpointStep

    plan = factory.SubFactory(PlanFactory)
    name = factory.Sequence(lambda n: f"Step {n}")
    anchor = "start"
    offset_days = 30
    window_days = 7
    purpose = "Check progress against the success plan"
    expected_result = "Agreed next steps"
    position = factory.Sequence(int)


class NeedAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NeedArea

    key = factory.Sequence(lambda n: f"area-{n}")
    name = factory.Sequence(lambda n: f"Area {n}")


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Resource {n}")
    kind = "article"

    @factory.post_generation
    def areas(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.areas.set(extracted)


class NeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Need

    account = factory.SubFactory(AccountFactory)
    area = factory.SubFactory(NeedAreaFactory)
    opened_on = factory.LazyFunction(timezone.localdate)
