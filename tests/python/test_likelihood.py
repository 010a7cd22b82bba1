"""The individual-level likelihood of the bass rule (analysis/likelihood.py, docs/likelihood.md, issue 21).

Exact checks of the log-likelihood on hand-computed records; the closed-form Gibbs conditionals against the
direct products; the statistical checks (recovery, coverage, ABC against the likelihood, the integrated
treatment) on records simulated by the engine (groundswell.adoption_times); the command line.
"""
import math

import numpy as np
import pytest

from analysis import likelihood as L


def line_record():
    """Three agents, T = 2. Agent 0 listens to 1 (weight 2) and 2 (weight 1); agent 1 listens to 2 (weight 1);
    agent 2 listens to nobody. Agent 2 adopts at step 1, agent 1 at step 2, agent 0 never (time 3).
    Exposures at the start of step 1: all 0 (nobody adopted); at the start of step 2 (agent 2 adopted at 1):
    x_0 = 1/3, x_1 = 1, x_2 = 0 (listens to nobody)."""
    return L.Record(offsets=[0, 2, 3, 3], sources=[1, 2, 2], weights=[2.0, 1.0, 1.0], time=[3, 2, 1],
                    role=[1, 1, 1], steps=2)


P, Q, P_END, M = 0.1, 0.5, 0.3, 0.8


def log_h(rate):
    return math.log(1 - math.exp(-rate))


@pytest.mark.parametrize("market", [False, True])
@pytest.mark.parametrize("outside", ["constant", "linear", "piecewise"])
def test_loglik_of_a_hand_computed_record(outside, market):
    """[unit] The products written out: p(1) = p; p(2) = p (constant), p_end (linear, T = 2), p_2 (piecewise
    with period_2 = 2). Agent 2: log m + log h(p(1)). Agent 1: log m + log(1 - h(p(1))) + log h(p(2) + q * 1).
    Agent 0 (never): log[(1 - m) + m (1 - h(p(1))) (1 - h(p(2) + q / 3))], = -(p(1) + p(2) + q/3) for m = 1."""
    model = L.Model(outside=outside, breaks=(2,) if outside == "piecewise" else (), market=market)
    p1, p2 = P, (P if outside == "constant" else P_END)
    m = M if market else 1.0
    agent2 = math.log(m) + log_h(p1)
    agent1 = math.log(m) - p1 + log_h(p2 + Q * 1.0)
    agent0 = math.log((1 - m) + m * math.exp(-p1) * math.exp(-(p2 + Q / 3)))
    expected = agent0 + agent1 + agent2
    theta = [P] + ([] if outside == "constant" else [P_END]) + [Q] + ([M] if market else [])
    lik = L.Likelihood(line_record(), model)
    assert lik(theta) == pytest.approx(expected, rel=1e-13)
    # the direct per-agent form (used by the Gibbs step) gives the same
    pi, q, mm = model.split(theta)
    X = L.exposure_matrix(line_record().matrix(), line_record().time, 2)
    np.testing.assert_allclose(X, [[0, 1 / 3], [0, 1], [0, 0]], rtol=1e-15)
    direct = L.agent_terms((model.design(2) @ pi)[None, :] + q * X, [3, 2, 1], mm)
    np.testing.assert_allclose(direct, [agent0, agent1, agent2], rtol=1e-13)


def test_loglik_without_network_and_with_seed_and_roles():
    """[unit] q = 0: the exposures drop out. A seed (time 0) is never at risk but counts in its listeners'
    exposure from step 1; a held-out agent (role 2) has no term but its time counts in the exposures."""
    # agent 0 listens to 1 (a seed) and 2 (held out, adopts at 1); agent 0 adopts at step 2, T = 2
    rec = L.Record(offsets=[0, 2, 2, 2], sources=[1, 2], weights=[1.0, 1.0], time=[2, 0, 1], role=[1, 1, 2], steps=2)
    # exposure of agent 0: start of step 1: 1/2 (the seed); start of step 2: 1
    expected = -(P + Q * 0.5) + log_h(P + Q * 1.0)
    assert L.Likelihood(rec, L.Model())([P, Q]) == pytest.approx(expected, rel=1e-13)
    assert L.Likelihood(rec, L.Model(network=False))([P]) == pytest.approx(-P + log_h(P), rel=1e-13)


def test_gradient_matches_finite_differences():
    """[unit] The analytic gradient of log L (used by the maximization) against central differences."""
    rng = np.random.default_rng(4)
    rec = small_network(rng, 120, 10)
    for model, theta in ((L.Model(outside="linear", market=True), [0.03, 0.08, 0.6, 0.7]),
                         (L.Model(outside="piecewise", breaks=(4, 7)), [0.02, 0.05, 0.1, 0.4])):
        rec = L.Record(rec.offsets, rec.sources, rec.weights, L.simulate_times(rec, model, theta, rng),
                       rec.role, rec.steps)
        lik = L.Likelihood(rec, model)
        _, g = lik.with_gradient(np.array(theta))
        eps = 1e-6
        num = [(lik(np.add(theta, eps * e)) - lik(np.subtract(theta, eps * e))) / (2 * eps) for e in np.eye(len(theta))]
        np.testing.assert_allclose(g, num, rtol=1e-5, atol=1e-5)


def small_network(rng, n, steps, degree=5):
    """A directed random network with weights 1 or 2, everyone fitted (times filled in by the caller)."""
    adj = rng.random((n, n)) < degree / n
    np.fill_diagonal(adj, False)
    sources = np.nonzero(adj)[1]
    return L.Record(offsets=np.concatenate(([0], np.cumsum(adj.sum(1)))), sources=sources,
                    weights=rng.integers(1, 3, sources.size).astype(float), time=np.full(n, steps + 1),
                    role=np.ones(n, np.uint8), steps=steps)


def test_gibbs_conditionals_match_the_direct_products():
    """[unit] The closed-form full conditional of each missing time (gibbs) equals the product of every term
    computed directly with that time set to each candidate (conditional)."""
    rng = np.random.default_rng(5)
    base = small_network(rng, 80, 8)
    for model, theta in ((L.Model(), [0.05, 0.6]), (L.Model(outside="linear", market=True), [0.03, 0.1, 0.5, 0.7])):
        rec = L.Record(base.offsets, base.sources, base.weights, L.simulate_times(base, model, theta, rng),
                       base.role, base.steps).hidden(rng.random(80) < 0.4)
        aug = L._Augmented(rec, model, rng)
        for cls in aug.classes:
            logits = aug.logits(np.array(theta), cls)
            for j, k in enumerate(cls[0]):
                np.testing.assert_allclose(logits[j] - logits[j].max(), aug.conditional(np.array(theta), k),
                                           atol=1e-9)
