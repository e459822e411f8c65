"""nnbook.gpu (Chapter 13's formulas, tables and measurements), nnbook.benchmark (the recorded
runs) and the pieces of the training loop and the data sets that Chapter 13 added."""

import json
import os

import numpy as np
import pytest
import torch
from torch import nn

from nnbook import benchmark, gpu, timing
from nnbook.data import ArrayDataset, SlowDataset
from nnbook.training import fit_steps


def test_matmul_intensity_is_n_over_six_in_fp32_and_n_over_three_in_bf16():
    for n in (1, 64, 4096):
        assert gpu.matmul_intensity(n, 4) == pytest.approx(n / 6)
        assert gpu.matmul_intensity(n, 2) == pytest.approx(n / 3)


def test_the_roofline_is_bandwidth_bound_below_the_ridge_and_flat_above():
    peak, bandwidth = 100e12, 1e12            # ridge at 100 FLOPs/byte
    assert gpu.attainable_flops(10, peak, bandwidth) == pytest.approx(10e12)
    assert gpu.attainable_flops(100, peak, bandwidth) == pytest.approx(peak)
    assert gpu.attainable_flops(1e4, peak, bandwidth) == peak


def test_cpu_peak_mfu_state_and_days_by_their_formulas():
    assert gpu.cpu_peak_flops(2, 2.5, 32) == pytest.approx(160e9)
    # 1000 tokens/s of 1e6 forward FLOPs each on a 1e10 FLOP/s device: 3e9 / 1e10
    assert gpu.model_flops_utilization(1000, 1e6, 1e10) == pytest.approx(0.3)
    assert gpu.training_state_bytes(1000) == 16_000                       # Adam, fp32
    assert gpu.training_state_bytes(1000, optimizer_slots=0) == 8_000     # plain SGD
    # 6 N D FLOPs at peak × mfu: 6e18 / (1e14 × 0.5 × 2) s = 6e4 s
    assert gpu.training_days(1e9, 1e9, 1e14, 0.5, 2) == pytest.approx(6e4 / 86400)


def test_gpu_peaks_are_found_by_the_names_cuda_reports():
    name, flops, bandwidth = gpu.gpu_peak("NVIDIA H200")
    assert "H200" in name and flops == pytest.approx(989.5e12) and bandwidth == 4800e9
    assert gpu.gpu_peak("NVIDIA A100-SXM4-80GB", "tf32")[1] == pytest.approx(156e12)
    assert gpu.gpu_peak("Tesla T4", "float16")[1] == pytest.approx(65e12)
    assert gpu.gpu_peak("NVIDIA L40S") is None          # not the L4
    assert gpu.gpu_peak("Apple M2") is None
    with pytest.raises(ValueError, match="dtype"):
        gpu.gpu_peak("NVIDIA H100", "int8")


def test_every_datasheet_entry_is_complete_and_dense_peaks_order_by_precision():
    for key, entry in gpu.GPU_PEAKS.items():
        assert key in entry["name"] and entry["bandwidth"] > 0
        assert entry["float32"] < entry.get("tf32", np.inf)
        assert entry.get("tf32", 0) <= entry.get("bfloat16", entry.get("float16"))


@pytest.mark.parametrize("vendor, flags, fp32, bf16", [
    ("GenuineIntel", "avx avx2 fma avx512f avx512_bf16", 64, 128),
    ("AuthenticAMD", "avx avx2 fma avx512f avx512_bf16", 32, 64),   # Zen 4: two halves
    ("GenuineIntel", "avx avx2 fma", 32, 32),
    ("GenuineIntel", "sse4_2 avx", 8, 8),                             # no FMA
])
def test_flops_per_cycle_from_the_instruction_set(vendor, flags, fp32, bf16):
    info = {"vendor": vendor, "flags": set(flags.split())}
    assert gpu.flops_per_cycle(info, "float32") == fp32
    assert gpu.flops_per_cycle(info, "bfloat16") == bf16


