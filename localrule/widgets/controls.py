"""What every widget factory shares: initial control values, label style, showing a figure.

A factory ``make_..._widget(**defaults)`` wires ipywidgets controls to plain figure/state
functions. Setting a control's ``.value`` recomputes the result synchronously, which is what the
tests rely on. Slider values for times are in milliseconds; the package functions they call work in
seconds.
"""

import matplotlib.pyplot as plt

__all__ = ["LABEL_STYLE", "initial_values", "show_figure"]

#: Control style that shows long descriptions in full.
LABEL_STYLE = {"description_width": "initial"}


def initial_values(base, overrides, who):
    """``base`` updated with ``overrides``; a TypeError naming ``who`` for an unknown key.

    Parameters
    ----------
    base : dict
        Default value of every control, by argument name.
    overrides : dict
        Values the caller passed to the factory ``who``.
    who : str
        Name of the factory, for the error message.

    Returns
    -------
    dict
    """
    values = dict(base)
    unknown = set(overrides) - set(values)
    if unknown:
        raise TypeError(f"{who} got unknown argument(s) {sorted(unknown)}; "
                        f"allowed: {sorted(values)}")
    values.update(overrides)
    return values


def show_figure(fig):
    """Display ``fig`` in the current output (a widget's Output area in a kernel) and free it."""
    from IPython.display import display

    display(fig)
    plt.close(fig)

