"""Factories for automation tests: rules, playbooks and channels made through their services."""

from __future__ import annotations

from paceline.automation import services
from paceline.core.services import Actor


def make_rule(leader, name="Quiet accounts", **extra):
    fields = {"trigger": "no_interaction", "trigger_params": {"days": 30},
              "actions": [{"type": "create_task", "params": {"title": "Call {account}"}}], **extra}
    return services.rule_create(actor=Actor(leader), name=name, **fields)


def make_playbook(leader, name="Onboarding", steps=None):
    steps = steps if steps is not None else [
        {"kind": "task", "title": "Kick-off call", "due_in_days": 2},
        {"kind": "touchpoint", "title": "First check-in", "due_in_days": 14, "touchpoint_kind": "call"},
    ]
    return services.playbook_create(actor=Actor(leader), name=name, steps=steps)


def make_channel(leader, name="Hooks", kind="webhook", target="https://hooks.example.com/in"):
    return services.channel_create(actor=Actor(leader), name=name, kind=kind, target=target)
