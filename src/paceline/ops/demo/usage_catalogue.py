"""What Brightwave's product sends: its event names, the key features they make up, and who uses what.

Plain declarations read by ``usage_events`` (the generator) and ``usage`` (the demo step, which
creates one ``KeyFeature`` per entry of ``FEATURES``). Adding an event is adding one ``Event``;
the weights are relative and per segment (SMB, mid-market, enterprise), so an enterprise session
reaches for reports, admin and integrations more often and an SMB one mostly stays on the basics.
"""

from __future__ import annotations

from dataclasses import dataclass

from paceline.customers.models import Segment

SEGMENTS = (Segment.SMB, Segment.MID_MARKET, Segment.ENTERPRISE)


@dataclass(frozen=True)
class Feature:
    key: str
    name: str
    description: str
    # Per segment: the chance an account takes the feature up at all, and the chance one of its
    # users does once the account has.
    adoption: tuple[float, float, float]
    users: tuple[float, float, float]
    # Days after the first contract's start before the account starts using it (lowest, highest).
    delay: tuple[int, int]
    # A doomed account drops it as its pressure rises (the basics are kept to the end).
    fades: bool = True


@dataclass(frozen=True)
class Event:
    name: str  # track event, or "page:<name>" for a page view
    feature: str | None  # the key feature it counts as, or None for navigation
    weights: tuple[float, float, float]  # relative frequency per segment, as in SEGMENTS

    @property
    def type(self) -> str:
        return "page" if self.name.startswith("page:") else "track"


FEATURES: tuple[Feature, ...] = (
    Feature("records", "Records", "Creating and updating the records the team works on every day.",
            adoption=(1.0, 1.0, 1.0), users=(0.95, 0.95, 0.95), delay=(0, 3), fades=False),
    Feature("dashboards", "Dashboards", "Building and reading dashboards.",
            adoption=(0.85, 0.92, 0.97), users=(0.6, 0.7, 0.75), delay=(2, 21)),
    Feature("reports", "Reporting", "Viewing, creating and scheduling reports.",
            adoption=(0.6, 0.85, 0.97), users=(0.35, 0.5, 0.65), delay=(7, 60)),
    Feature("collaboration", "Collaboration", "Comments, mentions and shared records.",
            adoption=(0.7, 0.85, 0.9), users=(0.45, 0.55, 0.6), delay=(5, 45)),
    Feature("exports", "Exports", "Getting data out: exports and downloads.",
            adoption=(0.45, 0.65, 0.8), users=(0.2, 0.3, 0.35), delay=(10, 90)),
    Feature("integrations", "Integrations", "Connecting and syncing the CRM, the warehouse and chat.",
            adoption=(0.25, 0.6, 0.9), users=(0.06, 0.1, 0.15), delay=(14, 120)),
    Feature("automation", "Workflows", "Automated workflows: building them and letting them run.",
            adoption=(0.2, 0.5, 0.75), users=(0.1, 0.18, 0.25), delay=(30, 150)),
    Feature("admin", "Team admin", "Inviting users, managing roles and single sign-on.",
            adoption=(1.0, 1.0, 1.0), users=(0.04, 0.06, 0.08), delay=(0, 2)),
)

EVENTS: tuple[Event, ...] = (
    # Navigation and the basics: the fallback when a feature is not (or no longer) used.
    Event("page:Home", None, (14, 12, 11)),
    Event("page:Records", None, (10, 9, 8)),
    Event("page:Reports", None, (2, 3, 4)),
    Event("page:Settings", None, (1, 1, 1.5)),
    Event("Signed In", None, (0, 0, 0)),  # only ever a session's first event
    Event("Search Performed", None, (5, 5, 5)),
    Event("Record Created", "records", (8, 7, 6)),
    Event("Record Updated", "records", (14, 12, 10)),
    Event("Dashboard Viewed", "dashboards", (7, 8, 8)),
    Event("Dashboard Created", "dashboards", (0.5, 0.7, 0.8)),
    Event("Widget Added", "dashboards", (0.6, 0.8, 1)),
    Event("Report Viewed", "reports", (3, 6, 9)),
    Event("Report Created", "reports", (0.4, 0.9, 1.5)),
    Event("Report Scheduled", "reports", (0.1, 0.3, 0.6)),
    Event("Comment Added", "collaboration", (3, 4, 4.5)),
    Event("Record Shared", "collaboration", (1, 1.5, 2)),
    Event("Export Downloaded", "exports", (1.5, 2, 2.5)),
    Event("Data Imported", "exports", (0.3, 0.4, 0.5)),
    Event("Integration Connected", "integrations", (0.05, 0.1, 0.2)),
    Event("Integration Synced", "integrations", (0.8, 2, 4)),
    Event("Workflow Created", "automation", (0.2, 0.4, 0.6)),
    Event("Workflow Run", "automation", (1, 2, 3)),
    Event("User Invited", "admin", (0.3, 0.5, 0.9)),
    Event("Role Changed", "admin", (0.1, 0.25, 0.5)),
    Event("SSO Configured", "admin", (0, 0.01, 0.05)),
)

# A session opens with one of these (a fresh sign-in, or a tab already signed in).
OPENERS = ("Signed In", "page:Home")
# What a user who does not use the drawn feature does instead.
FALLBACKS = ("page:Home", "page:Records", "Search Performed")
# Events per session, on average, per segment (SMB sessions are shorter).
EVENTS_PER_SESSION = (5.0, 6.0, 7.0)
# Days for a new account to reach its full number of active users (the onboarding ramp).
RAMP_DAYS = (30, 60, 120)
# Relative activity Monday..Sunday.
WEEKDAY = (1.0, 1.06, 1.05, 0.98, 0.72, 0.1, 0.07)
# Group ids that name no account (a sandbox workspace, an old trial), for the "unmatched" view.
UNKNOWN_GROUPS = ("sandbox-qa", "trial-48213", "legacy-workspace-17")


def features_payload() -> list[dict]:
    """Each key feature as ``key_feature_create`` takes it."""
    return [
        {"key": f.key, "name": f.name, "description": f.description,
         "event_names": [e.name for e in EVENTS if e.feature == f.key]}
        for f in FEATURES
    ]
