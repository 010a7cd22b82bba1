"""Tests of `python3 -m analysis attribution` and of the attribution in the report, on synthetic files whose
answers are worked out by hand (docs/output.md, attribution/)."""

import math

import numpy as np
import pytest

from analysis import attribution, load, report
from analysis.__main__ import main
from analysis.results import ResultsError

from conftest import CAUSES, ROLES

MAGIC_PNG = b"\x89PNG"


def tiny_attribution():
    """Two trials, two steps, 10 agents (departments of 4 and 6).

    trial 0: 2 seeded at step 0; step 1: 1 peer + 1 spontaneous; step 2: 2 peer + 1 from complying.
    trial 1: 2 seeded at step 0; step 1: 3 peer + 1 issuer.
    Peer credit, trial 0: formal leaders 1 (step 1), champions 2 (step 2); trial 1: formal leaders 3.
    """
    z = np.zeros((2, 3))
    e = {c: z.copy() for c in CAUSES}
    e["seeded"][:, 0] = 2
    e["peer"][0] = [0, 1, 2]
    e["spontaneous"][0] = [0, 1, 0]
    e["internalized"][0] = [0, 0, 1]
    e["peer"][1] = [0, 3, 0]
    e["issuer"][1] = [0, 1, 0]
    credit = {r: z.copy() for r in ROLES}
    credit["formal_leaders"][0] = [0, 1, 0]
    credit["champions"][0] = [0, 0, 2]
    credit["formal_leaders"][1] = [0, 3, 0]
    complying = z.copy()
    complying[:, 1] = [1, 3]
    return {"entries": e, "entries_complying": complying, "credit": credit}


def tiny_file(make_results, **kw):
    nothing = {"entries": {c: np.zeros((2, 3)) for c in CAUSES}, "entries_complying": np.zeros((2, 3)),
               "credit": {r: np.zeros((2, 3)) for r in ROLES}}
    return make_results({"mixed": {"final_adopted": [0.7, 0.6], "final_internalized": [0.6, 0.4],
                                   "attribution": tiny_attribution(), "department_size": [4, 6]},
                         "quiet": {"final_adopted": [0.0, 0.0], "attribution": nothing, "department_size": [4, 6]}},
                        name="tiny.h5", steps=2, departments=2, **kw)


def test_shares_by_cause_match_the_hand_computation(make_results):
    res = load(tiny_file(make_results))
    sm = attribution.summarize(res, res.scenario("mixed"))
    assert sm.size == 10 and sm.trials == 2
    # mean over trials of the cumulative entries by step 2, over 10 agents
    expected = {"seeded": 0.2, "issuer": 0.05, "formalized": 0.0, "internalized": 0.05, "peer": 0.3,
                "spontaneous": 0.05}
    assert sm.entered == pytest.approx(expected)
    assert sm.entered_total == pytest.approx(0.65)
    assert sm.share_of_entries("peer") == pytest.approx(0.3 / 0.65)
    # over time: peer at step 1 is (1 + 3) / 2 / 10
    assert sm.cumulative["peer"] == pytest.approx([0, 0.2, 0.3])
    assert sm.cumulative["seeded"] == pytest.approx([0.2, 0.2, 0.2])
    assert sm.final_internalized == pytest.approx(0.5)  # mean of A at T, not the entries
    assert sm.complying == pytest.approx(0.2)  # (1 + 3) / 2 / 10


