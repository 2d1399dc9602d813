"""The demo company's products, BOMs, resources and routings."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from accord.demo._base import Array, _Size

# Base families: name, SKU prefix, product noun, share of SKUs painted, size factor on
# minutes and cost, and whether demand peaks in autumn (heating) instead of spring.
_FAMILIES: tuple[tuple[str, str, str, float, float, bool], ...] = (
    ("Pumps", "PUMP", "Centrifugal pump", 0.9, 1.0, False),
    ("Booster sets", "BOOST", "Booster set", 0.8, 1.6, False),
    ("Valves", "VALVE", "Control valve", 0.5, 0.5, False),
    ("Fans", "FAN", "Axial fan", 0.9, 0.9, False),
    ("Compressors", "COMP", "Screw compressor", 0.85, 2.2, False),
    ("Mixers", "MIX", "Industrial mixer", 0.7, 1.4, False),
    ("Heat exchangers", "HEX", "Plate heat exchanger", 0.3, 1.2, True),
    ("Filters", "FILT", "Bag filter housing", 0.6, 0.6, False),
    ("Controls", "CTRL", "Pump controller", 0.0, 0.4, True),
    ("Service kits", "KIT", "Service kit", 0.0, 0.3, True),
)
_SERVICE_FAMILIES = (8, 9)  # lines of these carry a service response time
# Bought components: prefix, name, typical cost.
_BOUGHT = (
    ("MOTOR", "Electric motor", 180.0),
    ("BEARING", "Bearing set", 12.0),
    ("SEAL", "Mechanical seal", 45.0),
    ("CASTING", "Cast iron casing", 60.0),
    ("PCB", "Controller board", 85.0),
    ("VFD", "Frequency drive", 320.0),
    ("SENSOR", "Pressure sensor", 40.0),
    ("GASKET", "Gasket set", 6.0),
)
_MADE = (("HOUSING", "Pump housing"), ("IMPELLER", "Impeller"), ("FRAME", "Base frame"))


@dataclass(frozen=True)
class _Template:
    code: str
    name: str
    stage: int  # routings visit stages in this order
    weight: float  # chance a routing visits it (the paint line: the family's paint share)
    minutes: float  # per day Monday..Friday (per worker for a crew)
    saturday: float
    overtime: float
    overtime_cost: float
    regular_cost: float
    run: float  # typical minutes per unit before calibration
    setup: float
    kind: str = "machine"


# Ordered by importance: a partial cell (large scale) keeps the first ones.
_TEMPLATES = (
    _Template("PAINT", "Paint line", 4, 0.0, 900, 0, 120, 2.4, 0.9, 9, 40),
    _Template("ASSY", "Assembly crew", 5, 0.75, 450, 0, 90, 1.05, 0.7, 35, 0, "crew"),
    _Template("CNC-1", "CNC mill 1", 1, 0.30, 1380, 0, 0, 0.0, 1.1, 12, 45),
    _Template("WELD", "Welding cell", 2, 0.30, 960, 0, 120, 1.6, 0.8, 15, 20),
    _Template("TEST", "Test bench", 6, 0.35, 960, 0, 120, 1.2, 0.4, 10, 10),
    _Template("PACK", "Packing station", 7, 0.30, 450, 0, 120, 0.9, 0.5, 5, 0),
    _Template("SAW", "Band saw", 0, 0.30, 450, 0, 120, 1.0, 0.3, 3, 10),
    _Template("LATHE", "CNC lathe", 1, 0.15, 960, 0, 120, 1.8, 0.9, 8, 30),
    _Template("CNC-2", "CNC mill 2", 1, 0.20, 960, 480, 120, 1.9, 0.9, 10, 45),
    _Template("LASER", "Laser cutter", 0, 0.20, 960, 0, 120, 2.0, 1.0, 4, 15),
    _Template("PRESS", "Press brake", 1, 0.10, 450, 0, 120, 1.1, 0.5, 3, 20),
    _Template("WASH", "Parts washer", 3, 0.15, 450, 0, 60, 0.6, 0.2, 2, 0),
)
_PAINT_STAGE = 4
_CREW_WORKERS = 14


# -- products, resources, routings, BOM ----------------------------------------------------


@dataclass(frozen=True)
class _Catalog:
    """All products: finished goods (by family), then made sub-assemblies, then bought parts."""

    skus: list[str]
    names: list[str]
    families: list[str]  # family name per product
    family_names: list[str]  # per family index of finished goods
    n_finished: int
    n_made: int
    per_family: int
    fam: Array  # family index per finished product
    base: Array  # base family (_FAMILIES) per finished product
    cell: Array  # production cell per finished and made product
    price: Array  # per product
    cost: Array
    lead: Array
    lot: Array
    active: Array
    bom_parent: Array
    bom_child: Array
    bom_qty: Array


def _catalog(rng: np.random.Generator, size: _Size) -> _Catalog:
    n_base = len(_FAMILIES)
    n_fam = n_base * size.series
    k = size.skus_per_family
    n_fin, n_made, n_bought = n_fam * k, size.subassemblies, size.bought
    cells = math.ceil(size.resources / len(_TEMPLATES))
    fam = np.repeat(np.arange(n_fam), k)
    base = fam // size.series
    skus, names, families = [], [], []
    family_names = []
    for f in range(n_fam):
        name, prefix, noun, *_ = _FAMILIES[f // size.series]
        series = f % size.series + 1
        family_names.append(name if size.series == 1 else f"{name} {series:03d}")
        for i in range(k):
            model = 100 + 10 * i
            if size.series == 1:
                skus.append(f"{prefix}-{model}")
                names.append(f"{noun} {model}")
            else:
                skus.append(f"{prefix}{series:03d}-{model}")
                names.append(f"{noun} {series:03d}/{model}")
            families.append(family_names[f])
    for i in range(n_made):
        prefix, noun = _MADE[i % len(_MADE)]
        skus.append(f"{prefix}-{i // len(_MADE) + 1:03d}")
        names.append(f"{noun} {i // len(_MADE) + 1}")
        families.append("Sub-assemblies")
    bought_cost = np.empty(n_bought)
    for i in range(n_bought):
        prefix, noun, typical = _BOUGHT[i % len(_BOUGHT)]
        skus.append(f"{prefix}-{i // len(_BOUGHT) + 1:03d}")
        names.append(f"{noun} {i // len(_BOUGHT) + 1}")
        families.append("Purchased parts")
        bought_cost[i] = typical
    bought_cost = np.round(bought_cost * rng.lognormal(0.0, 0.4, n_bought), 2)
    cell = np.concatenate([fam % cells, np.arange(n_made) % cells])
    parent, child, qty = _bom(rng, n_fin, n_made, n_bought, cell)
    cost = _material_costs(rng, base, n_made, bought_cost, parent, child, qty)
    price = _prices(rng, cost, n_fin, n_made)
    lead = np.concatenate(
        [rng.integers(1, 4, n_fin), np.zeros(n_made, int), rng.integers(5, 46, n_bought)]
    )
    lot = np.concatenate(
        [
            rng.choice([1.0, 1.0, 5.0, 10.0, 20.0], n_fin),
            rng.choice([10.0, 25.0, 50.0], n_made),
            rng.choice([25.0, 50.0, 100.0, 250.0], n_bought),
        ]
    )
    # A few discontinued finished goods; the first of each family stays active.
    active = np.ones(len(skus), bool)
    active[:n_fin] = (rng.random(n_fin) > 0.02) | (np.arange(n_fin) % k == 0)
    return _Catalog(
        skus, names, families, family_names, n_fin, n_made, k, fam, base, cell,
        price, cost, lead, lot, active, parent, child, qty,
    )  # fmt: skip


def _bom(
    rng: np.random.Generator, n_fin: int, n_made: int, n_bought: int, cell: Array
) -> tuple[Array, Array, Array]:
    """Finished goods use 1–3 bought parts and often a made sub-assembly of their cell."""
    parent: list[int] = []
    child: list[int] = []
    qty: list[float] = []
    first_bought = n_fin + n_made
    made_by_cell: dict[int, list[int]] = {}
    for m in range(n_made):
        made_by_cell.setdefault(int(cell[n_fin + m]), []).append(n_fin + m)
    counts = rng.integers(1, 4, n_fin)
    picks = rng.random((n_fin, 4))
    quantities = rng.choice([1.0, 1.0, 1.0, 2.0, 4.0], (n_fin, 4))
    for s in range(n_fin):
        parts = {first_bought + int(p * n_bought) for p in picks[s, : counts[s]]}
        made = made_by_cell.get(int(cell[s]))
        if made and picks[s, 3] < 0.5:
            parts.add(made[int(picks[s, 3] * 2 * len(made))])
        for j, c in enumerate(sorted(parts)):
            parent.append(s)
            child.append(c)
            qty.append(1.0 if c < first_bought else float(quantities[s, j]))
    made_picks = rng.integers(0, n_bought, (n_made, 2))
    for m in range(n_made):
        for j, b in enumerate(sorted(set(made_picks[m].tolist()))):
            parent.append(n_fin + m)
            child.append(first_bought + b)
            qty.append(float(j + 1))
    return np.array(parent), np.array(child), np.array(qty)


def _material_costs(
    rng: np.random.Generator,
    base: Array,
    n_made: int,
    bought_cost: Array,
    parent: Array,
    child: Array,
    qty: Array,
) -> Array:
    """Material cost = bought and made components + raw material, bottom-up."""
    n_fin = len(base)
    cost = np.zeros(n_fin + n_made + len(bought_cost))
    cost[n_fin + n_made :] = bought_cost
    size_factor = np.array([f[4] for f in _FAMILIES])[base]
    raw = np.concatenate([rng.uniform(5, 80, n_fin) * size_factor, rng.uniform(10, 40, n_made)])
    for level in (slice(n_fin, n_fin + n_made), slice(0, n_fin)):  # made first, then finished
        rows = (parent >= level.start) & (parent < level.stop)
        np.add.at(cost, parent[rows], cost[child[rows]] * qty[rows])
        cost[level] += raw[level]
    result: Array = np.round(cost, 2)
    return result


def _prices(rng: np.random.Generator, cost: Array, n_fin: int, n_made: int) -> Array:
    """Margins vary widely; about 2 % of finished goods sell below material cost."""
    margin = 0.12 + 0.68 * rng.beta(2.2, 2.5, n_fin)
    losers = rng.random(n_fin) < 0.02
    margin[losers] = rng.uniform(-0.15, -0.02, int(losers.sum()))
    price = np.empty_like(cost)
    price[:n_fin] = np.maximum(1.0, np.round(cost[:n_fin] / (1.0 - margin)))
    price[n_fin : n_fin + n_made] = np.round(cost[n_fin : n_fin + n_made] * 1.5, 2)
    price[n_fin + n_made :] = np.round(cost[n_fin + n_made :] * 1.6, 2)
    return price


@dataclass(frozen=True)
class _Plant:
    ids: list[str]
    names: list[str]
    template: Array  # index into _TEMPLATES
    cell: Array
    weekday: Array  # minutes Mon..Sun (per worker for a crew)
    workers: Array  # 1 for a machine

    def index(self) -> dict[tuple[int, int], int]:
        return {
            (int(c), int(t)): r
            for r, (c, t) in enumerate(zip(self.cell, self.template, strict=True))
        }


def _plant(size: _Size) -> _Plant:
    cells = math.ceil(size.resources / len(_TEMPLATES))
    ids, names, template, cell = [], [], [], []
    for c in range(cells):
        for t, tpl in enumerate(_TEMPLATES[: size.resources - c * len(_TEMPLATES)]):
            ids.append(tpl.code if cells == 1 else f"C{c + 1:02d}-{tpl.code}")
            names.append(tpl.name if cells == 1 else f"{tpl.name}, cell {c + 1}")
            template.append(t)
            cell.append(c)
    tpl_idx = np.array(template)
    week = np.array([[t.minutes] * 5 + [t.saturday, 0.0] for t in _TEMPLATES])[tpl_idx]
    crew = np.array([t.kind == "crew" for t in _TEMPLATES])[tpl_idx]
    return _Plant(ids, names, tpl_idx, np.array(cell), week, np.where(crew, _CREW_WORKERS, 1))


@dataclass(frozen=True)
class _Routing:
    sku: Array
    step: Array
    res: Array
    minutes: Array
    setup: Array
    painted: Array  # per finished product


def _routing(rng: np.random.Generator, cat: _Catalog, plant: _Plant) -> _Routing:
    """2–5 steps in process order (cut, machine, weld, wash, paint, assemble, test, pack)."""
    where = plant.index()
    n = cat.n_finished + cat.n_made
    u, v, keys = rng.random((n, 8)), rng.random((n, 8)), rng.random((n, 8))
    paint_share = np.array([f[3] for f in _FAMILIES])
    # Per cell and stage: the resources that can do it, cumulative choice weights, visit chance.
    options: dict[tuple[int, int], tuple[list[int], list[float], float]] = {}
    for (c, t), r in where.items():
        resources, _, _ = options.setdefault((c, _TEMPLATES[t].stage), ([], [], 0.0))
        resources.append(r)
    for (c, stage), (resources, _, _) in options.items():
        weights = [_TEMPLATES[plant.template[r]].weight or 1.0 for r in resources]
        cum: list[float] = (np.cumsum(weights) / sum(weights)).tolist()
        options[c, stage] = (resources, cum, min(0.9, sum(weights)))
    sku, res, step = [], [], []
    painted = np.zeros(cat.n_finished, bool)
    base = np.concatenate([cat.base, np.zeros(cat.n_made, int)]).tolist()
    cells = cat.cell.tolist()
    for s in range(n):
        made = s >= cat.n_finished
        chosen: list[int] = []  # resource per visited stage
        for stage in range(4 if made else 8):
            if (cells[s], stage) not in options:
                continue
            resources, choice, p = options[cells[s], stage]
            p = paint_share[base[s]] if stage == _PAINT_STAGE else p
            if u[s, stage] < (p * 1.6 if made else p):
                pick = next(i for i, c in enumerate(choice) if v[s, stage] <= c or c == choice[-1])
                chosen.append(resources[pick])
        top_up = ("SAW", "CNC-1", "WELD") if made else ("PACK", "ASSY", "TEST")
        chosen = _fit_steps(chosen, keys[s], plant, 3 if made else 5, top_up, cat.cell[s], where)
        for i, r in enumerate(chosen):
            sku.append(s)
            res.append(r)
            step.append(10 * (i + 1))  # operation numbers 10, 20, 30...
        if not made:
            painted[s] = any(plant.template[r] == 0 for r in chosen)
    sku_a, res_a = np.array(sku), np.array(res)
    tpl = plant.template[res_a]
    size_factor = np.concatenate(
        [np.array([f[4] for f in _FAMILIES])[cat.base], np.full(cat.n_made, 0.6)]
    )
    run = np.array([t.run for t in _TEMPLATES])[tpl] * size_factor[sku_a]
    minutes = run * rng.lognormal(0.0, 0.45, len(sku_a))
    setup = np.array([t.setup for t in _TEMPLATES])[tpl] * rng.uniform(0.5, 1.5, len(tpl))
    setup = np.round(setup / 5) * 5
    return _Routing(sku_a, np.array(step), res_a, minutes, setup, painted)


def _fit_steps(
    chosen: list[int],
    keys: Array,
    plant: _Plant,
    most: int,
    top_up: tuple[str, ...],
    cell: int,
    where: dict[tuple[int, int], int],
) -> list[int]:
    """Drop random non-paint steps above ``most``; top up to two steps from ``top_up``."""
    while len(chosen) > most:
        droppable = [i for i, r in enumerate(chosen) if plant.template[r] != 0]
        drop = min(droppable, key=lambda i: keys[i])
        chosen = chosen[:drop] + chosen[drop + 1 :]
    for code in top_up:
        t = next(i for i, tpl in enumerate(_TEMPLATES) if tpl.code == code)
        r = where.get((int(cell), t))
        if len(chosen) >= 2:
            break
        if r is not None and r not in chosen:
            chosen.append(r)
            chosen.sort(key=lambda x: _TEMPLATES[plant.template[x]].stage)
    return chosen
