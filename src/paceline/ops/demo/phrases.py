"""The words of the timeline: subjects and summaries by kind of touch and by tone.

Tone follows the hidden sentiment; late in a doomed term the issues turn into the ones a CSM
dreads ("evaluating alternatives"), so text-based signals (issue 5's sentiment model) have
something true to find.
"""

from __future__ import annotations

import random

TEAMS = ("finance", "procurement", "operations", "accounts payable", "the EMEA office", "IT", "shared services")
TOPICS = (
    "the rollout to the {team} team", "SSO setup", "admin training", "reporting dashboards",
    "success goals for next quarter", "the usage review", "the invoice approval workflow",
    "the ERP integration", "the new feature preview", "seat allocation", "the onboarding plan",
    "the data import", "approval rules", "the mobile app rollout",
)
ISSUES = (
    "slow reports", "a failed integration sync", "low usage in {team}", "an open support ticket",
    "pricing at renewal", "missing features", "a budget review", "training gaps", "data quality problems",
)
LATE_ISSUES = (
    "evaluating alternatives", "procurement asking for a cheaper option", "the renewal budget not being approved",
    "a new CFO reviewing every tool",
)
WEBINARS = ("What's new this quarter", "Approval workflows that scale", "Measuring time to value", "Admin office hours")

SUBJECTS = {
    "email": {
        "neutral": ("Follow-up: {topic}", "Re: {topic}", "Notes from our call on {topic}", "Resources for {topic}"),
        "positive": ("Thanks for the session on {topic}", "Great progress on {topic}"),
        "negative": ("Re: concerns about {issue}", "Escalation: {issue}", "Re: {issue}"),
    },
    "call": {
        "neutral": ("Check-in call", "Call about {topic}", "Monthly check-in"),
        "positive": ("Check-in: {topic} going well", "Call about {topic}"),
        "negative": ("Call about {issue}", "Escalation call: {issue}"),
    },
    "meeting": {
        "neutral": ("Working session: {topic}", "Training: {topic}", "Roadmap preview", "Success goals review"),
        "positive": ("Working session: {topic}", "Success goals review: on track"),
        "negative": ("Meeting about {issue}", "Recovery plan: {issue}"),
    },
    "event": {
        "neutral": ("Webinar: {webinar}", "User group meetup", "Annual customer conference"),
        "positive": ("Customer advisory board", "Webinar: {webinar}"),
        "negative": ("User group meetup",),
    },
    "note": {
        "neutral": ("Usage review", "Account plan updated", "Internal note: {topic}"),
        "positive": ("Usage review: adoption growing", "Account plan updated"),
        "negative": ("Risk: {issue}", "Usage review: adoption falling"),
    },
    "qbr": {
        "neutral": ("Quarterly business review", "Business review: goals and roadmap"),
        "positive": ("Quarterly business review", "Business review: goals met"),
        "negative": ("Quarterly business review", "Business review: value questioned"),
    },
}
SUMMARIES = {
    "neutral": (
        "{who} walked through {topic}; next steps agreed.",
        "Reviewed {topic} with {who}. No blockers for now.",
        "{who} asked for material on {topic}; sent it.",
    ),
    "positive": (
        "{who} is happy with {topic} and wants to extend it to {team}.",
        "Good momentum: {who} reported faster approvals since go-live.",
        "{who} shared a win from {topic}; good candidate for a reference.",
    ),
    "negative": (
        "{who} raised {issue}. Needs a follow-up this week.",
        "{who} was frustrated about {issue} and asked for a plan.",
        "{who} mentioned {issue}; tone was cool.",
    ),
}
TASK_TITLES = (
    "Send the recap of {topic}", "Follow up with {who} on {topic}", "Schedule training for new admins",
    "Share the usage report with {who}", "Book the next check-in with {who}", "Answer {who}'s question on {topic}",
    "Update the account plan", "Introduce {who} to the support team",
)


def fill(rng: random.Random, template: str, *, who: str = "The team", late: bool = False) -> str:
    issue = rng.choice(LATE_ISSUES if late else ISSUES)
    return template.format(
        topic=rng.choice(TOPICS).format(team=rng.choice(TEAMS)),
        issue=issue.format(team=rng.choice(TEAMS)),
        team=rng.choice(TEAMS),
        webinar=rng.choice(WEBINARS),
        who=who,
    )


def subject(rng: random.Random, kind: str, tone: str, *, late: bool = False) -> str:
    return fill(rng, rng.choice(SUBJECTS[kind][tone or "neutral"]), late=late)


def summary(rng: random.Random, tone: str, who: str, *, late: bool = False) -> str:
    return fill(rng, rng.choice(SUMMARIES[tone or "neutral"]), who=who, late=late)


def task_title(rng: random.Random, who: str) -> str:
    return fill(rng, rng.choice(TASK_TITLES), who=who)
