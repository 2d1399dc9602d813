"""The whole database schema: every area's tables on the one ``metadata``.

Each area keeps its tables in its own module (``tables.py`` for the dataset, later ones
beside it) and is imported here, so migrations and the schema test see all of them.
"""

from __future__ import annotations

from accord.storage import (
    auth_tables,
    crm_tables,
    customer_tables,
    deal_tables,
    forecast_tables,
    plan_tables,
    tables,
)
from accord.storage.tables import metadata

# Areas add their table modules to this tuple.
AREAS = (
    tables,
    customer_tables,
    auth_tables,
    deal_tables,
    plan_tables,
    forecast_tables,
    crm_tables,
)

__all__ = ["AREAS", "metadata"]
