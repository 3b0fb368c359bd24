"""The benchmark's own helpers: they decide what docs/benchmarks.md says, so they are tested."""

import io
from datetime import UTC, datetime

import pytest

from bench import common, dataset, run


def test_percentile_nearest_rank():
    values = list(range(1, 101))  # 1..100
    assert common.percentile(values, 50) == 50
    assert common.percentile(values, 95) == 95
    assert common.percentile(values, 100) == 100
    assert common.percentile([7.0], 95) == 7.0
    assert common.summary([3.0, 1.0, 2.0]) == {"n": 3, "p50": 2.0, "p95": 3.0, "max": 3.0}


def test_replace_section_keeps_the_other_sections(tmp_path):
    path = tmp_path / "benchmarks.md"
    path.write_text("# Benchmarks\n\n## Ingestion\nkept ingestion text\n\n## Findings\nmine\n")
    common.replace_section("National scale (`make bench`)", "first figures", path=path)
    common.replace_section("National scale (`make bench`)", "second figures", path=path)
    text = path.read_text()
    assert "kept ingestion text" in text and "## Findings\nmine" in text
    assert "second figures" in text and "first figures" not in text
    assert text.count("## National scale") == 1


def test_refuses_without_postgresql_and_redis(monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", "sqlite:///x.sqlite3")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/11")
    assert run.main(["--scale", "0.01"]) == 2
    assert "PostgreSQL" in capsys.readouterr().err
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/h_bench")
    monkeypatch.delenv("REDIS_URL")
    assert run.main(["--scale", "0.01"]) == 2
    assert "REDIS_URL" in capsys.readouterr().err


def test_copy_escaping():
    assert dataset._escape(None) == "\\N"
    assert dataset._escape(True) == "t" and dataset._escape(False) == "f"
    assert dataset._escape("a\tb\nc\\d") == "a\\tb\\nc\\\\d"
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert dataset._escape(when) == "2026-01-02T03:04:05+00:00"


def test_split_and_weights_are_skewed_and_exact():
    weights = dataset._weights(20)
    assert abs(sum(weights) - 1) < 1e-9
    assert weights[0] > 3 * weights[-1]  # a capital's office is much bigger than a town's
    parts = dataset._split(1_000_000, weights)
    assert sum(parts) == 1_000_000 and parts == sorted(parts, reverse=True)


@pytest.mark.django_db
def test_copy_table_fills_defaults_for_unset_columns():
    from monitoring.models import Author

    table = dataset.CopyTable(Author, ["id", "entity_id", "platform", "external_id"])
    table.add([1, 2, "x", "a1"])
    line = table.buffer.getvalue().rstrip("\n").split("\t")
    row = dict(zip(table.columns, line, strict=True))
    assert row["id"] == "1" and row["external_id"] == "a1"
    assert row["flag_reasons"] == "[]" and row["is_suspected_troll"] == "f"
    assert row["followers"] == "\\N" and row["handle"] == ""
    assert len(row["public_id"]) == 36


def test_render_marks_what_falls_short():
    results = {
        "started": "2026-11-30T06:40:00", "scale": 1.0, "seconds": 600,
        "machine": {"cpus": 2, "cpu": "cpu", "memory_gb": 24, "postgresql": "15", "redis": "7",
                    "shared_buffers": "128MB", "python": "3.11", "django": "5.2",
                    "kernel": "6"},
        "load": {"start": (1.0, 1.0, 1.0)}, "dataset": {"reused": True, "seconds": 1},
        "counts": {"strategy_entity": 20, "channels_app_channel": 120, "monitoring_author": 10,
                   "monitoring_mention": 1_000_000, "monitoring_case": 150_000,
                   "active_cases": 100_000, "mention_table_size": "1 GB",
                   "database_size": "2 GB"},
        "latency": {"n": 40, "p50": 250.0, "p95": 2500.0, "max": 3000.0, "lost": 0},
        "throughput": {"minimal": {"rps": 100.0, "p50": 1, "errors": 0, "tool": "wrk"},
                       "inbox": {"rps": 50.0, "p50": 2, "errors": 0, "tool": "wrk"},
                       "ratio": 0.5, "workers": 2, "connections": 8, "seconds": 20},
        "ingest": {"mentions": 10_000, "batch": 100, "busy_batch": 500, "raw_chunk": 500,
                   "raw_s": 2.0, "raw_rate": 5_000.0, "raw_paged_rate": 4_500.0,
                   "busy_store_s": 10 / 3, "busy_store_rate": 3_000.0, "ratio": 0.6,
                   "store_s": 5.0, "store_rate": 2_000.0, "quiet_ratio": 0.4,
                   "triage_s": 20.0, "triage_rate": 500.0, "cases": 7_000,
                   "pipeline_s": 25.0, "pipeline_rate": 400.0, "repeat_s": 1.0,
                   "repeat_rate": 10_000.0, "classify_s": 4.0, "classify_rate": 2_500.0},
    }
    text = run.render(results, [])
    assert "(polls of 500) | 3,000 / 5,000 mentions/s = 60% | ≥ 50 % | yes |" in text
    assert "(pages of 100, one commit each) | 2,000 / 5,000 mentions/s = 40% | (≥ 50 %) | " \
        "**no** |" in text
    assert "| p95 < 2,000 ms | **no** |" in text
    assert "50.0 / 100.0 = 50% | ≥ 40 % | yes |" in text
    assert "1,000,000 mentions" in text
    io.StringIO(text)  # plain text, no exception


def test_phases_not_run_are_carried_over_with_their_origin(tmp_path):
    import json

    path = tmp_path / "results-1.json"
    path.write_text(json.dumps({"started": "2026-11-30T06:40:00", "memory": {"growth_mb": 0.0},
                                "ingest": {"ratio": 0.1},
                                "carried": {"ingest": "2026-11-29T10:00:00"}}))
    results = {"started": "2026-11-30T07:30:00", "web": []}
    run._carry_over(results, path, skipped=["memory", "ingest", "latency"])
    assert results["memory"] == {"growth_mb": 0.0} and results["ingest"] == {"ratio": 0.1}
    assert "latency" not in results
    assert results["carried"] == {"memory": "2026-11-30T06:40:00",
                                  "ingest": "2026-11-29T10:00:00"}
