"""The background runner of the live explorers (nnbook.widgets.runner), with fake steps:
one thread and one stop event per run, errors captured and cleared, the throttle, close."""

import threading
import time

import pytest

from nnbook.widgets.runner import Runner, pause_all

NAME = "nnbook-test-runner"


def wait_until(condition, timeout=10.0):
    end = time.monotonic() + timeout
    while not condition() and time.monotonic() < end:
        time.sleep(0.01)
    return condition()


def runner_threads():
    return [t for t in threading.enumerate() if t.name == NAME]


class Work:
    """A fake training: counts steps, records their threads, stops at ``limit``; while
    ``gate`` is cleared a step waits for it (a deterministically slow step)."""

    def __init__(self, limit=None, fail_at=None):
        self.count, self.callers, self.frames, self.states = 0, [], [], []
        self.limit, self.fail_at = limit, fail_at
        self.entered, self.gate = threading.Event(), threading.Event()
        self.gate.set()
        self.inside, self.most_inside = 0, 0

    def step(self):
        self.inside += 1
        self.most_inside = max(self.most_inside, self.inside)
        self.callers.append(threading.current_thread())
        self.entered.set()
        self.gate.wait(10)
        self.count += 1
        self.inside -= 1
        if self.count == self.fail_at:
            raise ZeroDivisionError("fake bug in step")
        return self.limit is None or self.count < self.limit

    def runner(self, **kwargs):
        kwargs = {"name": NAME, "max_steps_per_second": 1000, **kwargs}
        runner = Runner(self.step, lambda: self.count, self.frames.append, **kwargs)
        runner.on_state = lambda: self.states.append((runner.running, runner.error))
        return runner


@pytest.fixture(autouse=True)
def no_thread_left():
    yield
    assert wait_until(lambda: runner_threads() == [], 5), "a test left a runner thread"


def test_start_pause_resume_and_the_last_frame():
    work = Work()
    runner = work.runner()
    runner.start()
    runner.start()  # a second start does nothing
    assert wait_until(lambda: work.count >= 5) and runner.running
    assert len(runner_threads()) == 1
    assert runner.pause() and not runner.running and runner_threads() == []
    count = work.count
    time.sleep(0.05)
    assert work.count == count, "a paused runner does not step"
    runner.start()
    assert wait_until(lambda: work.count > count + 3)
    assert runner.pause()
    assert work.states[-1] == (False, None)
    assert work.frames and all(f <= work.count for f in work.frames)


def test_a_run_that_is_still_stopping_is_never_revived():
    work = Work()
    runner = work.runner()
    work.gate.clear()
    runner.start()
    assert work.entered.wait(5)
    first = work.callers[0]
    assert not runner.pause(timeout=0.05), "the slow step outlives the join"
    runner.start()  # before the first run has ended
    time.sleep(0.05)
    assert len(work.callers) == 1, "the new run waits for the old one to end"
    work.gate.set()
    assert wait_until(lambda: work.count >= 20)
    assert runner.pause()
    assert work.callers.count(first) == 1 and len(set(work.callers)) == 2
    assert work.most_inside == 1


def test_a_step_returning_false_ends_the_run_with_a_frame():
    work = Work(limit=7)
    runner = work.runner()
    runner.start()
    assert wait_until(lambda: not runner.running)
    assert work.count == 7 and work.frames[-1] == 7
    assert wait_until(lambda: work.states[-1] == (False, None))


def test_a_crash_is_reported_with_what_to_do_and_cleared_by_reset():
    work = Work(fail_at=3)
    runner = work.runner()
    runner.start()
    assert wait_until(lambda: runner.error is not None)
    assert runner.error.startswith("ZeroDivisionError: fake bug in step.")
    assert "reset" in runner.error, "the message says what to do next"
    assert wait_until(lambda: work.states[-1] == (False, runner.error))
    assert runner.reset(lambda: None) and runner.error is None
    assert work.states[-1] == (False, None) and work.frames[-1] == work.count


def test_apply_keeps_an_error_instead_of_raising():
    work = Work()
    runner = work.runner()
    assert runner.apply(lambda: work.step()) and work.count == 1 and work.frames == [1]
    assert not runner.apply(lambda: 1 / 0)
    assert "ZeroDivisionError" in runner.error and work.states[-1][1] == runner.error
    runner.start()  # a new run clears it
    assert runner.error is None
    runner.pause()


def test_close_stops_for_good_and_pause_all_pauses_the_others():
    work, other = Work(), Work()
    first, second = work.runner(), other.runner()
    first.start()
    second.start()
    assert wait_until(lambda: work.count > 2 and other.count > 2)
    pause_all(NAME, keep=second)
    assert not first.running and second.running
    assert second.close() and runner_threads() == []
    second.start()
    assert not second.running and runner_threads() == []


def test_drawing_is_throttled_and_never_holds_the_lock():
    work, frames, drawing = Work(), [], threading.Event()

    def slow_frame(count):
        frames.append(count)
        drawing.set()
        time.sleep(0.05)
        drawing.clear()

    runner = Runner(work.step, lambda: work.count, slow_frame, name=NAME,
                    frames_per_second=5, max_steps_per_second=1000)
    runner.start()
    assert drawing.wait(5)
    assert runner.lock.acquire(timeout=0.02), "a frame being drawn must not block a control"
    runner.lock.release()
    time.sleep(1.0)
    assert runner.pause()
    assert 2 <= len(frames) <= 8, f"{len(frames)} frames in about a second at 5 per second"
    assert work.count > 10 * len(frames), "training does not wait for the drawing"


@pytest.mark.parametrize("share, most", [(1 / 3, 4), (0.5, 6)])
def test_drawing_takes_at_most_its_share_of_the_time(share, most):
    work, frames = Work(), []

    def slow_frame(count):  # 0.1 s a frame: at most 1 frame every 0.1 s / share
        frames.append(count)
        time.sleep(0.1)

    runner = Runner(work.step, lambda: work.count, slow_frame, name=NAME,
                    frames_per_second=50, max_steps_per_second=1000, drawing_share=share)
    runner.start()
    time.sleep(1.0)
    assert runner.pause()
    assert 2 <= len(frames) <= most, f"{len(frames)} frames in about a second, share {share:.2f}"


@pytest.mark.parametrize("kwargs, message", [
    (dict(drawing_share=0), r"drawing_share must be a number between 0 and 1 \(exclusive\), "
                            "got 0"),
    (dict(drawing_share=1.5), "drawing_share must be a number between 0 and 1"),
    (dict(step=None), "step must be a function"),
    (dict(on_frame=3), "on_frame must be a function"),
    (dict(on_state="no"), "on_state must be a function or None"),
    (dict(frames_per_second=0), "frames_per_second must be a finite number > 0"),
    (dict(max_steps_per_second=-1), "max_steps_per_second must be a finite number > 0"),
])
def test_bad_arguments_say_what_to_change(kwargs, message):
    arguments = {"step": lambda: True, "snapshot": lambda: None, "on_frame": print, **kwargs}
    with pytest.raises((TypeError, ValueError), match=message):
        Runner(**arguments)


def test_pause_before_any_start():
    assert Work().runner().pause()
