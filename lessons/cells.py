"""What a learner sees when a notebook cell fails: one line, never a traceback.

``install(shell)`` (called by ``Lab.start``) makes IPython send every exception of a cell
through :func:`show`:

* an error of the lab, of the engine or of the system (lessons.errors.explain) prints
  ``error: ...; next step: ...``; an unexpected exception inside the lab prints that it is a
  bug in the lab, where to report it and how to see the traceback (``LESSONS_DEBUG=1``);
* a mistake in the learner's own code keeps Python's usual traceback: it is theirs to read;
* every name the failed cell was to assign, and that is still undefined, is bound to a
  :class:`NoResult`: the next cell that uses it fails with a line that names the earlier
  failure instead of a ``NameError``.

The cell still fails (the kernel reports an error, Run All stops there): a helper that
returned a placeholder instead of raising would let the notebook run on past the failure. In a
Jupyter kernel the one line goes out as the cell's error output (its only traceback line), so
JupyterLab shows the cell failed and nbval fails it; elsewhere (a terminal IPython, the tests'
shell) it is printed to stderr.
"""

from __future__ import annotations

import ast
import functools
import linecache
import re
import sys
from pathlib import Path

import pandas as pd

from .errors import EXPECTED, PACKAGE, LabError, debugging, explain, one_line


class NoResult:
    """Stands for the value a failed cell did not produce; any use raises a LabError that
    says which failure it was."""

    def __init__(self, name: str, failure: LabError):
        self._name = name
        self._failure = failure

    def error(self) -> LabError:
        hint = "fix what that error says, re-run that cell, then this one"
        return LabError(f"no result in `{self._name}`: the earlier cell that sets it failed "
                        f"({self._failure.message})", hint)

    def __getattr__(self, attr):
        if attr.startswith("_"):       # Python's and IPython's own look-ups
            raise AttributeError(attr)
        raise self.error()

    def _fail(self, *args, **kwargs):
        raise self.error()

    __getitem__ = __call__ = __iter__ = __len__ = __bool__ = __contains__ = _fail

    def __repr__(self) -> str:
        return f"<no result: the cell that sets {self._name} failed: {self._failure.message}>"


def need_table(df, helper: str) -> pd.DataFrame:
    """``df`` if it is a table; else the one line saying what ``helper`` needs."""
    if isinstance(df, NoResult):
        raise df.error()
    if not isinstance(df, pd.DataFrame):
        raise LabError(f"{helper}() needs a table (what lab.sizes() and the lab's other "
                       f"measuring helpers return), not {type(df).__name__}",
                       f"pass the table, e.g. {helper}(lab.sizes())")
    return df


def install(shell, helpers: set[str]) -> None:
    """Route every exception of a cell in ``shell`` (IPython) through :func:`show`.
    ``helpers``: the names a learner calls (``Lab.sizes``, ``show``...), so that a wrong
    argument to one of them is explained in one line too."""
    shell.set_custom_exc((Exception,), functools.partial(show, helpers=helpers))


def show(shell, etype, value, tb, tb_offset=None, helpers: set[str] = frozenset()):
    """IPython's custom exception handler (see the module's docstring)."""
    err = _bad_call(value, helpers)
    if err is None and _ours(value, tb):
        err = explain(value)
    if err is None or debugging():
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
        if err is None:
            return None
    line = one_line(err)
    if getattr(shell, "kernel", None) is not None:
        # In a Jupyter kernel: an error output whose whole traceback is the one line, so the
        # cell shows as failed and nbval (which watches for error outputs) fails it too.
        shell._showtraceback(etype, value, [line])
    else:
        print(line, file=sys.stderr, flush=True)
    for name in _unassigned(shell, tb):
        shell.user_ns[name] = NoResult(name, err)
    return None


# A call with a wrong argument: "Lab.sizes() got an unexpected keyword argument 'x'".
_BAD_CALL = re.compile(r"^(\w+(?:\.\w+)?)\(\) (?:got|missing|takes)")


def _bad_call(value, helpers: set[str]) -> LabError | None:
    """A wrong argument to one of the lab's ``helpers``, as one line."""
    found = _BAD_CALL.match(str(value)) if isinstance(value, TypeError) else None
    if found is None or found.group(1) not in helpers:
        return None
    name = found.group(1)
    shown = "lab." + name.split(".", 1)[1] if name.startswith("Lab.") else name
    return LabError(str(value), f"help({shown}) lists its arguments")


def _ours(value, tb) -> bool:
    """Is this the lab's to explain? Its own errors, the engine's and the system's, and
    anything raised inside the lab's code. A learner's own bug (a NameError in their code,
    say) is not: it keeps Python's traceback."""
    if isinstance(value, (LabError, *EXPECTED)):
        return True
    while tb is not None:
        if Path(tb.tb_frame.f_code.co_filename).resolve().is_relative_to(PACKAGE):
            return True
        tb = tb.tb_next
    return False


def _unassigned(shell, tb) -> list[str]:
    """The names the failed cell assigns in the failing statement and after it, that are
    not defined (a name kept from an earlier run keeps its value)."""
    namespace = shell.user_global_ns
    while tb is not None and tb.tb_frame.f_globals is not namespace:
        tb = tb.tb_next
    if tb is None:
        return []
    source = "".join(linecache.getlines(tb.tb_frame.f_code.co_filename))
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    names: list[str] = []
    for statement in tree.body:
        if statement.end_lineno >= tb.tb_lineno:
            names += _stored(statement)
    return [n for n in dict.fromkeys(names) if n not in shell.user_ns]


def _stored(node) -> list[str]:
    """Names a statement binds at the cell's top level (not inside functions or
    comprehensions, which have scopes of their own)."""
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
        return [node.id]
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda,
                         ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
        return []
    return [n for child in ast.iter_child_nodes(node) for n in _stored(child)]
