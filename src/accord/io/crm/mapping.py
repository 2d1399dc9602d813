"""The mapping file: how a user's CRM export differs from the standard one (docs/crm.md).

A TOML file, read with ``tomllib``::

    [fields.Opportunity]          # per object: the standard field = the field in your export
    CloseDate = "Expected_Close__c"

    [stages]                      # rename stages; "won" and "lost" mark closed stages
    "Verbal Commit" = "Negotiation/Review"
    "Signed" = "won"

    [probabilities]               # probability (0-1) of a stage, after renaming
    "Negotiation/Review" = 0.8

    [options]
    material_cost_field = "Unit_Cost__c"       # Product2 field holding the variable cost
    standard_pricebook = "01sHp000009XyZ4IAK"  # the standard price book's id
    promise_date_field = "Promise_Date__c"      # where `accord crm push` writes the date
    price_of_yes_field = "Price_of_Yes__c"      # ... and the price-of-yes text
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from accord.errors import BadInput

_OPTIONS = (
    "material_cost_field",
    "standard_pricebook",
    "promise_date_field",
    "price_of_yes_field",
)


@dataclass(frozen=True)
class CrmMapping:
    """Field renames per object, stage renames and probabilities, and options."""

    fields: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    stages: Mapping[str, str] = field(default_factory=dict)
    probabilities: Mapping[str, float] = field(default_factory=dict)
    options: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for stage, p in self.probabilities.items():
            if not 0.0 <= p <= 1.0:
                raise BadInput(f"mapping: probabilities.{stage!r} must be 0-1: {p!r}")
        for name in self.options:
            if name not in _OPTIONS:
                raise BadInput(f"mapping: unknown option {name!r}; known: {', '.join(_OPTIONS)}")

    def field_name(self, obj: str, standard: str) -> str:
        """The export's name for the ``standard`` field of object ``obj``."""
        return self.fields.get(obj, {}).get(standard, standard)

    def stage(self, name: str) -> str:
        return self.stages.get(name, name)

    def option(self, name: str) -> str | None:
        return self.options.get(name)


def _strings(section: Any, where: str) -> dict[str, str]:
    if not isinstance(section, dict):
        raise BadInput(f"mapping: [{where}] must be a table of names")
    bad = [k for k, v in section.items() if not isinstance(v, str) or not v.strip()]
    if bad:
        raise BadInput(f"mapping: [{where}] {bad[0]!r} must be a non-empty text")
    return {str(k): str(v).strip() for k, v in section.items()}


def parse_mapping(data: Mapping[str, Any]) -> CrmMapping:
    unknown = set(data) - {"fields", "stages", "probabilities", "options"}
    if unknown:
        raise BadInput(f"mapping: unknown section(s) {', '.join(sorted(unknown))}")
    fields_section = data.get("fields", {})
    if not isinstance(fields_section, dict):
        raise BadInput(
            "mapping: [fields] must hold one table per object, e.g. [fields.Opportunity]"
        )
    fields = {obj: _strings(v, f"fields.{obj}") for obj, v in fields_section.items()}
    probabilities: dict[str, float] = {}
    for stage, value in dict(data.get("probabilities", {})).items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise BadInput(f"mapping: probabilities.{stage!r} must be a number 0-1: {value!r}")
        probabilities[str(stage)] = float(value)
    return CrmMapping(
        fields=fields,
        stages=_strings(data.get("stages", {}), "stages"),
        probabilities=probabilities,
        options=_strings(data.get("options", {}), "options"),
    )


def load_mapping(path: Path | None) -> CrmMapping:
    """The mapping in the TOML file at ``path``; the standard mapping without one."""
    if path is None:
        return CrmMapping()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BadInput(f"{path}: no such mapping file") from None
    except tomllib.TOMLDecodeError as err:
        raise BadInput(f"{path}: not a valid TOML mapping file: {err}") from None
    except UnicodeDecodeError:
        raise BadInput(f"{path}: not UTF-8 text: save the mapping file as UTF-8") from None
    return parse_mapping(data)
