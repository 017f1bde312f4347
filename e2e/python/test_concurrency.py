"""Concurrent writers: every acknowledged write must be readable afterwards."""

from __future__ import annotations

import threading
import time

from mlflow import MlflowClient
from mlflow.entities import Metric, Param, RunTag

THREADS = 16
BATCHES = 50
POINTS_PER_BATCH = 20


def test_concurrent_log_batch(server_alive, exp_id, target, backend):
    url = server_alive.url
    setup = MlflowClient(url)
    run_ids = [setup.create_run(exp_id, run_name=f"worker-{i}").info.run_id for i in range(THREADS)]
    acked: dict[str, list[int]] = {rid: [] for rid in run_ids}
    errors: list[str] = []
    barrier = threading.Barrier(THREADS)

    def worker(idx: int, rid: str):
        client = MlflowClient(url)
        barrier.wait()
        for b in range(BATCHES):
            metrics = [Metric("loss", float(b * POINTS_PER_BATCH + j), 1_000 + b, b * POINTS_PER_BATCH + j) for j in range(POINTS_PER_BATCH)]
            metrics.append(Metric(f"m{b % 5}", float(b), 2_000 + b, b))
            try:
                client.log_batch(
                    rid,
                    metrics=metrics,
                    params=[Param(f"p{b}", str(idx))],
                    tags=[RunTag("progress", str(b))],
                )
            except Exception as e:  # noqa: BLE001 - any failure is recorded and reported
                errors.append(f"worker {idx} batch {b}: {type(e).__name__}: {str(e)[:300]}")
            else:
                acked[rid].append(b)

    threads = [threading.Thread(target=worker, args=(i, rid)) for i, rid in enumerate(run_ids)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    elapsed = time.monotonic() - t0
    assert not any(t.is_alive() for t in threads), "workers hung"
    print(f"\n{THREADS} threads x {BATCHES} log-batch calls: {elapsed:.1f}s, {len(errors)} failed calls")

    for e in errors[:5]:
        print("  ", e)

    reader = MlflowClient(url)
    for idx, rid in enumerate(run_ids):
        acked_batches = set(acked[rid])
        history = reader.get_metric_history(rid, "loss")
        for m in history:
            assert m.value == float(m.step)
        steps = sorted(m.step for m in history)
        assert len(steps) == len(set(steps)), f"run {idx}: duplicated points"
        stored_batches = {s // POINTS_PER_BATCH for s in steps}
        # the metrics of one request are all there or not at all
        assert sorted(steps) == sorted(b * POINTS_PER_BATCH + j for b in stored_batches for j in range(POINTS_PER_BATCH)), (
            f"run {idx}: a batch was stored partially"
        )
        # every acknowledged write is stored; nothing that was never sent is stored
        assert acked_batches <= stored_batches <= set(range(BATCHES)), (
            f"run {idx}: {len(acked_batches - stored_batches)} acknowledged batches missing"
        )
        run = reader.get_run(rid)
        stored_params = set(run.data.params)
        assert {f"p{b}" for b in acked_batches} <= stored_params <= {f"p{b}" for b in range(BATCHES)}
        assert set(run.data.params.values()) <= {str(idx)}
        assert run.data.metrics["loss"] == float(max(stored_batches) * POINTS_PER_BATCH + POINTS_PER_BATCH - 1)
        for k in range(5):
            hist = reader.get_metric_history(rid, f"m{k}")
            assert {b for b in acked_batches if b % 5 == k} <= {m.step for m in hist} <= {b for b in range(BATCHES) if b % 5 == k}
    # Concurrent writers are normal usage: no call may fail. (The real MLflow 3.17 server on
    # MariaDB lets the first burst of 16 concurrent log-batch calls run into the client's 30 s
    # read timeout, although it stores them; it is held to the invariants above only.)
    if target == "carnet" or backend != "mysql":
        assert errors == []
