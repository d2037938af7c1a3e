"""What the run commands share: the migration check, gunicorn in-process, and a small supervisor.

``serve`` runs gunicorn's arbiter inside the command's own process (it installs its own signal
handlers and forks the workers); ``demo`` supervises ``paceline serve`` and ``paceline worker``
as child processes in their own sessions, so a Ctrl-C reaches the supervisor once and the
supervisor stops each child once, with SIGTERM, then SIGKILL after a grace period.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from gunicorn.app.base import BaseApplication


def unapplied_migrations(database: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Names (``app.migration``) of the migrations not yet applied to the database."""
    connection = connections[database]
    connection.prepare_database()
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


class WebServer(BaseApplication):
    """Gunicorn configured from a dict, serving Paceline's WSGI application."""

    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from django.core.wsgi import get_wsgi_application

        return get_wsgi_application()


def gunicorn_options(*, host: str, port: int, workers: int, access_log: bool) -> dict:
    return {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "timeout": 60,
        "graceful_timeout": 20,
        "accesslog": "-" if access_log else None,
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "paceline-web",
        # The default control socket lives in the home directory and is shared by every gunicorn:
        # two Paceline servers (or a test beside a demo) would fight over it.
        "control_socket_disable": True,
    }


def child_environment() -> dict[str, str]:
    """The environment for child commands: the same settings module and data directory."""
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "paceline.settings")
    env["PACELINE_DATA_DIR"] = str(settings.DATA_DIR)
    return env


def paceline_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "paceline.cli", *args]


class Supervisor:
    """Runs named child processes until one exits or a stop is asked for, then stops them all."""

    def __init__(self, commands: dict[str, Sequence[str]], *, env: dict[str, str], grace: float = 25.0):
        self.commands = commands
        self.env = env
        self.grace = grace
        self.children: dict[str, subprocess.Popen] = {}
        self.stop_requested: int | None = None

    def _on_signal(self, signum, _frame) -> None:
        self.stop_requested = signum

    def run(self, *, on_started=None) -> int:
        previous = {s: signal.signal(s, self._on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            for name, argv in self.commands.items():
                self.children[name] = subprocess.Popen(list(argv), env=self.env, start_new_session=True)  # noqa: S603
            if on_started:
                on_started()
            while self.stop_requested is None:
                for name, child in self.children.items():
                    code = child.poll()
                    if code is not None:
                        sys.stderr.write(f"{name} exited with status {code}; stopping the others.\n")
                        self.stop()
                        return code or 1
                time.sleep(0.2)
            self.stop()
            return 0
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def stop(self) -> None:
        for child in self.children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.grace
        for child in self.children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
