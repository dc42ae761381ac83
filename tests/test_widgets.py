"""The widgets of the chapters and of exercises/widgets/: checkers, figures and widget factories.

Every checker is called with right, wrong and missing answers; every factory is driven headlessly
by setting its controls' ``.value`` (ipywidgets 8 recomputes synchronously without a frontend).
"""

import matplotlib

matplotlib.use("Agg")

import ipywidgets  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import localrule  # noqa: E402
from localrule import widgets as w  # noqa: E402
from localrule.association import association_rate_update  # noqa: E402
from localrule.lif import latency_code  # noqa: E402
from localrule.stdp import stdp_window  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def kind(feedback):
    """'correct', 'hint' or 'empty', checked against the message prefix."""
    assert isinstance(feedback, w.Feedback)
    assert str(feedback) == feedback.message
    if feedback.correct is True:
        assert feedback.message.startswith("Correct! ")
        assert bool(feedback)
        return "correct"
    if feedback.correct is False:
        assert feedback.message.startswith("Not yet — hint: ")
        assert len(feedback.message) > len("Not yet — hint: ") + 10
        assert not bool(feedback)
        return "hint"
    assert feedback.correct is None
    assert feedback.message.startswith("Enter your prediction")
    return "empty"


def controls(widget):
    """The value widgets of an ``interactive``, by argument name."""
    return {c._kwarg: c for c in widget.kwargs_widgets}


# ------------------------------------------------------------------------------ spike raster
def test_spike_raster_widget_recomputes_when_a_slider_moves():
    open_figures = set(plt.get_fignums())
    widget = w.make_spike_raster_widget()
    before = widget.result
    assert len(before) == 20
    controls(widget)["I_min"].value = 2.0  # weakest current now above threshold: every neuron fires
    after = widget.result
    assert all(train.size for train in after) and not all(train.size for train in before)
    assert set(plt.get_fignums()) == open_figures  # the widget releases its figures
    with pytest.raises(TypeError, match="tau"):
        w.make_spike_raster_widget(tau=3)


# ------------------------------------------------------------------------------ 1. STDP window
@pytest.mark.parametrize("s_ms, A_plus, A_minus, tau_plus_ms, tau_minus_ms", [
    (10.0, 1.0, 1.0, 20.0, 20.0), (-10.0, 1.0, 0.5, 20.0, 40.0), (35.0, 0.7, 1.0, 15.0, 30.0),
    (-3.0, 1.0, 1.2, 20.0, 10.0)])
def test_stdp_checker_accepts_the_window_value(s_ms, A_plus, A_minus, tau_plus_ms, tau_minus_ms):
    expected = stdp_window(s_ms / 1e3, A_plus, A_minus, tau_plus_ms / 1e3, tau_minus_ms / 1e3)
    args = (s_ms, A_plus, A_minus, tau_plus_ms, tau_minus_ms)
    assert w.stdp_dw(*args) == pytest.approx(expected)
    assert kind(w.check_stdp_prediction(expected, *args)) == "correct"
    assert kind(w.check_stdp_prediction(round(expected, 2), *args)) == "correct"
    assert kind(w.check_stdp_prediction(str(round(expected, 3)), *args)) == "correct"
    assert kind(w.check_stdp_prediction(np.float32(expected), *args)) == "correct"
    assert kind(w.check_stdp_prediction(-expected, *args)) == "hint"
    assert kind(w.check_stdp_prediction(expected + 0.2, *args)) == "hint"


def test_stdp_checker_hints_name_the_mistake():
    # pre 10 ms before post, A+ = 1, tau+ = 20 ms: dw = exp(-0.5) = 0.607
    assert "positive" in str(w.check_stdp_prediction(-0.61, 10.0)) or \
        "dw > 0" in str(w.check_stdp_prediction(-0.61, 10.0))
    assert "dw < 0" in str(w.check_stdp_prediction(0.61, -10.0))
    assert "exp(-|s|/tau)" in str(w.check_stdp_prediction(1.0, 10.0))        # no decay
    assert "negative" in str(w.check_stdp_prediction(np.exp(0.5), 10.0))     # exp(+s/tau)
    assert "same unit" in str(w.check_stdp_prediction(0.0, 10.0))            # 10 / 0.02
    fb = w.check_stdp_prediction(-np.exp(-10 / 20) * 0.5, -10.0, A_minus=0.5, tau_minus_ms=40.0)
    assert "side you are on" in str(fb)                                       # tau+ for s < 0
    assert kind(w.check_stdp_prediction(0.0, 0.0)) == "correct"               # coincidence
    assert "coincide" in str(w.check_stdp_prediction(0.5, 0.0))


