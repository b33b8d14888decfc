"""The command-line contracts of DESIGN §7, run as real processes from another folder."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

CONTRACT_KEYS = {"label", "labels", "action", "alerts", "needs_response", "rules", "policy",
                 "evidence", "explanation"}


def modbot(*args: str, cwd: Path, stdin: str | None = None,
           timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``modbot`` in ``cwd`` (not the checkout), capturing stdout and stderr apart."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=cwd, input=stdin, capture_output=True,
        text=True, timeout=timeout, env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )


class TestCheck:
    def test_abuse_is_hidden(self, tmp_path: Path) -> None:
        """An insult aimed at a named teacher prints every contract key with action hide."""
        r = modbot("check", "--json", "Mrs Hughes you are a useless fat cow", cwd=tmp_path)
        assert r.returncode == 0, r.stderr
        out = json.loads(r.stdout)
        assert CONTRACT_KEYS <= set(out)
        assert out["action"] == "hide" and out["label"] == "abuse"
        assert out["explanation"] and "Hughes" not in out["explanation"]

    def test_polite_question_is_kept_with_response(self, tmp_path: Path) -> None:
        """A polite question is kept and needs a response."""
        r = modbot("check", "--json", "What time does the Christmas fair start on Saturday?",
                   cwd=tmp_path)
        out = json.loads(r.stdout)
        assert out["action"] == "keep" and out["needs_response"] is True

    def test_jsonl_keeps_order_and_ids(self, tmp_path: Path) -> None:
        """JSON lines in give one line out per input, in order, with the same id."""
        lines = [json.dumps({"id": i, "text": t}) for i, t in enumerate(
            ["Thank you so much!", "you stupid cow Mrs Hughes", "When is sports day?"])]
        r = modbot("check", "--jsonl", cwd=tmp_path, stdin="\n".join(lines) + "\n")
        outs = [json.loads(x) for x in r.stdout.splitlines()]
        assert [o["id"] for o in outs] == [0, 1, 2]
        assert all(CONTRACT_KEYS <= set(o) for o in outs)
        assert outs[1]["action"] == "hide"

    def test_jsonl_bad_line_is_reported_in_place(self, tmp_path: Path) -> None:
        """A malformed input line gets an error line in its place; the others still run."""
        r = modbot("check", "--jsonl", cwd=tmp_path, stdin='{"id": 1, "text": "hi"}\nnot json\n')
        outs = [json.loads(x) for x in r.stdout.splitlines()]
        assert len(outs) == 2 and "error" in outs[1] and outs[0]["id"] == 1


class TestEval:
    def test_eval_json_metrics(self, tmp_path: Path) -> None:
        """`modbot eval --json` prints the metrics of eval/README.md on a small labelled file."""
        csv = tmp_path / "mini.csv"
        csv.write_text(
            "id,platform,context,text,label,also,notes\n"
            "1,facebook,,Mrs Hughes you are a useless fat cow,abuse,,\n"
            "2,facebook,,What time does the fair start?,query,,\n"
            "3,facebook,,Lovely photos thank you,other,,\n",
            encoding="utf-8",
        )
        r = modbot("eval", "--json", str(csv), cwd=tmp_path)
        assert r.returncode == 0, r.stderr
        m = json.loads(r.stdout)
        assert m["n"] == 3
        for key in ("accuracy", "macro_f1", "per_label", "harmful_recall", "flagged_recall",
                    "wrongful_hide_rate", "action_accuracy", "safeguarding_recall",
                    "items_per_second"):
            assert key in m
        assert m["harmful_recall"] == 1.0 and m["wrongful_hide_rate"] == 0.0


class TestDatabase:
    def test_db_upgrade_creates_sqlite(self, tmp_path: Path) -> None:
        """`modbot db upgrade --url` creates the SQLite file with every table."""
        db = tmp_path / "sub" / "m.db"
        r = modbot("db", "upgrade", "--url", f"sqlite:///{db}", cwd=tmp_path)
        assert r.returncode == 0, r.stderr
        tables = {n for (n,) in sqlite3.connect(db).execute(
            "select name from sqlite_master where type='table'")}
        assert {"items", "assessments", "decisions", "actions", "tickets", "alerts",
                "acknowledgements", "audit_events", "cursors"} <= tables


class TestRunRefusesBadConfig:
    def test_bad_config_exits_with_key_path(self, tmp_path: Path) -> None:
        """`modbot run` with one monitor refuses to start and names the key path."""
        cfg = tmp_path / "bad.yaml"
        cfg.write_text(
            "trust: {name: T, admins: [a]}\n"
            "people: {a: {name: A}}\n"
            "academies:\n  x:\n    name: X\n    accounts:\n      fb:\n"
            "        platform: facebook\n        monitors: [a]\n",
            encoding="utf-8",
        )
        r = modbot("run", "--config", str(cfg), cwd=tmp_path, timeout=60)
        assert r.returncode == 2
        assert "academies.x.accounts.fb.monitors" in r.stderr
        assert "two named monitors" in r.stderr


class TestEmulate:
    def test_emulate_prints_connection_line_and_serves(self, tmp_path: Path) -> None:
        """`modbot emulate facebook` prints its base URL and ids as JSON, then serves Graph."""
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "emulate", "facebook"], cwd=tmp_path,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        try:
            assert proc.stdout is not None
            info = json.loads(proc.stdout.readline())
            url = f"{info['base_url']}v21.0/{info['page_id']}?access_token={info['page_token']}"
            with urllib.request.urlopen(url, timeout=10) as resp:
                page = json.loads(resp.read())
            assert page["id"] == info["page_id"]
            assert info["app_secret"] and info["verify_token"]
        finally:
            proc.terminate()
            proc.wait(timeout=10)

    @pytest.mark.parametrize(("platform", "probe"), [
        ("instagram", "{base_url}v21.0/{ig_user_id}?fields=id,username&access_token="
                      "{access_token}"),
        ("x", "{base_url}/2/users/me"),
        ("discord", "{api_base_url}/users/@me"),
    ])
    def test_every_platform_has_an_emulator(self, tmp_path: Path, platform: str,
                                            probe: str) -> None:
        """Each emulator prints its connection line and answers its platform's first call."""
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "emulate", platform], cwd=tmp_path,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        try:
            assert proc.stdout is not None
            info = json.loads(proc.stdout.readline())
            request = urllib.request.Request(probe.format(**info))
            if platform == "x":
                request.add_header("Authorization", f"Bearer {info['access_token']}")
            if platform == "discord":
                request.add_header("Authorization", f"Bot {info['bot_token']}")
            with urllib.request.urlopen(request, timeout=10) as resp:
                body = json.loads(resp.read())
            expected = {"instagram": ("id", info.get("ig_user_id")),
                        "x": ("data", None), "discord": ("id", info.get("bot_user_id"))}
            key, value = expected[platform]
            assert key in body and (value is None or body[key] == value), body
        finally:
            proc.terminate()
            proc.wait(timeout=10)


