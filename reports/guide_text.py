"""The scoring guide as terminal text: what ``neuroseq items [ID]`` prints.

Guide --render--> text. Without an id: the scale, what each anchor level
means and one line per item (number, id, region, short form). With an item
id or number: that item in full. ``history`` and ``relational_health`` show
how to rate Parts A and B and Part D. :func:`resolve_topic` turns what a user
typed into one of these, case-insensitively, or says what is allowed.
"""

from __future__ import annotations

import difflib
import textwrap

from neuroseq.scoring.guide import ANCHOR_SCORES, Guide, RatedField, load_guide
from neuroseq.scoring.items import ITEM_IDS, ITEMS

__all__ = ["TOPICS", "render_guide_index", "render_topic", "resolve_topic", "suggestions"]

TOPICS: tuple[str, ...] = ("history", "relational_health", "vocabularies")
"""Guide sections beside the 32 items."""

_WIDTH = 88


def _wrap(text: str, indent: str, first: str | None = None) -> list[str]:
    return textwrap.wrap(
        " ".join(text.split()),
        width=_WIDTH,
        initial_indent=first if first is not None else indent,
        subsequent_indent=indent,
        break_on_hyphens=False,
        break_long_words=False,
    )


def resolve_topic(name: str) -> str | None:
    """The item id or topic ``name`` means (an id, a number 1-32, any case), or None."""
    wanted = name.strip().lower().replace("-", "_").replace(" ", "_")
    if wanted.isdigit() and 1 <= int(wanted) <= len(ITEMS):
        return ITEMS[int(wanted) - 1].id
    if wanted in ITEM_IDS or wanted in TOPICS:
        return wanted
    if wanted in ("part_a", "part_b", "parts_a_b", "a", "b"):
        return "history"
    if wanted in ("part_d", "d"):
        return "relational_health"
    return None


def suggestions(name: str) -> list[str]:
    """Close item ids and topics for a name that is not one."""
    wanted = name.strip().lower().replace("-", "_").replace(" ", "_")
    choices = (*ITEM_IDS, *TOPICS)
    close = difflib.get_close_matches(wanted, choices, n=3, cutoff=0.6)
    return close or [choice for choice in choices if wanted and wanted in choice][:3]


def render_guide_index(guide: Guide | None = None) -> str:
    """The scale, the anchor levels and one line per item."""
    guide = guide or load_guide()
    lines = ["SCORING GUIDE (neuroseq's own words; not the official NMT™ Metric)", ""]
    lines += _wrap(guide.scale, "")
    lines += ["", "Anchor levels:"]
    for score in ANCHOR_SCORES:
        lines += _wrap(guide.anchor_levels[score], " " * 8, f"  {score:>2}  = ")
    lines += ["", "Items (number, id, region: what a high score means):"]
    for item in ITEMS:
        lines.append(
            f"  {item.number:>2} {item.id:<35} {item.region:<24} {guide.items[item.id].short}"
        )
    lines += [
        "",
        "neuroseq items ID (or number) shows an item's anchors for 0, 3, 6, 9 and 12;",
        "neuroseq items history and neuroseq items relational_health show Parts A, B and D;",
        "neuroseq items vocabularies lists the sensitivities and medication classes.",
    ]
    return "\n".join(lines) + "\n"


def _levels(field: RatedField, indent: str) -> list[str]:
    lines = _wrap(field.description, indent)
    for level, text in sorted(field.levels.items()):
        lines += _wrap(text, indent + " " * 6, f"{indent}  {level} = ")
    return lines


def render_topic(topic: str, guide: Guide | None = None) -> str:
    """One item, or the history or relational health section, in full."""
    guide = guide or load_guide()
    if topic == "history":
        history = guide.history
        lines = ["HISTORY (Parts A and B): one entry per developmental period", ""]
        lines += ["period", *_wrap(history.period, "  "), ""]
        lines += ["adversity (0-3, half points allowed)", *_levels(history.adversity, "  "), ""]
        lines += ["pattern", *_wrap(history.pattern.description, "  ")]
        for name, text in history.pattern.values.items():
            lines += _wrap(text, " " * 14, f"  {name:<10}= ")
        lines += ["", "nature", *_wrap(history.nature.description, "  "), ""]
        for name in ("bonding", "family_support", "community_support"):
            lines += [f"{name} (0-3)", *_levels(getattr(history, name), "  "), ""]
        return "\n".join(lines).rstrip("\n") + "\n"
    if topic == "relational_health":
        part_d = guide.relational_health
        lines = ["RELATIONAL HEALTH NOW (Part D)", *_wrap(part_d.description, ""), ""]
        for name in ("family", "peers", "school", "community"):
            lines += [f"{name} (0-3)", *_levels(getattr(part_d.fields, name), "  "), ""]
        return "\n".join(lines).rstrip("\n") + "\n"
    if topic == "vocabularies":
        lines = ["CLOSED VOCABULARIES of the case file", ""]
        for name in ("sensitivities", "medication_classes"):
            vocabulary = getattr(guide.vocabularies, name)
            lines += [name, *_wrap(vocabulary.description, "  ")]
            width = max(len(value) for value in vocabulary.values) + 2
            for value, text in vocabulary.values.items():
                lines += _wrap(text, " " * (width + 4), f"  {value:<{width}}= ")
            lines.append("")
        return "\n".join(lines).rstrip("\n") + "\n"
    item = ITEMS[ITEM_IDS.index(topic)]
    entry = guide.item(topic)
    lines = [f"{item.number}. {item.id} ({item.region}): {entry.short}", ""]
    lines += _wrap(entry.function, "  ", "What it is: ")
    lines += _wrap(entry.home, "  ", "At home:    ")
    lines += _wrap(entry.school, "  ", "At school:  ")
    lines += ["", "Anchors (0-12, half points allowed; 12 = a fully organised young adult):"]
    for score in ANCHOR_SCORES:
        lines += _wrap(entry.anchors[score], " " * 8, f"  {score:>2}  = ")
    lines += ["", "Compare the score with the typical score for age that `neuroseq score` shows."]
    return "\n".join(lines) + "\n"
