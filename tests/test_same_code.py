"""Code lives in one place: a chapter cell marked ``#@save nnbook.<module>`` must define
exactly what the package defines, definition by definition (compared on the normalised
syntax tree, positions ignored, and the docstrings compared on their own, indentation
cleaned): functions, methods, module-level constants, and each class's own body (its bases,
decorators and class attributes).

The other direction holds too: a module that chapters save into holds nothing else but what
is listed in ``PACKAGE_ONLY`` (argument validation and lookup tables that wrap the taught code),
so a definition a chapter drops, or one written only into the package, is reported."""

import ast
import importlib
import inspect
import re

import pytest

from notebooks import CHAPTERS, ROOT, read

SAVE = re.compile(r"^#@save\s+(nnbook(?:\.\w+)+)\s*$", re.MULTILINE)
CLASS_BODY = "<class body>"
# What a module may hold beyond the chapters' saved cells: validation and tables around them,
# and the headless compute_* of a chapter's explorer (its checks use it without the widget).
PACKAGE_ONLY = {
    "nnbook.activations": {"ACTIVATIONS", "DERIVATIVES", "TRAINABLE", "get_activation",
                           "NEURON_DATASETS", "neuron_data", "compute_neuron"},
    "nnbook.learning": {"validate_data", "validate_descent", "validate_logistic", "validate_losses",
                        "validate_pair", "validate_perceptron", "validate_run",
                        "REGIMES", "EXPLORER_DATA", "EXPLORER_BATCH_SIZES", "EXPLORER_DEFAULTS",
                        "compute_learning_rate", "regime_message"},
    "nnbook.autograd": {"validate_power"},
    "nnbook.valuenet": {"validate_neuron"},
    "nnbook.scratch": {"DTYPE", "LOSSES", "validate_batch", "validate_fit", "validate_inputs",
                       "validate_mlp"},
    "nnbook.conv": {"validate_conv", "validate_pool"},
    "nnbook.data": {"_as_float32", "_as_targets", "ArrayDataset", "array_loader", "SlowDataset"},
    "nnbook.generalization": {"validate_subset", "_as_signals", "validate_augment", "validate_data",
                              "validate_train", "validate_features", "validate_lstsq"},
    "nnbook.explain": {"_shape", "validate_inputs", "validate_integrated", "validate_occlusion",
                       "validate_maps", "validate_randomized"},
    "nnbook.gpu": {"GPU_PEAKS", "DTYPES", "BYTES", "gpu_peak", "cpu_info", "flops_per_cycle",
                   "device_peak", "matmul_throughput", "saved_activation_bytes", "quiet_stderr",
                   "profiled", "profiled_peak_bytes", "round_sig", "machine_summary",
                   "train_step"},
    "nnbook.attention": {"POSITIONS", "_shape", "_as_tensor", "_check_mask", "validate_attention",
                         "validate_lengths", "validate_positions", "validate_heads",
                         "validate_transformer", "validate_tokens", "validate_generate",
                         "validate_torch_mha"},
}


def _strip_docstring(node):
    body = getattr(node, "body", None)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        node.body = body[1:] or [ast.Pass()]
    return node


def normalise(node, drop_decorators=False):
    node = _strip_docstring(ast.fix_missing_locations(node)) if hasattr(node, "body") else node
    if drop_decorators:
        node.decorator_list = []
    return ast.dump(node, annotate_fields=False, include_attributes=False)


def _add_to_class_target(node):
    for deco in node.decorator_list:
        if isinstance(deco, ast.Call) and getattr(deco.func, "id", "") == "add_to_class":
            return deco.args[0].id
    return None


def _assigned_name(node):
    """The constant a module-level ``NAME = …`` or ``NAME: T = …`` binds, else None.

    Only upper-case names are definitions; a lower-case assignment in a saved cell is the
    chapter trying the definitions out, and the package does not hold it.
    """
    targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
    names = [t.id for t in targets if isinstance(t, ast.Name) and t.id.isupper()]
    return names[0] if len(names) == 1 and len(targets) == 1 else None


def _class_body(node):
    """A class without its methods: bases, keywords, decorators and class attributes."""
    shell = ast.ClassDef(name=node.name, bases=node.bases, keywords=node.keywords,
                         body=[n for n in node.body if not isinstance(n, ast.FunctionDef)],
                         decorator_list=node.decorator_list, type_params=[])
    return ast.fix_missing_locations(ast.copy_location(shell, node))


