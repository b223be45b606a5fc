"""bench/staff.py and bench/editorial.py share their set-up (bench/staffpages.py) and still run as scripts."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings


@pytest.mark.parametrize("script", ["bench/staff.py", "bench/editorial.py"])
def test_a_staff_bench_runs_as_a_script_and_exits_2_without_postgresql(script, tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    done = subprocess.run([sys.executable, str(Path(settings.BASE_DIR) / script), "--runs", "1"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert f"{script} needs PostgreSQL" in done.stderr and "Traceback" not in done.stderr
