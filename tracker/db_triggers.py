"""Rules the database keeps itself, for the rules a CHECK constraint cannot hold.

- History tables refuse an UPDATE that changes a row (an UPDATE that writes the same
  values, as reloading a fixture does, is let through), and any DELETE; on PostgreSQL
  TRUNCATE too. So does the link between status updates and the evidence they cite.
  Only database maintenance (`history_maintenance()`: the test suite's flush) may
  empty them.
- A pledge's quote must stand in its statement's text at its offsets, on every
  INSERT and on every UPDATE of the quote, offsets or statement.
- A pledge holds its statement's date (`made_on`), set on every INSERT and on every
  UPDATE of the pledge's statement or date, and moved with the statement's date.
- On SQLite, the pledges' search index follows the pledge table (tracker.search).

SQLite loses a table's triggers when a migration rebuilds the table; a migration
that alters one of these tables must call `install(...)` again. A test checks that
every trigger exists after all migrations.
"""

import contextlib

from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from tracker import search

HISTORY_TABLES = {
    "tracker_statusupdate": "StatusUpdate",
    "tracker_retraction": "Retraction",
    "tracker_evidence": "Evidence",
    "tracker_statementrevision": "StatementRevision",
    "tracker_pledgerevision": "PledgeRevision",
    "tracker_review": "Review",
    "tracker_reviewretraction": "ReviewRetraction",
    "tracker_evidencewithdrawal": "EvidenceWithdrawal",
}

# Tables of rows that belong to history without being a model of their own.
LINK_TABLES = ["tracker_statusupdate_evidence", "tracker_review_evidence"]

QUOTE_IN_TEXT = (
    "EXISTS (SELECT 1 FROM tracker_statement s WHERE s.id = NEW.statement_id"
    " AND substr(s.text, NEW.quote_start + 1, NEW.quote_end - NEW.quote_start) = NEW.quote)"
)
QUOTE_COLUMNS = "quote, quote_start, quote_end, statement_id"

STATEMENT_DATE = "(SELECT s.delivered_on FROM tracker_statement s WHERE s.id = NEW.statement_id)"
MADE_ON_TRIGGERS = {
    "sqlite": [
        "tracker_pledge_made_on_insert",
        "tracker_pledge_made_on_update",
        "tracker_statement_dates_pledges",
    ],
    "postgresql": ["tracker_pledge_made_on", "tracker_statement_dates_pledges"],
}


def trigger_names(vendor: str) -> list[str]:
    guarded = [*HISTORY_TABLES, *LINK_TABLES]
    names = [f"{table}_append_only" for table in guarded] + [f"{table}_no_delete" for table in guarded]
    if vendor == "postgresql":
        names += [f"{table}_no_truncate" for table in guarded]
    names += ["tracker_pledge_quote_in_text_insert", "tracker_pledge_quote_in_text_update"]
    names += MADE_ON_TRIGGERS[vendor]
    return [*names, *search.SQLITE_TRIGGERS] if vendor == "sqlite" else names