@pytest.mark.parametrize("answer", ["abc", True, [0.6], {"dw": 0.6}, float("nan"), float("inf")])
def test_stdp_checker_never_raises_on_a_bad_answer(answer):
    assert kind(w.check_stdp_prediction(answer, 10.0)) == "hint"


def test_stdp_checker_without_answer_asks_for_one():
    assert kind(w.check_stdp_prediction(None, 10.0)) == "empty"


def test_stdp_checker_rejects_a_bad_question():
    with pytest.raises(ValueError, match="tau_plus_ms"):
        w.check_stdp_prediction(0.5, 10.0, tau_plus_ms=-1.0)
    with pytest.raises(TypeError, match="s_ms"):
        w.check_stdp_prediction(0.5, "10")


def test_stdp_state_integrals():
    state = w.stdp_window_state(A_plus=1.0, A_minus=0.5, tau_plus_ms=20.0, tau_minus_ms=40.0)
    assert state["balanced"] and state["area_ms"] == pytest.approx(0.0, abs=1e-9)
    assert state["first_moment_ms2"] == pytest.approx(1.0 * 20 ** 2 + 0.5 * 40 ** 2)
    unbalanced = w.stdp_window_state(A_plus=1.0, A_minus=1.0, tau_plus_ms=20.0, tau_minus_ms=30.0)
    assert not unbalanced["balanced"] and unbalanced["area_ms"] == pytest.approx(-10.0)


def test_stdp_widget_updates_synchronously():
    widget = w.make_stdp_widget()
    assert isinstance(widget, ipywidgets.interactive)
    c = controls(widget)
    assert set(c) == {"A_plus", "A_minus", "tau_plus_ms", "tau_minus_ms", "s_ms"}
    assert widget.result["dw"] == pytest.approx(np.exp(-0.5))
    c["s_ms"].value = -20.0
    assert widget.result["dw"] == pytest.approx(-np.exp(-1.0))
    c["A_minus"].value = 0.5
    assert widget.result["dw"] == pytest.approx(-0.5 * np.exp(-1.0))
    assert not widget.result["balanced"]
    c["tau_minus_ms"].value = 40.0
    assert widget.result["balanced"]
    assert widget.out in widget.children


def test_stdp_widget_rejects_unknown_defaults():
    with pytest.raises(TypeError, match="tau_plus"):
        w.make_stdp_widget(tau_plus=0.02)
    assert controls(w.make_stdp_widget(s_ms=-5.0))["s_ms"].value == -5.0


def test_stdp_widget_reports_the_integrals():
    widget = w.make_stdp_widget(show_protocol=True)
    assert widget.result["area_ms"] == pytest.approx(0.0, abs=1e-12)
    controls(widget)["A_minus"].value = 0.5  # A- halved: net potentiation
    assert widget.result["area_ms"] == pytest.approx(1e3 * (0.02 - 0.5 * 0.02))
    assert widget.result["first_moment_ms2"] == pytest.approx(1e6 * 0.02 ** 2 * 1.5)
    with pytest.raises(TypeError, match="tau"):
        w.make_stdp_widget(tau=3)
    with pytest.raises(TypeError, match="show_protocol"):
        w.make_stdp_widget(show_protocol="yes")


def test_stdp_figure_shows_the_pairing_protocol_on_the_window():
    fig = w.stdp_window_figure(A_plus=0.5, tau_minus_ms=10.0, s_ms=-10.0, show_protocol=True)
    ax = fig.axes[0]
    protocol = [line for line in ax.lines if line.get_marker() == "."]
    assert len(protocol) == 1
    s_ms, dw = protocol[0].get_xydata().T
    assert s_ms.size == 17
    np.testing.assert_allclose(dw, stdp_window(s_ms / 1e3, 0.5, 1.0, 0.02, 0.01),
                               rtol=1e-9, atol=1e-12)
    assert len([line for line in ax.lines if line.get_marker() == "o"]) == 1
    assert "balanced" in ax.get_title() and "unbalanced" not in ax.get_title()


