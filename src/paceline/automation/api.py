"""The automation API: rules, firings, snoozes, playbooks and runs, channels and deliveries."""

from ninja import Router

router = Router(tags=["Automation"])
