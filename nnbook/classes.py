"""Build a class across several notebook cells, one method per idea."""


def add_to_class(cls):
    """Decorator: attach the decorated function to ``cls`` as a method of the same name.

    Used in chapters to add methods to a class defined in an earlier cell::

        @add_to_class(Value)
        def __mul__(self, other): ...
    """
    if not isinstance(cls, type):
        raise TypeError(f"add_to_class needs a class, got {type(cls).__name__}")

    def attach(fn):
        if not callable(fn):
            raise TypeError(f"add_to_class decorates a function, got {type(fn).__name__}")
        setattr(cls, fn.__name__, fn)
        return fn

    return attach
