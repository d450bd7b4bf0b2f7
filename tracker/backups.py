"""Consistent copies of the database while the app runs, and bringing one back.

SQLite: the online backup API copies the database as it stands at one moment, the
rows still in its write-ahead log included (a plain copy of db.sqlite3 would miss
them). PostgreSQL: `pg_dump` in its custom format, brought back with `pg_restore`.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection


class BackupFailed(Exception):
    pass


def _postgres_env() -> tuple[list[str], dict]:
    settings = connection.settings_dict
    arguments = [
        f"--host={settings.get('HOST') or 'localhost'}",
        f"--port={settings.get('PORT') or 5432}",
        f"--username={settings.get('USER') or 'postgres'}",
        f"--dbname={settings['NAME']}",
    ]
    env = {**os.environ}
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = settings["PASSWORD"]
    return arguments, env


def _run(command: list[str], env: dict) -> None:
    program = command[0]
    if shutil.which(program) is None:
        raise BackupFailed(f"{program} is not installed: install PostgreSQL's client tools.")
    # No shell: the arguments come from the settings and the path given, each one whole.
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupFailed(f"{program} failed: {result.stderr.strip()}")


def backup(path: Path) -> None:
    """Write a consistent copy of the database to `path`."""
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        target = sqlite3.connect(path)
        try:
            # In one step: the copy is of one moment, while writers go on in the WAL.
            connection.connection.backup(target, pages=-1)
            # A file of its own: no write-ahead log beside it, whatever the database uses.
            target.execute("PRAGMA journal_mode = DELETE")
        finally:
            target.close()
    elif connection.vendor == "postgresql":
        arguments, env = _postgres_env()
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={path}", *arguments], env)
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise BackupFailed(f"No backups for the {connection.vendor} database.")


def restore(path: Path) -> None:
    """Replace everything in the database with the copy at `path`."""
    if not path.is_file():
        raise BackupFailed(f"{path}: no such file.")
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if source.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupFailed(f"{path}: not a sound SQLite database.")
            source.backup(connection.connection, pages=-1)
        except sqlite3.DatabaseError as error:
            raise BackupFailed(f"{path}: not an SQLite backup ({error}).") from None
        finally:
            source.close()
    elif connection.vendor == "postgresql":
        arguments, env = _postgres_env()
        connection.close()
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                *arguments,
                str(path),
            ],
            env,
        )
    else:  # pragma: no cover
        raise BackupFailed(f"No restore for the {connection.vendor} database.")
