"""The Markdown and HTML plan reports: sections, order, escaping, templates."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from markupsafe import escape

from neuroseq.engine.planner import Planner
from neuroseq.engine.workflow import PlanResult, plan_case
from neuroseq.errors import ReportError
from neuroseq.reports.render import markdown_fence, markdown_text, plan_json_text, render_plan

ROOT = Path(__file__).resolve().parents[2]

HOSTILE = (
    "<script>document.title='pwned'</script>\n"
    '<img src="x" onerror="document.title=1">\n'
    "``` a fence | a pipe & an ampersand"
)


@pytest.fixture(scope="module")
def hostile_result(planner: Planner, tmp_path_factory: pytest.TempPathFactory) -> PlanResult:
    text = (Path(__file__).resolve().parents[2] / "examples" / "severe-young-child.yaml").read_text(
        encoding="utf-8"
    )
    head = text[: text.index("notes:")]
    body = "".join(f"  {line}\n" for line in HOSTILE.splitlines())
    path = tmp_path_factory.mktemp("hostile") / "case.yaml"
    path.write_text(f"{head}notes: |-\n{body}", encoding="utf-8")
    return plan_case(path, planner=planner)


def test_render_html_is_self_contained(planned: Callable[[str], PlanResult]) -> None:
    html = render_plan(planned("severe-young-child"), "html")
    assert "<script" not in html.lower()
    for pattern in (r"\bsrc\s*=", r"\bhref\s*=", r"url\(", r"@import", r"<link", r"<iframe"):
        assert not re.search(pattern, html, re.IGNORECASE), pattern
    urls = set(re.findall(r"https?://[^\s\"'<>]+", html))
    assert urls == {"http://www.w3.org/2000/svg"}  # an XML namespace name, never fetched
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert html.count("<svg") >= 2 and "@page" in html


def test_render_html_escapes_notes(hostile_result: PlanResult) -> None:
    html = render_plan(hostile_result, "html")
    assert "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;" in html
    assert "&lt;img src=&#34;x&#34;" in html
    assert "<script" not in html and "<img" not in html


def test_render_markdown_fences_notes(hostile_result: PlanResult) -> None:
    md = render_plan(hostile_result, "md")
    assert "````text\n<script>document.title='pwned'</script>\n" in md
    assert "\n````\n" in md  # longer than the ``` inside the notes


def test_render_html_header(planned: Callable[[str], PlanResult]) -> None:
    result = planned("severe-young-child")
    html = render_plan(result, "html")
    plan = result.plan
    for text in (
        "example-severe-6",
        "6.0 years",
        "Full metric",
        "2026-01-15",
        plan.rulebase.version,
        plan.rulebase.sha256[:12],
        plan.catalog.version,
        plan.catalog.sha256[:12],
    ):
        assert text in html


def test_render_html_recommendations_in_rank_and_group_order(
    planned: Callable[[str], PlanResult],
) -> None:
    result = planned("severe-young-child")
    html = render_plan(result, "html")
    ranks = [int(r) for r in re.findall(r'<tr class="rec" data-rank="(\d+)"', html)]
    assert ranks == list(range(1, len(result.plan.recommendations) + 1))
    groups = re.findall(r'<tr class="group"><th colspan="7">([^<]+)</th>', html)
    assert groups[:2] == ["Therapeutic web", "Family"]
    phases = ["Client: Regulate", "Client: Relate", "Client: Reason"]
    order = [phases.index(g.split(" - ")[0]) for g in groups[2:]]
    assert order == sorted(order) and set(order) == {0, 1, 2}
    assert html.count('<td class="blank" data-label=') == 2 * len(ranks)
    assert "<th>Fidelity</th><th>Follow-up</th>" in html
    for item in result.plan.recommendations:
        assert str(escape(item.source)) in html


def test_render_cmr_scale_marks_thresholds_and_explains(
    planned: Callable[[str], PlanResult],
) -> None:
    html = render_plan(planned("severe-young-child"), "html")
    assert re.findall(r'class="threshold" data-value="([\d.]+)"', html) == ["1", "2"]
    assert "CMR 0.56" in html
    assert "this plan suspends Trauma-focused cognitive behavioural therapy" in html


def test_render_history_only_with_a_history(planned: Callable[[str], PlanResult]) -> None:
    full = render_plan(planned("severe-young-child"), "html")
    er = render_plan(planned("er-snapshot"), "html")
    chart = re.compile(r'<svg[^>]*class="history-chart"')
    assert chart.search(full) and "very high" in full
    assert "Developmental history" not in er and not chart.search(er)
    assert "Developmental history" not in render_plan(planned("er-snapshot"), "md")


def test_render_domains_show_developmental_and_chronological_age(
    planned: Callable[[str], PlanResult],
) -> None:
    md = render_plan(planned("severe-young-child"), "md")
    assert "| Relational | 27 | 44.3 | 61% | significant | 2.5 (3.5 below) | 6.0 |" in md
    typical = render_plan(planned("typical-9-year-old"), "md")
    assert "at or above age (9.0)" in typical


def test_render_statement_in_every_format(planned: Callable[[str], PlanResult]) -> None:
    result = planned("typical-9-year-old")
    for fmt in ("html", "md", "text", "json"):
        text = render_plan(result, fmt)
        assert "independent implementation" in text and "not the official NMT™ Metric" in text


def test_render_markdown_map_is_a_compact_grid(planned: Callable[[str], PlanResult]) -> None:
    md = render_plan(planned("severe-young-child"), "md")
    rows = [line for line in md.splitlines() if line.startswith("| Frontal cortex | 27:")]
    assert rows and "27: **3** red / 5.4" in rows[0]
    lines = md.splitlines()
    top = lines.index(rows[0])
    assert lines[top + 4].startswith("| Brainstem | 1: **8** yellow / 12")


def test_render_json_is_the_plan_contract(planned: Callable[[str], PlanResult]) -> None:
    result = planned("severe-young-child")
    assert render_plan(result, "json") == plan_json_text(result)


def test_render_templates_override_by_name(
    planned: Callable[[str], PlanResult], tmp_path: Path
) -> None:
    (tmp_path / "plan.md.j2").write_text("Clinic plan for {{ header.client_id }}\n")
    (tmp_path / "_report.css.j2").write_text("body { color: #123456; }\n")
    result = planned("severe-young-child")
    assert render_plan(result, "md", templates=tmp_path) == "Clinic plan for example-severe-6\n"
    html = render_plan(result, "html", templates=tmp_path)
    assert "#123456" in html and "Functional brain map" in html


def test_render_template_errors_are_report_errors(
    planned: Callable[[str], PlanResult], tmp_path: Path
) -> None:
    (tmp_path / "plan.md.j2").write_text("line one\n{{ no_such_value }}\n")
    with pytest.raises(
        ReportError, match=r"plan\.md\.j2:2: template error: 'no_such_value' is undefined"
    ):
        render_plan(planned("severe-young-child"), "md", templates=tmp_path)
    with pytest.raises(ReportError, match="not a folder of templates"):
        render_plan(planned("severe-young-child"), "md", templates=tmp_path / "missing")


def test_markdown_text_escapes_markup_and_table_pipes() -> None:
    assert markdown_text("a | b <i>c</i>\nd") == r"a \| b \<i\>c\</i\> d"
    assert markdown_fence("x ```` y") == "`````text\nx ```` y\n`````"


# --- a report a family can read (issue 11, point 8) ---------------------------

GENERATED = datetime.date(2026, 2, 3)


def _sentences(html: str) -> list[str]:
    block = html[
        html.index('id="summary-heading"') : html.index(
            "</section>", html.index('id="summary-heading"')
        )
    ]
    return re.findall(r"<p>([^<]+)</p>", block)


@pytest.mark.parametrize(
    "stem",
    [
        "severe-young-child",
        "typical-9-year-old",
        "er-snapshot",
        "uneven-adolescent",
        "published-case-intake",
    ],
)
def test_render_html_opens_with_a_plain_summary_of_5_to_8_sentences(
    planned: Callable[[str], PlanResult], stem: str
) -> None:
    html = render_plan(planned(stem), "html", generated=GENERATED)
    assert html.index('id="summary-heading"') < html.index('id="map-heading"')
    sentences = _sentences(html)
    assert 5 <= len(sentences) <= 8
    assert not any(re.search(r"\d\.\d\d", s) for s in sentences), "no ratios in the summary"


def test_render_summary_of_a_typical_child_claims_no_impairment(
    planned: Callable[[str], PlanResult],
) -> None:
    text = " ".join(
        _sentences(render_plan(planned("typical-9-year-old"), "html", generated=GENERATED))
    )
    assert "typical for age" in text
    assert "below" not in text and "cannot" not in text


def test_render_summary_names_the_first_steps_and_the_cmr_in_words(
    planned: Callable[[str], PlanResult],
) -> None:
    result = planned("severe-young-child")
    text = " ".join(_sentences(render_plan(result, "html", generated=GENERATED)))
    assert "First, for the adults around the child: Psychoeducation for school staff" in text
    assert "Second, for the family: Psychoeducation for caregivers" in text
    assert "Third, with the child: Rocking and swinging" in text
    assert "cannot yet calm" in text
    assert "well below in the brainstem" in text


def test_render_prints_the_date_generated_and_it_can_be_pinned(
    planned: Callable[[str], PlanResult],
) -> None:
    result = planned("severe-young-child")
    html = render_plan(result, "html", generated=GENERATED)
    assert "<b>Generated</b> 2026-02-03" in html
    assert '@top-right { content: "Generated 2026-02-03"' in html
    assert 'page " counter(page) " of " counter(pages)' in html
    assert "**Generated** 2026-02-03" in render_plan(result, "md", generated=GENERATED)
    assert datetime.date.today().isoformat() in render_plan(result, "html")
    assert render_plan(result, "json") == render_plan(result, "json")  # no date in the contract


def test_render_family_table_has_no_rule_ids_and_the_audit_has_them(
    planned: Callable[[str], PlanResult],
) -> None:
    result = planned("severe-young-child")
    html = render_plan(result, "html", generated=GENERATED)
    table = html[
        html.index('<table class="recs stack">') : html.index(
            "</table>", html.index('<table class="recs stack">')
        )
    ]
    audit = html[html.index('id="audit-heading"') :]
    for item in result.plan.recommendations:
        assert item.rule not in table
        assert f"<code>{item.rule}</code>" in audit
    assert result.plan.rulebase.sha256[:12] not in table
    assert result.plan.rulebase.sha256[:12] in audit
    assert "relevance" not in table.lower()
    assert "<i>Relevance</i> 0.70 = need 0.87" in audit
    assert "item dissociative_continuum (impairment is significant)" in audit
    assert "<th>Fidelity</th><th>Follow-up</th>" in table


def test_render_six_rs_written_out_with_a_key(planned: Callable[[str], PlanResult]) -> None:
    html = render_plan(planned("severe-young-child"), "html", generated=GENERATED)
    for name in ("Relational", "Relevant", "Repetitive", "Rewarding", "Rhythmic", "Respectful"):
        assert f"<b>{name}</b>:" in html
    assert 'class="sixr">6 R\'s: <span title="' in html
    assert ">Rel<" not in html and ">Rlv<" not in html


def test_render_key_uses_the_guides_short_forms(planned: Callable[[str], PlanResult]) -> None:
    from neuroseq.scoring.guide import short_forms

    html = render_plan(planned("severe-young-child"), "html", generated=GENERATED)
    key = html[html.index('<div class="key"') :]
    for short in short_forms().values():
        assert f'<span class="short">{escape(short)}</span>' in key


def test_render_history_on_the_case_scale(planned: Callable[[str], PlanResult]) -> None:
    html = render_plan(planned("severe-young-child"), "html", generated=GENERATED)
    assert "A = adversity (0-3)" in html and "(0-1)" not in html
    md = render_plan(planned("severe-young-child"), "md", generated=GENERATED)
    assert "| Adversity (0-3) | Pattern |" in md


def test_render_plan_shares_one_stylesheet_with_compare_and_cce() -> None:
    from neuroseq.engine.caregiver_workflow import estimate_caregiver
    from neuroseq.reports.cce_render import render_cce
    from neuroseq.reports.compare import compare

    cce = render_cce(
        estimate_caregiver(ROOT / "examples" / "caregiver-depleted.yaml"),
        "html",
        generated=GENERATED,
    )
    cmp = compare(
        [
            ROOT / "examples" / "published-case-intake.yaml",
            ROOT / "examples" / "published-case-followup.yaml",
        ],
        "html",
        generated=GENERATED,
    )
    marker = "Narrow screens (phones, 375 px)"
    assert marker in cce and marker in cmp
    assert '@top-left { content: "Caregiver' in cce
    assert "Generated 2026-02-03" in cce
    assert 'class="statement"' in cce and 'class="audit"' in cce
