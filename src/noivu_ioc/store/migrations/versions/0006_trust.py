"""trust: data-sharing agreements, login throttling, second factor and external sign-in,
richer login sessions, the verifiable ledger (entries, complete subtrees, signed heads,
witness cosignatures), audit entries sealed in the ledger

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 07:30:00
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str, nullable: bool = True) -> "sa.Column[datetime]":
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(_when("password_changed_at"))
        batch.add_column(sa.Column("totp_secret", sa.Text(), nullable=True))
        batch.add_column(_when("totp_confirmed_at"))
        batch.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("oidc_subject", sa.String(512), nullable=True))
        batch.create_unique_constraint("uq_app_user_oidc_subject", ["oidc_subject"])
    with op.batch_alter_table("login_session") as batch:
        batch.add_column(sa.Column("client", sa.String(64), nullable=True))
        batch.add_column(_when("last_seen_at"))
        batch.add_column(
            sa.Column("method", sa.String(16), nullable=False, server_default="password")
        )
        batch.add_column(_when("second_factor_at"))
        batch.add_column(
            sa.Column(
                "needs_second_factor", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    with op.batch_alter_table("audit_event") as batch:
        batch.add_column(sa.Column("ledger_idx", sa.BigInteger(), nullable=True))
        batch.create_index("ix_audit_event_ledger_idx", ["ledger_idx"])

    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(160), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        _when("window_start", nullable=False),
        _when("locked_until"),
    )
    op.create_table(
        "sharing_agreement",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("dataset", sa.String(64), nullable=False, index=True),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("grantee_role", sa.String(32), nullable=True),
        sa.Column("grantee_unit", sa.String(32), nullable=True),
        sa.Column("purpose", sa.Text(), nullable=False),
        _when("valid_from", nullable=False),
        _when("valid_until", nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        _when("created_at", nullable=False),
        _when("revoked_at"),
        sa.Column("revoked_by", sa.String(64), nullable=True),
    )
    op.create_table(
        "ledger_entry",
        sa.Column("idx", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("key", sa.String(160), nullable=False, index=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("leaf_hash", sa.LargeBinary(32), nullable=False),
        _when("at", nullable=False),
    )
    op.create_table(
        "ledger_node",
        sa.Column("level", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("idx", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("hash", sa.LargeBinary(32), nullable=False),
    )
    op.create_table(
        "ledger_state",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "ledger_head",
        sa.Column("tree_size", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("root_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("timestamp_ms", sa.BigInteger(), nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("signature", sa.LargeBinary(64), nullable=False),
    )
    op.create_table(
        "ledger_cosignature",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "tree_size",
            sa.BigInteger(),
            sa.ForeignKey("ledger_head.tree_size"),
            nullable=False,
            index=True,
        ),
        sa.Column("witness", sa.String(64), nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("signature", sa.LargeBinary(64), nullable=False),
        _when("at", nullable=False),
        sa.UniqueConstraint("tree_size", "key_id"),
    )


def downgrade() -> None:
    for table in (
        "ledger_cosignature",
        "ledger_head",
        "ledger_state",
        "ledger_node",
        "ledger_entry",
        "sharing_agreement",
        "login_throttle",
    ):
        op.drop_table(table)
    with op.batch_alter_table("audit_event") as batch:
        batch.drop_index("ix_audit_event_ledger_idx")
        batch.drop_column("ledger_idx")
    with op.batch_alter_table("login_session") as batch:
        for column in ("needs_second_factor", "second_factor_at", "method", "last_seen_at"):
            batch.drop_column(column)
        batch.drop_column("client")
    with op.batch_alter_table("app_user") as batch:
        batch.drop_constraint("uq_app_user_oidc_subject", type_="unique")
        for column in (
            "oidc_subject",
            "totp_last_step",
            "totp_confirmed_at",
            "totp_secret",
            "password_changed_at",
        ):
            batch.drop_column(column)
