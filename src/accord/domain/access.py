"""Who may read and change what: the roles of SPEC §3.3 and the permissions each one holds.

Every read needs a signed-in user. Most of what Accord shows serves every role (the deal
desk, the pipeline, the S&OP plan, orders, forecast, quotas, flow, reliability); two kinds
of figures are commercially sensitive and name a read permission:

- ``READ_MARGINS``: what each product earns, unit by unit (throughput per unit and per
  constraint minute, the best mix with its net profit, operating expense, the offerings
  review, deals ranked by throughput per constraint minute): finance, which owns the
  margins, and operations, which decides the mix on the constraint. Sales sees the
  throughput of the deal it asks about at the deal desk, not the margin of every product.
- ``READ_CUSTOMER_SCORES``: best-customer scores, tiers and their history: the roles that
  may score customers (sales, which works its accounts by tier, and finance).

Each kind of write names a permission too; a role holds a fixed set of them. ``admin``
holds all. A reservation is confirmed or released by its owner (``may_change_reservation``);
``OVERRIDE_RESERVATIONS`` lets operations change anyone's, and the override is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    SALES = "sales"
    OPERATIONS = "operations"
    FINANCE = "finance"
    ADMIN = "admin"


class Permission(StrEnum):
    IMPORT_DATA = "import_data"  # replace the company dataset
    RESERVE = "reserve"  # reserve, confirm or release capacity for a deal
    CHECK_DEAL = "check_deal"  # log a deal check
    PROPOSE_SALES_PLAN = "propose_sales_plan"
    PROPOSE_OPERATIONS_PLAN = "propose_operations_plan"
    AGREE_PLAN = "agree_plan"  # save the consensus plan
    SAVE_FORECAST = "save_forecast"
    SCORE_CUSTOMERS = "score_customers"  # save best-customer scores and weights
    MANAGE_USERS = "manage_users"
    OVERRIDE_RESERVATIONS = "override_reservations"  # confirm or release another's
    READ_MARGINS = "read_margins"  # product margins, T/CU, best mix, net profit
    READ_CUSTOMER_SCORES = "read_customer_scores"  # best-customer scores and tiers


_GRANTS: dict[Role, frozenset[Permission]] = {
    Role.SALES: frozenset(
        {
            Permission.RESERVE,
            Permission.CHECK_DEAL,
            Permission.PROPOSE_SALES_PLAN,
            Permission.SCORE_CUSTOMERS,
            Permission.READ_CUSTOMER_SCORES,
        }
    ),
    Role.OPERATIONS: frozenset(
        {
            Permission.IMPORT_DATA,
            Permission.RESERVE,
            Permission.CHECK_DEAL,
            Permission.PROPOSE_OPERATIONS_PLAN,
            Permission.SAVE_FORECAST,
            Permission.OVERRIDE_RESERVATIONS,
            Permission.READ_MARGINS,
        }
    ),
    Role.FINANCE: frozenset(
        {
            Permission.AGREE_PLAN,
            Permission.SCORE_CUSTOMERS,
            Permission.READ_MARGINS,
            Permission.READ_CUSTOMER_SCORES,
        }
    ),
    Role.ADMIN: frozenset(Permission),
}


def parse_role(text: str) -> Role:
    try:
        return Role(text.strip().lower())
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise ValueError(f"role must be one of {allowed}: {text!r}") from None


def permissions(role: Role) -> frozenset[Permission]:
    return _GRANTS[role]


def may(role: Role, permission: Permission) -> bool:
    return permission in _GRANTS[role]


def roles_with(permission: Permission) -> list[Role]:
    return [role for role in Role if may(role, permission)]


def may_change_reservation(user: User, owner: str | None) -> bool:
    """Whether ``user`` may confirm or release a reservation made by ``owner`` (None: made
    at the command line, owned by nobody): its owner, or a role that may override."""
    if not user.may(Permission.RESERVE):
        return False
    return user.username == owner or user.may(Permission.OVERRIDE_RESERVATIONS)


@dataclass(frozen=True, slots=True)
class User:
    """A person (or integration) who signs in, with one role."""

    username: str
    display_name: str
    role: Role

    def __post_init__(self) -> None:
        if not self.username or self.username != self.username.strip():
            raise ValueError(
                f"username must be non-empty without surrounding blanks: {self.username!r}"
            )

    def may(self, permission: Permission) -> bool:
        return may(self.role, permission)

    def to_json(self) -> dict[str, object]:
        return {
            "username": self.username,
            "display_name": self.display_name,
            "role": self.role.value,
            "permissions": sorted(p.value for p in permissions(self.role)),
        }