def test_this_cpu_is_described_and_its_peak_worked_out():
    info = gpu.cpu_info()
    assert info["cores"] == torch.get_num_threads() and info["name"]
    name, peak = gpu.device_peak("cpu")
    if info["ghz"] is not None:
        assert peak == pytest.approx(gpu.cpu_peak_flops(
            info["cores"], info["ghz"], gpu.flops_per_cycle(info)))
    assert "threads" in gpu.machine_summary("cpu")


def test_matmul_throughput_is_positive_and_checks_its_arguments():
    assert gpu.matmul_throughput(32, "float32", "cpu", repeats=1, seconds=0.001) > 0
    with pytest.raises(ValueError, match="n must be"):
        gpu.matmul_throughput(0)
    with pytest.raises(ValueError, match="dtype"):
        gpu.matmul_throughput(8, "int8")
    assert torch.backends.cuda.matmul.allow_tf32 is False   # restored after "tf32"
    gpu.matmul_throughput(8, "tf32", "cpu", repeats=1, seconds=0.001)
    assert torch.backends.cuda.matmul.allow_tf32 is False


def test_saved_activations_are_the_tensors_autograd_keeps_counted_once():
    torch.manual_seed(0)
    layer = nn.Linear(10, 5)
    X = torch.randn(3, 10, requires_grad=True)
    # addmm keeps its input (3 × 10) and, since X needs a gradient, the weight (5 × 10);
    # relu keeps its output (3 × 5): 4 bytes each
    _, everything = gpu.saved_activation_bytes(lambda: torch.relu(layer(X)).sum())
    assert everything == 4 * (30 + 50 + 15)
    result, saved = gpu.saved_activation_bytes(lambda: torch.relu(layer(X)).sum(),
                                               exclude=layer.parameters())
    assert saved == 4 * (30 + 15) and result.requires_grad
    with torch.no_grad():
        assert gpu.saved_activation_bytes(lambda: layer(X))[1] == 0


def test_the_profilers_peak_sees_what_a_function_allocates():
    def allocate():
        a = torch.ones(1000, 1000)      # 4 MB
        b = a + 1                       # 4 MB more, both alive
        return float(b[0, 0])
    peak = gpu.profiled_peak_bytes(allocate)
    assert 8_000_000 <= peak < 8_100_000


def test_quiet_stderr_silences_file_descriptor_2_and_then_restores_it(capfd):
    with gpu.quiet_stderr():
        os.write(2, b"tracing line\n")
    os.write(2, b"after\n")
    assert capfd.readouterr().err == "after\n"


def test_train_step_lowers_the_loss_in_fp32_bf16_and_with_a_grad_scaler():
    for amp, scaler in ((None, None), (torch.bfloat16, None),
                        (None, torch.amp.GradScaler("cpu"))):
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 1))
        opt = torch.optim.SGD(model.parameters(), lr=0.05)
        X = torch.randn(64, 4)
        y = X @ torch.ones(4, 1)
        losses = [float(gpu.train_step(model, nn.functional.mse_loss, opt, X, y, amp, scaler))
                  for _ in range(30)]
        assert losses[-1] < 0.8 * losses[0], (amp, scaler)


def test_fit_trains_in_bf16_autocast_and_refuses_another_dtype():
    torch.manual_seed(0)
    X, y = torch.randn(256, 4), torch.randint(0, 2, (256,))
    data = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=32)
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 2))
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    history = fit_steps(model, data, nn.functional.cross_entropy, opt, 40, eval_every=20,
                        amp_dtype=torch.bfloat16, device="cpu")
    assert history["train loss"][-1] < history["train loss"][0]
    with pytest.raises(ValueError, match="amp_dtype must be None"):
        fit_steps(model, data, nn.functional.cross_entropy, opt, 1, amp_dtype=torch.int8,
                  device="cpu")


