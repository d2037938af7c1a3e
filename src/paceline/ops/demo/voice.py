"""The voice of the customer for the demo company: two years of NPS and CSAT answers, relationship
milestones and adoption-readiness assessments, each following the account's fate (``fate.py``).

The rules, on top of the hidden rules in ``paceline.ops.demo``:

1. Sending. "Relationship NPS" goes out every 91 days (nine waves, the last a week before the
   anchor, still open) to the executive sponsor, the decision maker, the champion and the admin;
   "Support CSAT" goes out every 30 days to the admins and end users, each person at most every third
   month, when they had a support conversation (one chance in two). No one is surveyed before the
   account's first 45 days or after its churn. Links expire after 14 days, with a reminder on day 5.
2. Answering. A person answers with probability 0.2 + 0.4 e - 0.15 p (+0.15 for the champion);
   3% start and leave the answers half done; the others ignore the e-mail (some open it).
3. Scores. NPS ~ N(4.3 + 5.6 e - 6 p + 0.8 m + who + mood, 1.3), rounded into 0-10, where "who"
   is +0.6 for the champion, -0.2 for an executive, and "mood" an account's own N(0, 0.6):
   renewers and expanders are mostly promoters and passives, a churner slides to detractor over
   the 180 days before its decision. CSAT ~ N(2.6 + 2.2 e - 1.5 p, 0.7) into 1-5.
4. Comments (``voice_phrases``) by band, written by 70% of detractors, 45% of passives and 55% of
   promoters; late in a doomed term (p > 0.5) a detractor writes about the renewal. Their sentiment
   is VADER's, as the app computes it.
5. Unsubscribes. A person who ignores a survey, or gives a 0-4, unsubscribes with probability 0.015;
   their later invitations are skipped as unsubscribed.
6. Milestones, month by month, with rates that grow with w = clamp((e - 0.35) / 0.5)^1.5 and fall
   with pressure: references (0.03 w), reviews (0.02 w), case studies (0.006 w, tiers 1-2),
   executive access (0.025 (0.15 + e) (1 - 0.9 p) + 0.04 m) and budget planning (mid-market and
   enterprise: 0.008 w + 0.08 m, the run-up to an expansion), credited to the account's owner.
7. Readiness. 30% of the accounts answered the readiness questionnaire (at onboarding when it
   happened in the last two years, otherwise during the period), a third of them again about a
   year later. Their capacity c = 0.05 + 0.45 e(then) + 0.45 e(destiny) + N(0, 0.1) picks the
   answers (a better answer with c, blockers with 1 - c), scored by ``surveys.readiness.assess``
   on the installed questions: readiness foretells the fate without deciding it.

Rows go in by bulk insert, without an audit entry or event per row, like the rest of the demo.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field

from paceline.customers.models import ContactLevel, ContactRole, Segment, Tier
from paceline.ops.demo import voice_phrases as words
from paceline.ops.demo.bulk import db_date, db_datetime, insert_rows, reserve_ids, reset_sequence
from paceline.ops.demo.team import leaders
from paceline.ops.demo.world import (
    AccountPlan,
    ContactPlan,
    World,
    business_day,
    historical_timestamps,
)
from paceline.surveys import readiness
from paceline.surveys.defaults import DEFAULT_SURVEYS
from paceline.surveys.models import (
    Answer,
    Campaign,
    CampaignStatus,
    Invitation,
    InvitationStatus,
    MilestoneKind,
    QuestionKind,
    ReadinessAssessment,
    RelationshipMilestone,
    Response,
    ResponseSource,
    Survey,
    SurveyKind,
    Unsubscribe,
)
from paceline.surveys.sentiment import sentiment_of
from paceline.surveys.services.audience import Skip

NPS_EVERY, NPS_WAVES, NPS_LAST = 91, 9, -7
CSAT_MONTHS, CSAT_EVERY = 24, 30
EXPIRES, REMINDER = 14, 5
READINESS_SHARE = 0.3
COMMENT_ODDS = {"promoter": 0.55, "passive": 0.45, "detractor": 0.7, "satisfied": 0.45, "neutral": 0.4,
                "dissatisfied": 0.7}
ANSWER_DELAYS = (0, 0, 0, 1, 1, 1, 2, 3, 4, 5, 6, 8, 11)


@dataclass
class Wave:
    kind: str  # nps | csat
    day: int
    survey: Survey
    campaign: Campaign | None = None


@dataclass
class Reply:
    started: int  # minutes from the anchor's midnight, as day * 1440 + minute
    submitted: int | None
    values: dict[str, object]  # question key -> number, text or choices
    score: int | None = None
    comment: str = ""


@dataclass
class Invite:
    wave: Wave
    contact: ContactPlan
    status: str
    sent: int | None = None
    reminded: int | None = None
    opened: int | None = None
    completed: int | None = None
    reply: Reply | None = None
    skipped_reason: str = ""


@dataclass
class Told:
    """What one account said and earned: invitations, readiness answers, milestones."""

    account: AccountPlan
    invites: list[Invite] = field(default_factory=list)
    readiness: list[tuple[Reply, ContactPlan]] = field(default_factory=list)
    milestones: list[tuple[int, str, ContactPlan | None, str]] = field(default_factory=list)
    unsubscribed: list[tuple[ContactPlan, int]] = field(default_factory=list)


def _clamp(value: float, low: float = 0.0, high: float = 1.0) -> float:
    return max(low, min(high, value))


def _at(day: int, minute: int) -> int:
    return day * 1440 + minute


# The surveys and their waves -------------------------------------------------------------------


def _survey(kind: str) -> Survey:
    """The installed default survey of this kind, recreated from the defaults if it was removed."""
    spec = next(s for s in DEFAULT_SURVEYS if s["kind"] == kind)
    survey = Survey.objects.filter(name=spec["name"], kind=kind).first()
    if survey is None:
        survey = Survey.objects.create(name=spec["name"], kind=kind, intro=spec["intro"])
        for position, question in enumerate(spec["questions"], start=1):
            survey.questions.create(position=position, **question)
    return survey


def plan_waves(world: World, nps: Survey, csat: Survey) -> list[Wave]:
    waves = [Wave("nps", business_day(NPS_LAST - NPS_EVERY * i, world.anchor), nps) for i in range(NPS_WAVES)]
    # Monthly CSAT sends, counted in days from the anchor (not the calendar) so that the same seed
    # gives the same sends whatever the anchor.
    waves += [Wave("csat", business_day(-3 - CSAT_EVERY * k, world.anchor), csat) for k in range(CSAT_MONTHS)]
    return sorted(waves, key=lambda w: (w.day, w.kind))


def save_campaigns(world: World, waves: list[Wave]) -> None:
    nps_owner, csat_owner = (world.users.get(name) for name in (leaders()[0], leaders()[-1]))
    rows = []
    for wave in waves:
        when = world.date(wave.day)
        if wave.kind == "nps":
            name, subject = f"Relationship NPS, {when:%B %Y}", "Two questions about working with Brightwave"
            audience, creator = {"roles": ["executive_sponsor", "decision_maker", "champion", "admin"]}, nps_owner
        else:
            name, subject = f"Support CSAT, {when:%B %Y}", "How did we do on your recent request?"
            audience, creator = {"roles": ["admin", "end_user"]}, csat_owner
        at = world.moment(wave.day, 8 * 60)
        wave.campaign = Campaign(
            survey=wave.survey, name=name, audience=audience, subject=subject,
            message="Your answer goes straight to your customer success team. It takes a minute.",
            expires_days=EXPIRES, reminder_days=REMINDER, status=CampaignStatus.SENT, sent_at=at,
            created_by=creator, created_at=world.moment(wave.day - 3, 15 * 60), updated_at=at,
        )
        rows.append(wave.campaign)
    with historical_timestamps(Campaign):
        Campaign.objects.bulk_create(rows)


# One account's voice -----------------------------------------------------------------------------


class Voice:
    def __init__(self, world: World, account: AccountPlan):
        self.world, self.account, self.fate = world, account, account.fate
        self.rng = world.rng("voice", account.index)
        self.mood = self.rng.gauss(0, 0.6)
        self.told = Told(account)
        self.first = self.fate.start + 45
        self.end = min(0, self.fate.ended)
        self.gone: set[int] = set()  # contacts who unsubscribed
        self.csat_phase = {c.key: self.rng.randrange(3) for c in account.contacts}

    def audience(self, wave: Wave, index: int) -> list[ContactPlan]:
        active = self.account.active_contacts(wave.day)
        if wave.kind == "nps":
            wanted = (ContactRole.EXECUTIVE_SPONSOR, ContactRole.DECISION_MAKER, ContactRole.CHAMPION, ContactRole.ADMIN)
            return [c for c in active if any(r in c.roles for r in wanted)]
        pool = [c for c in active if ContactRole.ADMIN in c.roles or ContactRole.END_USER in c.roles]
        # At most every third month per person, when they had a support conversation.
        return [c for c in pool if (index + self.csat_phase[c.key]) % 3 == 0 and self.rng.random() < 0.5]

    def survey(self, waves: list[Wave]) -> None:
        csat_index = 0
        for wave in waves:
            if wave.kind == "csat":
                csat_index += 1
            if not self.first <= wave.day < self.end:
                continue
            for contact in self.audience(wave, csat_index):
                self.invite(wave, contact)

    def invite(self, wave: Wave, contact: ContactPlan) -> None:
        rng = self.rng
        if contact.key in self.gone:
            self.told.invites.append(Invite(wave, contact, InvitationStatus.SKIPPED, skipped_reason=Skip.UNSUBSCRIBED))
            return
        term = self.fate.term_at(wave.day)
        e, p, m = term.engagement, term.pressure(wave.day), term.momentum(wave.day)
        sent = _at(wave.day, rng.randint(8 * 60, 10 * 60))
        invite = Invite(wave, contact, InvitationStatus.SENT, sent=sent)
        self.told.invites.append(invite)
        limit = min(self.end * 1440, sent + EXPIRES * 1440)  # nothing after the anchor, the churn or the expiry
        champion = ContactRole.CHAMPION in contact.roles
        answers = rng.random() < 0.2 + 0.4 * e - 0.15 * p + (0.15 if champion else 0)
        delay = rng.choice(ANSWER_DELAYS)
        at = sent + delay * 1440 + rng.randint(15, 9 * 60)
        if delay >= REMINDER and sent + REMINDER * 1440 < limit:
            invite.reminded = sent + REMINDER * 1440
        score = self.score(wave.kind, contact, e, p, m)
        if answers and at < limit:
            invite.opened = at - rng.randint(1, 14)
            reply = self.reply(wave, score, p, started=invite.opened)
            if rng.random() < 0.03:  # left half done
                reply.submitted, reply.comment, reply.score = None, "", None
                reply.values = {k: v for k, v in reply.values.items() if isinstance(v, int)}
                invite.status = InvitationStatus.PARTIAL
            else:
                reply.submitted = at
                invite.status, invite.completed = InvitationStatus.COMPLETED, at
            invite.reply = reply
        else:
            if invite.reminded is None and sent + REMINDER * 1440 < limit:
                invite.reminded = sent + REMINDER * 1440
            if rng.random() < 0.2:
                invite.opened = sent + rng.randint(60, 3 * 1440)
                invite.status = InvitationStatus.OPENED
        if invite.status != InvitationStatus.COMPLETED and sent + EXPIRES * 1440 < 0:
            invite.status = InvitationStatus.EXPIRED
        grumpy = invite.status != InvitationStatus.COMPLETED or (wave.kind == "nps" and score <= 4)
        if grumpy and rng.random() < 0.015:
            self.gone.add(contact.key)
            self.told.unsubscribed.append((contact, (invite.completed or invite.opened or sent) + 5))

    def score(self, kind: str, contact: ContactPlan, e: float, p: float, m: float) -> int:
        rng = self.rng
        if kind == "csat":
            return round(_clamp(rng.gauss(2.6 + 2.2 * e - 1.5 * p, 0.7), 1, 5))
        who = 0.6 if ContactRole.CHAMPION in contact.roles else -0.2 if contact.level == ContactLevel.EXECUTIVE else 0.0
        return round(_clamp(rng.gauss(4.3 + 5.6 * e - 6.0 * p + 0.8 * m + who + self.mood, 1.3), 0, 10))

    def reply(self, wave: Wave, score: int, p: float, *, started: int) -> Reply:
        rng = self.rng
        if wave.kind == "nps":
            band = "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"
            text = ""
            if rng.random() < COMMENT_ODDS[band]:
                text = words.nps_comment(rng, "leaving" if band == "detractor" and p > 0.5 else band)
            values = {"nps": score, "reason": text}
        else:
            band = "satisfied" if score >= 4 else "neutral" if score == 3 else "dissatisfied"
            text = words.csat_comment(rng, band) if rng.random() < COMMENT_ODDS[band] else ""
            values = {"csat": score, "comment": text}
        return Reply(started=started, submitted=None, values={k: v for k, v in values.items() if v != ""},
                     score=score, comment=text)

    # Milestones and readiness

    def earn(self) -> None:
        rng = self.world.rng("voice-milestones", self.account.index)
        account = self.account
        for month in range(max(self.fate.start + 60, -730), self.end, 30):
            term = self.fate.term_at(month)
            e, p, m = term.engagement, term.pressure(month), term.momentum(month)
            w = _clamp((e - 0.35) / 0.5, 0, 1.3) ** 1.5
            odds = {
                MilestoneKind.REFERENCE: 0.03 * w * (1 - p),
                MilestoneKind.REVIEW: 0.02 * w * (1 - p),
                MilestoneKind.CASE_STUDY: 0.006 * w * (1 - p) if account.tier != Tier.TIER_3 else 0.0,
                MilestoneKind.EXECUTIVE_ACCESS: 0.025 * (0.15 + e) * (1 - 0.9 * p) + 0.04 * m,
                MilestoneKind.BUDGET_PLANNING: (0.008 * w + 0.08 * m) if account.segment != Segment.SMB else 0.0,
            }
            for kind, chance in odds.items():
                if rng.random() >= chance:
                    continue
                day = business_day(min(month + rng.randint(0, 29), self.end - 1), self.world.anchor)
                if day >= self.end:  # a Sunday moved to the Monday of the churn
                    continue
                self.told.milestones.append((day, kind, self.witness(kind, day), words.milestone_note(
                    rng, kind, account.industry)))

    def witness(self, kind: str, day: int) -> ContactPlan | None:
        active = self.account.active_contacts(day)
        if kind in (MilestoneKind.EXECUTIVE_ACCESS, MilestoneKind.BUDGET_PLANNING):
            roles = (ContactRole.EXECUTIVE_SPONSOR, ContactRole.DECISION_MAKER)
        else:
            roles = (ContactRole.CHAMPION, ContactRole.ADMIN)
        for role in roles:
            found = [c for c in active if role in c.roles]
            if found:
                return found[0]
        return active[0] if active else None

    def assess(self, questions: list[readiness.QuestionSpec]) -> None:
        rng = self.world.rng("voice-readiness", self.account.index)
        if rng.random() >= READINESS_SHARE:
            return
        fate, last = self.fate, min(-1, self.end - 1)
        onboarding = fate.start + rng.randint(10, 40)
        day = onboarding if onboarding >= -730 else rng.randint(max(-730, fate.start + 60), last)
        if day > last:
            return
        destiny = fate.terms[-1].engagement
        capacity = _clamp(0.05 + 0.45 * fate.term_at(day).engagement + 0.45 * destiny + rng.gauss(0, 0.1))
        days = [(day, capacity)]
        if rng.random() < 0.33 and day + 400 < last:
            good = fate.terms[-1].outcome in ("renewed", "expanded")
            days.append((day + rng.randint(300, 400), _clamp(capacity + rng.gauss(0.04 if good else -0.04, 0.05))))
        for on, c in days:
            day = business_day(on, self.world.anchor)
            if day > last:
                continue
            who = self.witness(MilestoneKind.REFERENCE, day) or self.witness(MilestoneKind.EXECUTIVE_ACCESS, day)
            if who is None:
                continue
            minute = _at(day, rng.randint(9 * 60, 16 * 60))
            values = readiness_answers(rng, questions, c)
            self.told.readiness.append((Reply(started=minute, submitted=minute, values=values), who))


def readiness_answers(rng: random.Random, questions: list[readiness.QuestionSpec], c: float) -> dict[str, object]:
    """Answers of an organisation whose capacity to adopt software is ``c`` (0-1)."""
    values: dict[str, object] = {}
    for q in questions:
        if q.kind == QuestionKind.SINGLE and q.choices:
            ranked = sorted(q.choices, key=lambda choice: (q.choice_points(choice), q.choices.index(choice)))
            values[q.key] = ranked[round(_clamp(c * (len(ranked) - 1) + rng.gauss(0, 0.55), 0, len(ranked) - 1))]
        elif q.kind == QuestionKind.SCALE and q.scale_min is not None and q.scale_max is not None:
            span = q.scale_max - q.scale_min
            values[q.key] = q.scale_min + round(_clamp(c * span + rng.gauss(0, 0.6), 0, span))
        elif q.kind == QuestionKind.MULTI and q.key == readiness.HELP_KEY:
            wanted = q.choices[:4] if c < 0.55 else q.choices[3:]
            values[q.key] = [x for x in q.choices if x in rng.sample(wanted, min(len(wanted), rng.randint(1, 3)))]
        elif q.kind == QuestionKind.MULTI:
            chosen = [x for x in q.choices if q.choice_points(x) < 0 and rng.random() < 0.08 + 0.5 * (1 - c)]
            neutral = [x for x in q.choices if q.choice_points(x) == 0]
            values[q.key] = chosen or (neutral[:1] if neutral and rng.random() < 0.6 else [])
        elif q.kind == QuestionKind.TEXT and q.key in ("standout_success", "own_actions"):
            table = words.STANDOUT if q.key == "standout_success" else words.OWN_ACTIONS
            values[q.key] = words.capacity_text(rng, table, c)
    return {k: v for k, v in values.items() if v not in ([], "")}


# Writing -----------------------------------------------------------------------------------------


def _json(value) -> str:
    return json.dumps(value)


class Writer:
    def __init__(self, world: World, survey_questions: dict[int, dict[str, object]]):
        self.world = world
        self.questions = survey_questions  # survey id -> {key: Question}
        self.sentiments: dict[str, float | None] = {}

    def moment(self, minutes: int | None):
        if minutes is None:
            return None
        day, minute = divmod(minutes, 1440)
        return db_datetime(self.world.moment(day, minute))

    def sentiment(self, text: str) -> float | None:
        if text not in self.sentiments:
            self.sentiments[text] = sentiment_of(text)
        return self.sentiments[text]

    def answers(self, response_id: int, survey_id: int, values: dict[str, object]) -> list[tuple]:
        rows = []
        by_key = self.questions[survey_id]
        for key, value in values.items():
            question = by_key[key]
            if isinstance(value, list):
                rows.append((response_id, question.pk, None, "", _json(value)))
            elif question.kind == QuestionKind.SINGLE:
                rows.append((response_id, question.pk, None, "", _json([value])))
            elif isinstance(value, int):
                rows.append((response_id, question.pk, value, "", _json([])))
            else:
                rows.append((response_id, question.pk, None, value, _json([])))
        return rows

    def save(self, told: list[Told], readiness_survey: Survey, specs: list[readiness.QuestionSpec]) -> dict[str, int]:
        invitation_id = reserve_ids(Invitation)
        response_id = reserve_ids(Response)
        invitations, responses, answers, assessments, milestones, unsubscribes = [], [], [], [], [], []
        for t in told:
            account = t.account.obj
            for inv in t.invites:
                expires = inv.sent + EXPIRES * 1440 if inv.sent is not None else None
                invitations.append((
                    invitation_id, inv.wave.campaign.pk, inv.contact.obj.pk, account.pk, inv.contact.email, None,
                    inv.status, inv.skipped_reason, self.moment(_at(inv.wave.day, 7 * 60)), self.moment(inv.sent),
                    self.moment(inv.reminded), self.moment(inv.opened), self.moment(inv.completed),
                    self.moment(expires),
                ))
                if inv.reply is not None:
                    r = inv.reply
                    responses.append((response_id, inv.wave.survey.pk, invitation_id, account.pk, inv.contact.obj.pk,
                                      ResponseSource.EMAIL, self.moment(r.started), self.moment(r.submitted),
                                      r.score, r.comment, self.sentiment(r.comment) if r.comment else None))
                    answers += self.answers(response_id, inv.wave.survey.pk, r.values)
                    response_id += 1
                invitation_id += 1
            for reply, who in t.readiness:
                text = next((str(reply.values[q.key]) for q in specs if q.kind == QuestionKind.TEXT
                             and reply.values.get(q.key)), "")
                responses.append((response_id, readiness_survey.pk, None, account.pk, who.obj.pk, ResponseSource.MANUAL,
                                  self.moment(reply.started), self.moment(reply.submitted), None, text,
                                  self.sentiment(text) if text else None))
                answers += self.answers(response_id, readiness_survey.pk, reply.values)
                result = readiness.assess(specs, reply.values)
                on = self.world.date(reply.submitted // 1440)
                assessments.append((account.pk, response_id, db_date(on), result.score, result.level,
                                    _json([dict(r) for r in result.reasons]), result.recommendation.text))
                response_id += 1
            owner = self.world.user_for(t.account)
            for day, kind, who, note in t.milestones:
                at = self.moment(_at(day, 17 * 60))
                milestones.append((account.pk, kind, db_date(self.world.date(day)), who.obj.pk if who else None,
                                   owner.pk if owner else None, note, at, at))
            for contact, minute in t.unsubscribed:
                unsubscribes.append((contact.email.lower(), contact.obj.pk, self.moment(min(minute, -1))))
        counts = {
            "survey_invitations": insert_rows(Invitation, INVITATION_COLUMNS, invitations),
            "survey_responses": insert_rows(Response, RESPONSE_COLUMNS, responses),
            "survey_answers": insert_rows(Answer, ("response_id", "question_id", "number", "text", "choices"), answers),
            "readiness_assessments": insert_rows(ReadinessAssessment, ASSESSMENT_COLUMNS, assessments),
            "relationship_milestones": insert_rows(RelationshipMilestone, MILESTONE_COLUMNS, milestones),
            "survey_unsubscribes": insert_rows(Unsubscribe, ("email", "contact_id", "at"), unsubscribes),
        }
        for model in (Invitation, Response, Answer, ReadinessAssessment, RelationshipMilestone, Unsubscribe):
            reset_sequence(model)
        return counts


INVITATION_COLUMNS = ("id", "campaign_id", "contact_id", "account_id", "email", "digest", "status", "skipped_reason",
                      "created_at", "sent_at", "reminded_at", "opened_at", "completed_at", "expires_at")
RESPONSE_COLUMNS = ("id", "survey_id", "invitation_id", "account_id", "contact_id", "source", "started_at",
                    "submitted_at", "score", "comment", "sentiment")
ASSESSMENT_COLUMNS = ("account_id", "response_id", "assessed_on", "score", "level", "reasons", "recommendation")
MILESTONE_COLUMNS = ("account_id", "kind", "occurred_on", "contact_id", "credited_to_id", "note", "created_at",
                     "updated_at")


def run(world: World, progress) -> int:
    progress.total(len(world.accounts))
    nps, csat = _survey(SurveyKind.NPS), _survey(SurveyKind.CSAT)
    survey = readiness.readiness_survey()
    specs = [readiness.QuestionSpec.of(q) for q in survey.questions.all()]
    waves = plan_waves(world, nps, csat)
    save_campaigns(world, waves)
    told = []
    for account in world.accounts:
        voice = Voice(world, account)
        voice.survey(waves)
        voice.earn()
        voice.assess(specs)
        told.append(voice.told)
        progress.advance()
    questions = {s.pk: {q.key: q for q in s.questions.all()} for s in (nps, csat, survey)}
    counts = Writer(world, questions).save(told, survey, specs)
    world.counts.update(counts)
    world.counts["survey_campaigns"] = len(waves)
    return counts["survey_responses"]
