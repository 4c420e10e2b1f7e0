"""Loaded by the workers of the real takeover test (`-I`): with HANG_FIRST_RUN set, the
engine hangs once it started (as a run does whose worker is about to be killed) and says so
by writing that file."""

import os
import time
from pathlib import Path

from matching import services

if os.environ.get("HANG_FIRST_RUN"):

    def _hanging(run):
        Path(os.environ["HANG_FIRST_RUN"]).write_text("started")
        time.sleep(300)

    services._match_pool = _hanging
