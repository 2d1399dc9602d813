"""S&OP plan versions: every saved plan, never overwritten (SPEC §4, §5.4).

A version is a sales proposal, an operations proposal or the consensus, with who saved it,
when, why (the note), the plan's parameters and full JSON result, and the difference to
the version saved before it.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Date, DateTime, ForeignKey, Integer, Table, Text

from accord.storage.tables import metadata

plan_versions = Table(
    "plan_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", Text, nullable=False),  # sales | operations | consensus
    Column("author", Text, nullable=False),
    Column("note", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("dataset_version", Integer, nullable=True),
    Column("params", JSON, nullable=False),
    Column("result", JSON, nullable=False),
    Column("previous_id", Integer, ForeignKey("plan_versions.id"), nullable=True),
    Column("diff", JSON, nullable=True),
)
