"""Fixtures of the access tests: the organisation units and a module's own users, made in
the empty store of each backend."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pytest

from noivu_ioc.access import users
from noivu_ioc.store import OpStore
from noivu_ioc.units.org import seed_org_units

# A user to create: username, full name, role and unit.
Person = tuple[str, str, str, str]

SeedUsers = Callable[[str, Iterable[Person]], OpStore]


@pytest.fixture
def seed_users(store: OpStore) -> SeedUsers:
    """Make the units, then the given people with one password, in the empty store, and hand
    the store back. The units come first because a user belongs to one; each module names
    its own people and keeps the password its tests log in with."""

    def seed(password: str, people: Iterable[Person]) -> OpStore:
        with store.session() as s:
            seed_org_units(s)
            for username, full_name, role, unit in people:
                users.create_user(
                    s,
                    username=username,
                    full_name=full_name,
                    password=password,
                    roles=[role],
                    units=[unit],
                )
        return store

    return seed