def test_entries_by_cause_have_a_95_percent_interval_over_trials(make_results):
    """Peer entries by step 2 are 3 and 3 of 10 staff (no spread); spontaneous 1 and 0, so the interval is
    0.05 +- 1.96 SE, clipped at 0 below and not at 1 above (re-entries can pass 100% of staff)."""
    res = load(tiny_file(make_results))
    sm = attribution.summarize(res, res.scenario("mixed"))
    assert (sm.entered_low["peer"], sm.entered_high["peer"]) == pytest.approx((0.3, 0.3))
    se = np.std([0.1, 0.0], ddof=1) / math.sqrt(2)
    assert sm.entered_low["spontaneous"] == 0.0
    assert sm.entered_high["spontaneous"] == pytest.approx(0.05 + 1.96 * se)
    assert sm.entered_high["seeded"] == pytest.approx(0.2)
    assert attribution.entered_cell(sm, "spontaneous") == f"5.0% [0.0%, {100 * (0.05 + 1.96 * se):.1f}%]"
    many = np.full((2, 3), 8.0)  # 24 entries into A of 10 staff in each trial: 240%, never clipped to 100%
    path = make_results({"s": {"final_adopted": [1.0, 1.0],
                               "attribution": {"entries": {c: many if c == "peer" else np.zeros((2, 3))
                                                           for c in CAUSES},
                                               "entries_complying": np.zeros((2, 3)),
                                               "credit": {r: np.zeros((2, 3)) for r in ROLES}}}},
                        name="many.h5", steps=2, size=10)
    res = load(path)
    sm = attribution.summarize(res, res.scenario("s"))
    assert sm.entered["peer"] == pytest.approx(2.4)
    assert sm.entered_high["peer"] == pytest.approx(2.4)


def test_credit_shares_and_their_interval(make_results):
    """Shares per trial: leaders 1/3 and 1, champions 2/3 and 0; mean +- 1.96 SE, clipped to [0, 1]."""
    res = load(tiny_file(make_results))
    sm = attribution.summarize(res, res.scenario("mixed"))
    assert sm.credit_trials == 2
    assert sm.credit_mean["formal_leaders"] == pytest.approx(2 / 3)
    assert sm.credit_mean["champions"] == pytest.approx(1 / 3)
    assert sm.credit_mean["others"] == 0
    se = np.std([1 / 3, 1], ddof=1) / math.sqrt(2)
    assert sm.credit_low["formal_leaders"] == pytest.approx(2 / 3 - 1.96 * se)
    assert sm.credit_high["formal_leaders"] == 1.0  # 2/3 + 1.96 SE > 1: clipped
    assert sm.credit_low["champions"] == 0.0
    assert sum(sm.credit_mean.values()) == pytest.approx(1)


def test_credit_interval_is_mean_plus_minus_1_96_standard_errors(make_results):
    shares = np.array([0.2, 0.4, 0.6, 0.4])  # formal leaders' share in each of 4 trials
    peer = np.zeros((4, 3))
    peer[:, 1] = 10
    credit = {"formal_leaders": peer * shares[:, None], "champions": peer * (1 - shares[:, None]),
              "others": np.zeros((4, 3))}
    entries = {c: np.zeros((4, 3)) for c in CAUSES}
    entries["peer"] = peer
    path = make_results({"s": {"final_adopted": np.full(4, 0.5),
                               "attribution": {"entries": entries, "entries_complying": np.zeros((4, 3)),
                                               "credit": credit}}}, steps=2, size=40)
    res = load(path)
    sm = attribution.summarize(res, res.scenario("s"))
    se = np.std(shares, ddof=1) / 2
    assert sm.credit_mean["formal_leaders"] == pytest.approx(0.4)
    assert (sm.credit_low["formal_leaders"], sm.credit_high["formal_leaders"]) == pytest.approx(
        (0.4 - 1.96 * se, 0.4 + 1.96 * se))
    assert sm.entered["peer"] == pytest.approx(10 / 40)


def test_a_scenario_without_entries_or_credit_does_not_divide_by_zero(make_results, tmp_path, capsys):
    path = tiny_file(make_results)
    res = load(path)
    sm = attribution.summarize(res, res.scenario("quiet"))
    assert sm.entered_total == 0 and not sm.has_credit
    assert math.isnan(sm.share_of_entries("peer")) and math.isnan(sm.credit_mean["champions"])
    out = tmp_path / "attr.png"
    with np.errstate(all="raise"):  # no 0/0 anywhere
        assert main(["attribution", str(path), "-o", str(out)]) == 0
    text = capsys.readouterr().out
    block = text[text.index("quiet"):]
    assert "no peer credit" in block and "nobody (no entries into A)" in block
    assert out.read_bytes().startswith(MAGIC_PNG)
    fig = attribution.figure(res)
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert "no peer credit" in texts and "no entries into A" in texts


