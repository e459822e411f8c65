"""Record a device's throughput as JSON: ``python -m nnbook.benchmark --out run.json``.

Chapter 13 measures the machine it runs on; this script takes the same measurements where
there is no Jupyter (a GPU server, say) and writes them to a file that the chapter renders as
a recorded run: the device, the date, PyTorch's version, matrix-multiply throughput by size
and dtype as FLOP/s and as a share of the device's peak, and the training throughput and
model FLOPs utilisation of Chapter 9's transformer, in fp32 and under bf16 autocast. It
needs only PyTorch, numpy and the standard library (through ``nnbook``), so it runs with
whatever PyTorch that machine has.
"""

import argparse
import datetime
import json
import sys
from pathlib import Path

import torch

from nnbook.attention import TinyTransformer, flops_per_token
from nnbook.device import best_device
from nnbook.gpu import (cpu_info, device_peak, flops_per_cycle, machine_summary,
                        matmul_throughput, round_sig, train_step)
from nnbook.timing import measure

SIZES = (256, 1024, 4096, 8192)
QUICK_SIZES = (64, 256)
# Chapter 9's sorting transformer at a size a GPU can keep busy: digits 0–9 and two
# markers, 4 layers of width 256 over a context of 128, batch 64.
TRANSFORMER = {"vocab_size": 12, "context": 128, "dim": 256, "num_layers": 4, "batch": 64}
QUICK_TRANSFORMER = {"vocab_size": 12, "context": 16, "dim": 64, "num_layers": 2, "batch": 32}


def dtypes_for(device):
    """The dtypes to time on ``device``: fp16 and tf32 only where a GPU has them."""
    if device.type == "cuda":
        return ("float32", "tf32", "bfloat16", "float16")
    return ("float32", "bfloat16")


def matmul_rows(device, sizes):
    rows = []
    for dtype in dtypes_for(device):
        _, peak = device_peak(device, dtype)
        for n in sizes:
            flops = matmul_throughput(n, dtype, device)
            rows.append({"n": n, "dtype": dtype, "tflops": round_sig(flops / 1e12, 4),
                         "peak_tflops": round_sig(peak / 1e12, 4) if peak else None,
                         "fraction": round(flops / peak, 4) if peak else None})
    return rows


def transformer_rows(device, config, steps=5):
    rows = []
    for amp in (None, torch.bfloat16):
        torch.manual_seed(0)
        model = TinyTransformer(config["vocab_size"], config["context"], dim=config["dim"],
                                num_heads=4, num_layers=config["num_layers"]).to(device)
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
        X = torch.randint(0, config["vocab_size"], (config["batch"], config["context"]),
                          device=device)
        loss_fn = lambda scores, y: torch.nn.functional.cross_entropy(  # noqa: E731
            scores.flatten(0, 1), y.flatten())
        timing = measure(lambda: train_step(model, loss_fn, optimizer, X, X, amp),
                         number=steps, repeats=3, warmup=2, device=device)
        tokens_per_s = X.numel() / timing.median
        flops = flops_per_token(config["vocab_size"], config["context"], config["dim"],
                                config["num_layers"])
        _, peak = device_peak(device, "bfloat16" if amp else "float32")
        rows.append({"precision": "bf16 autocast" if amp else "fp32",
                     "tokens_per_s": round_sig(tokens_per_s, 4), "flops_per_token": flops,
                     "mfu": round(3 * flops * tokens_per_s / peak, 4) if peak else None})
    return rows


def peak_source(device):
    """Where the peaks come from: a GPU's datasheet, or the CPU's sum."""
    if device.type == "cuda":
        return f"datasheet of the {device_peak(device)[0]}"
    info = cpu_info()
    if info["ghz"] is None:
        return "unknown (the OS reports no clock)"
    return (f"{info['cores']} threads × {info['ghz']:.2f} GHz × "
            f"{flops_per_cycle(info)} FLOPs/cycle in fp32, twice in bf16"
            if flops_per_cycle(info, "bfloat16") > flops_per_cycle(info) else
            f"{info['cores']} threads × {info['ghz']:.2f} GHz × {flops_per_cycle(info)} FLOPs/cycle")


def run(device=None, quick=False):
    """Every measurement, as one JSON-ready dict."""
    device = torch.device(device) if device else best_device()
    return {"device": device.type, "machine": machine_summary(device),
            "peak_source": peak_source(device),
            "date": datetime.date.today().isoformat(), "torch": torch.__version__,
            "matmul": matmul_rows(device, QUICK_SIZES if quick else SIZES),
            "transformer": {"config": QUICK_TRANSFORMER if quick else TRANSFORMER,
                            "rows": transformer_rows(device, QUICK_TRANSFORMER if quick
                                                     else TRANSFORMER)}}


RUNS = Path(__file__).parent / "runs"


def load_runs(folder=RUNS):
    """Every recorded run in ``folder`` (``nnbook/runs/*.json``), by file name."""
    return [json.loads(path.read_text(encoding="utf-8"))
            for path in sorted(Path(folder).glob("*.json"))]


def describe_run(record):
    """A recorded run as lines of text: the machine, then its matrix-multiply
    and transformer throughputs (each ≤ 76 characters)."""
    lines = [record["machine"], f"recorded {record['date']}",
             f"peak: {record['peak_source']}",
             f"{'matmul n':>9s}{'dtype':>10s}{'TFLOP/s':>10s}{'% of peak':>11s}"]
    for row in record["matmul"]:
        share = f"{100 * row['fraction']:.0f}" if row["fraction"] is not None else "?"
        lines.append(f"{row['n']:9d}{row['dtype']:>10s}{row['tflops']:10.3g}{share:>11s}")
    config = record["transformer"]["config"]
    lines.append(f"transformer: {config['num_layers']} layers of width {config['dim']}, "
                 f"context {config['context']}, batch {config['batch']}")
    for row in record["transformer"]["rows"]:
        mfu = f"{100 * row['mfu']:.0f} %" if row["mfu"] is not None else "?"
        lines.append(f"{row['precision']:>15s}: {row['tokens_per_s']:.3g} tokens/s, "
                     f"MFU {mfu}")
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m nnbook.benchmark", description=__doc__)
    parser.add_argument("--out", help="write the JSON here (default: print it)")
    parser.add_argument("--device", help="cuda, mps or cpu (default: the best present)")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    args = parser.parse_args(argv)
    record = run(args.device, args.quick)
    text = json.dumps(record, indent=1)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as out:
            out.write(text + "\n")
        print(f"wrote {args.out}")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