def test_measure_uses_cuda_events_only_on_a_cuda_device():
    assert timing._cuda_events(None) is None
    assert timing._cuda_events("cpu") is None
    assert timing._cuda_events(torch.device("meta")) is None


def test_slow_dataset_returns_the_array_datasets_samples_and_checks_seconds():
    X, y = np.random.rand(4, 3), np.arange(4)
    slow, plain = SlowDataset(X, y, seconds=0), ArrayDataset(X, y)
    assert all(torch.equal(slow[i][0], plain[i][0]) for i in range(4))
    with pytest.raises(ValueError, match="seconds must be ≥ 0"):
        SlowDataset(X, y, seconds=-1)


def test_the_benchmark_writes_a_run_the_chapter_can_show(tmp_path):
    out = tmp_path / "run.json"
    assert benchmark.main(["--quick", "--device", "cpu", "--out", str(out)]) == 0
    record = json.loads(out.read_text(encoding="utf-8"))
    assert record["device"] == "cpu" and record["torch"] == torch.__version__
    assert {row["dtype"] for row in record["matmul"]} == {"float32", "bfloat16"}
    assert all(row["tflops"] > 0 for row in record["matmul"])
    assert [row["precision"] for row in record["transformer"]["rows"]] == ["fp32",
                                                                           "bf16 autocast"]
    assert benchmark.load_runs(tmp_path) == [record]


def test_every_recorded_run_is_complete_and_fits_the_page():
    runs = benchmark.load_runs()
    assert runs, "nnbook/runs/ holds at least the CPU run the chapter shows"
    for record in runs:
        lines = benchmark.describe_run(record)
        assert all(len(line) <= 76 for line in lines), lines
        assert record["date"] and record["machine"] and record["peak_source"]
        assert len(lines) == 4 + len(record["matmul"]) + 1 + len(record["transformer"]["rows"])


def test_the_benchmark_needs_nothing_but_pytorch_and_numpy():
    import subprocess
    import sys
    code = ("import sys, nnbook.benchmark; "
            "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))")
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                check=True).stdout.split())
    for course_only in ("matplotlib", "sklearn", "mnist1d", "ipywidgets", "IPython", "myst_nb"):
        assert course_only not in loaded, f"python -m nnbook.benchmark imports {course_only}"


def test_measure_times_a_cuda_device_with_events_recorded_around_the_calls(monkeypatch):
    """No GPU here: fake events that read the host's clock stand in for CUDA's, to show that
    measure records one before and one after the calls and reads the time between them."""
    import time as clock
    recorded = []

    class FakeEvent:
        def __init__(self, enable_timing=False):
            assert enable_timing
            self.at = None

        def record(self):
            self.at = clock.perf_counter()
            recorded.append(self)

        def synchronize(self):
            pass

        def elapsed_time(self, end):      # milliseconds, as CUDA's
            return 1e3 * (end.at - self.at)

    monkeypatch.setattr(torch.cuda, "Event", FakeEvent)
    result = timing.measure(lambda: clock.sleep(0.01), number=2, repeats=3, warmup=0,
                            device="cuda")
    assert len(recorded) == 2 * 3
    assert 0.009 < result.median < 0.05


def test_a_recorded_gpu_run_is_described_with_its_unknown_peaks_marked():
    record = {"device": "cuda", "machine": "NVIDIA X1 (cuda), PyTorch 9, 8 threads, 16 CPUs",
              "peak_source": "datasheet of the NVIDIA X1", "date": "2030-01-01", "torch": "9",
              "matmul": [{"n": 8192, "dtype": "bfloat16", "tflops": 700.0, "peak_tflops": None,
                          "fraction": None}],
              "transformer": {"config": benchmark.TRANSFORMER,
                              "rows": [{"precision": "fp32", "tokens_per_s": 1e6,
                                        "flops_per_token": 1, "mfu": None}]}}
    lines = benchmark.describe_run(record)
    assert lines[4].split() == ["8192", "bfloat16", "700", "?"]
    assert lines[-1].endswith("MFU ?")
