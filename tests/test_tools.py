"""The output re-executor stores only what may be stored."""

import sys

import nbformat

from notebooks import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import execute  # noqa: E402
import portability  # noqa: E402


def test_clean_drops_widget_state_and_views_and_merges_streams():
    nb = nbformat.v4.new_notebook()
    nb.metadata["widgets"] = {"state": {}}
    cell = nbformat.v4.new_code_cell("print(1); print(2); w")
    cell.metadata["execution"] = {"iopub.status.busy": "2026-01-01"}
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="1\n"),
        nbformat.v4.new_output("stream", name="stdout", text="2\n"),
        nbformat.v4.new_output("display_data", data={execute.WIDGET_VIEW: {"model_id": "x"},
                                                     "text/plain": "HBox()"}),
        nbformat.v4.new_output("stream", name="stdout", text="3\n"),
    ]
    nb.cells = [cell]
    cleaned = execute.clean(nb)
    assert "widgets" not in cleaned.metadata and "execution" not in cleaned.cells[0].metadata
    outputs = cleaned.cells[0].outputs
    assert [o.output_type for o in outputs] == ["stream"]
    assert outputs[0].text == "1\n2\n3\n"


def test_environment_pins_threads_and_switches_progress_off():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for name, value in [("OMP_NUM_THREADS", "2"), ("NNBOOK_PROGRESS", "0"),
                        ("OMP_WAIT_POLICY", "PASSIVE")]:
        assert execute.ENVIRONMENT[name] == value
        assert f"export {name} := {value}" in makefile


def test_portability_reports_only_the_outputs_nbval_compares():
    def notebook(loss, address, seconds):
        cells = [nbformat.v4.new_code_cell("print(loss)"), nbformat.v4.new_code_cell("f"),
                 nbformat.v4.new_code_cell("t", metadata={"tags": ["nbval-ignore-output"]}),
                 nbformat.v4.new_code_cell("plot()")]
        cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"loss {loss}\n")]
        cells[1].outputs = [nbformat.v4.new_output(
            "execute_result", data={"text/plain": f"<function f at {address}>"}, execution_count=1)]
        cells[2].outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"{seconds} s\n")]
        cells[3].outputs = [nbformat.v4.new_output("display_data", data={"image/png": seconds})]
        nb = nbformat.v4.new_notebook()
        nb.cells = cells
        return nb
    rules = portability.sanitizers()
    stored = notebook("0.0405", "0x7f00aa11bb22", "1.5")
    assert portability.differences(stored, notebook("0.0405", "0x7f99cc33dd44", "2.5"), rules) == []
    found = portability.differences(stored, notebook("0.0406", "0x7f00aa11bb22", "1.5"), rules)
    assert found == [(0, "@@ -1 +1 @@\n-[stdout] loss 0.0405\n+[stdout] loss 0.0406")]


def test_time_budgets_follow_the_conventions():
    from conftest import budget
    assert budget("chapters/05_digits.ipynb") == 60
    assert budget("chapters/09_attention.ipynb") == 120
    assert budget("chapters/12_black_box.ipynb") == 60
    assert budget("solutions/09_attention.ipynb") == 60
