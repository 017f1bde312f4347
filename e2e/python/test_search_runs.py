"""Run search: filter grammar, order_by semantics, pagination, errors."""

from __future__ import annotations

import pytest
from mlflow import MlflowClient
from mlflow.entities import Metric, Param, RunTag, ViewType
from mlflow.exceptions import MlflowException

import mlflow
from helpers import Api, assert_error, unique

# name: (start_time, status, params, metrics, tags)
RUNS = {
    "alpha": (1000, "FINISHED", {"lr": "0.01", "opt": "adam", "my param": "x"}, {"acc": 0.9, "loss": 0.3, "my metric": 1.0}, {"team": "red"}),
    "beta": (2000, "FAILED", {"lr": "0.1", "opt": "sgd"}, {"acc": 0.8, "loss": float("nan")}, {"team": "blue", "special.key": "1"}),
    "gamma": (3000, "RUNNING", {"lr": "0.01"}, {"acc": 0.9}, {"team": "Red"}),
    "delta": (4000, "KILLED", {}, {"acc": 0.5, "loss": 0.1}, {"special.key": "2"}),
    "epsilon": (5000, "FINISHED", {"opt": "Adam"}, {"acc": -1.0, "loss": float("inf")}, {}),
}


@pytest.fixture(scope="module")
def world(server):
    """One experiment with five runs (+ one deleted run) with known data."""
    client = MlflowClient(server.url)
    eid = client.create_experiment(unique("search-runs"))
    ids = {}
    for name, (start, status, params, metrics, tags) in RUNS.items():
        run = client.create_run(eid, start_time=start, run_name=name)
        rid = run.info.run_id
        client.log_batch(
            rid,
            metrics=[Metric(k, v, 1, 0) for k, v in metrics.items()],
            params=[Param(k, v) for k, v in params.items()],
            tags=[RunTag(k, v) for k, v in tags.items()],
        )
        client.set_terminated(rid, status=status, end_time=start + 500) if status != "RUNNING" else None
        ids[name] = rid
    deleted = client.create_run(eid, start_time=6000, run_name="deleted-one")
    client.log_metric(deleted.info.run_id, "acc", 100.0)
    client.delete_run(deleted.info.run_id)
    ids["deleted-one"] = deleted.info.run_id
    return eid, ids


def names(runs):
    return [r.info.run_name for r in runs]


def search(world, filter_string="", order_by=None, **kw):
    eid, _ = world
    client = MlflowClient(mlflow.get_tracking_uri())
    return client.search_runs([eid], filter_string=filter_string, order_by=order_by, **kw)


def matched(world, filter_string):
    return set(names(search(world, filter_string)))


ALL = set(RUNS)


# --------------------------------------------------------------------------------------
# filters
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "filter_string, expected",
    [
        ("metrics.acc > 0.85", {"alpha", "gamma"}),
        ("metrics.acc >= 0.8", {"alpha", "beta", "gamma"}),
        ("metrics.acc = 0.9", {"alpha", "gamma"}),
        ("metrics.acc != 0.9", {"beta", "delta", "epsilon"}),
        ("metrics.acc < 0", {"epsilon"}),
        ("metrics.acc <= 0.5", {"delta", "epsilon"}),
        ("metrics.acc > -1e3", ALL),
        ("metric.acc > 0.85", {"alpha", "gamma"}),
        ("metrics.`acc` > 0.85", {"alpha", "gamma"}),
        ('metrics."my metric" = 1', {"alpha"}),
        ("metrics.`my metric` >= 1.0", {"alpha"}),
        ("`metrics`.acc = 0.5", {"delta"}),
        # NaN: never matches =, <, >, but does match !=
        ("metrics.loss > 0", {"alpha", "delta", "epsilon"}),
        ("metrics.loss >= 0", {"alpha", "delta", "epsilon"}),
        ("metrics.loss < 1", {"alpha", "delta"}),
        ("metrics.loss != 0.3", {"beta", "delta", "epsilon"}),
        ("metrics.loss = 0", set()),
        # +inf is stored as the largest double
        ("metrics.loss > 1e308", {"epsilon"}),
        ("metrics.loss = 1.7976931348623157e308", {"epsilon"}),
        ("metrics.nope > 0", set()),
    ],
)
def test_metric_filters(world, filter_string, expected):
    assert matched(world, filter_string) == expected


