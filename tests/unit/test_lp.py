"""The generic LP helper: arrays in, optimal solution out, or an error naming the status."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from accord.planning import lp

INF = lp.INF


def two_products(**changes: object) -> lp.LinearProgram:
    # max 3a + 5b  s.t.  a <= 4, 2b <= 12, 3a + 2b <= 18  (the classic Wyndor glass case):
    # optimum a = 2, b = 6, objective 36; duals of the rows 0, 1.5, 1.
    matrix = lp.SparseMatrix.from_triplets(
        np.array([0, 2, 1, 2]), np.array([0, 0, 1, 1]), np.array([1.0, 3.0, 2.0, 2.0]), (3, 2)
    )
    fields: dict[str, object] = dict(
        cost=np.array([3.0, 5.0]),
        col_lower=np.zeros(2),
        col_upper=np.full(2, INF),
        matrix=matrix,
        row_lower=np.full(3, -INF),
        row_upper=np.array([4.0, 12.0, 18.0]),
        maximize=True,
    )
    fields.update(changes)
    return lp.LinearProgram(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("solver", ["simplex", "ipm", "choose", "auto"])
def test_solves_the_classic_case_with_each_solver(solver: lp.Solver) -> None:
    result = lp.solve(two_products(solver=solver, presolve=False))
    assert result.objective == pytest.approx(36)
    assert result.x == pytest.approx([2, 6], abs=1e-6)
    assert result.row_dual == pytest.approx([0, 1.5, 1], abs=1e-6)
    assert result.row_activity == pytest.approx([2, 12, 18], abs=1e-6)


def test_records_the_solver_that_actually_ran() -> None:
    assert lp.solve(two_products(solver="ipm", presolve=False)).solver == "ipm"
    assert lp.solve(two_products(solver="simplex", presolve=False)).solver == "simplex"


def test_auto_picks_dual_simplex_for_every_lp() -> None:
    assert lp.chosen_solver(two_products()) == "simplex"
    assert lp.chosen_solver(transport(sources=50, sinks=2_001)) == "simplex"
    whole = two_products(integrality=np.array([True, True]))
    assert lp.chosen_solver(whole) == "choose"


def transport(sources: int, sinks: int, **changes: object) -> lp.LinearProgram:
    """min cost x  s.t.  sum_j x[i, j] <= 45 (source i), sum_i x[i, j] = demand[j] (sink j):
    presolve cannot solve it alone, so a solver must run."""
    rng = np.random.default_rng(7)
    n = sources * sinks
    rows = np.concatenate(
        [np.repeat(np.arange(sources), sinks), sources + np.tile(np.arange(sinks), sources)]
    )
    matrix = lp.SparseMatrix.from_triplets(
        rows, np.tile(np.arange(n), 2), np.ones(2 * n), (sources + sinks, n)
    )
    demand = rng.integers(0, 2, sinks) + 0.5
    fields: dict[str, object] = dict(
        cost=rng.integers(1, 100, n).astype(np.float64),
        col_lower=np.zeros(n),
        col_upper=np.full(n, INF),
        matrix=matrix,
        row_lower=np.concatenate([np.full(sources, -INF), demand]),
        row_upper=np.concatenate([np.full(sources, 45.0), demand]),
    )
    fields.update(changes)
    return lp.LinearProgram(**fields)  # type: ignore[arg-type]


def test_auto_runs_dual_simplex_on_a_large_lp_to_a_certified_optimum() -> None:
    model = transport(sources=50, sinks=2_001)  # 100,050 columns
    solved = lp.solve(model)
    assert solved.solver == "simplex"
    assert solved.iterations["simplex"] > 0
    assert solved.iterations["ipm"] == 0
    # Optimality certificate from the duals: primal feasible, supply duals <= 0,
    # reduced costs >= 0 and zero wherever something is shipped.
    start, index = model.matrix.start, model.matrix.index
    cols = np.repeat(np.arange(len(model.cost)), np.diff(start))
    rows_of = np.zeros(len(model.row_lower))
    np.add.at(rows_of, index, solved.x[cols])
    assert (solved.x >= -1e-9).all()
    assert rows_of == pytest.approx(solved.row_activity, abs=1e-7)
    assert (rows_of <= model.row_upper + 1e-7).all()
    assert (rows_of >= model.row_lower - 1e-7).all()
    assert (solved.row_dual[:50] <= 1e-9).all()
    reduced = model.cost - np.bincount(cols, weights=solved.row_dual[index])
    assert reduced.min() >= -1e-7
    assert float(reduced @ solved.x) == pytest.approx(0.0, abs=1e-6)
    assert solved.objective == pytest.approx(float(model.cost @ solved.x), rel=1e-12)


def test_integer_variables_make_a_mip() -> None:
    # With 2b <= 11 the LP optimum is b = 5.5, a = 7/3 (34.5). Whole numbers: b = 5 leaves
    # 3a <= 8, a = 2: 6 + 25 = 31 (b = 4, a = 3 gives 29; b = 3, a = 4 gives 27).
    relaxed = lp.solve(two_products(row_upper=np.array([4.0, 11.0, 18.0])))
    assert relaxed.objective == pytest.approx(34.5)
    model = two_products(row_upper=np.array([4.0, 11.0, 18.0]), integrality=np.array([True, True]))
    result = lp.solve(model)
    assert result.solver == "mip"
    assert result.x == pytest.approx([2, 5])
    assert result.objective == pytest.approx(31)
    assert result.row_dual.size == 0


def test_infeasible_models_raise_infeasible() -> None:
    model = two_products(row_lower=np.array([5.0, -INF, -INF]))  # a >= 5 and a <= 4
    with pytest.raises(lp.Infeasible, match="infeasible"):
        lp.solve(model)


def test_unbounded_models_raise_solver_failed() -> None:
    model = two_products(row_upper=np.array([4.0, INF, INF]), presolve=False, solver="simplex")
    with pytest.raises(lp.SolverFailed, match="Unbounded|unbounded"):
        lp.solve(model)


def test_triplets_become_compressed_columns() -> None:
    m = lp.SparseMatrix.from_triplets(
        np.array([1, 0, 1]), np.array([1, 0, 0]), np.array([3.0, 1.0, 2.0]), (2, 2)
    )
    assert m.start.tolist() == [0, 2, 3]
    assert m.index.tolist() == [0, 1, 1]
    assert m.value.tolist() == [1.0, 2.0, 3.0]


def test_a_row_wise_matrix_is_accepted() -> None:
    # The Wyndor rows as CSR: row 0: a; row 1: 2b; row 2: 3a + 2b.
    matrix = lp.SparseMatrix(
        shape=(3, 2),
        start=np.array([0, 1, 2, 4], dtype=np.int32),
        index=np.array([0, 1, 0, 1], dtype=np.int32),
        value=np.array([1.0, 2.0, 3.0, 2.0]),
        colwise=False,
    )
    assert lp.solve(two_products(matrix=matrix)).objective == pytest.approx(36)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"cost": np.ones(3)}, "cost must have 2 entries"),
        ({"row_upper": np.ones(2)}, "row_upper must have 3 entries"),
        ({"solver": "hipo"}, "solver must be one of"),
        ({"time_limit": 0.0}, "time_limit must be > 0"),
        ({"integrality": np.array([True])}, "integrality must have 2 entries"),
    ],
)
def test_bad_models_name_the_field(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        two_products(**changes)


def test_triplets_outside_the_matrix_are_refused() -> None:
    with pytest.raises(ValueError, match="row index"):
        lp.SparseMatrix.from_triplets(np.array([3]), np.array([0]), np.array([1.0]), (2, 2))


def test_the_expression_api_baseline_builds_the_same_model() -> None:
    model = two_products(row_lower=np.array([-INF, 1.0, 2.0]), row_upper=np.array([4.0, 1.0, 18]))
    assert lp.build_by_expressions(model) == (2, 3, 4)


def test_a_model_without_variables_is_solved_trivially() -> None:
    empty = lp.LinearProgram(
        cost=np.zeros(0),
        col_lower=np.zeros(0),
        col_upper=np.zeros(0),
        matrix=lp.SparseMatrix.from_triplets(
            np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0), (1, 0)
        ),
        row_lower=np.array([0.0]),
        row_upper=np.array([0.0]),
    )
    assert lp.solve(empty).solver == "none"
    with pytest.raises(lp.Infeasible):
        lp.solve(dataclasses.replace(empty, row_lower=np.array([1.0]), row_upper=np.array([1.0])))
