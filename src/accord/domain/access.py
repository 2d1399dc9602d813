"""Who may change what: the roles of SPEC §3.3 and the permissions each one holds.

Reading is open to every signed-in user; each kind of write names a permission, and a
role holds a fixed set of them. ``admin`` holds all.
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


_GRANTS: dict[Role, frozenset[Permission]] = {
    Role.SALES: frozenset(
        {
            Permission.RESERVE,
            Permission.CHECK_DEAL,
            Permission.PROPOSE_SALES_PLAN,
            Permission.SCORE_CUSTOMERS,
        }
    ),
    Role.OPERATIONS: frozenset(
        {
            Permission.IMPORT_DATA,
            Permission.RESERVE,
            Permission.CHECK_DEAL,
            Permission.PROPOSE_OPERATIONS_PLAN,
            Permission.SAVE_FORECAST,
        }
    ),
    Role.FINANCE: frozenset({Permission.AGREE_PLAN, Permission.SCORE_CUSTOMERS}),
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