@pytest.mark.parametrize(
    "filter_string, expected",
    [
        ("params.lr = '0.01'", {"alpha", "gamma"}),
        ('params.lr = "0.01"', {"alpha", "gamma"}),
        ("param.lr = '0.1'", {"beta"}),
        ("parameter.lr != '0.01'", {"beta"}),
        ("parameters.opt LIKE 'a%'", {"alpha"}),
        ("params.opt ILIKE 'a%'", {"alpha", "epsilon"}),
        ("params.opt LIKE '_gd'", {"beta"}),
        ("params.opt IS NULL", {"gamma", "delta"}),
        ("params.opt IS NOT NULL", {"alpha", "beta", "epsilon"}),
        ("params.`my param` = 'x'", {"alpha"}),
        ('params."my param" = \'x\'', {"alpha"}),
        ("params.lr = '0.01' AND params.opt = 'adam'", {"alpha"}),
        ("params.lr = '0.01' and metrics.acc = 0.9 and params.opt IS NULL", {"gamma"}),
        ("params.nope IS NULL", ALL),
    ],
)
def test_param_filters(world, filter_string, expected):
    assert matched(world, filter_string) == expected


@pytest.mark.parametrize(
    "filter_string, expected",
    [
        ("tags.team = 'red'", {"alpha"}),
        ("tag.team = 'Red'", {"gamma"}),
        ("tags.team ILIKE 'red'", {"alpha", "gamma"}),
        ("tags.team LIKE 'r%'", {"alpha"}),
        ("tags.team LIKE '%e%'", {"alpha", "beta", "gamma"}),
        ("tags.team != 'red'", {"beta", "gamma"}),
        ("tags.team IS NULL", {"delta", "epsilon"}),
        ("tags.`special.key` = '1'", {"beta"}),
        ('tags."special.key" IS NOT NULL', {"beta", "delta"}),
        ("tags.special.key = '2'", {"delta"}),  # split on the first dot only
        ("tags.mlflow.runName = 'alpha'", {"alpha"}),
        ("tags.`mlflow.runName` LIKE '%a'", {"alpha", "beta", "gamma", "delta"}),
    ],
)
def test_tag_filters(world, filter_string, expected):
    assert matched(world, filter_string) == expected


@pytest.mark.parametrize(
    "filter_string, expected",
    [
        ("attributes.status = 'FINISHED'", {"alpha", "epsilon"}),
        ("attribute.status != 'FINISHED'", {"beta", "gamma", "delta"}),
        ("status = 'RUNNING'", {"gamma"}),
        ("status = 'running'", set()),  # case-sensitive
        ("attributes.status LIKE 'F%'", {"alpha", "beta", "epsilon"}),
        ("attributes.status ILIKE 'f%'", {"alpha", "beta", "epsilon"}),
        ("run.status = 'KILLED'", {"delta"}),
        ("attr.status = 'KILLED'", {"delta"}),
        ("attributes.run_name = 'alpha'", {"alpha"}),
        ("run_name = 'gamma'", {"gamma"}),
        ("attributes.run_name LIKE '%a'", {"alpha", "beta", "gamma", "delta"}),
        ("attributes.run_name LIKE 'E%'", set()),  # LIKE is case-sensitive on every backend
        ("attributes.run_name ILIKE 'E%'", {"epsilon"}),
        ("attributes.`Run name` = 'beta'", {"beta"}),
        ("`Run Name` = 'beta'", {"beta"}),
        ("attributes.start_time > 2500", {"gamma", "delta", "epsilon"}),
        ("attributes.start_time >= 2000 AND attributes.start_time <= 4000", {"beta", "gamma", "delta"}),
        ("start_time = 1000", {"alpha"}),
        ("start_time != 1000", {"beta", "gamma", "delta", "epsilon"}),
        ("created < 3000", {"alpha", "beta"}),
        ("attributes.end_time > 0", {"alpha", "beta", "delta", "epsilon"}),
        ("attributes.end_time = 2500", {"beta"}),
        ("attributes.artifact_uri LIKE 'mlflow-artifacts:/%/artifacts'", ALL),
        ("attributes.user_id != 'somebody-else'", ALL),
        ("metrics.acc > 0.85 AND attributes.status = 'FINISHED' AND params.lr = '0.01' AND tags.team = 'red'", {"alpha"}),
        ("metrics.acc > 0.85 aNd start_time > 0", {"alpha", "gamma"}),  # keywords are case-insensitive
    ],
)
def test_attribute_filters(world, filter_string, expected):
    assert matched(world, filter_string) == expected


