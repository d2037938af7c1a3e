"""Brightwave's playbooks, notification channel and rules: plain data, saved by ``automation.py``.

Rules go through ``rule_create``, so they are checked like any a CS leader writes. Playbook steps
are (kind, title, description, due in days, owner role, priority, touchpoint kind).
"""

from __future__ import annotations

from paceline.automation.models import ChannelKind, StepKind
from paceline.customers.models import ContactRole, InteractionKind, Segment, TaskPriority
from paceline.engagement.models import OwnerRole

TASK, TOUCHPOINT = StepKind.TASK, StepKind.TOUCHPOINT
CSM, LEADER = OwnerRole.ACCOUNT_OWNER, OwnerRole.LEADER
NORMAL, HIGH, URGENT = TaskPriority.NORMAL, TaskPriority.HIGH, TaskPriority.URGENT

CHANNEL = {
    "name": "CS leaders by e-mail",
    "kind": ChannelKind.EMAIL,
    "target": "maya@brightwave.example, daniel@brightwave.example",
}

PLAYBOOKS = (
    ("Onboarding", "From signature to the first team live in 30 days.", (
        (TASK, "Send the welcome pack and the kick-off agenda", "Getting-started guide, agenda, who should attend.",
         0, CSM, HIGH, ""),
        (TOUCHPOINT, "Kick-off meeting", "Agree success criteria, rollout plan and owners.", 5, CSM, NORMAL,
         InteractionKind.MEETING),
        (TASK, "Provision seats and single sign-on with the admin", "Check the admin has what they need.", 10, CSM,
         NORMAL, ""),
        (TOUCHPOINT, "First team live check-in", "Is the first team working in the product?", 21, CSM, NORMAL,
         InteractionKind.CALL),
        (TASK, "Agree the first success-plan goal", "A measurable goal with a date, agreed with the champion.",
         30, CSM, NORMAL, ""),
    )),
    ("Champion change", "Our champion left: find the next one before the relationship goes cold.", (
        (TASK, "Find out who takes over from the departed champion",
         "Ask the executive sponsor or the admin; add the new person as a contact.", 2, CSM, URGENT, ""),
        (TASK, "Brief the CS leader on the change", "What the champion owned, what is at risk.", 5, LEADER, HIGH, ""),
        (TOUCHPOINT, "Introduction call with the new champion", "Their goals, and how we have helped so far.", 10,
         CSM, NORMAL, InteractionKind.CALL),
        (TASK, "Re-agree the success plan with the new champion", "Confirm or replace the open goals.", 21, CSM,
         NORMAL, ""),
        (TOUCHPOINT, "Executive sponsor check-in", "Reassure the sponsor; confirm priorities.", 30, LEADER, NORMAL,
         InteractionKind.MEETING),
    )),
    ("Renewal preparation", "120 days out: build the value case and remove surprises.", (
        (TASK, "Review usage, goals and open issues", "The facts for the renewal: what went well, what did not.",
         7, CSM, NORMAL, ""),
        (TOUCHPOINT, "Stakeholder call with the champion", "Who decides, who signs, what could block it.", 14, CSM,
         NORMAL, InteractionKind.CALL),
        (TASK, "Agree the renewal strategy with the CS leader", "Flat, expand or save: and the price position.",
         21, LEADER, NORMAL, ""),
        (TASK, "Prepare the renewal quote with sales", "Seats, add-ons, term; send it to the decision maker.",
         45, CSM, HIGH, ""),
        (TASK, "Confirm the signature date", "Paperwork, purchase order, the signer's availability.", 90, CSM,
         HIGH, ""),
    )),
    ("Save play", "The account is at risk: find out why and agree a rescue plan with the customer.", (
        (TASK, "Diagnose the risk", "Usage, tickets, sentiment, goals and who left; write it down.", 1, CSM, URGENT,
         ""),
        (TOUCHPOINT, "Risk call with the champion", "Hear it from them; agree what would change their mind.", 5,
         CSM, NORMAL, InteractionKind.CALL),
        (TASK, "Write the save plan and agree it with the CS leader", "Three actions, owners, dates.", 7, LEADER,
         HIGH, ""),
        (TOUCHPOINT, "Executive meeting", "Our leader and their sponsor: commit to the save plan.", 21, LEADER,
         NORMAL, InteractionKind.MEETING),
        (TASK, "Review the save plan's progress", "Is the risk receding? Escalate if not.", 45, CSM, NORMAL, ""),
    )),
    ("Executive alignment", "Bring our leadership and the customer's together once a year, or after a change.", (
        (TASK, "Prepare the executive brief", "Outcomes so far, roadmap, what we ask of them.", 7, CSM, NORMAL, ""),
        (TOUCHPOINT, "Executive sponsor meeting", "Align on priorities for the year.", 14, LEADER, NORMAL,
         InteractionKind.MEETING),
        (TASK, "Send the executive summary", "What was agreed, within two days.", 16, CSM, NORMAL, ""),
        (TASK, "Add the sponsor's priorities to the success plan", "As goals with owners and dates.", 21, CSM,
         NORMAL, ""),
    )),
)

