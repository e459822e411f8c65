"""Re-execute notebooks in place, each in a fresh kernel: the only way stored outputs are made.

Sets the same environment as the tests (two threads, no progress displays), stores no
widget state and drops widget views from the outputs (a live widget needs a kernel),
and prints each notebook's run time.

Usage: python tools/execute.py chapters/01_neuron.ipynb solutions/*.ipynb
"""

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

# The tests (Makefile) set the same values: outputs must not depend on the thread count.
# OMP_WAIT_POLICY=PASSIVE: idle OpenMP threads sleep instead of spinning. With two kernels on
# two cores (the tests run two workers), spinning threads starve the working ones: a PyTorch
# loop measured 60 times slower. It changes scheduling only, never a result.
ENVIRONMENT = {"OMP_NUM_THREADS": "2", "MKL_NUM_THREADS": "2", "OPENBLAS_NUM_THREADS": "2",
               "OMP_WAIT_POLICY": "PASSIVE",
               "NNBOOK_PROGRESS": "0", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def coalesce_streams(outputs):
    """Merge consecutive stream outputs of the same name: how a print is split is timing-dependent."""
    merged = []
    for out in outputs:
        if merged and out.output_type == "stream" and merged[-1].output_type == "stream" \
                and merged[-1].name == out.name:
            merged[-1].text += out.text
        else:
            merged.append(out)
    return merged


def clean(notebook):
    """Remove what must not be stored: widget state and views, timing metadata; merge streams."""
    notebook.metadata.pop("widgets", None)
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            outputs = [out for out in cell.outputs if WIDGET_VIEW not in out.get("data", {})]
            cell.outputs = coalesce_streams(outputs)
    return notebook


def execute(path, timeout=300):
    """Run the notebook at ``path`` top to bottom in a fresh kernel; return seconds taken."""
    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}},
                            record_timing=False)  # widget state is dropped by clean()
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    nbformat.write(clean(notebook), path)
    return seconds


def main(paths):
    os.environ.update(ENVIRONMENT)
    if not paths:
        print(__doc__)
        return 2
    for path in paths:
        print(f"{execute(path):6.1f} s  {path}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
