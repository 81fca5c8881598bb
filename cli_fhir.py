"""FHIR commands: ``neuroseq fhir questionnaire``, ``codesystems`` and ``import``.

Thin over :mod:`neuroseq.fhir`. ``neuroseq plan --format fhir`` (and
``batch --format fhir``) write the export; these commands print the
definitions a record system needs and turn a QuestionnaireResponse back into
a case file. Without the ``fhir`` extra they say how to install it (exit 1).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from neuroseq.cli import CASE_PATH, DATA_PATH, OUT_PATH, _emit, _json, _not_an_input, main

__all__ = ["fhir"]


@main.group()
def fhir() -> None:
    """FHIR R4B: the neuroseq Questionnaire and code systems, and importing an assessment.

    `neuroseq plan CASE --format fhir` (or -o NAME.fhir.json) exports a plan as
    a FHIR Bundle. Needs the fhir extra: pip install 'neuroseq[fhir]'.
    """


def _validated(resource: dict[str, object]) -> dict[str, object]:
    """The resource checked by the R4B models, when they are installed."""
    from neuroseq.fhir import available

    if available():
        from fhir.resources.R4B import get_fhir_model_class

        get_fhir_model_class(str(resource["resourceType"])).model_validate(resource)
    return resource


@fhir.command()
@click.option("-o", "--output", type=OUT_PATH, help="Write here instead of standard output.")
def questionnaire(output: Path | None) -> None:
    """Print the neuroseq Questionnaire (JSON) whose linkIds an assessment answers."""
    from neuroseq.fhir.questionnaire import questionnaire as definition

    _emit(_json(_validated(definition())), output)


@fhir.command()
@click.option("-o", "--output", type=OUT_PATH, help="Write here instead of standard output.")
def codesystems(output: Path | None) -> None:
    """Print the neuroseq code systems (a Bundle of CodeSystem resources, JSON)."""
    from neuroseq.fhir.codes import code_systems_bundle

    _emit(_json(_validated(code_systems_bundle())), output)


@fhir.command(name="import")
@click.argument("file", type=CASE_PATH)
@click.option(
    "-o",
    "--output",
    type=OUT_PATH,
    help="Write the case file here (.yaml or .yml; .json writes it as JSON).",
)
@click.option("--catalog", type=DATA_PATH, help="The catalogue the service ids must name.")
def import_(file: Path, output: Path | None, catalog: Path | None) -> None:
    """Turn FILE, a QuestionnaireResponse or a Bundle holding one, into a case file.

    Planning the case gives the same plan as the assessment exported. FILE -
    reads standard input. Every problem is reported with its line and JSON path.
    """
    from neuroseq.fhir import require

    if output is not None and output.suffix.lower() not in (".yaml", ".yml", ".json"):
        raise click.UsageError(f"name the case file .yaml, .yml or .json, not {output.name}")
    _not_an_input(output, file)
    require("neuroseq fhir import")
    from neuroseq.catalog.loader import load_catalog
    from neuroseq.fhir.import_ import import_case
    from neuroseq.source import read_source

    if file == Path("-"):
        if sys.stdin.isatty():
            raise click.UsageError("- reads FHIR JSON from standard input, but nothing is piped in")
        raw, source = sys.stdin.buffer.read(), "<stdin>"
    else:
        from neuroseq.errors import FhirError

        raw, source = read_source(file, error=FhirError), str(file)
    ids = {item.id: str(item.name) for item in load_catalog(catalog).interventions}
    imported = import_case(raw, source, catalog_ids=ids)
    if output is not None and output.suffix.lower() == ".json":
        _emit(_json(imported.document), output)
    else:
        _emit(imported.text, output)