def test_text_table_shows_the_numbers(make_results, capsys):
    assert main(["attribution", str(tiny_file(make_results)), "--scenarios", "mixed"]) == 0
    text = capsys.readouterr().out
    assert "internalized (A) at week 2: 50.0% of staff" in text
    assert "entered internalized (A) by week 2: 65.0% of staff" in text
    peer = next(line for line in text.splitlines() if line.strip().startswith("peer ("))
    assert "30.0%" in peer and "46.2%" in peer  # share of staff, share of entries (0.3 / 0.65)
    leaders = next(line for line in text.splitlines() if line.strip().startswith("formal leaders"))
    assert "66.7% [" in leaders and "100.0%]" in leaders
    assert "mean +- 1.96 SE" in text and "quiet" not in text


def test_figure_stacks_the_causes_in_order_with_words(make_results):
    res = load(tiny_file(make_results))
    fig = attribution.figure(res, "mixed")
    area = fig.axes[0]
    stacks = area.collections  # one PolyCollection per cause, bottom first
    assert len(stacks) == len(CAUSES)
    tops = [p.get_paths()[0].vertices[:, 1].max() for p in stacks]
    assert tops == pytest.approx(np.cumsum([0.2, 0.05, 0.0, 0.05, 0.3, 0.05]), abs=1e-9)
    assert area.get_xlabel() == "week" and "internalized (A)" in area.get_ylabel()
    legend = [t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()]
    assert legend[:len(CAUSES)] == [attribution.CAUSE_WORDS[c].replace("->", "\u2192") for c in reversed(CAUSES)]
    assert "formal leaders" in legend and "internalized now (A), mean" in legend
    bars = fig.axes[-1]
    assert bars.get_ylabel() == "share of the peer credit"
    heights = [p.get_height() for p in bars.patches]
    assert heights == pytest.approx([2 / 3, 1 / 3, 0])
    titles = " ".join(sf._suptitle.get_text() for sf in fig.subfigs)  # SubFigure has no get_suptitle in 3.6
    assert "mean \u00b1 1.96 SE" in titles and "internalized (A)" in titles


