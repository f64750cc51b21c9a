"""Long work on the event loop steps aside for the sockets, but is never starved by them."""
from __future__ import annotations

import subprocess
import sys
import textwrap
import time

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


def test_work_stops_pausing_once_its_pauses_have_taken_their_budget():
    from exam_engine.extensions import Pacer

    pacer = Pacer(slice_s=0, budget_s=0.05)
    pacer.waited_s = 0.049      # the pauses so far, behind a saturated hub
    pacer()
    assert pacer.pauses == 1
    pacer.waited_s = 0.05
    for _ in range(10):
        pacer()
    assert pacer.pauses == 1, "past its budget the work runs to its end"


HASHING = textwrap.dedent("""
    from gevent import monkey; monkey.patch_all()
    import time, gevent
    from werkzeug.security import check_password_hash, generate_password_hash
    from exam_engine.extensions import off_the_loop

    stored = generate_password_hash("rahasia", "pbkdf2:sha256:600000")
    ticks = []
    def clock():                     # what every other socket of the server would see
        while True:
            ticks.append(time.monotonic())
            gevent.sleep(0.005)
    g = gevent.spawn(clock)
    gevent.sleep(0.02)
    t = time.monotonic()
    ok = off_the_loop(check_password_hash, stored, "rahasia")
    took = time.monotonic() - t
    during = [b - a for a, b in zip(ticks, ticks[1:]) if b > t]
    print(ok, round(took, 3), round(max(during), 3))
    g.kill()
""")


def test_password_hashing_runs_beside_the_event_loop_not_on_it():
    out = subprocess.run([sys.executable, "-c", HASHING], capture_output=True, text=True,
                         timeout=60, check=True).stdout.split()
    ok, took, longest_gap = out[0] == "True", float(out[1]), float(out[2])
    assert ok, "the hash did not check"
    assert took > 0.1, f"a 600,000-round hash took only {took} s: the test proves nothing"
    assert longest_gap < took / 2, (
        f"the loop stood still for {longest_gap} s of a {took} s hash")
