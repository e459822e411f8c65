"""Every multiple-choice check gives each wrong option its own feedback: ``choice`` is called,
in every check module, with a ``feedback`` dict whose letters are exactly the options but the
right one (read from the modules' source, so a new check cannot skip it)."""

import ast
import importlib
import pkgutil

import pytest

import nnbook.checks

MODULES = [importlib.import_module(f"nnbook.checks.{m.name}")
           for m in pkgutil.iter_modules(nnbook.checks.__path__)]


def choice_calls(module):
    tree = ast.parse(open(module.__file__, encoding="utf-8").read())
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", "")) == "choice"]


@pytest.mark.parametrize("module", MODULES, ids=[m.__name__ for m in MODULES])
def test_every_wrong_option_has_its_own_feedback(module):
    for call in choice_calls(module):
        args = [*call.args, *(k.value for k in call.keywords)]
        assert len(args) == 4, (f"{module.__name__} line {call.lineno}: choice() without feedback; "
                                "pass a dict letter → why that option is wrong")
        options, feedback = (eval(compile(ast.Expression(a), "<check>", "eval"), vars(module))
                             for a in args[2:])
        correct = eval(compile(ast.Expression(args[1]), "<check>", "eval"), vars(module))
        assert set(feedback) == set(options) - {correct}, (
            f"{module.__name__} line {call.lineno}: feedback for {sorted(feedback)}, "
            f"wrong options are {sorted(set(options) - {correct})}")
        assert all(isinstance(text, str) and len(text) > 10 for text in feedback.values())


def test_the_rule_finds_the_calls():
    assert sum(len(choice_calls(m)) for m in MODULES) >= 5