def test_run_id_filters(world):
    eid, ids = world
    a, b = ids["alpha"], ids["beta"]
    assert matched(world, f"attributes.run_id = '{a}'") == {"alpha"}
    assert matched(world, f"run_id != '{a}'") == ALL - {"alpha"}
    assert matched(world, f"attributes.run_id IN ('{a}', '{b}')") == {"alpha", "beta"}
    assert matched(world, f"attributes.run_id IN ('{a}')") == {"alpha"}
    assert matched(world, f'run_id IN ("{a}", "{b}")') == {"alpha", "beta"}
    assert matched(world, f"attributes.run_id NOT IN ('{a}', '{b}')") == ALL - {"alpha", "beta"}
    assert matched(world, f"run_id LIKE '{a[:10]}%'") == {"alpha"}
    # upper-cased ids never match (run ids are lower-case hex)
    assert matched(world, f"attributes.run_id IN ('{a.upper()}')") == set()
    # deleted runs only with the right view type
    assert matched(world, f"attributes.run_id = '{ids['deleted-one']}'") == set()
    got = search(world, f"attributes.run_id = '{ids['deleted-one']}'", run_view_type=ViewType.DELETED_ONLY)
    assert names(got) == ["deleted-one"]


def test_filter_parser_leniency(world):
    """Quirks of the MLflow (sqlparse based) parser that clients may rely on."""
    # a trailing AND is ignored
    assert matched(world, "metrics.acc > 0.85 AND") == {"alpha", "gamma"}
    # extra whitespace is fine
    assert matched(world, "  metrics.acc   >   0.85  ") == {"alpha", "gamma"}
    # empty filter = everything
    assert matched(world, "") == ALL


@pytest.mark.parametrize(
    "filter_string, message",
    [
        ("metrics.acc > 'a'", "Expected numeric value type for metric. Found 'a'"),
        ("metrics.acc = NaN", "Expected numeric value type for metric. Found NaN"),
        ("metrics.acc IS NULL", "IS NULL / IS NOT NULL is only supported for tags and params, not for 'metric' 'acc'"),
        ("attributes.end_time IS NULL", "IS NULL / IS NOT NULL is only supported for tags and params, not for 'attribute' 'end_time'"),
        ("params.lr > '1'", None),
        ("params.lr = 0.01", "Expected a quoted string value for parameter (e.g. 'my-value'). Got value 0.01"),
        ("tags.team = red", None),
        ("foo.bar = '1'", "Invalid entity type 'foo'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']"),
        ("attributes.bogus = 'x'", None),
        ("run_id IN ()", "While parsing a list in the query, expected a non-empty list of string values, but got empty list"),
        ("status IN ('RUNNING')", "Only ['run_id'] attributes support comparison with a list of quoted string values."),
        ("start_time > '3000'", "Expected numeric value type for numeric attribute: start_time. Found '3000'"),
        ("metrics.acc <> 0.5", None),
        ("metrics.acc == 0.5", None),
        # OR and parentheses are Carnet extensions (test_carnet_extensions.py): rejected by MLflow only
        pytest.param("metrics.acc > 1 OR metrics.acc < 0", None, marks=pytest.mark.mlflow_only),
        pytest.param("(metrics.acc > 1)", "Invalid clause(s) in filter string: '(metrics.acc > 1)'", marks=pytest.mark.mlflow_only),
        ("metrics.acc > 1 ; params.lr = 'a'", 'Search filter contained multiple expression "metrics.acc > 1 ; params.lr = \'a\'". Provide AND-ed expression list.'),
        ("params.lr = 'abc", None),
        ("   ", "Invalid filter '   '. Could not be parsed."),
        ("metrics.acc", None),
    ],
)
def test_malformed_filters(world, filter_string, message):
    eid, _ = world
    api = Api(mlflow.get_tracking_uri())
    body = assert_error(api.post("/runs/search", {"experiment_ids": [eid], "filter": filter_string}), 400, "INVALID_PARAMETER_VALUE")
    if message is not None:
        assert body["message"] == message
    with pytest.raises(MlflowException) as e:
        search(world, filter_string)
    assert e.value.error_code == "INVALID_PARAMETER_VALUE"