UPMARKET = [{"field": "segment", "op": "in", "value": [Segment.ENTERPRISE, Segment.MID_MARKET]}]


def _task(title: str, description: str, due: int, priority: str = HIGH) -> dict:
    return {"type": "create_task", "params": {"title": title, "description": description, "due_in_days": due,
                                              "priority": priority}}


RULES = (
    {"name": "Champion or sponsor left: escalate and re-anchor",
     "description": "When the champion or the executive sponsor leaves, go one level up and start the champion "
                    "change playbook.",
     "trigger": "key_contact_left",
     "trigger_params": {"roles": [ContactRole.CHAMPION, ContactRole.EXECUTIVE_SPONSOR]},
     "actions": [{"type": "escalate", "params": {"due_in_days": 2}},
                 {"type": "start_playbook", "params": {"playbook": "Champion change"}}],
     "cap_count": 1, "cap_days": 30},
    {"name": "NPS detractor: close the loop",
     "description": "Every detractor hears from their CSM within two days.",
     "trigger": "survey_answered", "trigger_params": {"band": "detractor", "survey_kind": "nps"},
     "actions": [_task("Close the loop with {account}: NPS {score}",
                       "Call the person who answered: listen, thank them, agree one thing we will fix.", 2)],
     "cap_count": 2, "cap_days": 7},
    {"name": "Customer commitment missed: escalate",
     "description": "A commitment a high-touch customer made in the success plan slipped: raise it one level up.",
     "trigger": "commitment_missed", "conditions": [{"field": "tier", "op": "eq", "value": "1"}],
     "actions": [{"type": "escalate", "params": {"due_in_days": 3}}],
     "cap_count": 1, "cap_days": 30},
    {"name": "Touchpoint missed: reschedule",
     "description": "A planned touchpoint passed without a conversation: book it again.",
     "trigger": "touchpoint_missed", "conditions": UPMARKET,
     "actions": [_task("Reschedule the missed touchpoint: {touchpoint}",
                       "It was due on {due_date}. Book it again, or say why it is no longer needed.", 5,
                       TaskPriority.NORMAL)],
     "cap_count": 2, "cap_days": 7},
    {"name": "Quiet for 45 days: escalate",
     "description": "No call, meeting or e-mail for 45 days on an enterprise or mid-market account.",
     "trigger": "no_interaction", "trigger_params": {"days": 45}, "conditions": UPMARKET,
     "actions": [{"type": "escalate", "params": {"due_in_days": 2}}],
     "cap_count": 1, "cap_days": 30},
    {"name": "Renewal in 120 days: prepare",
     "description": "Start the renewal preparation playbook four months before an enterprise renewal.",
     "trigger": "renewal_in", "trigger_params": {"days": 120},
     "conditions": [{"field": "segment", "op": "eq", "value": Segment.ENTERPRISE}],
     "actions": [{"type": "start_playbook", "params": {"playbook": "Renewal preparation"}}]},
    {"name": "Renewal in 30 days: tell the leaders",
     "description": "The CS leaders hear of every enterprise and mid-market renewal a month ahead.",
     "trigger": "renewal_in", "trigger_params": {"days": 30}, "conditions": UPMARKET,
     "actions": [{"type": "notify", "params": {
         "channel": CHANNEL["name"], "subject": "{account} renews in {days_to_renewal} days",
         "message": "{account} (ARR {arr}) renews on {renewal_date}; owner: {owner}."}}]},
    {"name": "Goal behind pace: agree a recovery step",
     "description": "A success-plan metric fell behind pace.",
     "trigger": "goal_behind",
     "actions": [_task("Get '{goal}' back on pace", "{metric} is now {pace}. Agree one recovery step with the "
                       "customer.", 7, TaskPriority.NORMAL)],
     "cap_count": 2, "cap_days": 14},
    {"name": "Health into red: start the save play",
     "description": "When the health score lands in red, run the save play.",
     "trigger": "health_changed", "trigger_params": {"band_to": "red"},
     "actions": [{"type": "start_playbook", "params": {"playbook": "Save play"}}],
     "cap_count": 1, "cap_days": 60},
    {"name": "Usage down 30% week over week",
     "description": "Active users fell by 30% or more against the week before.",
     "trigger": "usage_dropped", "trigger_params": {"drop_pct": 30, "metric": "active_users"},
     "actions": [_task("Find out why usage fell at {account} ({change})",
                       "Active users went from {previous} to {current} in week {week}.", 3)],
     "cap_count": 1, "cap_days": 14},
)
