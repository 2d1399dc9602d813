import pytest
from hypothesis import given
from hypothesis import strategies as st

from accord.domain.access import (
    Permission,
    Role,
    User,
    may,
    may_change_reservation,
    parse_role,
    permissions,
    roles_with,
)


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


def test_the_sensitive_reads_go_to_the_roles_whose_pages_need_them():
    assert roles_with(Permission.READ_MARGINS) == [Role.OPERATIONS, Role.FINANCE, Role.ADMIN]
    assert roles_with(Permission.READ_CUSTOMER_SCORES) == [Role.SALES, Role.FINANCE, Role.ADMIN]
    assert roles_with(Permission.OVERRIDE_RESERVATIONS) == [Role.OPERATIONS, Role.ADMIN]


def test_a_rep_changes_her_own_reservation_and_operations_anyones():
    ana, sam = User("ana", "Ana", Role.SALES), User("sam", "Sam", Role.SALES)
    olaf, fiona = User("olaf", "Olaf", Role.OPERATIONS), User("fiona", "Fiona", Role.FINANCE)
    assert may_change_reservation(ana, "ana")
    assert not may_change_reservation(sam, "ana")
    assert not may_change_reservation(ana, None)  # made at the command line: nobody's
    assert may_change_reservation(olaf, "ana") and may_change_reservation(olaf, None)
    assert not may_change_reservation(User("fiona", "Fiona", Role.FINANCE), "fiona")
    assert not may_change_reservation(fiona, "ana")


NAMES = st.sampled_from(["ana", "sam", "olaf", "x"])


@given(name=NAMES, owner=st.one_of(st.none(), NAMES), role=st.sampled_from(list(Role)))
def test_only_an_override_changes_what_is_not_ones_own(name, owner, role):
    user = User(name, name, role)
    allowed = may_change_reservation(user, owner)
    assert not allowed or may(role, Permission.RESERVE)  # changing is reserving
    if owner != name:
        assert allowed == may(role, Permission.OVERRIDE_RESERVATIONS)
    # An override role may change all that the owner may.
    if may(role, Permission.OVERRIDE_RESERVATIONS):
        assert allowed
