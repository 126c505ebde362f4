"""append-only guards: the database itself refuses to edit or delete audit entries and the
ledger's entries, subtrees, signed heads and cosignatures, and to shrink the log

The ledger detects an edit after the fact; these triggers stop one made through the IOC's
own database account (a bug, an injected statement) before it happens. The one change they
let through is the sealing of an audit row: ``ledger_idx`` set once, every other column
unchanged. Someone with the rights to drop a trigger can still get round them, and that is
what ``ioc ledger verify`` and the witnesses are for.

On SQLite a later migration that rebuilds one of these tables (``batch_alter_table``) drops
its triggers with it and must create them again; tests/store/test_append_only.py says so.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 12:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Tables that only ever grow: no UPDATE, no DELETE (nor TRUNCATE on PostgreSQL).
FROZEN = ("ledger_entry", "ledger_node", "ledger_head", "ledger_cosignature")
# Every column of audit_event but ledger_idx.
AUDIT_COLUMNS = (
    "id",
    "at",
    "user_id",
    "username",
    "action",
    "target",
    "outcome",
    "detail",
    "client",
)


def _sqlite_refusal(table: str, operation: str) -> str:
    return f"SELECT RAISE(ABORT, '{table} is append-only: {operation} refused');"


def _upgrade_sqlite() -> None:
    for table in FROZEN:
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                f"BEGIN {_sqlite_refusal(table, operation)} END"
            )
    op.execute(
        "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
        f"BEGIN {_sqlite_refusal('audit_event', 'DELETE')} END"
    )
    changed = " OR ".join(f"NEW.{column} IS NOT OLD.{column}" for column in AUDIT_COLUMNS)
    op.execute(
        "CREATE TRIGGER audit_event_seal_only BEFORE UPDATE ON audit_event "
        f"WHEN OLD.ledger_idx IS NOT NULL OR NEW.ledger_idx IS NULL OR {changed} "
        "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only: UPDATE refused (only the "
        "sealing of an unsealed row may set ledger_idx)'); END"
    )
    op.execute(
        "CREATE TRIGGER ledger_state_no_shrink BEFORE UPDATE ON ledger_state "
        "WHEN NEW.size < OLD.size OR NEW.name IS NOT OLD.name "
        "BEGIN SELECT RAISE(ABORT, 'ledger_state may only grow: UPDATE refused'); END"
    )
    op.execute(
        "CREATE TRIGGER ledger_state_no_delete BEFORE DELETE ON ledger_state "
        f"BEGIN {_sqlite_refusal('ledger_state', 'DELETE')} END"
    )


def _upgrade_postgresql() -> None:
    op.execute(
        """
        CREATE FUNCTION ioc_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
        END
        $$
        """
    )
    op.execute(
        """
        CREATE FUNCTION ioc_audit_seal_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF OLD.ledger_idx IS NULL AND NEW.ledger_idx IS NOT NULL
               AND (to_jsonb(NEW) - 'ledger_idx') = (to_jsonb(OLD) - 'ledger_idx') THEN
                RETURN NEW;
            END IF;
            RAISE EXCEPTION 'audit_event is append-only: UPDATE refused (only the sealing '
                'of an unsealed row may set ledger_idx)';
        END
        $$
        """
    )
    for table in FROZEN:
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION ioc_refuse_change()"
        )
    for table in (*FROZEN, "audit_event", "ledger_state"):
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION ioc_refuse_change()"
        )
    op.execute(
        "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION ioc_refuse_change()"
    )
    op.execute(
        "CREATE TRIGGER audit_event_seal_only BEFORE UPDATE ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION ioc_audit_seal_only()"
    )
    op.execute(
        "CREATE TRIGGER ledger_state_no_shrink BEFORE UPDATE ON ledger_state FOR EACH ROW "
        "WHEN (NEW.size < OLD.size OR NEW.name IS DISTINCT FROM OLD.name) "
        "EXECUTE FUNCTION ioc_refuse_change()"
    )
    op.execute(
        "CREATE TRIGGER ledger_state_no_delete BEFORE DELETE ON ledger_state "
        "FOR EACH ROW EXECUTE FUNCTION ioc_refuse_change()"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _upgrade_postgresql()
    else:
        _upgrade_sqlite()


def _triggers(postgresql: bool) -> list[tuple[str, str]]:
    """The triggers ``upgrade`` creates, as (trigger, table)."""
    if postgresql:
        made = [(f"{table}_append_only", table) for table in FROZEN]
        made += [(f"{t}_no_truncate", t) for t in (*FROZEN, "audit_event", "ledger_state")]
    else:
        made = [(f"{table}_no_{verb}", table) for table in FROZEN for verb in ("update", "delete")]
    made += [("audit_event_no_delete", "audit_event"), ("audit_event_seal_only", "audit_event")]
    made += [("ledger_state_no_shrink", "ledger_state"), ("ledger_state_no_delete", "ledger_state")]
    return made


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name, table in _triggers(postgresql):
        op.execute(f"DROP TRIGGER {name} ON {table}" if postgresql else f"DROP TRIGGER {name}")
    if postgresql:
        op.execute("DROP FUNCTION ioc_audit_seal_only()")
        op.execute("DROP FUNCTION ioc_refuse_change()")