# --------------------------------------------------------------------------------------
# order_by
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "order_by, expected",
    [
        # default: start_time DESC
        (None, ["epsilon", "delta", "gamma", "beta", "alpha"]),
        (["attributes.start_time ASC"], ["alpha", "beta", "gamma", "delta", "epsilon"]),
        (["start_time"], ["alpha", "beta", "gamma", "delta", "epsilon"]),
        (["created DESC"], ["epsilon", "delta", "gamma", "beta", "alpha"]),
        # ties (alpha/gamma both 0.9) broken by start_time DESC
        (["metrics.acc DESC"], ["gamma", "alpha", "beta", "delta", "epsilon"]),
        (["metrics.acc ASC"], ["epsilon", "delta", "beta", "gamma", "alpha"]),
        (["metrics.`acc` desc"], ["gamma", "alpha", "beta", "delta", "epsilon"]),
        # real values first, then NaN, then missing -- in both directions
        (["metrics.loss ASC"], ["delta", "alpha", "epsilon", "beta", "gamma"]),
        (["metrics.loss DESC"], ["epsilon", "alpha", "delta", "beta", "gamma"]),
        # runs without the param/tag sort last in both directions
        (["params.lr ASC"], ["gamma", "alpha", "beta", "epsilon", "delta"]),
        (["params.lr DESC"], ["beta", "gamma", "alpha", "epsilon", "delta"]),
        (["params.opt ASC"], ["epsilon", "alpha", "beta", "delta", "gamma"]),
        (["tags.`special.key` DESC"], ["delta", "beta", "epsilon", "gamma", "alpha"]),
        (["tags.`special.key` ASC"], ["beta", "delta", "epsilon", "gamma", "alpha"]),
        # (string order is the database collation's: keep values case-distinct-free)
        (["attributes.run_name ASC"], ["alpha", "beta", "delta", "epsilon", "gamma"]),
        (["run_name DESC"], ["gamma", "epsilon", "delta", "beta", "alpha"]),
        (["tags.mlflow.runName DESC"], ["gamma", "epsilon", "delta", "beta", "alpha"]),
        (["attributes.status ASC", "metrics.acc ASC"], ["beta", "epsilon", "alpha", "delta", "gamma"]),
        (["params.lr ASC", "metrics.acc ASC"], ["gamma", "alpha", "beta", "epsilon", "delta"]),
        (["metrics.nope DESC"], ["epsilon", "delta", "gamma", "beta", "alpha"]),
    ],
)
def test_order_by(world, order_by, expected):
    assert names(search(world, order_by=order_by)) == expected


def test_order_by_run_id_and_end_time(world):
    eid, ids = world
    by_id = sorted(RUNS, key=lambda n: ids[n])
    assert names(search(world, order_by=["attributes.run_id ASC"])) == by_id
    assert names(search(world, order_by=["run_id DESC"])) == by_id[::-1]
    # gamma has no end_time: last
    assert names(search(world, order_by=["attributes.end_time DESC"])) == ["epsilon", "delta", "beta", "alpha", "gamma"]


@pytest.mark.parametrize(
    "order_by, message",
    [
        (["metrics.acc DESCENDING"], "Invalid ordering key in order_by clause 'metrics.acc DESCENDING'."),
        (["bogus"], None),
        (["foo.bar"], None),
        (["metrics.acc ASC DESC"], None),
    ],
)
def test_malformed_order_by(world, order_by, message):
    eid, _ = world
    api = Api(mlflow.get_tracking_uri())
    body = assert_error(api.post("/runs/search", {"experiment_ids": [eid], "order_by": order_by}), 400, "INVALID_PARAMETER_VALUE")
    if message:
        assert body["message"] == message


