"""The demo company: a deterministic, believable book of a SaaS vendor's customers.

The vendor is Brightwave (``brightwave.example``), a CS team of eight (two leaders, five CSMs each
owning a book by segment, a viewer), and about 500 customer accounts with two to three years of
history. Every domain and e-mail address ends in ``.example`` and every phone number is a 555
number, so nothing the demo sends can reach a real person.

Determinism and time
    The same seed gives the same data on every run: every random draw comes from a
    ``random.Random`` keyed by (seed, step, account) and Faker is seeded the same way. Dates are
    generated as day offsets from an **anchor** and converted at the end. The anchor is the load
    date by default, so the book always looks current; it is recorded with the load (the
    ``demo.loaded`` event and its audit entry) and can be fixed with ``--anchor``. The same seed
    with a different anchor gives the same book shifted in time.

The hidden rules (what a health score should find)
    1. Fate first (``fate.py``). Annual terms; each renewal ends churned / contracted / renewed /
       expanded with segment odds (SMB churns most, enterprise expands most) and memory (after a
       contraction, churn odds double). Each term has a latent engagement in [0, 1] drawn from a
       Beta distribution given its outcome: churned ~ B(2,5) (mean 0.29), contracted ~ B(3,4),
       renewed ~ B(5,3), expanded ~ B(6,2) (mean 0.75). Distributions overlap, as in life.
    2. Pressure. Over the 180 days before the customer decides to churn (20 to 80 days before the
       term ends) the pressure rises from 0 to 1 (half that before a contraction); before an
       expansion a "momentum" ramps up the same way.
    3. Touches (``activity.py``) per week ~ Poisson(tier cadence x (0.35 + 1.3 e) x (1 - 0.8 p)):
       churners have fewer touches, declining toward the renewal; after notice, a fifth of that.
    4. Executives: joined meetings and QBRs with probability (0.08 + 0.55 e)(1 - 0.85 p), so in the
       last 180 days before a churn the executive sponsor all but disappears.
    5. QBRs (quarterly for tier 1, half-yearly for tier 2) are held with probability
       (0.3 + 0.65 e)(1 - 0.6 p); a missed one leaves a "QBR postponed" note and a task.
    6. Sentiment: negative with 0.04 + 0.28 (1 - e)^1.5 + 0.4 p, positive with
       (0.12 + 0.5 e)(1 - p): negative sentiment rises before a churn, and the issues raised turn
       into "evaluating alternatives".
    7. Champions: one leaves in the 240 to 15 days before a churn decision with probability 0.5
       (0.2 before a contraction; 0.06 per term otherwise). After a churn-bound departure a
       successor rarely arrives; otherwise one usually does, weeks later, and becomes primary.
    8. Tasks (``work.py``) are done on time with probability 0.3 + 0.65 e - 0.5 p; the rest late or
       never: overdue work piles up on at-risk accounts.
    9. The term open at the anchor has a destiny too (never stored): accounts heading for churn
       already show the pattern when their decision is less than 180 days away.
    10. Success plans (``success.py``) on most accounts: in terms that renew, goals are hit and
       the customer keeps its commitments; a churn-bound term's plan goes stale (no review, no
       measurement, commitments missed) 100 to 150 days before the decision.

Each account's fate can be recomputed from the seed with ``company.plan(World(config))``.

Extending: add a step to ``load.STEPS`` (see ``load.py``).
"""

from paceline.ops.demo.load import MARKER, STEPS, LoadReport, Step, load_demo, loaded_demo, register
from paceline.ops.demo.world import DEFAULT_ACCOUNTS, DEFAULT_SEED, DemoConfig, World

__all__ = [
    "DEFAULT_ACCOUNTS", "DEFAULT_SEED", "MARKER", "STEPS", "DemoConfig", "LoadReport", "Step", "World",
    "load_demo", "loaded_demo", "register",
]
