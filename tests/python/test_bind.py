"""Python subclasses in C++ registries (bind_registry), and the seed's own test cases."""
import gc
import threading
import weakref

import pytest

import speculators_registry as sr
import speculators_registry_testing as testing


class PySquare(testing.Shape):
    """a square written in Python

    More text that the description leaves out.
    """

    def __init__(self, side):
        super().__init__()
        self.side = side

    def area(self):
        return self.side * self.side


testing.Shape.register("py_square")(PySquare)


@testing.Shape.register()
class Triangle(testing.Shape):
    def __init__(self, side):
        super().__init__()
        self.side = side

    def area(self):
        return self.side * self.side // 2


@testing.Shape.register_decorator
class Failing(testing.Shape):
    def __init__(self, side):
        super().__init__()
        raise ValueError(f"no shape of side {side}")

    def area(self):
        return 0


def test_register_with_and_without_a_name():
    names = [cls.name for cls in testing.Shape.registered_classes()]
    assert names == ["square", "py_square", "Triangle", "Failing"]
    info = testing.Shape.registry["py_square"]
    assert info.type_name == "test_bind.PySquare"
    assert info.description == "a square written in Python"
    assert info.origin == __file__
    assert info.registry_key == "testing.Shape"
    assert info.is_loaded
    assert testing.Shape.registry["square"].description == "a C++ square"


def test_cpp_builds_python_classes():
    assert testing.area_from_cpp("py_square", 7) == 49
    assert testing.area_from_cpp("Triangle", 4) == 8
    assert testing.area_from_cpp("square", 5) == 25


def test_create_from_python_returns_the_python_object():
    square = testing.Shape.create("py_square", 3)
    assert type(square) is PySquare
    assert square.side == 3 and square.area() == 9
    cpp = testing.Shape.create("square", 4)
    assert type(cpp) is testing.Shape and cpp.area() == 16


def test_cpp_keeps_the_python_object_alive():
    testing.hold("py_square", 6)
    gc.collect()
    assert testing.held_areas() == [36]
    testing.Shape.create("py_square", 1)  # a second object does not disturb the first
    gc.collect()
    assert testing.held_areas() == [36]


def test_dropping_the_cpp_object_frees_the_python_one():
    finalized = []

    class Tracked(testing.Shape):
        def __init__(self, side):
            super().__init__()
            weakref.finalize(self, finalized.append, side)

        def area(self):
            return 1

    testing.Shape.register("tracked")(Tracked)
    testing.hold("tracked", 11)
    gc.collect()
    assert finalized == []
    testing.drop_held()
    gc.collect()
    assert finalized == [11]


def test_python_exception_becomes_a_cpp_error_naming_the_class():
    text = testing.error_from_cpp("Failing", 3)
    assert "test_bind.Failing" in text
    assert '"Failing"' in text and '"testing.Shape"' in text
    assert "ValueError: no shape of side 3" in text
    with pytest.raises(sr.PythonError, match="ValueError: no shape of side 2"):
        testing.Shape.create("Failing", 2)


def test_name_that_is_not_a_string():
    with pytest.raises(ValueError, match="must be a string, got 42"):
        testing.Shape.register(42)(PySquare)
    with pytest.raises(sr.InvalidKeyError):
        testing.Shape.register_decorator(PySquare, name=["a"])


def test_decorator_on_a_non_class():
    with pytest.raises(TypeError, match="only a class can be registered"):
        testing.Shape.register("f")(lambda side: None)
    with pytest.raises(sr.InvalidClassError):
        testing.Shape.register_decorator(3)


def test_class_not_derived_from_the_base():
    class Plain:
        pass

    with pytest.raises(TypeError, match="must derive from"):
        testing.Shape.register("plain")(Plain)
    with pytest.raises(TypeError, match="must derive from"):
        testing.Animal.register("square_animal")(PySquare)


def test_duplicate_name():
    with pytest.raises(ValueError, match="already registered"):
        testing.Shape.register("square")(PySquare)
    with pytest.raises(sr.DuplicateKeyError, match="test_bind.PySquare"):
        testing.Shape.register("py_square")(Triangle)


def test_unknown_name_is_a_key_error():
    with pytest.raises(KeyError, match="circle"):
        testing.Shape.create("circle", 1)
    with pytest.raises(sr.UnknownKeyError):
        testing.area_from_cpp("circle", 1)


def test_registered_classes_before_any_registration():
    assert testing.Animal.registry is None
    with pytest.raises(ValueError, match="must be called after registering classes"):
        testing.Animal.registered_classes()
    with pytest.raises(sr.EmptyRegistryError):
        sr.Registry("testing.Animal").registered_classes()


def test_registries_are_isolated():
    @testing.Animal.register("cat")
    class Cat(testing.Animal):
        def sound(self):
            return "meow"

    assert [c.name for c in testing.Animal.registered_classes()] == ["cat"]
    assert "cat" not in testing.Shape.registry
    assert testing.Animal.create("cat").sound() == "meow"
    with pytest.raises(KeyError):
        testing.Shape.create("cat", 1)


def test_auto_discovery_flags_read_back():
    assert testing.Shape.registry_auto_discovery is False
    assert testing.Shape.auto_package is None
    assert testing.Discovered.registry_auto_discovery is True
    assert testing.Discovered.auto_package == "speculators.testing_nothing_here"
    assert testing.Discovered.registry_key == "testing.Discovered"


def test_auto_populate_registry_once_then_refused_when_off():
    assert testing.Discovered.registry_populated is False
    assert testing.Discovered.auto_populate_registry() is True
    assert testing.Discovered.registry_populated is True
    assert testing.Discovered.auto_populate_registry() is False
    assert testing.Discovered.auto_imported_modules == []
    with pytest.raises(ValueError, match="registry_auto_discovery is set to False"):
        testing.Shape.auto_populate_registry()
    with pytest.raises(sr.DiscoveryError, match="auto_package must be set"):
        testing.Shape.auto_import_package_modules()


def test_python_classes_built_from_many_cpp_threads():
    threads, per_thread = 8, 50
    areas = testing.areas_from_threads("py_square", threads, per_thread)
    assert areas == [side * side for side in range(threads * per_thread)]
    # Python threads in the same process meanwhile.
    results = []
    workers = [threading.Thread(target=lambda: results.append(testing.areas_from_threads("Triangle", 2, 20)))
               for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert results == [[side * side // 2 for side in range(40)]] * 4
