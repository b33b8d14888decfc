"""The by-file folds and argmax figures shared by the training scripts and the research script."""

from __future__ import annotations

import numpy as np

from moderation_rules.model.train_school_embeddings import argmax_figures, file_folds
from moderation_rules.types import LABELS


def test_every_file_is_held_out_whole_and_files_are_dealt_in_name_order() -> None:
    sources = ["b.csv", "a.csv", "f.csv", "b.csv", "c.csv", "e.csv", "d.csv", "a.csv", "g.csv"]
    folds = file_folds(sources)
    by_file = {s: {int(k) for k, t in zip(folds, sources) if t == s} for s in sources}
    assert all(len(ks) == 1 for ks in by_file.values())
    assert [by_file[n].pop() for n in sorted(by_file)] == [0, 1, 2, 3, 4, 0, 1]


def test_argmax_figures_count_a_wrong_reading_against_both_labels() -> None:
    hate, abuse, other = (LABELS.index(x) for x in ("hate", "abuse", "other"))
    y = np.array([hate, hate, abuse, other])
    P = np.zeros((4, len(LABELS)))
    P[[0, 1, 2, 3], [hate, abuse, abuse, other]] = 1.0  # the second row read as abuse
    figures = argmax_figures(P, y)
    assert figures["accuracy"] == 0.75
    assert figures["f1"]["hate"] == round(2 / 3, 3)   # tp 1, one missed
    assert figures["f1"]["abuse"] == round(2 / 3, 3)  # tp 1, one wrongly read as abuse
    assert figures["f1"]["other"] == 1.0
    # labels with neither rows nor readings score 0, as by_file_folds always counted them
    assert figures["macro_f1"] == round((2 / 3 + 2 / 3 + 1.0) / len(LABELS), 4)
