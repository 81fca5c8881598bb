"""fhir/codes.py: the action -> CarePlan activity status table and the neuroseq code systems."""

from __future__ import annotations

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.codesystem import CodeSystem

from neuroseq.fhir.codes import (
    ACTIVITY_STATUS,
    BASE,
    CARE_PLAN_ACTIVITY_STATUSES,
    CODE_SYSTEMS,
    code_system,
    code_systems_bundle,
    coding,
    observation_codes,
)
from neuroseq.vocabulary import ACTIONS, DOMAINS


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("recommend", "not-started"),
        ("continue", "in-progress"),
        ("resume", "not-started"),
        ("suspend", "on-hold"),
        ("defer", "not-started"),
        ("avoid", "cancelled"),
    ],
)
def test_activity_status_follows_issue_16(action: str, status: str) -> None:
    assert ACTIVITY_STATUS[action] == status  # type: ignore[index]


def test_activity_status_maps_every_action_into_the_r4b_value_set() -> None:
    # fhir.resources does not check value sets: this table is checked here.
    assert set(ACTIVITY_STATUS) == set(ACTIONS)
    assert set(ACTIVITY_STATUS.values()) <= set(CARE_PLAN_ACTIVITY_STATUSES)


def test_observation_codes_name_the_cmr_and_each_domain_twice() -> None:
    codes = observation_codes()
    assert "cmr" in codes
    for domain in DOMAINS:
        assert f"ratio.{domain}" in codes and f"developmental-age.{domain}" in codes
    assert len(codes) == 1 + 2 * len(DOMAINS)


@pytest.mark.parametrize("name", sorted(CODE_SYSTEMS))
def test_code_system_validates_with_r4b(name: str) -> None:
    resource = code_system(name)
    model = CodeSystem.model_validate(resource)
    assert model.url == f"{BASE}/CodeSystem/{name}"
    assert [c.code for c in model.concept or []] == list(CODE_SYSTEMS[name][1])


def test_code_systems_bundle_validates_with_r4b() -> None:
    model = Bundle.model_validate(code_systems_bundle())
    assert len(model.entry or []) == len(CODE_SYSTEMS)


def test_coding_takes_a_name_or_a_url() -> None:
    assert coding("metric", "er") == {"system": f"{BASE}/CodeSystem/metric", "code": "er"}
    assert coding("https://x.org/cs", "a", "A") == {
        "system": "https://x.org/cs",
        "code": "a",
        "display": "A",
    }
