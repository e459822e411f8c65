"""Build a class across several notebook cells, one method per idea."""

from nnbook.validation import as_function, as_instance


def add_to_class(cls):
    """Decorator: attach the decorated function to ``cls`` as a method of the same name.

    Used in chapters to add methods to a class defined in an earlier cell::

        @add_to_class(Value)
        def __mul__(self, other): ...
    """
    as_instance(cls, "cls", type, "a class (add_to_class(MyClass) above a def)")

    def attach(fn):
        as_function(fn, "fn", "a function (add_to_class decorates a def)")
        setattr(cls, fn.__name__, fn)
        return fn

    return attach
