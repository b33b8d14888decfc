"""The by-file folds and argmax figures shared by the training scripts and the research script."""

from __future__ import annotations

import numpy as np

from moderation_rules.model.train_school_embeddings import argmax_figures, file_folds, out_of_fold
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


def test_out_of_fold_reads_each_row_with_a_model_fitted_without_its_file() -> None:
    sources = ["b.csv", "a.csv", "f.csv", "b.csv", "c.csv", "e.csv", "d.csv", "a.csv", "g.csv"]
    calls = []

    def read(train: np.ndarray, test: np.ndarray) -> np.ndarray:
        assert not {sources[i] for i in train} & {sources[i] for i in test}
        assert sorted([*train, *test]) == list(range(len(sources)))
        calls.append(len(test))
        return np.stack([test, -test], 1).astype(float)  # each row reads its own index

    P = out_of_fold(sources, read)
    assert calls == [3, 3, 1, 1, 1]  # a a f, b b g, c, d, e
    assert P.tolist() == [[i, -i] for i in range(len(sources))]
