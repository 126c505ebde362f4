"""The organisational hierarchy scopes users: ministry, provinces, communes."""

import pytest
from sqlalchemy import func, select

from noivu_ioc.errors import InvalidInputError, NotFoundError
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import OrgUnit
from noivu_ioc.units import org


def test_seed_creates_ministry_departments_provinces_and_communes(store: OpStore) -> None:
    with store.session() as s:
        created = org.seed_org_units(s)
        assert org.seed_org_units(s) == 0  # idempotent
        kinds = dict(s.execute(select(OrgUnit.kind, func.count()).group_by(OrgUnit.kind)).all())
    assert created == 1 + len(org.MINISTRY_DEPARTMENTS) + 34 + 3321
    assert kinds == {"ministry": 1, "department": len(org.MINISTRY_DEPARTMENTS),
                     "province": 34, "commune": 3321}


def test_scope_of_units(store: OpStore) -> None:
    with store.session() as s:
        org.seed_org_units(s)
        hanoi = org.find_unit(s, "SNV.01")
        assert hanoi.name_vi == "Sở Nội vụ thành phố Hà Nội"
        ba_dinh = org.find_unit(s, "00004")
        dept = org.find_unit(s, "BNV.CQDP")
        assert org.scope_of([dept]).national
        scope = org.scope_of([hanoi, ba_dinh])
        assert scope.provinces == {"01"} and scope.communes == frozenset()
        lao_cai_commune = org.find_unit(s, "UBX.23425")
        only = org.scope_of([lao_cai_commune])
        assert only.communes == {"23425"} and not only.provinces
        assert org.scope_of([]).is_empty


def test_a_provincial_scope_cannot_leave_its_province(store: OpStore) -> None:
    with store.session() as s:
        org.seed_org_units(s)
        assert org.check_provincial_scope([org.find_unit(s, "SNV.01"),
                                           org.find_unit(s, "00004")]) == "01"
        with pytest.raises(InvalidInputError, match="one province"):
            org.check_provincial_scope([org.find_unit(s, "SNV.01"), org.find_unit(s, "SNV.79")])
        with pytest.raises(InvalidInputError, match="national"):
            org.check_provincial_scope([org.find_unit(s, "BNV")])
        with pytest.raises(NotFoundError, match="does not exist"):
            org.find_unit(s, "SNV.99")
