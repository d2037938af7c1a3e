"""What Brightwave's CS team planned and offers: touchpoint plans per segment, need areas, resources.

Plain data, read by ``relationship.py``. Each plan step is (name, kind, anchor, offset, window,
owner role, purpose, expected result). The kinds are chosen so that the demo's timeline decides
whether a step was kept: a business review needs a logged QBR, a check-in call a call, a
welcome e-mail an e-mail. The catalogue leaves two gaps on purpose (nothing for data migration;
security and compliance only for enterprise), so the gaps report has something to show.
"""

from __future__ import annotations

from paceline.customers.models import InteractionKind as K
from paceline.customers.models import LifecycleStage as S
from paceline.customers.models import Segment
from paceline.engagement.models import ANY_KIND, Anchor, OwnerRole, ResourceKind

START, RENEWAL = Anchor.CONTRACT_START, Anchor.RENEWAL
CSM, LEADER = OwnerRole.ACCOUNT_OWNER, OwnerRole.LEADER

PLANS = (
    {
        "name": "Enterprise: day one to renewal",
        "segment": Segment.ENTERPRISE,
        "description": "High touch: a kick-off, onboarding check-ins, a business review every quarter with the "
                       "executive sponsor, and a renewal run from 120 days out.",
        "steps": (
            ("Kick-off meeting", K.MEETING, START, 1, 7, CSM,
             "Agree the success criteria, the rollout plan and who owns what on both sides.",
             "A rollout plan with dates and named owners, and the first success-plan goal agreed."),
            ("Onboarding check-in", K.CALL, START, 14, 7, CSM,
             "Check the rollout is on track: seats provisioned, admins trained, first integration live.",
             "Blockers listed with an owner each; a date for the first team live."),
            ("30-day check-in", K.CALL, START, 30, 10, CSM,
             "See who is using the product and what got in the way.",
             "Adoption against the rollout plan, and the next two actions agreed with the champion."),
            ("First value review (QBR)", K.QBR, START, 90, 14, CSM,
             "Show the value reached so far against the success criteria agreed at kick-off.",
             "The executive sponsor confirms the first outcome, and the goals for the next quarter."),
            ("Executive sponsor check-in", K.MEETING, START, 150, 21, LEADER,
             "Keep the executive sponsor close: their priorities for the year, and how we fit them.",
             "The sponsor's top priority written down, and a date for the next business review."),
            ("Quarterly business review", K.QBR, START, 180, 14, CSM,
             "Review outcomes, usage and open issues; agree the next quarter's goals.",
             "Goals for the next quarter agreed with the decision maker; risks named."),
            ("Relationship NPS and follow-up", K.EMAIL, RENEWAL, 120, 14, CSM,
             "Ask for the relationship NPS ahead of the renewal, and follow up every answer.",
             "Every detractor called back; themes shared with the account team."),
            ("Renewal business review", K.QBR, RENEWAL, 90, 14, CSM,
             "The year in numbers: value delivered against the success plan, and the plan for next year.",
             "The sponsor agrees the value case for renewal; expansion opportunities named."),
            ("Renewal meeting", K.MEETING, RENEWAL, 30, 10, CSM,
             "Walk the decision maker through the renewal terms and settle open questions.",
             "A verbal yes with a signature date, or the objections to clear, each with an owner."),
        ),
    },
    {
        "name": "Mid-market: guided",
        "segment": Segment.MID_MARKET,
        "description": "Guided: a kick-off, one onboarding check-in, a value review after the first quarter, a "
                       "mid-year review and a renewal conversation from 60 days out.",
        "steps": (
            ("Kick-off meeting", K.MEETING, START, 3, 7, CSM,
             "Agree what success looks like and the steps to the first team live.",
             "A first goal agreed and an admin named for the rollout."),
            ("Onboarding check-in", K.CALL, START, 21, 10, CSM,
             "Check the first team is live and the admin is confident.",
             "The first team live, or the blocker and its owner."),
            ("First value review", K.MEETING, START, 90, 14, CSM,
             "Show the first results against the goal agreed at kick-off.",
             "The champion confirms the first outcome and the next goal."),
            ("Mid-year review", ANY_KIND, START, 180, 14, CSM,
             "Catch up on usage, new people and open issues.",
             "Usage trend shared; any new stakeholders added as contacts."),
            ("Relationship NPS and follow-up", K.EMAIL, RENEWAL, 120, 14, CSM,
             "Ask for the relationship NPS ahead of the renewal, and follow up every answer.",
             "Every detractor called back within a week."),
            ("Renewal review", K.MEETING, RENEWAL, 60, 14, CSM,
             "Review the year's value and the renewal terms with the decision maker.",
             "Renewal terms agreed, or the objections listed with an owner each."),
            ("Renewal call", K.CALL, RENEWAL, 30, 10, CSM,
             "Confirm the paperwork and the signature date.",
             "A signature date confirmed."),
        ),
    },
    {
        "name": "SMB: tech touch",
        "segment": Segment.SMB,
        "description": "Tech touch: a welcome e-mail, an adoption nudge after a month, a webinar invitation and a "
                       "renewal reminder. The CSM steps in only when a rule says so.",
        "steps": (
            ("Welcome e-mail", K.EMAIL, START, 1, 7, CSM,
             "Welcome the admin with the getting-started guide and the onboarding webinar dates.",
             "The admin has logged in and invited the first users."),
            ("30-day adoption nudge", K.EMAIL, START, 30, 10, CSM,
             "Share the three features customers like them use first.",
             "At least half the seats active."),
            ("Best-practice webinar", K.EVENT, START, 120, 21, CSM,
             "Invite the team to the quarterly best-practice webinar.",
             "Someone from the account attended."),
            ("Renewal reminder", K.EMAIL, RENEWAL, 45, 14, CSM,
             "Remind the admin of the renewal date and what the next year brings.",
             "The renewal confirmed, or a question to answer."),
        ),
    },
)

