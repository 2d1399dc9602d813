import pytest

from accord.domain.access import Permission, Role, User, may, parse_role, permissions


def test_admin_holds_every_permission():
    assert permissions(Role.ADMIN) == frozenset(Permission)


@pytest.mark.parametrize(
    ("role", "allowed", "refused"),
    [
        (Role.SALES, Permission.RESERVE, Permission.AGREE_PLAN),
        (Role.SALES, Permission.PROPOSE_SALES_PLAN, Permission.PROPOSE_OPERATIONS_PLAN),
        (Role.OPERATIONS, Permission.IMPORT_DATA, Permission.MANAGE_USERS),
        (Role.OPERATIONS, Permission.PROPOSE_OPERATIONS_PLAN, Permission.PROPOSE_SALES_PLAN),
        (Role.FINANCE, Permission.AGREE_PLAN, Permission.RESERVE),
    ],
)
def test_each_role_holds_its_own_permissions_only(role, allowed, refused):
    assert may(role, allowed)
    assert not may(role, refused)


def test_only_admin_manages_users():
    assert [r for r in Role if may(r, Permission.MANAGE_USERS)] == [Role.ADMIN]


def test_roles_parse_case_insensitively_and_name_the_choices_otherwise():
    assert parse_role(" Sales ") is Role.SALES
    with pytest.raises(ValueError, match="role must be one of sales, operations, finance, admin"):
        parse_role("boss")


def test_users_need_a_clean_name():
    with pytest.raises(ValueError, match="username must be non-empty"):
        User(" ana", "Ana", Role.SALES)
    assert User("ana", "Ana", Role.SALES).to_json()["permissions"] == sorted(
        p.value for p in permissions(Role.SALES)
    )
