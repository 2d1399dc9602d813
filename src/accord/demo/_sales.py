"""The demo company's sales force, customers and what their order lines ask for."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from accord.demo._base import Array, _names, _Size, _table
from accord.demo._catalog import _SERVICE_FAMILIES, _Catalog
from accord.demo._demand import _Demand
from accord.domain.dataset import Row

_PALETTE = ("grey", "black", "blue", "red", "white")
_OFF_PALETTE = ("yellow", "green", "orange")
_DESTINATIONS = ("DE", "AT", "FR", "NL", "PL", "SE", "IT", "ES", "GB", "US", "CN", "AE", "TR")
_RESTRICTED = ("RU", "BY", "IR")
_REGIONS = ("DACH", "Nordics", "Benelux", "France", "Iberia", "UK & Ireland", "CEE", "Italy")
_REGION_COUNTRY = ("DE", "SE", "NL", "FR", "ES", "GB", "PL", "IT")
_SEGMENTS = ("OEM", "Distributor", "Utility", "Industrial end user", "Contractor")
# fmt: off
# Customer names are "<word> <trade>", e.g. "Nordwind Logistics".
_CUSTOMER_WORDS = (
    "Nordwind", "Alpenbau", "Rheintal", "Baltic", "Hansa", "Donau", "Elbe", "Fjord", "Granit",
    "Havel", "Isar", "Jura", "Kestrel", "Lindholm", "Moselle", "Neckar", "Oder", "Polaris",
    "Quelle", "Ruhr", "Saale", "Taunus", "Ulmen", "Vistula", "Weser", "Zeeland", "Aurora",
    "Borealis", "Castell", "Delta", "Eifel", "Falken", "Gotha", "Harz", "Iberia", "Kaskade",
    "Lagune", "Meridian", "Nova", "Orion", "Pannonia", "Riviera", "Solaris", "Tiber", "Uppland",
    "Valdor", "Westfalen", "Zenit", "Adler", "Birken",
)
_CUSTOMER_KINDS = (
    "Logistics", "Water Works", "Chemicals", "Foods", "Brewery", "Energy", "Facility Services",
    "Building Systems", "Paper Mill", "Marine", "Mining", "Pharma", "HVAC", "Process Engineering",
    "Agrar", "Dairy", "Steelworks", "Cold Storage", "Textiles", "Glassworks", "Automotive",
    "Plastics", "Utilities", "Wastewater", "Data Centers", "Hospitals", "Shipyards", "Bottling",
    "Cement", "Aquaculture", "Greenhouses", "Refinery", "Power", "Pools", "Irrigation",
    "Fire Protection", "District Heating", "Semiconductors", "Bakeries", "Laundries",
)
# Sales people: "<first> <last>".
_FIRST = (
    "Anna", "Ben", "Clara", "David", "Eva", "Felix", "Greta", "Henrik", "Ines", "Jonas", "Katrin",
    "Lukas", "Maria", "Nils", "Olivia", "Paul", "Rosa", "Stefan", "Tanja", "Uwe", "Vera", "Wim",
    "Yara", "Zoe", "Amir", "Bianca", "Carlos", "Dana", "Emil", "Fatima", "Georg", "Hanna", "Igor",
    "Julia", "Karl", "Lea", "Marco", "Nora", "Oskar", "Petra",
)
_LAST = (
    "Schneider", "Berg", "Novak", "Jansen", "Lindqvist", "Moreau", "Rossi", "Kowalski", "Fischer",
    "Weber", "Meyer", "Wagner", "Becker", "Hoffmann", "Koch", "Richter", "Klein", "Wolf",
    "Neumann", "Braun", "Zimmermann", "Hartmann", "Lange", "Krause", "Vogel", "Frank", "Lorenz",
    "Baumann", "Kaiser", "Peters", "Graf", "Roth", "Sommer", "Brandt", "Haas", "Schulz", "Keller",
    "Huber", "Dahl", "Eriksen",
)
# fmt: on


# -- people and customers ------------------------------------------------------------------


@dataclass(frozen=True)
class _People:
    sdrs: list[str]
    aes: list[str]
    engineers: list[str]
    adoption: Array  # per AE: how readily they run a deal check


def _people(rng: np.random.Generator, size: _Size) -> _People:
    names = _names(rng, _FIRST, _LAST, size.sdrs + size.aes + size.engineers)
    sdrs, rest = names[: size.sdrs], names[size.sdrs :]
    adoption = rng.beta(2.0, 2.0, size.aes)
    adoption[0], adoption[-1] = 0.9, 0.05  # one champion and one who never checks
    return _People(sdrs, rest[: size.aes], rest[size.aes :], adoption)


@dataclass(frozen=True)
class _Customers:
    rows: tuple[Row, ...]
    ids: list[str]
    weight: Array  # share of the business (Pareto)
    owner: Array  # AE index
    families: Array  # three families each customer buys
    recency: Array  # Beta(1, b) shape of when their past orders fall: b > 1 = growing
    country: list[str]


def _customers(rng: np.random.Generator, cat: _Catalog, people: _People, size: _Size) -> _Customers:
    n = size.customers
    names = _names(rng, _CUSTOMER_WORDS, _CUSTOMER_KINDS, n)
    ids = [f"CUST-{i + 1:04d}" for i in range(n)]
    region = rng.choice(len(_REGIONS), n, p=[0.3, 0.1, 0.12, 0.12, 0.08, 0.1, 0.1, 0.08])
    segment = rng.choice(len(_SEGMENTS), n, p=[0.25, 0.2, 0.15, 0.3, 0.1])
    quality = rng.beta(2.5, 2.0, n)  # good partners score well on every criterion
    scores = {
        c: np.clip(rng.binomial(5, np.clip(quality + rng.normal(0, 0.15, n), 0, 1)), 0, 5)
        for c in ("shared_vision", "values", "co_development", "on_time_payment")
    }
    attrs = [{c: str(int(v[i])) for c, v in scores.items()} for i in range(n)]
    n_fam = len(cat.family_names)
    families = np.array([rng.choice(n_fam, 3, replace=False) for _ in range(n)])
    rows = _table(
        "customers",
        n,
        {
            "customer": ids,
            "name": names,
            "segment": [_SEGMENTS[i] for i in segment.tolist()],
            "region": [_REGIONS[i] for i in region.tolist()],
        },
        attrs,
    )
    return _Customers(
        rows,
        ids,
        rng.pareto(1.2, n) + 0.05,
        rng.integers(0, len(people.aes), n),
        families,
        np.exp(rng.normal(0.0, 0.45, n)),
        [_REGION_COUNTRY[i] for i in region.tolist()],
    )


def _sku_picker(cat: _Catalog, dem: _Demand) -> Array:
    """Cumulative weights over finished goods: runners are ordered more often."""
    w = np.where(cat.active[: cat.n_finished], dem.future[: cat.n_finished] ** 0.6 + 1e-6, 0.0)
    result: Array = np.cumsum(w)
    return result


def _pick_skus(rng: np.random.Generator, cat: _Catalog, cum: Array, families: Array) -> Array:
    """One active finished product of each given family, weighted by its demand."""
    lo = families * cat.per_family
    start = np.where(lo > 0, cum[np.maximum(lo - 1, 0)], 0.0)
    stop = cum[lo + cat.per_family - 1]
    target = start + (1.0 - rng.random(len(families))) * (stop - start)
    picked: Array = np.minimum(np.searchsorted(cum, target), len(cum) - 1)
    return picked


def _line_attributes(
    rng: np.random.Generator, cat: _Catalog, painted: Array, sku: Array, country: list[str],
    breaking: float,
) -> list[dict[str, str]]:  # fmt: skip
    """Colour, destination and (service lines) response time; ``breaking`` share off-scope."""
    n = len(sku)
    off = rng.random((n, 3)) < np.array([breaking, breaking / 3, breaking * 3])
    color = np.where(
        painted[sku],
        np.array(_PALETTE)[rng.choice(len(_PALETTE), n, p=[0.4, 0.2, 0.2, 0.1, 0.1])],
        "natural",
    )
    color = np.where(off[:, 0] & painted[sku], np.array(_OFF_PALETTE)[rng.integers(0, 3, n)], color)
    export = rng.random(n) < 0.2
    dest = np.where(
        export, np.array(_DESTINATIONS)[rng.integers(0, len(_DESTINATIONS), n)], country
    )
    dest = np.where(off[:, 1], np.array(_RESTRICTED)[rng.integers(0, 3, n)], dest)
    service = np.isin(cat.base[sku], _SERVICE_FAMILIES)
    hours = np.array(["24", "48", "72", "24"])[rng.integers(0, 4, n)]
    hours = np.where(off[:, 2], np.array(["4", "8"])[rng.integers(0, 2, n)], hours)
    out: list[dict[str, str]] = []
    for c, d, s, h in zip(
        color.tolist(), dest.tolist(), service.tolist(), hours.tolist(), strict=True
    ):
        out.append(
            {"color": c, "destination": d, "response_hours": h}
            if s
            else {"color": c, "destination": d}
        )
    return out