@contextlib.contextmanager
def history_maintenance(connection):
    """Let history be deleted while the block runs, on this connection (PostgreSQL) or
    the database (SQLite): for emptying a test database, never for the app."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET tracker.maintenance = 'on'")
        else:
            cursor.execute("INSERT INTO tracker_maintenance (since) VALUES (datetime('now'))")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("RESET tracker.maintenance")
            else:
                cursor.execute("DELETE FROM tracker_maintenance")


def install(apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    # An earlier migration installs the triggers of the history tables it has; the
    # migration that adds a table installs them again.
    existing = set(schema_editor.connection.introspection.table_names())
    tables = {table: model for table, model in HISTORY_TABLES.items() if table in existing}
    links = [table for table in LINK_TABLES if table in existing]
    if vendor == "sqlite":
        statements = _sqlite(apps, tables, links)
    elif vendor == "postgresql":
        statements = _postgresql(tables, links)
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise NotImplementedError(f"No history triggers for the {vendor} database.")
    # (Migrations before the one that adds the pledge's date install the others only.)
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        pledge_columns = connection.introspection.get_table_description(cursor, "tracker_pledge")
    if any(column.name == "made_on" for column in pledge_columns):
        statements += _made_on_sqlite() if vendor == "sqlite" else _made_on_postgresql()
    for sql in statements:
        schema_editor.execute(sql, params=None)
    if vendor == "sqlite" and search.FTS_TABLE in existing:
        # The search index's triggers are on the pledge table too.
        for sql in search.sqlite_triggers():
            schema_editor.execute(sql, params=None)


def uninstall(apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    existing = set(schema_editor.connection.introspection.table_names())
    for table in (table for table in [*HISTORY_TABLES, *LINK_TABLES] if table in existing):
        on_table = f" ON {table}" if vendor == "postgresql" else ""
        for name in ("append_only", "no_delete", "no_truncate"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_{name}{on_table}", params=None)
    for suffix in ("insert", "update"):
        on_table = " ON tracker_pledge" if vendor == "postgresql" else ""
        schema_editor.execute(
            f"DROP TRIGGER IF EXISTS tracker_pledge_quote_in_text_{suffix}{on_table}", params=None
        )
    uninstall_made_on(apps, schema_editor)


def uninstall_made_on(apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    for name in MADE_ON_TRIGGERS[vendor]:
        table = "tracker_statement" if name.startswith("tracker_statement") else "tracker_pledge"
        on_table = f" ON {table}" if vendor == "postgresql" else ""
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}{on_table}", params=None)


def _made_on_sqlite() -> list[str]:
    # (SQLite runs no trigger from within its own UPDATE unless recursive_triggers is on:
    # the pledge's UPDATE below does not start these again.)
    insert, update, moved = MADE_ON_TRIGGERS["sqlite"]
    copy = f"UPDATE tracker_pledge SET made_on = {STATEMENT_DATE} WHERE id = NEW.id;"  # noqa: S608
    return [
        f"DROP TRIGGER IF EXISTS {insert}",
        f"CREATE TRIGGER {insert} AFTER INSERT ON tracker_pledge FOR EACH ROW "
        f"WHEN NEW.made_on IS NOT {STATEMENT_DATE} BEGIN {copy} END",
        f"DROP TRIGGER IF EXISTS {update}",
        f"CREATE TRIGGER {update} AFTER UPDATE OF statement_id, made_on ON tracker_pledge FOR EACH ROW "
        f"WHEN NEW.made_on IS NOT {STATEMENT_DATE} BEGIN {copy} END",
        f"DROP TRIGGER IF EXISTS {moved}",
        f"CREATE TRIGGER {moved} AFTER UPDATE OF delivered_on ON tracker_statement FOR EACH ROW "  # noqa: S608 - our own table names
        "WHEN NEW.delivered_on IS NOT OLD.delivered_on BEGIN "
        "UPDATE tracker_pledge SET made_on = NEW.delivered_on WHERE statement_id = NEW.id; END",
    ]


def _made_on_postgresql() -> list[str]:
    made_on, moved = MADE_ON_TRIGGERS["postgresql"]
    return [
        f"""
        CREATE OR REPLACE FUNCTION tracker_pledge_made_on() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            NEW.made_on := {STATEMENT_DATE};
            RETURN NEW;
        END $$
        """,
        """
        CREATE OR REPLACE FUNCTION tracker_statement_dates_pledges() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE tracker_pledge SET made_on = NEW.delivered_on WHERE statement_id = NEW.id;
            RETURN NULL;
        END $$
        """,
        f"DROP TRIGGER IF EXISTS {made_on} ON tracker_pledge",
        f"CREATE TRIGGER {made_on} BEFORE INSERT OR UPDATE OF statement_id, made_on ON tracker_pledge "
        "FOR EACH ROW EXECUTE FUNCTION tracker_pledge_made_on()",
        f"DROP TRIGGER IF EXISTS {moved} ON tracker_statement",
        f"CREATE TRIGGER {moved} AFTER UPDATE OF delivered_on ON tracker_statement FOR EACH ROW "
        "WHEN (OLD.delivered_on IS DISTINCT FROM NEW.delivered_on) "
        "EXECUTE FUNCTION tracker_statement_dates_pledges()",
    ]


def _sqlite(apps, tables: dict[str, str], links: list[str]) -> list[str]:
    # A row here lets history be deleted (see history_maintenance); the app never writes one.
    statements = ["CREATE TABLE IF NOT EXISTS tracker_maintenance (since TEXT)"]
    for table in [*tables, *links]:
        statements.append(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        statements.append(
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} FOR EACH ROW "  # noqa: S608 - our own table names
            "WHEN NOT EXISTS (SELECT 1 FROM tracker_maintenance) "
            f"BEGIN SELECT RAISE(ABORT, '{table} rows are history: they are never deleted'); END"
        )
    for table in links:
        statements.append(f"DROP TRIGGER IF EXISTS {table}_append_only")
        statements.append(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table} FOR EACH ROW "
            f"BEGIN SELECT RAISE(ABORT, '{table} rows are history: they are never edited'); END"
        )
    for table, model_name in tables.items():
        model = apps.get_model("tracker", model_name)
        changed = " OR ".join(
            f"OLD.{field.column} IS NOT NEW.{field.column}" for field in model._meta.concrete_fields
        )
        statements.append(f"DROP TRIGGER IF EXISTS {table}_append_only")
        statements.append(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table} FOR EACH ROW WHEN {changed} "
            f"BEGIN SELECT RAISE(ABORT, '{table} rows are history: they are never edited'); END"
        )
    message = "quote: the pledge quote is not in its statement text at quote_start..quote_end"
    for suffix, event in (("insert", "INSERT"), ("update", f"UPDATE OF {QUOTE_COLUMNS}")):
        statements.append(f"DROP TRIGGER IF EXISTS tracker_pledge_quote_in_text_{suffix}")
        statements.append(
            f"CREATE TRIGGER tracker_pledge_quote_in_text_{suffix} BEFORE {event} ON tracker_pledge "
            f"FOR EACH ROW WHEN NOT {QUOTE_IN_TEXT} BEGIN SELECT RAISE(ABORT, '{message}'); END"
        )
    return statements


def _postgresql(tables: dict[str, str], links: list[str]) -> list[str]:
    statements = [
        """
        CREATE OR REPLACE FUNCTION tracker_refuse_history_delete() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF current_setting('tracker.maintenance', true) = 'on' THEN
                RETURN OLD;
            END IF;
            RAISE EXCEPTION '% rows are history: they are never deleted', TG_TABLE_NAME
                USING ERRCODE = 'integrity_constraint_violation';
        END $$
        """,
        """
        CREATE OR REPLACE FUNCTION tracker_refuse_history_edit() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW IS DISTINCT FROM OLD THEN
                RAISE EXCEPTION '% rows are history: they are never edited', TG_TABLE_NAME
                    USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            RETURN NEW;
        END $$
        """,
        f"""
        CREATE OR REPLACE FUNCTION tracker_check_pledge_quote() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF NOT {QUOTE_IN_TEXT} THEN
                RAISE EXCEPTION 'quote: the quote of pledge % is not in its statement text at %..%',
                    NEW.number, NEW.quote_start, NEW.quote_end
                    USING ERRCODE = 'check_violation';
            END IF;
            RETURN NEW;
        END $$
        """,
    ]
    for table in [*tables, *links]:
        for name, event, each in (("no_delete", "DELETE", "ROW"), ("no_truncate", "TRUNCATE", "STATEMENT")):
            statements.append(f"DROP TRIGGER IF EXISTS {table}_{name} ON {table}")
            statements.append(
                f"CREATE TRIGGER {table}_{name} BEFORE {event} ON {table} "
                f"FOR EACH {each} EXECUTE FUNCTION tracker_refuse_history_delete()"
            )
    for table in [*tables, *links]:
        statements.append(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        statements.append(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION tracker_refuse_history_edit()"
        )
    for suffix, event in (("insert", "INSERT"), ("update", f"UPDATE OF {QUOTE_COLUMNS}")):
        statements.append(f"DROP TRIGGER IF EXISTS tracker_pledge_quote_in_text_{suffix} ON tracker_pledge")
        statements.append(
            f"CREATE TRIGGER tracker_pledge_quote_in_text_{suffix} BEFORE {event} ON tracker_pledge "
            "FOR EACH ROW EXECUTE FUNCTION tracker_check_pledge_quote()"
        )
    return statements
