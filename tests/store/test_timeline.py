"""The client timeline (store show): data and text from stored values only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from neuroseq.store import CaseStore
from neuroseq.store.timeline import TIMELINE_SCHEMA, timeline_json, timeline_text

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_timeline_json_and_text_show_cmr_ages_items_and_records(
    tmp_path: Path, planner: Any, case_text: Any
) -> None:
    with CaseStore.open(str(tmp_path / "s.db")) as store:
        store.add_files(
            [EXAMPLES / "published-case-intake.yaml", EXAMPLES / "published-case-followup.yaml"],
            planner,
        )
        store.add(
            case_text("published-case", "2026-01-12")
            .replace("placements_count: 6", "placements_count: 7")
            .encode(),
            "v2.yaml",
            planner,
            replace=True,
        )
        store.record_fidelity("published-case", "tutoring", status="partly", rating=2, by="N")
        data = timeline_json("published-case", store.history("published-case", all_versions=True))
    assert data["schema"] == TIMELINE_SCHEMA
    first, second = data["assessments"]
    assert (first["version"], first["replaced_versions"]) == (2, 1)
    assert second["previous"] == "2026-01-12" and second["cmr"] > first["cmr"]
    tutoring = next(i for i in second["items"] if i["intervention"] == "tutoring")
    assert tutoring["fidelity"]["status"] == "partly" and tutoring["decision"] is None
    text = timeline_text(data)
    assert "fidelity partly 2/3" in text and "version 2" in text
    assert "not the official" in text