def test_stdp_figure_marks_the_pairing():
    fig = w.stdp_window_figure(s_ms=10.0)
    ax = fig.axes[0]
    marked = [line for line in ax.lines if line.get_marker() == "o"]
    assert len(marked) == 1
    np.testing.assert_allclose(marked[0].get_xydata(), [[10.0, np.exp(-0.5)]])
    assert "(ms)" in ax.get_xlabel()


# ------------------------------------------------------------------------------ 2. latency code
def test_latency_order_matches_the_code():
    acts = np.array(w.LATENCY_ACTIVATIONS)
    t = latency_code(acts, t_min=0.005, tau_m=0.02)
    np.testing.assert_allclose(w.latency_times_ms(acts), 1e3 * np.asarray(t))
    order = w.latency_order(acts)
    assert order == [int(i) for i in np.argsort(-acts) if acts[i] > 0]
    assert order == [1, 3, 0, 4]


def test_latency_checker():
    order = w.latency_order(w.LATENCY_ACTIVATIONS)
    assert kind(w.check_latency_order(order)) == "correct"
    assert kind(w.check_latency_order(tuple(order))) == "correct"
    assert kind(w.check_latency_order(np.array(order))) == "correct"
    assert kind(w.check_latency_order(", ".join(map(str, order)))) == "correct"
    assert kind(w.check_latency_order(None)) == "empty"
    assert "largest activation fires first" in str(w.check_latency_order(order[::-1]))
    assert "never fires" in str(w.check_latency_order(order + [2]))          # the silent unit
    assert "left out [4]" in str(w.check_latency_order(order[:-1]))
    assert "at most once" in str(w.check_latency_order([1, 1, 3, 0]))
    assert "not a unit" in str(w.check_latency_order([1, 3, 0, 9]))
    assert kind(w.check_latency_order([3, 1, 0, 4])) == "hint"
    for bad in ("first", 3.5, [1.0, 3.0], [True, False]):
        assert kind(w.check_latency_order(bad)) == "hint"


def test_latency_checker_accepts_either_order_of_tied_units():
    acts = [0.5, 0.8, 0.5]
    assert kind(w.check_latency_order([1, 0, 2], acts)) == "correct"
    assert kind(w.check_latency_order([1, 2, 0], acts)) == "correct"
    assert kind(w.check_latency_order([0, 1, 2], acts)) == "hint"


def test_latency_checker_rejects_bad_activations():
    with pytest.raises(ValueError, match="activations"):
        w.check_latency_order([0], [0.5, 1.5])


def test_latency_widget_updates_synchronously():
    widget = w.make_latency_widget()
    c = controls(widget)
    assert set(c) == {"a", "t_min_ms", "tau_m_ms"}
    assert widget.result["order"] == [1, 3, 0, 4]
    c["a"].value = 1.0
    assert widget.result["time_ms"] == pytest.approx(5.0)
    c["t_min_ms"].value = 2.0
    assert widget.result["time_ms"] == pytest.approx(2.0)
    assert widget.result["order"] == [1, 3, 0, 4]
    c["a"].value = 0.0
    assert widget.result["time_ms"] == np.inf
    assert np.isinf(widget.result["times_ms"][2])


# ------------------------------------------------------------------------------ 3. one neuron
@pytest.mark.parametrize("x, a, a_star, expected", [
    (0.8, 0.7, 0.0, -1), (0.0, 0.2, 1.0, 0), (0.5, 0.3, 0.9, 1), (1.0, 0.4, 0.4, 0)])
def test_dw_sign_checker(x, a, a_star, expected):
    assert w.dw_sign(x, a, a_star) == expected
    right = {1: "+", -1: "-", 0: "0"}[expected]
    words = {1: "positive", -1: "negative", 0: "zero"}[expected]
    assert kind(w.check_dw_sign(right, x, a, a_star)) == "correct"
    assert kind(w.check_dw_sign(words.upper(), x, a, a_star)) == "correct"
    assert kind(w.check_dw_sign(expected, x, a, a_star)) == "correct"
    for wrong in {"+", "-", "0"} - {right}:
        assert kind(w.check_dw_sign(wrong, x, a, a_star)) == "hint"
    assert kind(w.check_dw_sign(None, x, a, a_star)) == "empty"
    assert kind(w.check_dw_sign("maybe", x, a, a_star)) == "hint"


