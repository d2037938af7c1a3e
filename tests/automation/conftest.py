"""Shared fixtures of the automation tests: real receivers (SMTP and HTTP) and rule helpers."""

from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller

from paceline.automation import services
from paceline.core.services import Actor
from tests.automation.receivers import Inbox, Receiver


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = False, "", ""
    yield inbox
    controller.stop()


@pytest.fixture
def receiver():
    """``receiver(500, 200)``: a started HTTP receiver answering those codes in order."""
    started = []

    def start(*answers) -> Receiver:
        r = Receiver(answers or (200,)).start()
        started.append(r)
        return r

    yield start
    for r in started:
        r.stop()


@pytest.fixture
def make_rule(leader):
    """``make_rule(trigger, actions=..., **fields)``: a rule saved through the service, uncapped by default."""
    count = iter(range(1, 10_000))

    def make(trigger, *, actions=None, trigger_params=None, **fields):
        fields.setdefault("cap_days", 0)
        return services.rule_create(
            actor=Actor(leader), name=fields.pop("name", f"{trigger} rule {next(count)}"), trigger=trigger,
            trigger_params=trigger_params or {},
            actions=actions or [{"type": "create_task", "params": {"title": "Look at {account}"}}], **fields)

    return make