# --------------------------------------------------------------------------------------
# pagination and misc
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def many_runs(server):
    """23 runs with lots of ties (same start_time, metric values repeating)."""
    client = MlflowClient(server.url)
    eid = client.create_experiment(unique("search-pages"))
    ids = []
    for i in range(23):
        rid = client.create_run(eid, start_time=5000 + (i % 4)).info.run_id
        if i % 5:
            client.log_batch(rid, metrics=[Metric("v", float(i % 3), 1, 0)], params=[Param("p", str(i % 2))])
        ids.append(rid)
    return eid, ids


@pytest.mark.parametrize(
    "order_by",
    [None, ["metrics.v DESC"], ["metrics.v ASC", "params.p DESC"], ["params.p ASC"], ["attributes.start_time ASC"]],
)
@pytest.mark.parametrize("page_size", [1, 7])
def test_pagination_no_duplicates_no_gaps(client, many_runs, order_by, page_size):
    eid, ids = many_runs
    full = [r.info.run_id for r in client.search_runs([eid], order_by=order_by, max_results=1000)]
    assert sorted(full) == sorted(ids)
    paged, token, pages = [], None, 0
    while True:
        page = client.search_runs([eid], order_by=order_by, max_results=page_size, page_token=token)
        assert len(page) <= page_size
        paged += [r.info.run_id for r in page]
        pages += 1
        token = page.token
        if not token:
            break
        assert pages < 100
    assert paged == full
    assert pages == -(-len(ids) // page_size)  # no empty trailing page
    # the fluent API pages itself
    df = mlflow.search_runs([eid], order_by=order_by, max_results=10)
    assert list(df["run_id"]) == full[:10]


def test_search_wire_details(api, many_runs):
    eid, ids = many_runs
    body = api.ok("POST", "/runs/search", json={"experiment_ids": [eid], "max_results": 5})
    assert len(body["runs"]) == 5 and body["next_page_token"]
    run = body["runs"][0]
    assert set(run) >= {"info", "data"}
    assert run["info"]["experiment_id"] == eid
    # runs/search is POST only
    assert api.get("/runs/search", {"experiment_ids": eid}).status_code == 405
    # no experiments, unknown experiments: no runs, no error
    assert api.ok("POST", "/runs/search", json={"experiment_ids": []}) == {}
    assert api.ok("POST", "/runs/search", json={"experiment_ids": ["987654321"]}) == {}
    # limits and bad tokens
    assert_error(
        api.post("/runs/search", {"experiment_ids": [eid], "max_results": 0}),
        400,
        "INVALID_PARAMETER_VALUE",
        message="Invalid value 0 for parameter 'max_results' supplied. It must be a positive integer",
    )
    assert_error(api.post("/runs/search", {"experiment_ids": [eid], "max_results": 50001}), 400, "INVALID_PARAMETER_VALUE")
    assert_error(
        api.post("/runs/search", {"experiment_ids": [eid], "page_token": "garbage"}),
        400,
        "INVALID_PARAMETER_VALUE",
        message="Invalid page token, could not base64-decode",
    )
    assert_error(
        api.post("/runs/search", {"experiment_ids": ["abc"]}),
        400,
        "INVALID_PARAMETER_VALUE",
        message="Invalid experiment ID 'abc'. Experiment ID must be a valid integer.",
    )


def test_search_across_experiments(client, world, many_runs):
    e1, ids1 = world
    e2, ids2 = many_runs
    got = client.search_runs([e1, e2], max_results=1000)
    assert {r.info.run_id for r in got} == {ids1[n] for n in RUNS} | set(ids2)
    df = mlflow.search_runs(experiment_ids=[e1, e2], filter_string="metrics.acc > 0.85")
    assert set(df["tags.mlflow.runName"]) == {"alpha", "gamma"}
    assert "metrics.acc" in df.columns and "params.lr" in df.columns


def test_search_runs_data_is_complete(client, world):
    eid, ids = world
    (run,) = search(world, "attributes.run_name = 'alpha'")
    assert run.data.params == RUNS["alpha"][2]
    assert run.data.metrics == RUNS["alpha"][3]
    assert run.data.tags["team"] == "red" and run.data.tags["mlflow.runName"] == "alpha"
    assert run.info.status == "FINISHED" and run.info.end_time == 1500
