"""The module: version, registries by key, the search path, the exception hierarchy."""
import os
import re
import subprocess
import sys
import tempfile

import pytest

import speculators_registry as sr


def test_version_is_the_librarys():
    assert re.fullmatch(r"\d+\.\d+\.\d+", sr.__version__)
    cmake = os.path.join(os.path.dirname(__file__), "..", "..", "CMakeLists.txt")
    with open(cmake) as f:
        assert f"VERSION {sr.__version__} " in f.read()


@pytest.mark.parametrize("name, builtin", [
    ("InvalidKeyError", ValueError),
    ("DuplicateKeyError", ValueError),
    ("UnknownKeyError", KeyError),
    ("EmptyRegistryError", ValueError),
    ("DiscoveryError", ValueError),
    ("SignatureMismatchError", TypeError),
    ("PluginLoadError", ImportError),
    ("ConfigError", ValueError),
    ("InvalidClassError", TypeError),
    ("PythonError", RuntimeError),
])
def test_exceptions_share_one_root_and_the_seeds_builtins(name, builtin):
    error = getattr(sr, name)
    assert issubclass(error, sr.RegistryError)
    assert issubclass(error, builtin)


def test_unknown_registry_names_the_known_ones():
    import speculators_registry_testing  # noqa: F401  (holds testing.Shape)

    assert "testing.Shape" in sr.registries()
    with pytest.raises(sr.UnknownKeyError, match=r'"testing\.Shap".*Did you mean "testing\.Shape"\?'):
        sr.Registry("testing.Shap")
    with pytest.raises(KeyError):
        sr.Registry("")


def test_registry_by_key_lists_cpp_classes():
    import speculators_registry_testing  # noqa: F401

    shapes = sr.Registry("testing.Shape")
    assert shapes.key == "testing.Shape"
    classes = shapes.registered_classes()
    assert isinstance(classes, tuple)
    square = classes[0]
    assert (square.name, square.description, square.is_loaded, square.registry_key) == (
        "square", "a C++ square", True, "testing.Shape")
    assert square.type_name.endswith("Square")
    assert square.origin.endswith(".so")  # the extension module that holds it
    assert shapes.registry["square"] == square
    with pytest.raises(TypeError):
        shapes.registry["circle"] = square  # read-only
    assert shapes.registry_auto_discovery is False
    assert shapes.auto_package is None and shapes.registry_populated is False


def test_add_plugin_directory():
    with tempfile.TemporaryDirectory() as directory:
        sr.add_plugin_directory(directory)
        assert (directory, "add_plugin_directory", True) in sr.plugin_search_path()
    with pytest.raises(sr.RegistryError, match="absolute"):
        sr.add_plugin_directory("relative/dir")


def test_search_path_reads_the_environment():
    # CTest runs the suite with SPECULATORS_PLUGIN_PATH empty; entries come from code and the
    # library's defaults: the program's own places (python3's), and the build tree of the
    # uninstalled library the module is built against.
    sources = [source for _, source, _ in sr.plugin_search_path()]
    assert "SPECULATORS_PLUGIN_PATH" not in sources
    assert "program" in sources
    assert sources[-1] == "build tree"


def test_search_path_takes_speculators_plugin_path_first():
    with tempfile.TemporaryDirectory() as directory:
        env = dict(os.environ, SPECULATORS_PLUGIN_PATH=directory)
        out = subprocess.run([sys.executable, "-c", "import speculators_registry as sr; print(sr.plugin_search_path()[0])"],
                             env=env, capture_output=True, text=True, check=True).stdout
        assert out.strip() == repr((directory, "SPECULATORS_PLUGIN_PATH", True))
