"""nnbook.timing: warm-up, repeats and the median, validated arguments."""

import time

import pytest

from nnbook.timing import Timing, measure


def test_measure_warms_up_then_times_each_call():
    calls = []

    def work():
        calls.append(time.perf_counter())
        time.sleep(0.002)
    timing = measure(work, number=3, repeats=4, warmup=2)
    assert len(calls) == 2 + 3 * 4
    assert isinstance(timing, Timing) and timing.repeats == 4 and timing.number == 3
    assert 0.0015 < timing.best <= timing.median <= timing.worst < 0.05


def test_the_median_ignores_one_interrupted_repeat():
    delays = iter([0.0, 0.001, 0.001, 0.05, 0.001, 0.001])  # warm-up, then one slow repeat
    timing = measure(lambda: time.sleep(next(delays)), repeats=5)
    assert timing.median < 0.01 and timing.worst >= 0.05


def test_timing_reads_in_words():
    assert str(Timing(0.00123, 0.001, 0.002, 5, 10)) == "1.23 ms per call (median of 5; 1 ms–2 ms)"


@pytest.mark.parametrize("kwargs, error, message", [
    ({"number": 0}, ValueError, "number must be an int ≥ 1, got 0"),
    ({"repeats": 2.5}, TypeError, "repeats must be an int ≥ 1, got 2.5"),
    ({"warmup": -1}, ValueError, "warmup must be an int ≥ 0, got -1"),
    ({"warmup": True}, TypeError, "warmup must be an int ≥ 0, got True"),
])
def test_bad_settings_say_what_to_change(kwargs, error, message):
    with pytest.raises(error) as raised:
        measure(lambda: None, **kwargs)
    assert str(raised.value) == message


def test_fn_must_be_callable():
    with pytest.raises(TypeError) as raised:
        measure(3)
    assert str(raised.value) == "fn must be a function to call with no arguments, got 3"


def test_the_last_result_is_kept_and_the_collector_pauses_while_timing():
    import gc

    seen = []
    timing = measure(lambda: seen.append(gc.isenabled()) or len(seen), repeats=3, warmup=1)
    assert timing.result == 4 and seen == [True, False, False, False]
    assert gc.isenabled(), "the collector is switched back on"


def test_the_collector_stays_off_if_it_was_off_and_comes_back_after_an_error():
    import gc

    gc.disable()
    try:
        measure(lambda: None, repeats=2)
        assert not gc.isenabled()
    finally:
        gc.enable()

    def fails():
        raise RuntimeError("boom")
    with pytest.raises(RuntimeError):
        measure(fails, warmup=0)
    assert gc.isenabled()
