"""The soak script (`make soak`, benchmarks/soak.py) runs end to end for a few seconds: a real
`leongraph serve`, the query mix, every abusive request of README "Limits" and a kill of the zygote;
no 500, /healthz never waited over a second, and each abusive request got its clean answer."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from leongraph.config import PROJECT_ROOT

SOAK = PROJECT_ROOT / "benchmarks" / "soak.py"


def test_a_short_soak_passes(tmp_path: Path) -> None:
    out = tmp_path / "soak.json"
    # c=16: the machine running the suite is shared; `make soak` sends c=64 for 60 s.
    argv = [sys.executable, str(SOAK), "--duration", "8", "--connections", "16"]
    done = subprocess.run([*argv, "--json", str(out)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    report = json.loads(out.read_text())
    assert report["ok"] and report["errors_500"] == 0
    assert report["healthz"]["worst_s"] <= 1.0
    assert report["mix"]["requests"] > 100 and report["mix"]["statuses"].get("200", 0) > 100
    answers = {name: set(seen["answers"]) for name, seen in report["abuse"].items()}
    assert answers["huge-header"] == {"431"}
    assert answers["reconcile-batch"] == {"413"}
    for name in ("reconcile-deep-json", "deep-braces", "unions", "long-names", "label-blocks"):
        assert answers[name] == {"400"}, (name, answers[name])
    assert report["idle_connections_closed"] == "200/200"
    assert report["zygote_killed"]
    assert "p50" in done.stdout and "PASS" in done.stdout