def test_format_1_file_gets_a_clear_error(make_results, capsys):
    path = make_results({"a": {"final_adopted": np.full(3, 0.5)}}, name="old.h5", format_version=1)
    assert main(["attribution", str(path)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "written before attribution existed" in err and "newer groundswell" in err
    assert len(err.strip().splitlines()) == 1


def test_format_2_file_without_the_group_names_it(make_results):
    path = make_results({"a": {"final_adopted": np.full(3, 0.5), "attribution": None}})
    with pytest.raises(ResultsError, match="missing group /scenarios/a/attribution"):
        attribution.summaries(load(path))


def test_size_falls_back_to_by_agent_then_to_the_seeded_share(make_results):
    at = tiny_attribution()
    at["by_agent"] = np.zeros((2, 10))
    at["agent_role"] = np.zeros((2, 10), dtype=np.int8)
    res = load(make_results({"a": {"final_adopted": [0.5, 0.5], "attribution": at, "department_size": None}},
                            name="by_agent.h5", steps=2))
    assert attribution.summarize(res, res.scenario("a")).size == 10
    assert res.scenario("a").attribution.by_agent.shape == (2, 10)
    # no department_size, no by_agent: 2 seeded agents are A = 0.2 at step 0, so 10 agents
    path = make_results({"a": {"final_adopted": [0.5, 0.5], "attribution": tiny_attribution(),
                               "department_size": None}}, name="seeded.h5", steps=2)
    import h5py
    with h5py.File(path, "a") as f:
        A = f["scenarios/a/curves/A"][()]
        A[:, 0] = 0.2
        f["scenarios/a/curves/A"][...] = A
    res = load(path)
    assert attribution.summarize(res, res.scenario("a")).size == 10
    # nothing to tell the size: a clear error
    path = make_results({"a": {"final_adopted": [0.5, 0.5], "attribution": tiny_attribution(),
                               "department_size": None}}, name="nosize.h5", steps=2)
    with pytest.raises(ResultsError, match="department_size"):
        attribution.summaries(load(path))


def test_report_includes_the_attribution_figure_and_table(make_results, tmp_path):
    out = tmp_path / "r.html"
    assert main(["report", str(tiny_file(make_results)), "-o", str(out), "--bootstrap", "100"]) == 0
    text = out.read_text()
    assert "Where the internalized adoptions came from" in text
    assert 'aria-label="entries into internalized (A) by cause, and peer credit by role"' in text
    assert "cause: peer (the people listened to)" in text and "30.0% (46%)" in text
    assert "no peer credit" in text and "1.96" in text
    sentences = ["".join(f if isinstance(f, str) else f[1] for f in s)
                 for s in report.reading(load(tiny_file(make_results, seed=2)), "mixed", 100)]
    assert any(s.startswith("Under mixed, 46% of the entries into internalized (A) were caused by peers")
               for s in sentences)


def test_report_on_a_format_1_file_says_why_there_is_no_attribution(make_results, tmp_path):
    path = make_results({"a": {"final_adopted": np.full(3, 0.5)}, "b": {"final_adopted": np.full(3, 0.6)}},
                        name="old.h5", format_version=1)
    out = tmp_path / "r.html"
    assert main(["report", str(path), "-o", str(out), "--bootstrap", "100"]) == 0
    text = out.read_text()
    assert "written before attribution existed" in text
    assert "Not in this file: t50_internalized" in text


def test_record_attribution_false_stores_none_and_changes_no_other_bit(tmp_path, capsys):
    """record.attribution = false (issue 19: attribution costs nothing when not recorded): the file has no
    attribution/ group, every other dataset is bit-identical to the run with it, `analysis attribution` says why,
    and the report says why too."""
    import h5py
    import subprocess
    from conftest import engine_binary
    binary = engine_binary()
    if not binary.is_file():
        pytest.skip(f"engine binary not found at {binary}; build it or set GROUNDSWELL_BINARY")
    toml = tmp_path / "x.toml"
    toml.write_text('rule = "sdt"\n[experiment]\nname = "x"\nseed = 3\ntrials = 12\nsteps = 30\n'
                    '[organization]\nsize = 300\n[[scenario]]\nname = "distributed"\n'
                    'champions = { count = 8, selection = "distributed", coalition = true }\n'
                    'mandate = { issuers = "top" }\nformalization = { at = 0.2 }\n')
    on, off = tmp_path / "on.h5", tmp_path / "off.h5"
    subprocess.run([str(binary), "run", str(toml), "-o", str(on), "-q"], check=True, timeout=60)
    subprocess.run([str(binary), "run", str(toml), "-o", str(off), "-q", "--set", "record.attribution=false"],
                   check=True, timeout=60)
    with h5py.File(on) as a, h5py.File(off) as b:
        ga, gb = a["scenarios/distributed"], b["scenarios/distributed"]
        assert "attribution" in ga and "attribution" not in gb
        names = []
        ga.visit(lambda n: names.append(n) if isinstance(ga[n], h5py.Dataset) else None)
        kept = [n for n in names if not n.startswith("attribution")]
        assert len(kept) > 20
        for n in kept:
            assert ga[n][()].tobytes() == gb[n][()].tobytes(), n
    assert main(["attribution", str(off), "-o", str(tmp_path / "a.png")]) == 2
    assert "record.attribution = false" in capsys.readouterr().err
    html = tmp_path / "r.html"
    assert main(["report", str(off), "-o", str(html)]) == 0
    assert "run with record.attribution = false" in html.read_text()
    # one scenario with attribution, one without: the report draws the first and names the second
    mixed_toml = tmp_path / "mixed.toml"
    mixed_toml.write_text(toml.read_text() + '[[scenario]]\nname = "without"\nrecord = { attribution = false }\n')
    mixed = tmp_path / "mixed.h5"
    subprocess.run([str(binary), "run", str(mixed_toml), "-o", str(mixed), "-q"], check=True, timeout=60)
    assert main(["report", str(mixed), "-o", str(html)]) == 0
    text = html.read_text()
    assert "No attribution for: without (run with record.attribution = false)" in text
    assert "entries into internalized (A) by cause, and peer credit by role" in text  # the figure, drawn
    assert main(["attribution", str(mixed), "--scenarios", "distributed", "-o", str(tmp_path / "d.png")]) == 0
