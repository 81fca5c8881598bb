"""Batch over the case store: every stored assessment planned again, in order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import neuroseq
from neuroseq.batch import LocalExecutor, PlannerSetup

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_run_store_batch_plans_every_stored_assessment(tmp_path: Path, planner: Any) -> None:
    from neuroseq.batch.stored import run_store_batch
    from neuroseq.store import CaseStore

    url = f"sqlite:///{tmp_path / 's.db'}"
    with CaseStore.open(url) as store:
        store.add_files(
            [EXAMPLES / "published-case-intake.yaml", EXAMPLES / "published-case-followup.yaml"],
            planner,
        )
    outcome = run_store_batch(
        url, tmp_path / "out", fmt="json", setup=PlannerSetup(), executor=LocalExecutor(1)
    )
    assert outcome.planned == 2
    expected = neuroseq.render(
        neuroseq.plan_files(
            EXAMPLES / "published-case-followup.yaml",
            planner=planner,
            previous=EXAMPLES / "published-case-intake.yaml",
        ),
        "json",
    )
    assert (tmp_path / "out" / "published-case" / "2027-01-18.plan.json").read_text() == expected


def test_store_for_opens_a_store_once_per_process(tmp_path: Path) -> None:
    from neuroseq.batch.stored import store_for

    url = f"sqlite:///{tmp_path / 'once.db'}"
    assert store_for(url) is store_for(url)
    store_for(url).close()