@pytest.mark.slow
class TestDemo:
    def test_demo_json_summary(self, tmp_path: Path) -> None:
        """`modbot demo --json` ends by itself with hidden comments, explanations, tickets, alerts."""
        r = modbot("demo", "--json", cwd=tmp_path, timeout=180)
        assert r.returncode == 0, r.stderr[-3000:]
        lines = r.stdout.strip().splitlines()
        assert len(lines) == 1, "with --json, stdout holds only the summary"
        summary = json.loads(lines[0])
        for key in ("items", "hidden", "explanations", "tickets", "alerts", "emails"):
            assert isinstance(summary[key], int)
        assert summary["items"] >= 10
        assert summary["hidden"] >= 4 and summary["explanations"] >= 1
        assert summary["tickets"] >= 3 and summary["alerts"] >= 3
        assert summary["emails"] > 0  # alerts delivered over SMTP to the demo's mail catcher
        for platform in ("facebook", "instagram", "twitter", "discord"):
            seen = summary["platforms"][platform]
            assert seen["items"] >= 3, (platform, seen)
            assert seen["removed"] >= 1 and seen["explanations"] >= 1, (platform, seen)
        # The office manager is on the Discord server: alerts reach her as DMs from the bot.
        assert summary["platforms"]["discord"]["dms"] >= 1


class TestEvasion:
    def test_evasion_report_json(self, tmp_path: Path) -> None:
        """`modbot evasion --json` reports the action metrics before and after rewriting."""
        csv = tmp_path / "mini.csv"
        csv.write_text(
            "id,platform,context,text,label,also,notes\n"
            "1,facebook,,Mrs Hughes you are a useless fat cow,abuse,,\n"
            "2,facebook,,What time does the fair start?,query,,\n",
            encoding="utf-8",
        )
        r = modbot("evasion", "--json", str(csv), cwd=tmp_path)
        assert r.returncode == 0, r.stderr
        rep = json.loads(r.stdout)
        for part in ("before", "after", "delta"):
            assert {"harmful_recall", "wrongful_hide_rate"} <= set(rep[part])
        assert rep["before"]["harmful_recall"] == 1.0
