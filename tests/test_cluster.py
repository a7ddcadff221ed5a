"""count --engine dask on a LocalCluster of several workers: equal to the local count.

Expected values are the local path's profiles (itself checked against tiktoken in
test_counting) and, for the totals, tiktoken over the files' text directly.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from distillcost.counting import count_files
from distillcost.errors import InputError
from distillcost.tokens import get_encoding

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=3, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as lc:
        yield lc.scheduler_address


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    import pyarrow as pa
    import pyarrow.parquet as pq

    root = tmp_path_factory.mktemp("cluster")
    rng = random.Random(3)
    words = ["cost", "token", "模型", "naïve", "/usr", "42", "can't", "\n"]
    texts = [" ".join(rng.choice(words) for _ in range(rng.randrange(1, 60))) for _ in range(3000)]
    pq.write_table(pa.table({"text": texts}), root / "t.parquet", row_group_size=200)  # 15 groups
    with open(root / "f.jsonl", "w", encoding="utf-8") as fh:
        for t in texts[:1000]:
            fh.write(json.dumps({"text": t}) + "\n")
    for name in ("chat.jsonl", "prose.txt", "instructions.jsonl"):
        if (DATA / name).exists():
            (root / name).write_bytes((DATA / name).read_bytes())
    return root, texts


def test_dask_counts_equal_local_to_the_token(cluster, corpus):
    root, texts = corpus
    enc = get_encoding("o200k_base")
    cases = [
        ([root / "t.parquet"], {"field": "text"}),
        ([root / "f.jsonl", root / "t.parquet"], {"field": "text"}),
        ([root / "chat.jsonl"], {}),
        ([root / "prose.txt"], {}),
        ([root / "prose.txt"], {"per_line": True}),
        ([root], {"glob": "*.txt,chat.jsonl"}),
    ]
    for paths, kwargs in cases:
        local = count_files(paths, **kwargs)
        remote = count_files(paths, engine="dask", scheduler=cluster, **kwargs)
        assert remote.backend.endswith("on dask")
        assert [f.source for f in remote.files] == [f.source for f in local.files]
        assert [f.profile for f in remote.files] == [f.profile for f in local.files], paths
        assert remote.total == local.total
    # and independently of the local path: tiktoken over the Parquet column itself
    result = count_files([root / "t.parquet"], field="text", engine="dask", scheduler=cluster)
    assert result.total.tokens == sum(len(enc.encode_ordinary(t)) for t in texts)
    assert result.total.documents == 3000


def test_a_file_of_another_format_is_one_task():
    from distillcost.counting.cluster import plan

    names = [str(DATA / "chat.jsonl"), str(DATA / "prose.txt")]
    assert plan(names) == [(0, names[0], None), (1, names[1], None)]


def test_parquet_plan_covers_every_row_group(corpus):
    from distillcost.counting.cluster import plan

    root, _ = corpus
    tasks = plan([str(root / "t.parquet")])
    ranges = [t[2] for t in tasks]
    assert ranges == [(0, 4), (4, 8), (8, 12), (12, 15)]


def test_dask_engine_refuses_what_it_cannot_do(cluster, runner, cli):
    with pytest.raises(InputError, match="counts exactly"):
        count_files([DATA / "chat.jsonl"], engine="dask", scheduler=cluster, sample=0.1)
    with pytest.raises(InputError, match="unknown engine 'spark'"):
        count_files([DATA / "chat.jsonl"], engine="spark")
    result = runner.invoke(cli, ["count", str(DATA / "chat.jsonl"), "--scheduler", "tcp://x:1"])
    assert result.exit_code == 2 and "--scheduler needs --engine dask" in result.stderr
    ok = runner.invoke(
        cli, ["count", str(DATA / "chat.jsonl"), "--engine", "dask", "--scheduler", cluster]
    )
    assert ok.exit_code == 0, ok.output
    assert "on dask" in ok.stdout
