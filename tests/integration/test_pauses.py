"""Long work on the event loop steps aside for the sockets, but is never starved by them."""
from __future__ import annotations

import subprocess
import time
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    from gevent import monkey; monkey.patch_all()
    import time, gevent
    from exam_engine.extensions import pause_for_io

    served = []
    def busy():                      # a hub that is never idle: someone always runs
        end = time.monotonic() + 3
        while time.monotonic() < end:
            served.append(1)
            gevent.sleep(0)
    g = gevent.spawn(busy)
    gevent.sleep(0.05)
    before = len(served)
    t = time.monotonic()
    pause_for_io()
    took = time.monotonic() - t
    print(round(took, 4), len(served) - before)
    g.kill()
""")


def test_a_pause_returns_even_when_the_hub_is_never_idle():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                         timeout=60, check=True).stdout.split()
    took, others_ran = float(out[0]), int(out[1])
    assert took < 0.5, f"pause_for_io waited {took} s for an idle hub"
    assert others_ran > 0, "the pause let nobody else run"


def test_work_pauses_once_a_slice_not_at_every_step():
    from exam_engine.extensions import Pacer

    pacer = Pacer(slice_s=0.05)
    for _ in range(1000):       # steps far shorter than a slice: no pause at all
        pacer()
    assert pacer.pauses == 0
    time.sleep(0.06)
    pacer()
    assert pacer.pauses == 1
    pacer()
    assert pacer.pauses == 1    # a new slice starts when the pause ends

