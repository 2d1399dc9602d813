"""Counts read as a rep would say them."""

import pytest

from accord.planning.wording import days


@pytest.mark.parametrize(
    ("n", "kind", "said"),
    [
        (1, "", "1 day"),
        (2, "", "2 days"),
        (0, "", "0 days"),
        (-1, "", "-1 day"),
        (None, "", "? days"),
        (1, "calendar", "1 calendar day"),
        (3, "calendar", "3 calendar days"),
    ],
)
def test_days_are_singular_for_one(n, kind, said):
    assert days(n, kind) == said
