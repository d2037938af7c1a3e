"""The vendor's CS team: two leaders, five CSMs who each own a book, and a read-only viewer.

The roster is fixed (not drawn from Faker) so the printed logins never change between versions.
Passwords are not set here: the demo command sets one generated password on the logins.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from paceline.ops.demo.world import World
from paceline.users.models import Role, User

VENDOR = "Brightwave"
VENDOR_DOMAIN = "brightwave.example"


@dataclass(frozen=True)
class Member:
    username: str
    first_name: str
    last_name: str
    role: str
    title: str
    book: str | None  # the segment whose accounts they own


TEAM: tuple[Member, ...] = (
    Member("maya", "Maya", "Okafor", Role.LEADER, "VP of Customer Success", None),
    Member("daniel", "Daniel", "Reyes", Role.LEADER, "CS Manager, Mid-market and SMB", None),
    Member("carlos", "Carlos", "Mendes", Role.CSM, "Strategic CSM", "enterprise"),
    Member("priya", "Priya", "Raman", Role.CSM, "Enterprise CSM", "enterprise"),
    Member("sam", "Sam", "Whitaker", Role.CSM, "CSM, Mid-market", "mid_market"),
    Member("hana", "Hana", "Kowalski", Role.CSM, "CSM, Mid-market", "mid_market"),
    Member("jonas", "Jonas", "Berg", Role.CSM, "Scaled CSM, SMB", "smb"),
    Member("alex", "Alex", "Kim", Role.VIEWER, "Revenue Operations Analyst", None),
)

# The logins the demo prints: one of each role.
LOGINS = ("maya", "carlos", "alex")


def book_owners(segment: str) -> list[str]:
    return [m.username for m in TEAM if m.book == segment]


def leaders() -> list[str]:
    return [m.username for m in TEAM if m.role == Role.LEADER]


def run(world: World, progress) -> int:
    progress.total(len(TEAM))
    users = [
        User(
            username=m.username,
            email=f"{m.username}@{VENDOR_DOMAIN}",
            first_name=m.first_name,
            last_name=m.last_name,
            role=m.role,
            title=m.title,
            is_staff=m.role == Role.LEADER,
            password=make_password(None),  # unusable until the demo command sets the generated one
        )
        for m in TEAM
    ]
    User.objects.bulk_create(users)
    world.users = {u.username: u for u in User.objects.filter(username__in=[m.username for m in TEAM])}
    progress.advance(len(TEAM))
    return len(users)
