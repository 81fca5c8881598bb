"""A scored profile as a table: ``neuroseq score --format csv|md|html``.

Profile --render_score_table(fmt)--> text. CSV has one row per item (id,
number, region, domain, score, typical, ratio, band, impairment), for a
spreadsheet. Markdown and HTML add the regions and domains with their
developmental ages, the CMR and the developmental risk; the HTML page draws
both brain maps with the shared report macros (``_macros.html.j2``) and keys
the item numbers with the scoring guide's short forms. Numbers are rounded
as in ``score --format json`` (2 places), so every format agrees.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from neuroseq.reports.brain_map import (
    REGION_TITLES,
    brain_map_svg,
    client_cells,
    legend,
    typical_cells,
)
from neuroseq.reports.charts import ratio_bar
from neuroseq.reports.render import environment, markdown_text
from neuroseq.reports.score_text import DISCLAIMER
from neuroseq.scoring.items import REGIONS
from neuroseq.scoring.norms import Norms, default_norms
from neuroseq.scoring.profile import GroupScore, Profile

__all__ = ["CSV_COLUMNS", "render_score_table"]

CSV_COLUMNS = (
    "id",
    "number",
    "region",
    "domain",
    "score",
    "typical",
    "ratio",
    "band",
    "impairment",
)


def _number(value: float) -> str:
    return f"{value:g}" if float(value).is_integer() else f"{round(value, 2):g}"


def _item_domains(profile: Profile) -> dict[str, str]:
    return {item: name for name, group in profile.domains.items() for item in group.items}


def _item_rows(profile: Profile) -> list[dict[str, str]]:
    domains = _item_domains(profile)
    return [
        {
            "id": item.id,
            "number": str(item.number),
            "region": item.region,
            "domain": domains[item.id],
            "score": _number(item.score),
            "typical": f"{item.typical:.2f}",
            "ratio": f"{item.ratio:.2f}",
            "band": item.band,
            "impairment": item.impairment,
        }
        for item in profile.items.values()
    ]


def development_words(group: GroupScore, age: float) -> str:
    """A group's developmental age in words, the way every score format says it."""
    if group.at_or_above_age:
        return f"at or above age ({age:.1f})"
    if group.at_or_near_age:
        return f"at or near age ({age:.1f})"
    return f"{group.developmental_age:.1f} ({age - group.developmental_age:.1f} years below age)"


def _group_rows(profile: Profile, kind: str) -> list[dict[str, Any]]:
    if kind == "region":
        named = [(REGION_TITLES[r], profile.regions[r]) for r in reversed(REGIONS)]
    else:
        named = [(d.replace("_", " ").capitalize(), g) for d, g in profile.domains.items()]
    rows = []
    for title, group in named:
        rows.append(
            {
                "title": title,
                "score": _number(group.score),
                "typical": f"{group.typical:.1f}",
                "ratio": f"{group.ratio:.2f}",
                "percent": f"{group.ratio * 100:.0f}%",
                "bar": ratio_bar(
                    group.ratio,
                    group.impairment,
                    f"{title}: {group.ratio * 100:.0f}% of typical for age",
                ),
                "impairment": group.impairment,
                "development": development_words(group, profile.age),
                "age": f"{profile.age:.1f}",
            }
        )
    return rows


def _cmr_words(profile: Profile) -> str:
    cmr = profile.cmr
    meaning = {
        "deferred": "cognitive-predominant work is deferred; regulate first",
        "brief_segments": "cognitive-predominant work only in brief segments "
        "bracketed by regulating activity",
        "available": "cognitive-predominant work is available",
    }[cmr.band]
    return (
        f"CMR {cmr.value:.2f} (typical for age {profile.age:.1f}: {cmr.typical:.2f}; "
        f"thresholds {cmr.brief_segments_from:g} and {cmr.available_from:g}): {meaning}."
    )


def _risk_rows(profile: Profile) -> list[tuple[str, str, str]]:
    return [
        (period, f"{entry.value:.2f}", entry.category)
        for period, entry in profile.risk.periods.items()
    ]


def _csv(profile: Profile) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(_item_rows(profile))
    return out.getvalue()


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(markdown_text(cell) for cell in cells) + " |"


def _markdown(profile: Profile) -> str:
    lines = [
        f"# neuroseq score: client {markdown_text(profile.client_id)}",
        "",
        f"Age {profile.age:.1f} years, metric {profile.metric}, norms {profile.norms_version}. "
        "Item scores are 0-12 against a fully organised young adult (12); each is shown "
        "beside the typical score for the client's age.",
        "",
        "## Items",
        "",
        _md_row(["#", "id", "region", "domain", "score", "typical", "ratio", "band", "impairment"]),
        "|---:|---|---|---|---:|---:|---:|---|---|",
    ]
    for row in _item_rows(profile):
        lines.append(_md_row([row["number"], *(row[c] for c in CSV_COLUMNS if c != "number")]))
    for kind, heading in (("region", "Regions, top to bottom"), ("domain", "Domains")):
        lines += [
            "",
            f"## {heading}",
            "",
            _md_row([kind, "score", "typical", "ratio", "impairment", "developmental age"]),
            "|---|---:|---:|---:|---|---|",
        ]
        for row in _group_rows(profile, kind):
            lines.append(
                _md_row(
                    [
                        row["title"],
                        row["score"],
                        row["typical"],
                        row["ratio"],
                        row["impairment"],
                        row["development"],
                    ]
                )
            )
    lines += ["", "## Cortical modulation ratio (CMR)", "", _cmr_words(profile), ""]
    lines += ["## Developmental risk (history, Parts A and B)", ""]
    risk = profile.risk
    if risk.overall_value is None:
        lines.append(f"Not assessed: no history given (metric {profile.metric}).")
    else:
        lines += [_md_row(["period", "risk", "category"]), "|---|---:|---|"]
        lines += [_md_row(list(row)) for row in _risk_rows(profile)]
        lines += [
            "",
            f"Overall: {risk.overall} ({risk.overall_value:.2f}, highest period: "
            f"{risk.overall_period}).",
        ]
    lines += ["", DISCLAIMER]
    return "\n".join(lines) + "\n"


