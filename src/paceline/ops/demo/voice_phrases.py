"""The words customers write in surveys, by score band, and the words of relationship milestones
and readiness answers.

A comment is an opening sentence, sometimes followed by a detail, both of the score's band, so its
sentiment (VADER, as the app reads it) agrees with the score: a promoter writes something positive,
a detractor something negative, a passive something mixed. Late in a doomed term a detractor's
complaint turns into the renewal ("looking at other options"), as CSMs hear it.
"""

from __future__ import annotations

import random

TEAMS = ("finance", "procurement", "operations", "accounts payable", "IT", "shared services", "the EMEA office")
FEATURES = ("approval workflows", "reporting dashboards", "the mobile app", "invoice matching",
            "the spend analytics", "the supplier portal", "the ERP sync")
PROBLEMS = ("slow reports", "sync errors", "confusing permissions", "data import problems",
            "missing audit exports", "a clumsy mobile app")

NPS = {
    "promoter": {
        "openings": (
            "Great product and an even better team.",
            "We love how easy {feature} are to use.",
            "Excellent support: quick, friendly and they actually fix things.",
            "Brightwave has made our {team} team much more efficient.",
            "Our CSM really understands our business, which we appreciate.",
            "Reliable, easy to use, and the reporting saves us hours every week.",
            "Best purchase we made this year.",
            "The onboarding was smooth and the results are excellent.",
        ),
        "details": (
            "The {team} team loved it and adopted it in a few weeks.",
            "The business reviews are genuinely useful.",
            "I happily recommend it to peers.",
            "{feature_cap} alone paid for the subscription.",
            "Thank you for the great partnership.",
        ),
    },
    "passive": {
        "openings": (
            "Solid tool overall, but {problem} slow us down.",
            "Good value, though {feature} could be more flexible.",
            "It does the job. Some parts are still clunky.",
            "Works well for {team}; other teams use it less.",
            "Fine for what we need, nothing special.",
            "Useful product, but the last update broke a few things.",
            "Mostly happy; support can be slow at month end.",
        ),
        "details": (
            "We would like better training for new users.",
            "Pricing is a bit high for smaller teams.",
            "We are waiting for improvements to {feature}.",
            "",
        ),
    },
    "detractor": {
        "openings": (
            "Reports are painfully slow and tickets take days to get a reply.",
            "Far too expensive for what we actually use, which is frustrating.",
            "The ERP integration keeps failing and nobody has fixed it.",
            "We struggle to get people to use it; the training was poor.",
            "Missing features we were promised when we signed. Very disappointing.",
            "Frustrating experience with {problem}.",
            "Hard to use and our {team} team hates the extra work.",
            "Disappointed with the lack of progress on our issues.",
        ),
        "details": (
            "We have complained several times without an answer.",
            "Nobody owns the problem on your side.",
            "This is a serious problem for us.",
            "",
        ),
    },
    # A detractor late in a doomed term: the complaint is about the renewal now.
    "leaving": {
        "openings": (
            "We are looking at other options before the renewal; the results are poor.",
            "Hard to justify the cost at renewal, and adoption has been poor.",
            "Very disappointed: we never saw the benefits we expected.",
            "Our new CFO questions every tool, and this one failed to prove itself.",
            "We are unhappy and evaluating alternatives.",
        ),
        "details": (
            "The problems with {problem} were never solved.",
            "Tickets have gone unanswered for months, which is unacceptable.",
            "",
        ),
    },
}

CSAT = {
    "satisfied": (
        "Quick and helpful answer, thank you!",
        "The agent solved it on the first call. Great service.",
        "Clear explanation and a fast fix. Much appreciated.",
        "Friendly and knowledgeable support, as always.",
        "Problem solved within the hour. Excellent.",
    ),
    "neutral": (
        "The answer was fine, but it took a while.",
        "Solved in the end, after a few back and forths.",
        "OK support; I had to chase once.",
        "The workaround helps for now.",
    ),
    "dissatisfied": (
        "Slow response and the problem is still not fixed.",
        "I had to explain the issue three times. Frustrating.",
        "The ticket was closed without solving anything.",
        "Poor support: no answer for a week.",
        "Unhelpful answer that ignored my actual question.",
    ),
}

MILESTONE_NOTES = {
    "reference": (
        "Took a reference call with a prospect in {industry}.",
        "Spoke to a prospect's CFO about their rollout.",
        "Agreed to be a reference for the enterprise team.",
        "Hosted a prospect for a site visit.",
    ),
    "case_study": (
        "Case study published: {feature} across {team}.",
        "Case study on time to value, approved by their marketing team.",
        "Joint webinar and written case study.",
    ),
    "review": (
        "Five-star review on a software review site.",
        "Public review praising {feature}.",
        "Review posted after the QBR.",
    ),
    "executive_access": (
        "Met the executive sponsor for a strategy session.",
        "Executive sponsor joined the QBR and agreed next year's goals.",
        "Dinner with their executive team at the customer conference.",
    ),
    "budget_planning": (
        "Invited to their budget planning for next year.",
        "Reviewed next year's rollout budget with their finance lead.",
        "Part of their planning for the expansion to {team}.",
    ),
}

STANDOUT = {
    "high": (
        "Our ERP rollout: a standing adoption team, monthly usage reviews and a sponsor who never let go.",
        "The CRM: we trained team leads as coaches and still review adoption every quarter.",
    ),
    "mid": (
        "Our HR system went well because the HR director pushed it personally.",
        "Expense management: simple tool, and finance made it mandatory with good training.",
    ),
    "low": (
        "None really; most systems end up used by a few people.",
        "Hard to name one. Go-live usually goes fine, then usage fades.",
    ),
}
OWN_ACTIONS = {
    "high": (
        "Our adoption lead runs the rollout plan; the sponsor reviews the success metrics monthly.",
        "We apply our adoption playbook: champions per team, training paths and quarterly reviews.",
    ),
    "mid": (
        "We will name an owner in each team and track usage after go-live.",
        "The project team will train the users and check in after three months.",
    ),
    "low": (
        "We expect the teams to pick it up once it is live.",
        "IT will set it up; the business will use it when they need it.",
    ),
}


def _fill(rng: random.Random, text: str, industry: str = "their industry") -> str:
    feature = rng.choice(FEATURES)
    return text.format(team=rng.choice(TEAMS), feature=feature, feature_cap=feature[0].upper() + feature[1:],
                       problem=rng.choice(PROBLEMS), industry=industry.lower() or "their industry")


def nps_comment(rng: random.Random, band: str) -> str:
    pool = NPS[band]
    opening = _fill(rng, rng.choice(pool["openings"]))
    detail = _fill(rng, rng.choice(pool["details"])) if rng.random() < 0.5 else ""
    return f"{opening} {detail}".strip()


def csat_comment(rng: random.Random, band: str) -> str:
    return rng.choice(CSAT[band])


def milestone_note(rng: random.Random, kind: str, industry: str) -> str:
    return _fill(rng, rng.choice(MILESTONE_NOTES[kind]), industry)


def capacity_text(rng: random.Random, table: dict[str, tuple[str, ...]], capacity: float) -> str:
    return rng.choice(table["high" if capacity >= 0.65 else "mid" if capacity >= 0.4 else "low"])
