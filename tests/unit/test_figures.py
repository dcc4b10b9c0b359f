"""lessons.figures: a chart shown with its alt text (no kernel, no engine)."""

from __future__ import annotations

import base64
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from lessons import figures  # noqa: E402


def _bars():
    fig, (a, b) = plt.subplots(1, 2)
    fig.suptitle("Image size")
    a.bar(["single-stage", "distroless"], [812.0, 9.5], label="uncompressed")
    a.set_title("go")
    a.set_ylabel("MB")
    b.plot([1, 2, 3], [10, 20, 15], label="pull time")
    b.set_yscale("log")
    return fig


def test_bundle_carries_the_alt_text_in_every_representation():
    fig = _bars()
    alt = 'Go drops from "single-stage" to <distroless>'
    data, meta = figures.bundle(fig, alt, caption="Sizes & drops")
    img = re.search(r'<img src="data:image/png;base64,([^"]+)" alt="([^"]*)"', data["text/html"])
    assert img, data["text/html"][:200]
    assert img.group(2) == "Go drops from &quot;single-stage&quot; to &lt;distroless&gt;"
    assert base64.b64decode(img.group(1)).startswith(b"\x89PNG\r\n\x1a\n")
    assert img.group(1) == data["image/png"]
    assert meta == {"image/png": {"alt": alt}}
    assert data["text/plain"] == f"[figure] {alt}"
    assert "<figcaption>Sizes &amp; drops</figcaption>" in data["text/html"]
    plt.close(fig)


def test_chart_data_is_read_from_the_figure():
    fig = _bars()
    lines = figures.describe(fig)
    assert lines[0] == "Figure: Image size."
    assert "Panel 1 'go': y axis 'MB'." in lines
    assert "  uncompressed: single-stage 812, distroless 9.5." in lines
    assert any("logarithmic scale" in l for l in lines)
    assert "  pull time: (1, 10), (2, 20), (3, 15)." in lines
    data, _ = figures.bundle(fig, "x")
    assert "<details><summary>Chart data</summary>" in data["text/html"]
    data, _ = figures.bundle(fig, "x", data=False)
    assert "<details>" not in data["text/html"]
    plt.close(fig)


def test_empty_alt_text_is_refused():
    fig = _bars()
    with pytest.raises(ValueError, match="alt text"):
        figures.bundle(fig, "  ")
    plt.close(fig)


def test_show_displays_one_raw_bundle_and_closes_the_figure(monkeypatch):
    import IPython
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython, "get_ipython", lambda: object())
    monkeypatch.setattr(IPython.display, "display",
                        lambda obj, raw, metadata: shown.append((obj, raw, metadata)))
    fig = _bars()
    figures.show(fig, alt="A chart")
    assert len(shown) == 1 and shown[0][1] is True
    assert set(shown[0][0]) == {"text/html", "image/png", "text/plain"}
    assert not plt.fignum_exists(fig.number), "figure left open: the inline backend would draw it again"


def test_show_without_a_kernel_prints_the_alt_text(capsys):
    fig = _bars()
    figures.show(fig, alt="A chart")
    assert capsys.readouterr().out.strip() == "[figure] A chart"
