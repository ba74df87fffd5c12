"""Demo trainers: they fit mixed columns, learn the signal, and their fitted pipelines pickle."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from steward.demo import train_credit_risk, train_lead_scoring


def _frame(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    channel = rng.choice(["ads", "organic", "email"], size=n)
    returning = rng.random(n) < 0.4
    logit = 1.5 * x + np.where(channel == "email", 1.0, 0.0) + 0.5 * returning - 0.5
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return pd.DataFrame({"x": x, "channel": channel, "is_returning": returning}), y


@pytest.mark.parametrize("trainer", [train_lead_scoring, train_credit_risk])
def test_trainers_learn_the_signal_and_pickle(trainer) -> None:
    X, y = _frame(3000, 1)
    H, yh = _frame(2000, 2)
    fitted = trainer(X, y)
    proba = fitted.predict_proba(H)[:, 1]
    truth = 1.5 * H["x"] + np.where(H["channel"] == "email", 1.0, 0.0) + 0.5 * H["is_returning"]
    # close to the AUC of the true logit on the same rows (the best any model can do)
    assert roc_auc_score(yh, proba) > roc_auc_score(yh, truth) - 0.03
    again = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(again.predict_proba(H), fitted.predict_proba(H))
    unseen = H.assign(channel="partner")  # a category never seen in training is ignored, not an error
    assert np.isfinite(fitted.predict_proba(unseen)).all()
