"""Code lives in one place: a chapter cell marked ``#@save nnbook.<module>`` must define
exactly what the package defines, definition by definition (compared on the normalised
syntax tree: docstrings dropped, positions ignored)."""

import ast
import importlib
import inspect
import re

import pytest

from notebooks import CHAPTERS, ROOT, read

SAVE = re.compile(r"^#@save\s+(nnbook(?:\.\w+)+)\s*$", re.MULTILINE)


def _strip_docstring(node):
    body = getattr(node, "body", None)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        node.body = body[1:] or [ast.Pass()]
    return node


def normalise(node, drop_decorators=False):
    node = _strip_docstring(ast.fix_missing_locations(node))
    if drop_decorators:
        node.decorator_list = []
    return ast.dump(node, annotate_fields=False, include_attributes=False)


def _add_to_class_target(node):
    for deco in node.decorator_list:
        if isinstance(deco, ast.Call) and getattr(deco.func, "id", "") == "add_to_class":
            return deco.args[0].id
    return None


def saved_definitions():
    """(notebook, module, class or None, name, ast node) for every saved definition."""
    found = []
    for path in CHAPTERS:
        for cell in read(path).cells:
            match = SAVE.search(cell.source) if cell.cell_type == "code" else None
            if not match:
                continue
            tree = ast.parse("\n".join(l for l in cell.source.splitlines() if not l.startswith(("%", "!"))))
            for node in tree.body:
                rel = path.relative_to(ROOT).as_posix()
                if isinstance(node, ast.FunctionDef):
                    found.append((rel, match.group(1), _add_to_class_target(node), node.name, node))
                elif isinstance(node, ast.ClassDef):
                    for item in node.body:
                        if isinstance(item, ast.FunctionDef):
                            found.append((rel, match.group(1), node.name, item.name, item))
    return found


def package_definition(module_name, class_name, name):
    tree = ast.parse(inspect.getsource(importlib.import_module(module_name)))
    scope = tree.body
    if class_name:
        classes = [n for n in scope if isinstance(n, ast.ClassDef) and n.name == class_name]
        assert classes, f"{module_name} has no class {class_name}"
        scope = classes[0].body
    defs = [n for n in scope if isinstance(n, ast.FunctionDef) and n.name == name]
    assert defs, f"{module_name}.{class_name + '.' if class_name else ''}{name} is not in the package"
    return defs[0]


DEFINITIONS = saved_definitions()


def test_chapters_save_definitions():
    assert DEFINITIONS, "no chapter cell is marked #@save: the sameness test would check nothing"


@pytest.mark.parametrize("notebook, module, class_name, name, node", DEFINITIONS,
                         ids=[f"{d[0]}:{d[1]}.{d[2] + '.' if d[2] else ''}{d[3]}" for d in DEFINITIONS])
def test_chapter_definition_matches_package(notebook, module, class_name, name, node):
    mine = normalise(node, drop_decorators=_add_to_class_target(node) is not None)
    theirs = normalise(package_definition(module, class_name, name))
    assert mine == theirs, f"{notebook} defines {name} differently from {module}: change one to match the other"
