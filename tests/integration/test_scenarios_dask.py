"""A batch of S&OP scenarios on a real local Dask cluster equals the local run."""

from __future__ import annotations

from pathlib import Path

import pytest
from distributed import LocalCluster

from accord.errors import BadInput
from accord.io.files import read_dataset
from accord.planning.sop import SopParams
from accord.services import plan as service
from accord.services.company import Company
from accord.services.snapshot import build_snapshot

TINY = Path(__file__).parents[1] / "data" / "tiny"
SCENARIOS = [
    {"name": "win OPP-8", "changes": [{"kind": "win_deal", "target": "OPP-8"}]},
    {"name": "dearer pumps", "changes": [{"kind": "price", "target": "PUMP-200", "value": 150}]},
]


def test_scenarios_on_the_cluster_equal_the_local_run():
    dataset = read_dataset(TINY)
    company = Company(dataset, None, "tiny", build_snapshot(dataset))
    scenarios = service.scenarios_from(SCENARIOS)
    params = SopParams(periods=3)
    local = service.run_scenarios(company, params, scenarios)
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as cluster:
        remote = service.run_scenarios(
            company, params, scenarios, cluster=cluster.scheduler_address
        )
    assert remote == local


def test_an_unreachable_scheduler_is_bad_input():
    dataset = read_dataset(TINY)
    company = Company(dataset, None, "tiny", build_snapshot(dataset))
    scenarios = service.scenarios_from(SCENARIOS[:1])
    with pytest.raises(BadInput, match="cannot reach the Dask scheduler"):
        service.run_scenarios(company, SopParams(periods=3), scenarios, cluster="tcp://127.0.0.1:9")