def test_dw_sign_agrees_with_the_rate_rule():
    rng = np.random.default_rng(0)
    for _ in range(50):
        x, a, a_star = rng.uniform(0, 1, 3)
        assert w.dw_sign(x, a, a_star) == np.sign(association_rate_update([x], a, a_star, 0.1))[0]


def test_dw_sign_hints():
    assert "x = 0" in str(w.check_dw_sign("+", 0.0, 0.2, 1.0))
    assert "a* - a = 0" in str(w.check_dw_sign("+", 1.0, 0.4, 0.4))
    with pytest.raises(ValueError, match="a_star"):
        w.check_dw_sign("+", 1.0, 0.4, 1.4)


def test_single_neuron_run_follows_the_rule():
    hist = w.single_neuron_run(eta=0.5, a_star=0.9, steps=30)
    x = np.array(w.NEURON_X)
    np.testing.assert_allclose(hist.dw, 0.5 * (0.9 - hist.a)[:, None] * x[None, :])
    assert np.all(hist.w[:, 2] == hist.w[0, 2])                # the silent input never changes
    assert abs(hist.a[-1] - 0.9) < 0.05 < abs(hist.a[0] - 0.9)


def test_single_neuron_widget_updates_synchronously():
    widget = w.make_single_neuron_widget()
    c = controls(widget)
    assert set(c) == {"eta", "a_star", "steps"}
    assert abs(widget.result["final_a"] - 0.9) < 0.05
    c["a_star"].value = 0.1
    assert abs(widget.result["final_a"] - 0.1) < 0.05
    assert np.all(widget.result["dw"][:, :2] < 0)              # active inputs weaken
    c["steps"].value = 5
    assert widget.result["a"].shape == (5,) and widget.result["w"].shape == (6, 3)


# ------------------------------------------------------------------------------ 4. train your own
def test_train_model_and_learning_curve():
    run = w.train_model("bp", 0, 1, hidden=(8, 6), epochs=2)
    assert run["sizes"] == (784, 8, 6, 2)
    assert run["test_accuracy"] == run["history"].test_accuracy[-1] > 0.9
    fig = w.learning_curve_figure(run["history"], "0 vs 1")
    assert fig.axes[0].get_title() == "0 vs 1"
    with pytest.raises(ValueError, match="rule"):
        w.train_model("hebb")
    with pytest.raises(ValueError, match="b"):
        w.train_model("local", 3, 3)


def test_harder_pair_checker():
    acc01 = w.pair_test_accuracy(0, 1)
    acc35 = w.pair_test_accuracy(3, 5)
    assert acc35 < acc01                                        # what the notebook asks about
    for right in [(3, 5), (5, 3), [3, 5], "3v5", "3 vs 5", "(5, 3)"]:
        assert kind(w.check_harder_pair(right)) == "correct"
    for wrong in [(0, 1), "0 vs 1"]:
        assert kind(w.check_harder_pair(wrong)) == "hint"
    for bad in [(4, 9), "3", "three", 35, (3, 5, 7)]:
        assert kind(w.check_harder_pair(bad)) == "hint"
    assert kind(w.check_harder_pair(None)) == "empty"
    with pytest.raises(ValueError, match="pairs"):
        w.check_harder_pair((3, 5), pairs=((3, 5),))


def test_training_widget_summary_and_button():
    widget = w.make_training_widget(epochs=1, hidden1=10, hidden2=10, a=0, b=1)
    assert isinstance(widget, ipywidgets.VBox)
    assert widget.button in widget.children and widget.out in widget.children
    assert "0 vs 1" in widget.summary.value and "784-10-10-2" in widget.summary.value
    widget.controls["rule"].value = "bp"
    assert "backprop" in widget.summary.value
    widget.controls["hidden2"].value = 4
    assert "784-10-4-2" in widget.summary.value
    assert widget.result is None
    widget.button.click()
    assert widget.result["sizes"] == (784, 10, 4, 2)
    assert widget.result["test_accuracy"] > 0.9
    assert not widget.button.disabled
    widget.controls["b"].value = 0                              # a == b: refused, no exception
    assert "different digits" in widget.summary.value
    widget.button.click()
    assert widget.result is None
    with pytest.raises(TypeError, match="unknown"):
        w.make_training_widget(lr=0.1)


