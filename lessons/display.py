"""Showing things in a notebook, or printing them where there is none (plain Python, a
terminal). The one place that knows about IPython and ipywidgets."""

from __future__ import annotations

import html


def ipython():
    """The running IPython shell, or None outside one."""
    try:
        from IPython import get_ipython   # optional: the toolkit also runs in plain Python
    except ImportError:
        return None
    return get_ipython()


def display(obj) -> None:
    try:
        from IPython.display import display as shown   # optional, as above
    except ImportError:
        print(obj)
        return
    shown(obj)


def as_html(text: str):
    try:
        from IPython.display import HTML   # optional, as above
    except ImportError:
        return text
    return HTML(text)


def note(html_text: str, colour: str) -> None:
    """A short note with a coloured bar on its left (live or replay mode, say)."""
    display(as_html(f"<div style='border-left:4px solid {colour};padding:4px 10px'>"
                    f"{html_text}</div>"))


def text_fallback(widget, text: str):
    """``widget`` for a notebook that renders widgets; ``text`` (instead of the widget's
    repr, "VBox(children=...") for a viewer that does not, such as a static page."""
    class _Shown:
        def _repr_mimebundle_(self, **kwargs):
            data = widget._repr_mimebundle_(**kwargs) or {}
            if isinstance(data, tuple):
                data = data[0]
            return {**data, "text/plain": text}
    return _Shown()


class Progress:
    """A progress bar in the notebook (ipywidgets), or printed steps elsewhere."""

    def __init__(self, title: str):
        self.title = title
        self.bar = None
        if ipython() is not None:
            try:
                import ipywidgets as w   # optional: without it, steps are printed
            except ImportError:
                return
            self.bar = w.IntProgress(value=0, min=0, max=1, layout=w.Layout(width="60%"))
            self.label = w.HTML(value=html.escape(title))
            display(text_fallback(w.VBox([self.label, self.bar]), title))

    def step(self, step, total) -> None:
        where = f"[{step.stage} {step.index}] " if step.stage else ""
        text = f"{self.title}: step {step.number}/{total} {where}{step.instruction[:70]}"
        if self.bar is not None:
            self.bar.max = max(total, 1)
            self.bar.value = min(step.number, self.bar.max)
            self.label.value = html.escape(text)
        else:
            print(text, flush=True)

    def done(self, text: str, ok: bool = True) -> None:
        if self.bar is not None:
            self.bar.value = self.bar.max
            self.bar.bar_style = "success" if ok else "danger"
            self.label.value = html.escape(text)
        else:
            print(text, flush=True)


class NoProgress:
    """Where nothing runs (replay): no bar, nothing printed."""

    def step(self, step, total) -> None:
        pass

    def done(self, text: str, ok: bool = True) -> None:
        pass
