"""Words searched in the pledges: the quote, the summary and the statement's title.

Each pledge keeps them together, case-folded, in `search_text` (written on every save,
and again when its statement's title changes: tracker.signals). A word matches a pledge
when it stands anywhere in that text, whatever its case: the same rule on SQLite and
PostgreSQL, served by an index on each. SQLite: an FTS5 table with the trigram
tokenizer over the column, kept by triggers; PostgreSQL: a trigram (pg_trgm) GIN index
on it. Words of one or two letters are too short for a trigram index; they are searched
the same way, without it.
"""

from __future__ import annotations

from django.db import DatabaseError, connection
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.models import Q
from django.db.models.expressions import RawSQL

# Each part on a line of its own: a word (never holding a line break) cannot match
# across two of them.
SEPARATOR = "\n"
SHORTEST_INDEXED = 3
FTS_TABLE = "tracker_pledge_search"
SQLITE_TRIGGERS = [f"{FTS_TABLE}_insert", f"{FTS_TABLE}_delete", f"{FTS_TABLE}_update"]
POSTGRESQL_INDEX = "tracker_pledge_search_trgm"


def search_text_of(quote: str, summary: str, title: str) -> str:
    return SEPARATOR.join(part.casefold() for part in (quote, summary, title))


def matching(words: list[str], vendor: str) -> Q:
    """The pledges holding every one of `words`."""
    folded = [word.casefold() for word in words]
    indexed = [word for word in folded if vendor == "sqlite" and len(word) >= SHORTEST_INDEXED]
    found = Q()
    if indexed:
        # Each word a phrase quoted for FTS5 (its characters in a row), all of them at once.
        phrases = " AND ".join('"' + word.replace('"', '""') + '"' for word in indexed)
        rows = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # noqa: S608 - our own table
        found &= Q(pk__in=RawSQL(rows, [phrases]))  # noqa: S611 - the words go as a parameter
    for word in folded:
        if word not in indexed:
            found &= Q(search_text__contains=word)
    return found


def install(apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """The index, and on SQLite the triggers that keep it (a migration that rebuilds the
    pledge table drops them: tracker.db_triggers.install calls this again)."""
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm", params=None)
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {POSTGRESQL_INDEX} ON tracker_pledge "
            "USING gin (search_text gin_trgm_ops)",
            params=None,
        )
        return
    if connection.vendor != "sqlite":  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise NotImplementedError(f"No search index for the {connection.vendor} database.")
    existing = set(connection.introspection.table_names())
    if FTS_TABLE not in existing:
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(search_text, content='tracker_pledge', "
            "content_rowid='id', tokenize='trigram case_sensitive 1')",
            params=None,
        )
    for statement in sqlite_triggers():
        schema_editor.execute(statement, params=None)
    # Whatever the table holds now, indexed afresh.
    schema_editor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')", params=None)  # noqa: S608


def sqlite_triggers() -> list[str]:
    insert, delete, update = SQLITE_TRIGGERS
    # (Our own table names, no input: S608 does not apply.)
    add = f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text);"  # noqa: S608
    remove = (
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) "  # noqa: S608
        "VALUES ('delete', old.id, old.search_text);"
    )
    return [
        f"DROP TRIGGER IF EXISTS {insert}",
        f"CREATE TRIGGER {insert} AFTER INSERT ON tracker_pledge BEGIN {add} END",
        f"DROP TRIGGER IF EXISTS {delete}",
        f"CREATE TRIGGER {delete} AFTER DELETE ON tracker_pledge BEGIN {remove} END",
        f"DROP TRIGGER IF EXISTS {update}",
        f"CREATE TRIGGER {update} AFTER UPDATE OF search_text ON tracker_pledge BEGIN {remove} {add} END",
    ]


def index_agrees() -> bool:
    """Whether the index holds what the pledges' search text says (SQLite's FTS5 checks
    itself; PostgreSQL's index is the database's own)."""
    if connection.vendor != "sqlite":
        return True
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('integrity-check', 1)")  # noqa: S608
    except DatabaseError:
        return False
    return True


def rebuild_index() -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")  # noqa: S608


def uninstall(apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {POSTGRESQL_INDEX}", params=None)
        return
    for name in SQLITE_TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}", params=None)
    schema_editor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}", params=None)
