"""An index on reservations (status, expires_at): every reserve and every refresh of the
desk reads the ones holding capacity (confirmed, or active and not expired) by it.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_reservations_status_expires_at", "reservations", ["status", "expires_at"])


def downgrade() -> None:
    op.drop_index("ix_reservations_status_expires_at", table_name="reservations")
