"""Terminal summary of a scored profile: what ``neuroseq score`` prints.

Profile --render_score_text--> text. The map is printed the way it is drawn,
frontal cortex at the top and brainstem at the bottom, and is read from the
bottom up. Colour (ANSI) is only ever an extra cue: every band, impairment,
CMR band and risk category is also written as a word. Nothing from the case
is printed except the client id (no notes, names or other free text).
"""

from __future__ import annotations

from neuroseq.scoring.items import ITEMS
from neuroseq.scoring.profile import GroupScore, ItemScore, Profile
from neuroseq.vocabulary import SHORT_STATEMENT

__all__ = ["DISCLAIMER", "render_score_text"]

DISCLAIMER = SHORT_STATEMENT

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_COLOURS = {
    # colour bands
    "red": "\x1b[31m",
    "pink": "\x1b[95m",
    "yellow": "\x1b[33m",
    "light_green": "\x1b[92m",
    "green": "\x1b[32m",
    # CMR bands
    "deferred": "\x1b[31m",
    "brief_segments": "\x1b[33m",
    "available": "\x1b[32m",
    # risk categories
    "very_high": "\x1b[31m",
    "high": "\x1b[95m",
    "moderate": "\x1b[33m",
    "low": "\x1b[32m",
}
_NUMBERS = {item.id: item.number for item in ITEMS}


def _paint(text: str, key: str, color: bool) -> str:
    code = _COLOURS.get(key)
    return f"{code}{text}{_RESET}" if color and code else text


def _heading(text: str, color: bool) -> str:
    return f"{_BOLD}{text}{_RESET}" if color else text


def _score(value: float) -> str:
    return f"{value:g}" if value.is_integer() else f"{value:.1f}"


def _safe(text: str) -> str:
    """Keep a terminal safe from control characters in an id."""
    return "".join(ch if ch.isprintable() else "?" for ch in text)


def _title(name: str) -> str:
    return name.replace("_", " ").upper()


def _threshold(value: float) -> str:
    return f"{value:.1f}" if (value * 10).is_integer() else f"{value:g}"


def _development(group: GroupScore, age: float) -> str:
    if group.at_or_above_age:
        return f"dev. age {group.developmental_age:4.1f} (at or above age)"
    if group.at_or_near_age:
        return f"dev. age {group.developmental_age:4.1f} (at or near age)"
    behind = age - group.developmental_age
    return f"dev. age {group.developmental_age:4.1f} ({behind:.1f} years below age)"


def _group_line(label: str, group: GroupScore, age: float, *, indent: int = 0) -> str:
    return (
        f"{' ' * indent}{label:<{24 - indent}}{_score(group.score):>5} / {group.typical:<6.1f}"
        f"ratio {group.ratio:4.2f}  {group.impairment:<12}{_development(group, age)}"
    )


def _item_line(item: ItemScore, color: bool) -> str:
    cell = _paint(f"{_score(item.score):>4}  {item.band:<11}", item.band, color)
    return (
        f"    {_NUMBERS[item.id]:>2} {item.id:<35}{cell}  "
        f"typical {item.typical:4.1f}  ratio {item.ratio:4.2f}  {item.impairment}"
    )


def _cmr_meaning(profile: Profile) -> str:
    cmr = profile.cmr
    if cmr.band == "deferred":
        return (
            f"Below {_threshold(cmr.brief_segments_from)}: defer cognitive-predominant work "
            "(following verbal commands, sitting and attending in class, talking therapies); "
            "regulate first."
        )
    if cmr.band == "brief_segments":
        return (
            f"{_threshold(cmr.brief_segments_from)} to below {_threshold(cmr.available_from)}: "
            "cognitive-predominant "
            "work only in brief segments bracketed by regulating activity."
        )
    return f"{_threshold(cmr.available_from)} or above: cognitive-predominant work is available."


def render_score_text(profile: Profile, *, color: bool) -> str:
    """The readable summary of one profile; ANSI colour only when ``color``."""
    age = profile.age
    lines = [
        _heading(
            f"neuroseq score: client {_safe(profile.client_id) or '(no id)'}, "
            f"age {age:.1f} years, metric {profile.metric}, norms {profile.norms_version}",
            color,
        ),
        "",
        _heading("FUNCTIONAL BRAIN MAP", color)
        + " (read from the bottom up: the brainstem organises first, frontal cortex last)",
        f"Item scores 0-12 beside the typical score for age {age:.1f}. Bands: red/pink "
        "underdeveloped or severely",
        "impaired, yellow moderately compromised, light_green/green typical to young adult.",
        "dev. age = developmental age equivalent: the age at which a typical peer scores the same;",
        "a region or domain rated typical for age is at or near age.",
        "",
    ]
    for region, group in reversed(tuple(profile.regions.items())):
        lines.append(_heading(_group_line(_title(region), group, age), color))
        lines.extend(_item_line(profile.items[item_id], color) for item_id in group.items)
        lines.append("")

    lines.append(_heading(f"DOMAINS (developmental age against age {age:.1f})", color))
    for domain, group in profile.domains.items():
        lines.append(_group_line(domain, group, age, indent=2))
    lines.append("")

    cmr = profile.cmr
    lines += [
        _heading("CORTICAL MODULATION RATIO (CMR)", color),
        f"  CMR {cmr.value:.2f}  (typical for age {age:.1f}: {cmr.typical:.2f}; thresholds "
        f"{_threshold(cmr.brief_segments_from)} and {_threshold(cmr.available_from)})  "
        + _paint(cmr.band, cmr.band, color),
        "  " + _cmr_meaning(profile),
        "",
        _heading("DEVELOPMENTAL RISK (history, Parts A and B)", color),
    ]
    risk = profile.risk
    if risk.overall_value is None:
        lines.append(f"  not assessed: no history given (metric {profile.metric})")
    else:
        for period, entry in risk.periods.items():
            lines.append(
                f"  {period:<18}{entry.value:4.2f}  {_paint(entry.category, entry.category, color)}"
            )
        lines.append(
            f"  {'overall':<18}{risk.overall_value:4.2f}  "
            f"{_paint(risk.overall, risk.overall, color)} (highest period: {risk.overall_period})"
        )
    lines += ["", _heading("CURRENT RELATIONAL HEALTH (Part D, each 0-3)", color)]
    health = profile.relational_health
    if health is None:
        lines.append("  not given")
    else:
        lines.append(
            f"  family {_score(health.family)}  peers {_score(health.peers)}  "
            f"school {_score(health.school)}  community {_score(health.community)}"
        )
    lines += ["", DISCLAIMER]
    return "\n".join(lines) + "\n"