NEED_AREAS = (
    ("onboarding", "Onboarding", "Getting set up and the first team live."),
    ("integrations", "Integrations", "Connecting the ERP, single sign-on and the data warehouse."),
    ("reporting", "Reporting and analytics", "Dashboards, exports and the numbers the executives ask for."),
    ("administration", "Administration", "Users, roles, approval workflows and configuration."),
    ("security", "Security and compliance", "Security reviews, SSO enforcement, audit logs, data residency."),
    ("billing", "Billing and invoicing", "Invoices, seat counts, purchase orders."),
    ("advanced", "Advanced features", "Automation, the API and the analytics add-on."),
    ("data_migration", "Data migration", "Moving history from the previous system."),
)

HELP = "https://help.brightwave.example"
EVERY = ()  # every stage, or every segment
ENTERPRISE, MID, SMB = Segment.ENTERPRISE, Segment.MID_MARKET, Segment.SMB
RESOURCES = (
    ("Getting started with Brightwave", ResourceKind.HELP_ARTICLE, f"{HELP}/start", ("onboarding",),
     (S.ONBOARDING,), EVERY, "The ten steps from an empty workspace to the first team live."),
    ("Onboarding webinar (weekly)", ResourceKind.TRAINING, f"{HELP}/webinars/onboarding", ("onboarding",),
     (S.ONBOARDING,), EVERY, "A one-hour live session for new admins, every Tuesday."),
    ("Guided onboarding with a specialist", ResourceKind.PREMIUM, "", ("onboarding", "integrations"),
     (S.ONBOARDING,), (ENTERPRISE,), "Six weeks with an onboarding specialist: plan, configuration, training."),
    ("Connecting your ERP", ResourceKind.HELP_ARTICLE, f"{HELP}/integrations/erp", ("integrations",),
     EVERY, EVERY, "Step by step for the supported ERPs, with the fields that map."),
    ("Single sign-on setup", ResourceKind.KNOWLEDGE_BASE, f"{HELP}/kb/sso", ("integrations", "administration"),
     EVERY, EVERY, "SAML and OIDC setup, and the errors people meet."),
    ("Integration office hours", ResourceKind.OFFICE_HOURS, "", ("integrations",),
     (S.ONBOARDING, S.ADOPTION), (ENTERPRISE, MID), "Thursdays 15:00-16:00 with a solutions engineer."),
    ("Reporting essentials course", ResourceKind.TRAINING, f"{HELP}/academy/reporting", ("reporting",),
     EVERY, EVERY, "Build the five reports every team needs; 90 minutes, self-paced."),
    ("Executive dashboards", ResourceKind.HELP_ARTICLE, f"{HELP}/reporting/executive", ("reporting",),
     (S.ADOPTION, S.MATURITY, S.RENEWAL), EVERY, "The dashboards that answer 'what did we get for it'."),
    ("Analytics add-on workshop", ResourceKind.PREMIUM, "", ("reporting", "advanced"),
     (S.MATURITY,), (ENTERPRISE, MID), "A half-day workshop on the analytics add-on with your data."),
    ("Admin certification", ResourceKind.TRAINING, f"{HELP}/academy/admin", ("administration",),
     EVERY, EVERY, "Roles, approval workflows, configuration; ends with a certificate."),
    ("Managing users and roles", ResourceKind.HELP_ARTICLE, f"{HELP}/admin/users", ("administration",),
     EVERY, EVERY, "Invite, deactivate, bulk import, and who can see what."),
    ("Security review pack", ResourceKind.KNOWLEDGE_BASE, f"{HELP}/trust", ("security",),
     EVERY, (ENTERPRISE,), "SOC 2 report, pen-test summary, the standard questionnaire answered."),
    ("Premium support", ResourceKind.SUPPORT_TIER, "", ("administration", "integrations", "security"),
     EVERY, (ENTERPRISE,), "24/7 support with a one-hour response on severity one."),
    ("Standard support", ResourceKind.SUPPORT_TIER, "", ("administration", "integrations", "billing"),
     EVERY, EVERY, "Business hours, next-day response, through the help centre."),
    ("Invoices and purchase orders", ResourceKind.HELP_ARTICLE, f"{HELP}/billing", ("billing",),
     EVERY, EVERY, "Where invoices are, how to add a PO number, how seat changes are billed."),
    ("Automation recipes", ResourceKind.KNOWLEDGE_BASE, f"{HELP}/kb/automation", ("advanced",),
     (S.ADOPTION, S.MATURITY), EVERY, "Twenty ready-made automations and how to adapt them."),
    ("API reference", ResourceKind.HELP_ARTICLE, f"{HELP}/api", ("advanced", "integrations"),
     EVERY, EVERY, "Every endpoint, with examples."),
    ("Customer community", ResourceKind.COMMUNITY, "https://community.brightwave.example", ("advanced", "reporting"),
     EVERY, EVERY, "Ask other customers; product managers answer on Fridays."),
    ("Advanced admin office hours", ResourceKind.OFFICE_HOURS, "", ("administration", "advanced"),
     (S.MATURITY, S.RENEWAL), (ENTERPRISE, MID), "Monthly, for admins past the basics."),
)

