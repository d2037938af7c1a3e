"""The customer's people: three to ten contacts per account, in a chain of command, some who left.

Each account has one executive at the top (executive sponsor), directors reporting to them,
managers to directors, individual contributors to managers. The champion is a director (a manager
at SMBs) and the primary contact; the decision maker is the executive or a director; an admin runs
the product day to day; everyone else is an end user.

Departures follow the fate: a departed champion keeps their place in the org chart (flagged as
left); when the account goes on, a new champion usually arrives weeks later and becomes primary.
About 5% of the other contacts leave at some point too, so a departure alone is not the signal.
"""

from __future__ import annotations

import unicodedata

from paceline.customers.models import Contact, ContactLevel, ContactRole, ContactStatus, Segment
from paceline.ops.demo.world import AccountPlan, ContactPlan, World, historical_timestamps

EXECUTIVE_TITLES = {
    Segment.SMB: ("CEO", "COO", "Founder and CEO", "Head of Operations", "General Manager"),
    Segment.MID_MARKET: ("COO", "CFO", "VP of Operations", "VP of Finance", "CIO"),
    Segment.ENTERPRISE: (
        "Chief Operating Officer", "Chief Financial Officer", "Chief Information Officer",
        "Chief Procurement Officer", "SVP, Global Operations",
    ),
}
DIRECTOR_TITLES = (
    "Director of Operations", "Director of Procurement", "IT Director", "Director of Finance Systems",
    "Director of Shared Services", "Head of Business Systems",
)
MANAGER_TITLES = (
    "Operations Manager", "Procurement Manager", "Finance Manager", "Accounts Payable Manager",
    "Sourcing Manager", "Customer Operations Manager",
)
INDIVIDUAL_TITLES = (
    "Procurement Specialist", "Financial Analyst", "Operations Analyst", "AP Specialist", "Buyer",
    "Category Analyst", "Operations Coordinator",
)
ADMIN_TITLES = {
    ContactLevel.MANAGER: ("Business Systems Manager", "IT Systems Manager"),
    ContactLevel.INDIVIDUAL: ("Systems Administrator", "Application Administrator"),
}
COUNTS = {Segment.SMB: (3, 5), Segment.MID_MARKET: (4, 7), Segment.ENTERPRISE: (6, 10)}
DIRECTORS = {Segment.SMB: (0, 1), Segment.MID_MARKET: (1, 2), Segment.ENTERPRISE: (2, 3)}
DEPTH = {ContactLevel.EXECUTIVE: 0, ContactLevel.DIRECTOR: 1, ContactLevel.MANAGER: 2, ContactLevel.INDIVIDUAL: 3}


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().replace(" ", "")


def _person(world: World, rng, fake, account: AccountPlan, emails: set[str]) -> tuple[str, str, str]:
    first, last = fake.first_name(), fake.last_name()
    local = f"{_ascii(first)}.{_ascii(last)}"
    email, n = f"{local}@{account.domain}", 1
    while email in emails:
        n += 1
        email = f"{local}{n}@{account.domain}"
    emails.add(email)
    phone = f"+1 {rng.randint(201, 989)} 555 {rng.randint(100, 199):04d}"
    return f"{first} {last}", email, phone


def plan_contacts(world: World, account: AccountPlan) -> list[ContactPlan]:
    rng = world.rng("people", account.index)
    fake = world.faker("people", account.index)
    segment, fate = account.segment, account.fate
    joined = fate.start - 30
    emails: set[str] = set()
    count = rng.randint(*COUNTS[segment])
    directors = min(count - 2, rng.randint(*DIRECTORS[segment]))
    managers = max(1, (count - 1 - directors) // 2)
    individuals = count - 1 - directors - managers
    people: list[ContactPlan] = []

    def add(level: str, title: str, reports_to: int | None) -> ContactPlan:
        name, email, phone = _person(world, rng, fake, account, emails)
        person = ContactPlan(len(people), name, email, title, level, [], reports_to, joined, phone=phone)
        people.append(person)
        return person

    executive = add(ContactLevel.EXECUTIVE, rng.choice(EXECUTIVE_TITLES[segment]), None)
    executive.roles.append(ContactRole.EXECUTIVE_SPONSOR)
    heads = [add(ContactLevel.DIRECTOR, rng.choice(DIRECTOR_TITLES), executive.key) for _ in range(directors)]
    leads = [add(ContactLevel.MANAGER, rng.choice(MANAGER_TITLES), rng.choice(heads or [executive]).key)
             for _ in range(managers)]
    for _ in range(individuals):
        add(ContactLevel.INDIVIDUAL, rng.choice(INDIVIDUAL_TITLES), rng.choice(leads).key)

    champion = heads[0] if heads and (segment == Segment.ENTERPRISE or rng.random() < 0.6) else leads[0]
    champion.roles.append(ContactRole.CHAMPION)
    champion.is_primary = True
    others = [h for h in heads if h is not champion]
    decider = others[0] if others and rng.random() < 0.5 else executive
    decider.roles.append(ContactRole.DECISION_MAKER)
    admins = [p for p in people if p.level in ADMIN_TITLES and p is not champion]
    if admins:
        admin = rng.choice(admins)
        admin.roles.append(ContactRole.ADMIN)
        admin.title = rng.choice(ADMIN_TITLES[admin.level])
    for person in people:
        if not person.roles:
            person.roles.append(ContactRole.END_USER)

    if fate.champion_left is not None:
        champion.left, champion.is_primary = fate.champion_left, False
        term = fate.term_at(fate.champion_left)
        replace = rng.random() < (0.25 if term.outcome == "churned" else 0.75)
        arrives = fate.champion_left + rng.randint(14, 90)
        if replace and arrives < min(-1, fate.ended):
            title = champion.title
            successor = add(champion.level, title, champion.reports_to)
            successor.roles = [ContactRole.CHAMPION]
            successor.joined, successor.is_primary = arrives, True
        else:
            decider.is_primary = True
    for person in people:
        if person.left is None and person is not executive and not person.is_primary and rng.random() < 0.05:
            low, high = person.joined + 60, min(-2, fate.ended - 1)
            if low < high:
                person.left = rng.randint(low, high)
    return people


def run(world: World, progress) -> int:
    progress.total(len(world.accounts))
    for account in world.accounts:
        account.contacts = plan_contacts(world, account)
    by_depth: dict[int, list[tuple[AccountPlan, ContactPlan]]] = {0: [], 1: [], 2: [], 3: []}
    for account in world.accounts:
        for person in account.contacts:
            created = world.moment(person.joined, 11 * 60)
            updated = world.moment(person.left, 11 * 60) if person.left is not None else created
            person.obj = Contact(
                account=account.obj, external_id=f"{account.external_id}-c{person.key:02d}",
                name=person.name, email=person.email, phone=person.phone, title=person.title,
                level=person.level, roles=list(person.roles), is_primary=person.is_primary,
                status=ContactStatus.LEFT if person.left is not None else ContactStatus.ACTIVE,
                left_on=world.date(person.left) if person.left is not None else None,
                created_at=created, updated_at=updated,
            )
            by_depth[DEPTH[person.level]].append((account, person))
    total = 0
    with historical_timestamps(Contact):
        # Level by level, so everyone's manager is saved before them.
        for depth in sorted(by_depth):
            rows = []
            for account, person in by_depth[depth]:
                if person.reports_to is not None:
                    person.obj.reports_to = account.contacts[person.reports_to].obj
                rows.append(person.obj)
            Contact.objects.bulk_create(rows, batch_size=2000)
            total += len(rows)
    progress.advance(len(world.accounts))
    return total
