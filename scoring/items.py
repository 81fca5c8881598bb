"""The 32 brain-mediated functions: ids, numbers, regions and plain descriptions.

Item ids, their order and their regions are the project's contract (DOMAIN.md
section 2). The descriptions are the project's own words, written for the
key on a report; they are not the wording of any proprietary instrument.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from neuroseq.vocabulary import REGIONS, Region

__all__ = ["ITEMS", "ITEM_IDS", "REGIONS", "Item", "ItemId", "Region", "items_in_region"]


ItemId = Literal[
    "cardiovascular_ans",
    "autonomic_regulation",
    "temperature_metabolism",
    "extraocular_eye_movements",
    "suck_swallow_gag",
    "attention_tracking",
    "feeding_appetite",
    "sleep",
    "fine_motor",
    "coordination_large_motor",
    "dissociative_continuum",
    "arousal_continuum",
    "neuroendocrine_hypothalamic",
    "primary_sensory_integration",
    "reward",
    "affect_regulation_mood",
    "attunement_empathy",
    "psychosexual",
    "relational_attachment",
    "short_term_memory_learning",
    "somato_motorsensory_integration",
    "sense_time_delay_gratification",
    "communication_expressive_receptive",
    "self_awareness_self_image",
    "speech_articulation",
    "concrete_cognition",
    "nonverbal_cognition",
    "modulate_reactivity_impulsivity",
    "math_symbolic_cognition",
    "reading_verbal",
    "abstract_reflective_cognition",
    "values_beliefs_morality",
]


@dataclass(frozen=True)
class Item:
    """One scored function: its number on the map, id, region and a short label."""

    number: int
    id: str
    region: Region
    label: str


ITEMS: tuple[Item, ...] = (
    Item(1, "cardiovascular_ans", "brainstem", "Heart rate and autonomic tone"),
    Item(2, "autonomic_regulation", "brainstem", "Autonomic stress response"),
    Item(3, "temperature_metabolism", "brainstem", "Body temperature and metabolism"),
    Item(4, "extraocular_eye_movements", "brainstem", "Eye movements"),
    Item(5, "suck_swallow_gag", "brainstem", "Sucking, swallowing, gag"),
    Item(6, "attention_tracking", "brainstem", "Orienting and tracking"),
    Item(7, "feeding_appetite", "diencephalon_cerebellum", "Feeding and appetite"),
    Item(8, "sleep", "diencephalon_cerebellum", "Sleep"),
    Item(9, "fine_motor", "diencephalon_cerebellum", "Fine motor skill"),
    Item(10, "coordination_large_motor", "diencephalon_cerebellum", "Balance and large movement"),
    Item(11, "dissociative_continuum", "diencephalon_cerebellum", "Dissociative response"),
    Item(12, "arousal_continuum", "diencephalon_cerebellum", "Arousal and hypervigilance"),
    Item(13, "neuroendocrine_hypothalamic", "diencephalon_cerebellum", "Hormonal stress system"),
    Item(14, "primary_sensory_integration", "diencephalon_cerebellum", "Basic sensory processing"),
    Item(15, "reward", "limbic", "Pleasure and reward"),
    Item(16, "affect_regulation_mood", "limbic", "Mood and emotion regulation"),
    Item(17, "attunement_empathy", "limbic", "Attunement and empathy"),
    Item(18, "psychosexual", "limbic", "Psychosexual development"),
    Item(19, "relational_attachment", "limbic", "Attachment and relating"),
    Item(20, "short_term_memory_learning", "limbic", "Short-term memory and learning"),
    Item(21, "somato_motorsensory_integration", "cortex", "Body sense and movement planning"),
    Item(22, "sense_time_delay_gratification", "cortex", "Sense of time, waiting"),
    Item(23, "communication_expressive_receptive", "cortex", "Understanding and expressing"),
    Item(24, "self_awareness_self_image", "cortex", "Self-awareness and self-image"),
    Item(25, "speech_articulation", "cortex", "Speech sounds"),
    Item(26, "concrete_cognition", "cortex", "Concrete thinking"),
    Item(27, "nonverbal_cognition", "frontal_cortex", "Non-verbal reasoning"),
    Item(28, "modulate_reactivity_impulsivity", "frontal_cortex", "Impulse control"),
    Item(29, "math_symbolic_cognition", "frontal_cortex", "Numbers and symbols"),
    Item(30, "reading_verbal", "frontal_cortex", "Reading and verbal reasoning"),
    Item(31, "abstract_reflective_cognition", "frontal_cortex", "Abstract and reflective thought"),
    Item(32, "values_beliefs_morality", "frontal_cortex", "Values and moral reasoning"),
)

ITEM_IDS: tuple[str, ...] = tuple(item.id for item in ITEMS)


def items_in_region(region: Region) -> tuple[Item, ...]:
    """The items of one region, in map order."""
    return tuple(item for item in ITEMS if item.region == region)
