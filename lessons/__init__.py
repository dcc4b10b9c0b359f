"""The Size Drop lab toolkit.

The notebooks import what they need from the submodules, for example::

    from lessons import engine, catalog
    from lessons.compare import compare

Importing this package (or any module in it) has no side effects: nothing connects to the
Docker engine, builds, downloads or writes a file until a function is called.
"""

__version__ = "0.1.0"
