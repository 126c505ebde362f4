"""operations: alert reminders, incidents and tasks, processes, plans, directives,
notifications and deliveries, CAP messages, leases

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 06:20:00
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str, nullable: bool = True) -> "sa.Column[datetime]":
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("phone", sa.String(32), nullable=True))
    with op.batch_alter_table("alert") as batch:
        batch.add_column(_when("reminded_at"))
        batch.add_column(sa.Column("reminders", sa.Integer(), nullable=False, server_default="0"))

    op.create_table(
        "incident",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("alert_id", sa.Integer(), sa.ForeignKey("alert.id"), nullable=True),
        sa.Column("report_event_id", sa.Integer(), sa.ForeignKey("event.id"), nullable=True),
        sa.Column("plan_run_id", sa.Integer(), nullable=True),
        sa.Column("drill", sa.Boolean(), nullable=False),
        sa.Column("admin_code", sa.String(5), nullable=True),
        sa.Column("root_cause", sa.Text(), nullable=False),
        sa.Column("impact", sa.Text(), nullable=False),
        sa.Column("affected_units", sa.JSON(), nullable=False),
        sa.Column("opened_by", sa.String(64), nullable=False),
        _when("opened_at", False),
        sa.Column("closed_by", sa.String(64), nullable=True),
        _when("closed_at"),
        sa.Column("evaluation", sa.Text(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
    )
    op.create_index("ix_incident_alert_id", "incident", ["alert_id"])
    op.create_index("ix_incident_plan_run_id", "incident", ["plan_run_id"])
    op.create_index("ix_incident_admin_code", "incident", ["admin_code"])
    for name, column in (
        ("ux_incident_open_alert", "alert_id"),
        ("ux_incident_open_report", "report_event_id"),
    ):
        op.create_index(
            name,
            "incident",
            [column],
            unique=True,
            sqlite_where=sa.text("state = 'open'"),
            postgresql_where=sa.text("state = 'open'"),
        )

    op.create_table(
        "task",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("incident_id", sa.Integer(), sa.ForeignKey("incident.id"), nullable=False),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("resources", sa.Text(), nullable=False),
        sa.Column("unit_code", sa.String(32), nullable=False),
        sa.Column("admin_code", sa.String(5), nullable=True),
        sa.Column("assigned_by", sa.String(64), nullable=False),
        _when("assigned_at", False),
        _when("due_at"),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        _when("done_at"),
        sa.Column("done_by", sa.String(64), nullable=True),
        _when("reminded_at"),
        sa.Column("reminders", sa.Integer(), nullable=False),
    )
    op.create_index("ix_task_incident_id", "task", ["incident_id"])
    op.create_index("ix_task_unit_state", "task", ["unit_code", "state"])

    op.create_table(
        "task_comment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("task_id", sa.Integer(), sa.ForeignKey("task.id"), nullable=False),
        sa.Column("author", sa.String(64), nullable=False),
        _when("at", False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=True),
    )
    op.create_index("ix_task_comment_task_id", "task_comment", ["task_id"])

    op.create_table(
        "attachment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("owner_kind", sa.String(16), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("content_type", sa.String(128), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.String(64), nullable=False),
        _when("uploaded_at", False),
    )
    op.create_index("ix_attachment_owner", "attachment", ["owner_kind", "owner_id"])

    op.create_table(
        "process_template",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("slug", sa.String(64), nullable=False, unique=True),
        sa.Column("title_vi", sa.String(255), nullable=False),
        sa.Column("title_en", sa.String(255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        _when("created_at", False),
    )
    op.create_table(
        "process_run",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "template_id", sa.Integer(), sa.ForeignKey("process_template.id"), nullable=False
        ),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("unit_code", sa.String(32), nullable=False),
        sa.Column("admin_code", sa.String(5), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("started_by", sa.String(64), nullable=False),
        _when("started_at", False),
        _when("done_at"),
    )
    op.create_index("ix_process_run_template_id", "process_run", ["template_id"])
    op.create_index("ix_process_run_admin_code", "process_run", ["admin_code"])
    op.create_table(
        "process_step",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("process_run.id"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("title_vi", sa.String(255), nullable=False),
        sa.Column("title_en", sa.String(255), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("unit_code", sa.String(32), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        _when("started_at"),
        _when("due_at"),
        _when("done_at"),
        sa.Column("done_by", sa.String(64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.UniqueConstraint("run_id", "position"),
    )
    op.create_index("ix_process_step_run_id", "process_step", ["run_id"])

    op.create_table(
        "plan",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("slug", sa.String(64), nullable=False, unique=True),
        sa.Column("title_vi", sa.String(255), nullable=False),
        sa.Column("title_en", sa.String(255), nullable=False),
        sa.Column("hazard", sa.String(64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("tasks", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        _when("updated_at", False),
    )
    op.create_table(
        "plan_run",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("plan_id", sa.Integer(), sa.ForeignKey("plan.id"), nullable=False),
        sa.Column("drill", sa.Boolean(), nullable=False),
        sa.Column("admin_code", sa.String(5), nullable=True),
        sa.Column("incident_id", sa.Integer(), sa.ForeignKey("incident.id"), nullable=True),
        sa.Column("activated_by", sa.String(64), nullable=False),
        _when("activated_at", False),
        sa.Column("state", sa.String(16), nullable=False),
        _when("closed_at"),
    )
    op.create_index("ix_plan_run_plan_id", "plan_run", ["plan_id"])

    op.create_table(
        "directive",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("issued_by", sa.String(64), nullable=False),
        _when("issued_at", False),
        sa.Column("ack_minutes", sa.Integer(), nullable=False),
        _when("report_due_at"),
        sa.Column("incident_id", sa.Integer(), sa.ForeignKey("incident.id"), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
    )
    op.create_table(
        "directive_recipient",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("directive_id", sa.Integer(), sa.ForeignKey("directive.id"), nullable=False),
        sa.Column("unit_code", sa.String(32), nullable=False),
        sa.Column("admin_code", sa.String(5), nullable=True),
        _when("acknowledged_at"),
        sa.Column("acknowledged_by", sa.String(64), nullable=True),
        _when("reported_at"),
        sa.Column("reported_by", sa.String(64), nullable=True),
        sa.Column("report", sa.Text(), nullable=True),
        _when("reminded_at"),
        sa.Column("reminders", sa.Integer(), nullable=False),
        _when("escalated_at"),
        sa.UniqueConstraint("directive_id", "unit_code"),
    )
    op.create_index("ix_directive_recipient_directive_id", "directive_recipient", ["directive_id"])

    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("ref", sa.String(64), nullable=True),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", sa.String(255), nullable=True),
        _when("created_at", False),
        _when("read_at"),
    )
    op.create_index("ix_notification_user_read", "notification", ["user_id", "read_at"])
    op.create_table(
        "delivery",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "notification_id", sa.Integer(), sa.ForeignKey("notification.id"), nullable=False
        ),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("address", sa.String(255), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        _when("next_attempt_at"),
        _when("sent_at"),
    )
    op.create_index("ix_delivery_notification_id", "delivery", ["notification_id"])
    op.create_index("ix_delivery_status", "delivery", ["status"])

    op.create_table(
        "cap_message",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("direction", sa.String(4), nullable=False),
        sa.Column("identifier", sa.String(255), nullable=False),
        sa.Column("sender", sa.String(255), nullable=False),
        _when("sent", False),
        sa.Column("msg_type", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("xml", sa.Text(), nullable=False),
        sa.Column("alert_id", sa.Integer(), sa.ForeignKey("alert.id"), nullable=True),
        sa.Column("event_id", sa.Integer(), sa.ForeignKey("event.id"), nullable=True),
        _when("received_at", False),
        sa.UniqueConstraint("sender", "identifier"),
    )
    op.create_table(
        "lease",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("owner", sa.String(64), nullable=True),
        _when("until"),
        sa.Column("runs", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "lease",
        "cap_message",
        "delivery",
        "notification",
        "directive_recipient",
        "directive",
        "plan_run",
        "plan",
        "process_step",
        "process_run",
        "process_template",
        "attachment",
        "task_comment",
        "task",
        "incident",
    ):
        op.drop_table(table)
    with op.batch_alter_table("alert") as batch:
        batch.drop_column("reminders")
        batch.drop_column("reminded_at")
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("phone")
