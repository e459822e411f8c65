"""Re-run notebooks on other CPU kernel paths and report every compared output that changes.

numpy's OpenBLAS and PyTorch pick their kernels by the CPU's features (AVX-512, AVX2, …), so
sums run in another order on another reader's machine and the last bits of a float differ.
This diagnostic imitates such a machine on this one: it re-executes each notebook in a fresh
kernel with PyTorch held to a lower instruction set (``ATEN_CPU_CAPABILITY``) and OpenBLAS
to an older core type (``OPENBLAS_CORETYPE``), then compares, cell by cell, what nbval
compares (printed text, ``text/plain`` results, glue records, errors) with the stored outputs.
Nothing is written back. Not part of ``make test``: the project's tests may not set these.

Usage: python tools/portability.py [notebook …]   (default: chapters/ and solutions/)
Exit status 1 when any compared output changed.
"""

import difflib
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
import execute  # noqa: E402

# Each variant names a kernel path that some readers' CPUs take. An OpenBLAS core type is
# used only when this CPU has the instructions it needs (else OpenBLAS would crash).
VARIANTS = {
    "avx2": ({"ATEN_CPU_CAPABILITY": "avx2", "OPENBLAS_CORETYPE": "Haswell"}, {"avx2", "fma"}),
    "baseline": ({"ATEN_CPU_CAPABILITY": "default", "OPENBLAS_CORETYPE": "Sandybridge"}, {"avx"}),
}
EXEMPT_TAGS = {"nbval-ignore-output", "nbval-skip"}
SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"


def cpu_flags():
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    line = next((ln for ln in text.splitlines() if ln.startswith("flags")), "")
    return set(line.partition(":")[2].split())


def sanitizers(path=SANITIZE):
    """(pattern, replacement) pairs from nbval's sanitize file."""
    text = path.read_text()
    pairs = re.findall(r"^regex:\s*(.+?)\s*\nreplace:\s*(.*?)\s*$", text, re.MULTILINE)
    return [(re.compile(pattern), replace) for pattern, replace in pairs]


def compared_outputs(cell, rules=()):
    """The text of what nbval compares for one code cell, sanitised, one string."""
    if cell.cell_type != "code" or EXEMPT_TAGS & set(cell.metadata.get("tags", [])):
        return None
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            parts.append(f"[{out.name}] {out.text}")
        elif out.output_type == "error":
            parts.append(f"[error] {out.ename}: {out.evalue}")
        else:
            for mime, value in sorted(out.get("data", {}).items()):
                if mime.endswith("text/plain"):
                    parts.append(f"[{mime.rsplit('/', 2)[-2]}] {''.join(value)}")
    text = "\n".join(parts)
    for pattern, replace in rules:
        text = pattern.sub(replace, text)
    return text


def differences(stored, rerun, rules=()):
    """(cell index, unified diff) for each code cell whose compared output changed."""
    found = []
    for index, (old, new) in enumerate(zip(stored.cells, rerun.cells)):
        before, after = compared_outputs(old, rules), compared_outputs(new, rules)
        if before != after:
            diff = difflib.unified_diff(before.splitlines(), after.splitlines(),
                                        "stored", "rerun", lineterm="", n=0)
            found.append((index, "\n".join(list(diff)[2:])))
    return found


def run_variant(path, env):
    """Execute ``path`` in a child process with ``env`` set; return the executed notebook."""
    out = Path(os.environ.get("TMPDIR", "/tmp")) / f"portability-{os.getpid()}-{Path(path).name}"
    code = ("import sys, nbformat; sys.path.insert(0, sys.argv[3]); import execute;"
            "nb = nbformat.read(sys.argv[1], as_version=4);"
            "from nbclient import NotebookClient;"
            "NotebookClient(nb, timeout=600, kernel_name='python3', resources={'metadata':"
            " {'path': str(__import__('pathlib').Path(sys.argv[1]).parent)}}).execute();"
            "nbformat.write(execute.clean(nb), sys.argv[2])")
    subprocess.run([sys.executable, "-c", code, str(path), str(out), str(ROOT / "tools")],
                   env={**os.environ, **execute.ENVIRONMENT, **env}, check=True)
    try:
        return nbformat.read(out, as_version=4)
    finally:
        out.unlink(missing_ok=True)


def main(paths):
    paths = paths or sorted(map(str, [*ROOT.glob("chapters/*.ipynb"), *ROOT.glob("solutions/*.ipynb")]))
    flags, rules, changed = cpu_flags(), sanitizers(), 0
    for name, (env, needs) in VARIANTS.items():
        if not needs <= flags:
            env = {k: v for k, v in env.items() if k != "OPENBLAS_CORETYPE"}
        print(f"== {name}: {' '.join(f'{k}={v}' for k, v in env.items())}", flush=True)
        for path in paths:
            found = differences(nbformat.read(path, as_version=4), run_variant(path, env), rules)
            changed += len(found)
            print(f"  {len(found):3d} changed  {path}", flush=True)
            for index, diff in found:
                print(f"      cell {index}:\n" + "\n".join("        " + ln for ln in diff.splitlines()))
    print(f"{changed} compared outputs changed" if changed else "every compared output is the same")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