def definitions(tree):
    """(class or None, name, node) for each definition at the top of a module or cell."""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            yield _add_to_class_target(node), node.name, node
        elif isinstance(node, ast.ClassDef):
            yield node.name, CLASS_BODY, _class_body(node)
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    yield node.name, item.name, item
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and _assigned_name(node):
            yield None, _assigned_name(node), node


def saved_definitions():
    """(notebook, module, class or None, name, ast node) for every saved definition."""
    found = []
    for path in CHAPTERS:
        for cell in read(path).cells:
            match = SAVE.search(cell.source) if cell.cell_type == "code" else None
            if not match:
                continue
            tree = ast.parse("\n".join(l for l in cell.source.splitlines() if not l.startswith(("%", "!"))))
            rel = path.relative_to(ROOT).as_posix()
            found += [(rel, match.group(1), *d) for d in definitions(tree)]
    return found


def package_definitions(module_name):
    """{(class or None, name): node} of a package module."""
    tree = ast.parse(inspect.getsource(importlib.import_module(module_name)))
    return {(cls, name): node for cls, name, node in definitions(tree)}


def package_definition(module_name, class_name, name):
    defs = package_definitions(module_name)
    assert (class_name, name) in defs, \
        f"{module_name}.{class_name + '.' if class_name else ''}{name} is not in the package"
    return defs[(class_name, name)]


DEFINITIONS = saved_definitions()


def test_chapters_save_definitions():
    assert DEFINITIONS, "no chapter cell is marked #@save: the sameness test would check nothing"


@pytest.mark.parametrize("notebook, module, class_name, name, node", DEFINITIONS,
                         ids=[f"{d[0]}:{d[1]}.{d[2] + '.' if d[2] else ''}{d[3]}" for d in DEFINITIONS])
def test_chapter_definition_matches_package(notebook, module, class_name, name, node):
    package = package_definition(module, class_name, name)
    # The docstrings first (normalise drops them), compared once their indentation is cleaned.
    docs = [ast.get_docstring(n) if hasattr(n, "body") else None for n in (node, package)]
    assert docs[0] == docs[1], \
        f"{notebook} documents {name} differently from {module}: copy the docstring across"
    saved_by_decorator = isinstance(node, ast.FunctionDef) and _add_to_class_target(node) is not None
    mine = normalise(node, drop_decorators=saved_by_decorator)
    theirs = normalise(package)
    assert mine == theirs, f"{notebook} defines {name} differently from {module}: change one to match the other"


@pytest.mark.parametrize("module", sorted({d[1] for d in DEFINITIONS}))
def test_package_holds_nothing_the_chapters_dropped(module):
    saved = {(d[2], d[3]) for d in DEFINITIONS if d[1] == module}
    assert module in PACKAGE_ONLY, f"{module} receives #@save cells: list its package-only names"
    extra = sorted(f"{cls + '.' if cls else ''}{name}" for cls, name in package_definitions(module)
                   if (cls, name) not in saved and (cls or name) not in PACKAGE_ONLY[module]
                   and not (cls and (None, cls) in saved))
    assert not extra, (f"{module} defines {extra}, which no chapter's #@save cell defines: "
                       "a chapter dropped it (remove it here too) or it belongs in PACKAGE_ONLY")


def test_the_comparison_sees_class_attributes_and_assignments():
    chapter = ast.parse("class A(Base):\n    x = 1\n    def f(self): return 1\nN = 3\nn = A()\n")
    package = ast.parse("class A(Base):\n    x = 2\n    def f(self): return 1\nN = 4\n")
    mine = {(c, n): normalise(node) for c, n, node in definitions(chapter)}
    theirs = {(c, n): normalise(node) for c, n, node in definitions(package)}
    assert set(mine) == {("A", CLASS_BODY), ("A", "f"), (None, "N")} == set(theirs)
    assert mine[("A", "f")] == theirs[("A", "f")]
    assert mine[("A", CLASS_BODY)] != theirs[("A", CLASS_BODY)]
    assert mine[(None, "N")] != theirs[(None, "N")]
