"""Numbers that agree: labels at the cut-offs and developmental ages of typical groups."""

from __future__ import annotations

import pytest

from neuroseq.reports.score_text import render_score_text
from neuroseq.scoring.items import ITEM_IDS
from neuroseq.scoring.norms import default_norms
from neuroseq.scoring.profile import profile_scores_json, score_items

NORMS = default_norms()
BRAINSTEM = ITEM_IDS[:6]


def _teenager_with_brainstem(total: float) -> dict[str, float]:
    scores = NORMS.typical_scores(15)
    for item_id in BRAINSTEM:
        scores[item_id] = total / 6
    return scores


def test_group_typical_for_age_is_at_or_near_age_on_a_flat_curve() -> None:
    # 68 / 72 = 0.94 of typical: the inverse of the flat brainstem curve would say 3.7 years.
    profile = score_items(_teenager_with_brainstem(68), 15, client_id="c")
    brainstem = profile.regions["brainstem"]
    assert f"{brainstem.ratio:.2f}" == "0.94"
    assert brainstem.impairment == "typical"
    assert not brainstem.at_or_above_age
    assert brainstem.at_or_near_age
    assert brainstem.developmental_age == 15.0
    assert profile_scores_json(profile)["regions"]["brainstem"]["developmental_age"] == 15.0


def test_group_moderately_impaired_keeps_the_inverse_of_the_curve() -> None:
    # 0.80 of the adult brainstem lies between age 1 (.75) and 3 (.92).
    profile = score_items(_teenager_with_brainstem(72 * 0.8), 15)
    brainstem = profile.regions["brainstem"]
    assert brainstem.impairment == "moderate"
    assert not brainstem.at_or_near_age
    assert brainstem.developmental_age == pytest.approx(1 + 2 * 0.05 / 0.17)


def test_render_score_text_typical_group_says_at_or_near_age_not_years_below() -> None:
    text = render_score_text(score_items(_teenager_with_brainstem(68), 15), color=False)
    line = next(x for x in text.splitlines() if x.startswith("BRAINSTEM"))
    assert line.endswith("ratio 0.94  typical     dev. age 15.0 (at or near age)")
    assert "years below age" not in line


def test_render_score_text_impaired_group_shows_years_below_age() -> None:
    text = render_score_text(score_items(_teenager_with_brainstem(72 * 0.8), 15), color=False)
    line = next(x for x in text.splitlines() if x.startswith("BRAINSTEM"))
    assert line.endswith("ratio 0.80  moderate    dev. age  1.6 (13.4 years below age)")


def test_norms_impairment_of_ratios_shown_alike_gives_the_same_label() -> None:
    # At 9 the typical fine motor score is exactly 10; a little later it is 10.0015,
    # so a score of 7 gives 0.70 at 9 and 0.6999 at 9.01: both are shown as 0.70.
    exact = score_items(NORMS.typical_scores(9) | {"fine_motor": 7.0}, 9).items["fine_motor"]
    later = score_items(NORMS.typical_scores(9.01) | {"fine_motor": 7.0}, 9.01).items["fine_motor"]
    assert exact.ratio == 0.7
    assert later.ratio < 0.7
    assert f"{exact.ratio:.2f}" == f"{later.ratio:.2f}" == "0.70"
    assert exact.impairment == later.impairment == "moderate"


@pytest.mark.parametrize(
    ("ratio", "impairment"),
    [(0.6949, "significant"), (0.6951, "moderate"), (0.6999, "moderate"), (0.8449, "moderate")]
    + [(0.8451, "typical"), (0.8499, "typical")],
)
def test_norms_impairment_of_follows_the_ratio_as_shown(ratio: float, impairment: str) -> None:
    assert NORMS.impairment_of(ratio) == impairment
    shown = float(f"{ratio:.2f}")
    assert NORMS.impairment_of(shown) == impairment
