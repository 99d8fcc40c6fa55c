"""helpers.graph: a Digraph built as in graphviz, laid out and drawn by matplotlib alone."""

from __future__ import annotations

import pytest

from helpers.graph import Digraph, record_fields

PNG = b"\x89PNG\r\n\x1a\n"


def sum_of_two() -> Digraph:
    dot = Digraph(format="svg", graph_attr={"rankdir": "LR"})  # graphviz's arguments are accepted
    dot.node("p", label="p | data 3.0000 | grad 0.0000", shape="record")
    dot.node("q", label="{ q | data 4.0000 | grad 0.0000 }", shape="record")
    dot.node("s+", label="+")
    dot.node("s", label="s | data 7.0000 | grad 0.0000", shape="record")
    for tail, head in [("p", "s+"), ("q", "s+"), ("s+", "s")]:
        dot.edge(tail, head)
    return dot


def test_what_was_added_is_kept_as_given():
    dot = sum_of_two()
    assert dot.nodes["s+"] == {"label": "+", "shape": "ellipse"}
    assert dot.nodes["p"]["shape"] == "record"
    assert dot.edges == [("p", "s+"), ("q", "s+"), ("s+", "s")]
    assert repr(dot) == "Digraph(4 nodes, 3 edges)"


@pytest.mark.parametrize("label, fields", [
    ("a | data 2.0000 | grad 0.0000", ["a", "data 2.0000", "grad 0.0000"]),
    ("{  | data 2.0000 | grad 0.0000 }", ["", "data 2.0000", "grad 0.0000"]),
    ("tanh", ["tanh"]),
])
def test_record_fields_split_at_bars_with_or_without_braces(label, fields):
    assert record_fields(label) == fields


def test_a_graph_is_shown_as_a_png_and_an_empty_one_as_nothing():
    assert sum_of_two()._repr_png_().startswith(PNG)
    assert Digraph()._repr_png_() is None


def test_edges_to_unknown_names_cycles_and_long_chains_still_draw():
    dot = Digraph()
    dot.edge("a", "b")
    dot.edge("b", "a")  # a cycle: the layout leaves one edge out instead of looping
    dot.edge("b", "c")
    assert dot._repr_png_().startswith(PNG)
    chain = Digraph()
    for i in range(400):
        chain.edge(f"n{i}", f"n{i + 1}")
    assert len(chain.figure().axes) == 1