# Which areas an account tends to need help with, by lifecycle stage.
NEEDS_BY_STAGE = {
    S.ONBOARDING: ("onboarding", "integrations", "data_migration", "administration", "security"),
    S.ADOPTION: ("reporting", "integrations", "administration", "data_migration", "billing"),
    S.MATURITY: ("advanced", "reporting", "security", "administration"),
    S.RENEWAL: ("reporting", "billing", "advanced", "security"),
    S.CHURNED: ("reporting", "integrations"),
}
NEED_NOTES = {
    "onboarding": ("Second team asked for its own onboarding session.", "New admin needs the basics."),
    "integrations": ("ERP sync fails on purchase orders with more than 200 lines.", "Wants SSO enforced for everyone."),
    "reporting": ("The CFO wants a monthly savings report.", "Exports to the data warehouse keep timing out."),
    "administration": ("Approval workflow per business unit.", "Cleaning up users who left."),
    "security": ("Annual security review due; they need the questionnaire answered.", "Asks about data residency."),
    "billing": ("Invoice must carry the PO number.", "Seat true-up question before renewal."),
    "advanced": ("Wants to automate the weekly supplier reminders.", "Interested in the analytics add-on."),
    "data_migration": ("Five years of history in the old system to bring over.", "Supplier master data to import."),
}
