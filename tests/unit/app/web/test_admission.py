import pytest

from scorehost.app.errors import Overloaded
from scorehost.app.web.admission import BodyAdmission


def test_bodies_share_the_budget_and_a_lone_body_always_fits() -> None:
    admission = BodyAdmission(capacity=100)
    with admission.admit(60), admission.admit(40):
        assert admission.held == 100
        with pytest.raises(Overloaded) as info, admission.admit(1):
            pass
        assert info.value.retry_after_s == 1
    assert admission.held == 0
    with admission.admit(500):  # larger than the budget, but alone
        assert admission.held == 500
