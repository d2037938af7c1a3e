"""The demo's logins: one random password, generated on the first load, kept in a 0600 file.

Never hard-coded: each data directory gets its own, and every later run prints the same one.
"""

from __future__ import annotations

import json
import os
import secrets
import stat
from pathlib import Path

from django.contrib.auth.hashers import make_password

from paceline.ops.demo.team import LOGINS, TEAM
from paceline.users.models import User

LOGIN_FILE = "demo-login.json"


def login_path(data_dir: Path) -> Path:
    return Path(data_dir) / LOGIN_FILE


def demo_password(data_dir: Path) -> tuple[str, bool]:
    """The demo password and whether it was just created."""
    path = login_path(data_dir)
    if path.exists():
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            path.chmod(0o600)
        return json.loads(path.read_text())["password"], False
    path.parent.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(12)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump({"password": password, "usernames": [m.username for m in TEAM]}, handle)
    return password, True


def set_demo_password(password: str) -> int:
    """Give every demo user the password (hashed once: the same hash serves all of them)."""
    return User.objects.filter(username__in=[m.username for m in TEAM]).update(password=make_password(password))


def printed_logins() -> list[tuple[str, str, str]]:
    """(username, role label, title) of the logins to show, in order."""
    by_name = {m.username: m for m in TEAM}
    users = {u.username: u for u in User.objects.filter(username__in=LOGINS)}
    return [(name, users[name].get_role_display(), by_name[name].title) for name in LOGINS if name in users]
