"""Subpackages re-export every public function of their modules, and nothing else by accident."""

import importlib

import pytest

SUBPACKAGES = {
    "localrule.parallel": ("dependencies", "layerwise", "pipeline", "cost_model"),
    "localrule.plots": ("style", "training", "gradients", "hidden_units", "diagrams",
                        "robustness"),
}
MODULES = [(package, module) for package, modules in SUBPACKAGES.items() for module in modules]


@pytest.mark.parametrize("package", SUBPACKAGES)
def test_listed_names_exist_once(package):
    pkg = importlib.import_module(package)
    for name in pkg.__all__:
        assert getattr(pkg, name) is not None, name
    assert len(set(pkg.__all__)) == len(pkg.__all__)


@pytest.mark.parametrize("package, module", MODULES)
def test_every_public_function_of_a_module_is_exported(package, module):
    pkg = importlib.import_module(package)
    mod = importlib.import_module(f"{package}.{module}")
    public = [name for name, obj in vars(mod).items()
              if not name.startswith("_") and callable(obj)
              and getattr(obj, "__module__", None) == mod.__name__]
    assert public, module
    for name in public:
        assert name in pkg.__all__, f"{module}.{name}"
        assert getattr(pkg, name) is getattr(mod, name)