# ------------------------------------------------------------------------------ 5. FGSM explorer
@pytest.fixture(scope="module")
def fgsm_models():
    return w.train_fgsm_models(a=3, b=5, epochs=2, seed=0)


def test_fgsm_example_is_the_package_attack(fgsm_models):
    X_test, y_test = fgsm_models["data"][2], fgsm_models["data"][3]
    ex = w.fgsm_example(fgsm_models, index=4, eps=0.15, crafted_on="bp")
    np.testing.assert_array_equal(ex["x_adv"],
                                  localrule.fgsm(fgsm_models["bp"], X_test[4:5], y_test[4:5],
                                                 0.15)[0])
    assert np.max(np.abs(ex["delta"])) <= 0.15 + 1e-12
    assert ex["label"] == (3, 5)[y_test[4]]
    for rule in ("local", "bp"):
        digit, act = ex["predictions"][rule]["clean"]
        p = fgsm_models[rule].predict_proba(X_test[4:5])[0]
        assert digit == (3, 5)[int(np.argmax(p))] and act == pytest.approx(p.max())
    zero = w.fgsm_example(fgsm_models, index=4, eps=0.0)
    assert np.all(zero["delta"] == 0)
    assert zero["predictions"]["local"]["clean"] == zero["predictions"]["local"]["adversarial"]
    with pytest.raises(ValueError, match="index"):
        w.fgsm_example(fgsm_models, index=10 ** 6)
    with pytest.raises(ValueError, match="crafted_on"):
        w.fgsm_example(fgsm_models, crafted_on="both")
    with pytest.raises(TypeError, match="models"):
        w.fgsm_example({"local": None})


def test_robustness_checker(fgsm_models):
    X_test, y_test = fgsm_models["data"][2], fgsm_models["data"][3]
    acc = {r: localrule.robustness_curve(fgsm_models[r], X_test, y_test, [0.1])[0]
           for r in ("local", "bp")}
    assert acc["local"] != acc["bp"]
    best = max(acc, key=acc.get)
    other = ({"local", "bp"} - {best}).pop()
    assert kind(w.check_robustness_prediction(best, fgsm_models, eps=0.1)) == "correct"
    assert kind(w.check_robustness_prediction(best.upper() + " ", fgsm_models)) == "correct"
    assert kind(w.check_robustness_prediction(other, fgsm_models, eps=0.1)) == "hint"
    assert kind(w.check_robustness_prediction("both", fgsm_models)) == "hint"
    assert kind(w.check_robustness_prediction(None, fgsm_models)) == "empty"
    # at eps = 0 nothing changes and the clean accuracies decide
    clean = {r: fgsm_models[r].score(X_test, y_test) for r in ("local", "bp")}
    if clean["local"] != clean["bp"]:
        assert kind(w.check_robustness_prediction(max(clean, key=clean.get), fgsm_models,
                                                  eps=0.0)) == "correct"


def test_fgsm_widget_updates_synchronously(fgsm_models):
    widget = w.make_fgsm_widget(fgsm_models)
    c = controls(widget)
    assert set(c) == {"eps", "index", "crafted_on"}
    assert c["index"].max == fgsm_models["data"][2].shape[0] - 1
    c["eps"].value = 0.0
    assert np.all(widget.result["delta"] == 0)
    c["eps"].value = 0.2
    c["index"].value = 7
    assert np.max(np.abs(widget.result["delta"])) == pytest.approx(0.2)
    expected = w.fgsm_example(fgsm_models, 7, 0.2, "local")
    np.testing.assert_array_equal(widget.result["x_adv"], expected["x_adv"])
    c["crafted_on"].value = "bp"
    np.testing.assert_array_equal(widget.result["x_adv"],
                                  w.fgsm_example(fgsm_models, 7, 0.2, "bp")["x_adv"])
    fig, _ = w.fgsm_figure(fgsm_models, 7, 0.2, "bp")
    assert len(fig.axes) == 5                                   # 4 panels + colour bar
