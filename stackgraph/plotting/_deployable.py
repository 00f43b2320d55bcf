"""Deployable units by layer and lost units by shortage (re-exported by `stackgraph.plots`)."""

from __future__ import annotations

from matplotlib.figure import Figure

from stackgraph.plotting._source import Answer
from stackgraph.plotting._style import layer_colour, message_figure, new_figure, note, shorten

__all__ = ["deployable_chart"]


def deployable_chart(table: Answer) -> Figure:
    """What each layer alone would allow, and what the shortages cost.

    Left: per layer, the units of the target a period that the layer's tightest capacity would
    allow if nothing else bound (the answer over its utilisation), the binding layer's bar at
    the answer; the others show how much room each layer leaves. Right, when the table has
    shortages: a waterfall from the baseline through the units lost to the scenario. Ranges
    where sources disagree are the low answer's bars with the high answer marked.

    Raises:
        ValueError: a Table of another analysis.

    Examples:
        >>> deployable_chart(kg.deployable("ex-rack", year=2025, shortages=["ex-cowos=0.5"]))
        <Figure size ... with 2 Axes>
    """
    if table.kind != "deployable":
        raise ValueError(f"{table.title!r} is not a deployable table")
    s = table.summary
    target = next(iter(s["units"]))
    low, high = s["units"][target]["low"], s["units"][target]["high"]
    if low is None:
        return message_figure(table.title, "nothing recorded bounds it: see the unbounded inputs")
    layers: dict[str, float] = {}
    for r in table:
        if r["utilisation"] > 0:
            allows = low / r["utilisation"]
            key = str(r["layer"])
            layers[key] = min(layers.get(key, allows), allows)
    lost = s.get("lost", {}).get(target)
    fig = new_figure(11 if lost else 7, 4)
    ax = fig.add_subplot(1, 2 if lost else 1, 1)
    names = sorted(layers, key=layers.__getitem__)
    ax.barh(names, [layers[n] for n in names], color=[layer_colour(n) for n in names])
    ax.axvline(low, color="black", linewidth=1)
    if high is not None and high != low:
        ax.axvline(high, color="black", linewidth=1, linestyle="--")
    ax.invert_yaxis()
    ax.set_xlabel(f"units of {target} per {s['per']} that the layer alone allows")
    ax.set_title(shorten(table.title, 60), fontsize=10)
    if lost:
        base = s["baseline"][target]["low"] or 0.0
        after = base - lost["low"]
        wf = fig.add_subplot(1, 2, 2)
        wf.bar(["baseline"], [base], color="#9e9e9e")
        wf.bar(["lost"], [lost["low"]], bottom=[after], color="#d62728")
        wf.bar(["scenario"], [after], color="#4a90d9")
        wf.set_ylabel(f"units of {target} per {s['per']}")
        wf.set_title("what the shortages cost (low answer)", fontsize=10)
    unbounded = len(s["unbounded"])
    note(
        fig,
        f"solid line: the answer (dashed: its high end); {unbounded} inputs on the path have no"
        " capacity figure and bound nothing",
    )
    return fig
