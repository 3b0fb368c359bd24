"""``python manage.py check_text``: JSON lines in, one JSON line out per input."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from strategy.management.commands.check_text import check_line

ROOT = Path(__file__).resolve().parents[2]


def run_command(monkeypatch, lines):
    monkeypatch.setattr(sys, "stdin", io.StringIO("".join(line + "\n" for line in lines)))
    out = io.StringIO()
    call_command("check_text", stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_one_output_line_per_input_line(monkeypatch):
    lines = [
        json.dumps({"id": 1, "text": "Hola, gracias, q bueno.", "network": "x"}),
        json.dumps(
            {"id": "b", "text": "Hola, Ana, gracias por escribirnos.", "network": "bluesky"}
        ),
        json.dumps({"id": 3, "text": "a" * 501, "network": "mastodon", "is_reply": False}),
    ]
    results = run_command(monkeypatch, lines)
    assert [r["id"] for r in results] == [1, "b", 3]
    assert results[0]["findings"] == [
        {
            "kind": "sms_abbreviation",
            "start": 15,
            "end": 16,
            "message": "«q» es una abreviatura de chat; escriba la palabra completa.",
            "suggestion": "que",
        }
    ]
    assert results[1]["findings"] == []
    assert [f["kind"] for f in results[2]["findings"]] == ["over_limit"]
    assert results[2]["findings"][0]["start"] == 500


def test_bad_lines_get_an_error_and_the_batch_goes_on(monkeypatch):
    lines = [
        "not json",
        "[1, 2]",
        json.dumps({"id": 7, "text": 12, "network": "x"}),
        json.dumps({"id": 8, "text": "hola", "network": "myspace"}),
        "",
        json.dumps({"id": 9, "text": "Hola, gracias.", "network": "youtube"}),
    ]
    results = run_command(monkeypatch, lines)
    assert len(results) == 5
    assert all("error" in r for r in results[:4])
    assert [r["id"] for r in results] == [None, None, 7, 8, 9]
    assert results[4] == {"id": 9, "findings": []}


def test_citizen_name_is_used_for_warmth():
    line = json.dumps({"id": 1, "text": "Ana, ya radicamos su caso.", "network": "x"})
    assert [f["kind"] for f in check_line(line)["findings"]] == ["cold_tone"]
    line = json.dumps(
        {"id": 1, "text": "Ana, ya radicamos su caso.", "network": "x", "citizen_name": "Ana"}
    )
    assert check_line(line)["findings"] == []


@pytest.mark.parametrize(
    "network", ["x", "facebook", "instagram", "youtube", "mastodon", "bluesky"]
)
def test_every_network_of_the_issue_is_accepted(network):
    line = json.dumps({"id": 1, "text": "Hola, gracias por escribirnos.", "network": network})
    assert check_line(line) == {"id": 1, "findings": []}


def test_real_process_reads_stdin_and_writes_utf8():
    lines = [
        {"id": 1, "text": "¡Hola! Gracias por escribirnos. ¿Cómo está?", "network": "x"},
        {"id": 2, "text": "tambien", "network": "facebook", "is_reply": False},
    ]
    stdin = "".join(json.dumps(line) + "\n" for line in lines)
    proc = subprocess.run(  # noqa: S603 - fixed argv, no shell
        [sys.executable, "manage.py", "check_text"],
        input=stdin.encode(),
        capture_output=True,
        cwd=ROOT,
        timeout=120,
        check=True,
    )
    results = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert results[0] == {"id": 1, "findings": []}
    assert results[1]["findings"][0]["suggestion"] == "también"
    assert "tilde" in results[1]["findings"][0]["message"]