_HTML = """{% import "_macros.html.j2" as m %}
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Scores {{ client_id }}</title>
<style>
{% include "_report.css.j2" %}
</style>
</head>
<body>
<header>
<h1>Brain map scores: client {{ client_id }}</h1>
<p>Age {{ age }} years, metric {{ metric }}, norms {{ norms }}.</p>
</header>
<section class="keep" aria-labelledby="map-heading">
<h2 id="map-heading">Functional brain map</h2>
<p class="small">Each box is one function and its score, 0-12 (12 = a fully organised young adult). Read the map from the bottom up: the brainstem organises first, the frontal cortex last. The colours compare with a young adult, so a young child's developing cortex shows pink or yellow in the typical map too.</p>
<div class="maps">
  <figure><figcaption>Client {{ client_id }}, age {{ age }}</figcaption>{{ maps.client }}</figure>
  <figure><figcaption>Typical peer, age {{ age }}</figcaption>{{ maps.typical }}</figure>
</div>
{{ m.legend_list(legend) }}
{{ m.item_key(guide_key) }}
</section>
<section class="keep" aria-labelledby="groups-heading">
<h2 id="groups-heading">Domains and regions</h2>
{{ m.score_table(domains, "Domain") }}
<h3>Regions, top to bottom</h3>
{{ m.score_table(regions, "Region") }}
</section>
<section class="keep" aria-labelledby="items-heading">
<h2 id="items-heading">Items</h2>
<table class="scores">
  <thead><tr><th class="num">#</th><th>Function</th><th>Region</th><th>Domain</th><th class="num">Score</th><th class="num">Typical</th><th class="num">Ratio</th><th>Band</th><th>Impairment</th></tr></thead>
  <tbody>
{% for row in items %}
    <tr><td class="num">{{ row.number }}</td><td>{{ row.id }}</td><td>{{ row.region }}</td><td>{{ row.domain }}</td><td class="num">{{ row.score }}</td><td class="num">{{ row.typical }}</td><td class="num">{{ row.ratio }}</td><td>{{ row.band }}</td><td>{{ row.impairment }}</td></tr>
{% endfor %}
  </tbody>
</table>
</section>
<section class="keep" aria-labelledby="cmr-heading">
<h2 id="cmr-heading">Cortical modulation ratio (CMR)</h2>
<p>{{ cmr }}</p>
</section>
<section class="keep" aria-labelledby="risk-heading">
<h2 id="risk-heading">Developmental risk (history, Parts A and B)</h2>
{% if risk %}
<table class="scores">
  <thead><tr><th>Period</th><th class="num">Risk</th><th>Category</th></tr></thead>
  <tbody>
{% for period, value, category in risk %}
    <tr><td>{{ period }}</td><td class="num">{{ value }}</td><td>{{ category }}</td></tr>
{% endfor %}
  </tbody>
</table>
<p>Overall: {{ overall }}.</p>
{% else %}
<p>Not assessed: no history given (metric {{ metric }}).</p>
{% endif %}
</section>
<footer><p class="small">{{ disclaimer }}</p></footer>
</body>
</html>
"""


def _html(profile: Profile, norms: Norms) -> str:
    from neuroseq.reports.context import css_string, generated_text, guide_key

    risk = profile.risk
    age = f"{profile.age:.1f}"
    context = {
        "client_id": profile.client_id,
        "age": age,
        "metric": profile.metric,
        "norms": profile.norms_version,
        "maps": {
            "client": brain_map_svg(
                client_cells(profile),
                title=f"Brain map of client {profile.client_id}, age {age}",
                description="The client's 32 item scores by region, frontal cortex at the top.",
            ),
            "typical": brain_map_svg(
                typical_cells(profile, norms),
                title=f"Brain map of a typical peer, age {age}",
                description="Typical scores for the client's age, banded like the client's.",
            ),
        },
        "legend": legend(norms),
        "guide_key": guide_key(),
        "generated": generated_text(None),
        "page_label": css_string(f"Client {profile.client_id}"),
        "domains": _group_rows(profile, "domain"),
        "regions": _group_rows(profile, "region"),
        "items": _item_rows(profile),
        "cmr": _cmr_words(profile),
        "risk": _risk_rows(profile) if risk.overall_value is not None else [],
        "overall": (
            f"{risk.overall} ({risk.overall_value:.2f}, highest period: {risk.overall_period})"
            if risk.overall_value is not None
            else ""
        ),
        "disclaimer": DISCLAIMER,
    }
    return environment(None, html=True).from_string(_HTML).render(context)


def render_score_table(profile: Profile, fmt: str, norms: Norms | None = None) -> str:
    """The profile as ``csv``, ``md`` or ``html`` (``norms``: those it was scored with)."""
    if fmt == "csv":
        return _csv(profile)
    if fmt == "md":
        return _markdown(profile)
    if fmt == "html":
        return _html(profile, norms or default_norms())
    raise ValueError(f"render_score_table writes csv, md or html, not {fmt!r}")
