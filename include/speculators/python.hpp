// Python classes in a C++ registry: one call binds a C++ base to Python (pybind11).
//
// The module speculators_registry lists every registry by key. A C++ author who wants
// Python code to add implementations to a base binds it with its pybind11 trampoline:
//
//   #include <speculators/python.hpp>
//
//   struct PyTokenProposal : TokenProposal {
//     std::vector<int> propose(std::span<const int> context) const override {
//       PYBIND11_OVERRIDE_PURE(std::vector<int>, TokenProposal, propose,
//                              std::vector<int>(context.begin(), context.end()));
//     }
//   };
//   PYBIND11_MODULE(my_module, m) {
//     speculators::python::bind_registry<TokenProposal, PyTokenProposal>(m, "TokenProposal")
//         .def("propose", ...);
//   }
//
// In Python, a subclass registers itself as in the Python `speculators.utils.registry`, and C++ then builds it by name:
//
//   @TokenProposal.register("py_greedy")
//   class PyGreedy(TokenProposal):
//       def __init__(self, config):
//           super().__init__()
//       def propose(self, context): ...
//
//   std::unique_ptr<TokenProposal> p = TokenProposal::create("py_greedy", config);  // in C++
//
// The bound class has:
//  - create(name, *args): builds any class of the registry (C++, plugin or Python) and returns
//    it owned by Python;
//  - register(name=None) and register_decorator(cls, name=None) for Python subclasses;
//  - registry, registered_classes(), registry_auto_discovery, registry_populated, auto_package,
//    auto_populate_registry(), auto_import_package_modules(), auto_imported_modules: those of
//    speculators_registry.Registry(key).
//
// Guarantees
//  - A C++ create() of a Python class takes the GIL for the construction, from any thread, and
//    hands it back; the C++ object keeps its Python object alive as long as the unique_ptr
//    lives (its destructor takes the GIL to let go of it). Calls of overridden methods take the
//    GIL through PYBIND11_OVERRIDE.
//  - A Python exception raised while building the class becomes a PythonError naming the
//    Python class, its registry and key, with the exception's type and message.
//  - Constructor arguments passed by reference (a config) are valid during the construction,
//    as in C++: a Python class that keeps one keeps a copy (config.to_json()).
//  - Registered Python classes stay registered, and alive, for the life of the process.
#pragma once

#include <speculators/registry.hpp>

#include <pybind11/pybind11.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace speculators::python {

/// A Python class that C++ asked to build raised an exception.
class PythonError : public RegistryError {
  using RegistryError::RegistryError;
};

/// Binds `Base`'s registry to Python as class `name` of `module`, with `Trampoline` (a pybind11
/// trampoline of Base, default-constructible) for Python subclasses. Imports speculators_registry.
/// @returns the pybind11 class, to which the caller adds Base's methods.
/// Example: `speculators::python::bind_registry<TokenProposal, PyTokenProposal>(m, "TokenProposal");`
template <class Base, class Trampoline>
auto bind_registry(pybind11::module_& module, const char* name);

// ===========================================================================
// Implementation details. Nothing below is part of the public API.
// ===========================================================================

// Hidden, as pybind11's own namespace is: these types hold pybind11 objects.
#pragma GCC visibility push(hidden)
namespace detail {

namespace py = pybind11;

/// What a C++ object built from a Python class holds: its Python object, until Python owns
/// it again. Dropped with the GIL held.
class PythonSelf {
 public:
  PythonSelf() = default;
  PythonSelf(const PythonSelf&) = delete;
  PythonSelf& operator=(const PythonSelf&) = delete;
  virtual ~PythonSelf() {
    if (self_ && Py_IsInitialized() != 0) {
      py::gil_scoped_acquire gil;
      self_ = py::object();
    } else {
      self_.release();  // the interpreter is gone: nothing to let go of
    }
  }
  py::object self_;
};

/// The trampoline pybind11 builds for Python subclasses: the user's, plus the Python object.
template <class Trampoline>
class Owned final : public Trampoline, public PythonSelf {
 public:
  using Trampoline::Trampoline;
};

/// A registered Python class: what its factory needs. Never freed (registrations are not).
struct PythonClass {
  py::object type;
  std::string qualified_name;
  std::string registry_key;
  std::string key;
};

inline py::object registry_module() { return py::module_::import("speculators_registry"); }

[[noreturn]] inline void raise(const char* error, const std::string& message) {
  PyErr_SetString(registry_module().attr(error).ptr(), message.c_str());
  throw py::error_already_set();
}

template <class Base>
std::unique_ptr<Base>& holder_of(py::handle object) {
  auto* instance = reinterpret_cast<py::detail::instance*>(object.ptr());
  return instance->get_value_and_holder(py::detail::get_type_info(typeid(Base)))
      .template holder<std::unique_ptr<Base>>();
}

// A Python object's C++ part, taken out of its holder so that a C++ unique_ptr owns it; the
// C++ part owns the Python object in turn (PythonSelf) until it is handed back (to_python).
template <class Base>
Base* take_from_python(py::object object, const PythonClass& cls) {
  std::unique_ptr<Base>& holder = holder_of<Base>(object);
  auto* self = dynamic_cast<PythonSelf*>(holder.get());
  if (self == nullptr) {
    throw PythonError("speculators: the Python class " + cls.qualified_name + ", registered as \"" + cls.key +
                          "\" in registry \"" + cls.registry_key +
                          "\", returned an object that is not a new instance of a Python subclass; return a new "
                          "instance from __new__ and call the base's __init__",
                      cls.registry_key, cls.key);
  }
  Base* value = holder.release();
  self->self_ = std::move(object);
  return value;
}

// A created object, for Python: a Python class's object is its own Python object again.
template <class Base>
py::object to_python(std::unique_ptr<Base> value) {
  if (auto* self = dynamic_cast<PythonSelf*>(value.get())) {
    py::object object = std::move(self->self_);
    holder_of<Base>(object).reset(value.release());
    return object;
  }
  return py::cast(std::move(value));
}

template <class Base, class... CtorArgs>
Base* build_python_class(const void* context, CtorArgs... args) {
  const auto& cls = *static_cast<const PythonClass*>(context);
  py::gil_scoped_acquire gil;
  try {
    py::object object = cls.type(py::cast(args, py::return_value_policy::reference)...);
    return take_from_python<Base>(std::move(object), cls);
  } catch (py::error_already_set& e) {
    const std::string raised =
        py::str(e.type().attr("__name__")).cast<std::string>() + ": " + py::str(e.value()).cast<std::string>();
    throw PythonError("speculators: the Python class " + cls.qualified_name + ", registered as \"" + cls.key +
                          "\" in registry \"" + cls.registry_key + "\", raised " + raised,
                      cls.registry_key, cls.key);
  }
}

// The constructor arguments of a base, from its ClassInfo type.
template <class Info>
struct bridge_of;
template <class Base, class... CtorArgs>
struct bridge_of<ClassInfo<Base, CtorArgs...>> {
  static py::object create(std::string_view name, CtorArgs... args) {
    return to_python(Base::create(name, std::forward<CtorArgs>(args)...));
  }

  static py::object register_class(const py::object& bound, const py::object& cls, const py::object& name) {
    const std::string registry_key(Base::registry_key());
    if (!py::isinstance<py::type>(cls)) {
      raise("InvalidClassError", "speculators: only a class can be registered in registry \"" + registry_key +
                                     "\", got " + py::repr(cls).cast<std::string>());
    }
    if (PyObject_IsSubclass(cls.ptr(), bound.ptr()) != 1) {
      raise("InvalidClassError", "speculators: the class " + py::repr(cls).cast<std::string>() + " must derive from " +
                                     py::repr(bound).cast<std::string>() + " to be registered in registry \"" +
                                     registry_key + "\"");
    }
    if (!name.is_none() && !py::isinstance<py::str>(name)) {
      raise("InvalidKeyError", "speculators: the name to register " + py::repr(cls).cast<std::string>() +
                                   " under in registry \"" + registry_key + "\" must be a string, got " +
                                   py::repr(name).cast<std::string>());
    }
    auto python_class = std::make_unique<PythonClass>();
    python_class->type = cls;
    python_class->qualified_name = py::str(cls.attr("__module__")).cast<std::string>() + "." +
                                   py::str(cls.attr("__qualname__")).cast<std::string>();
    python_class->registry_key = registry_key;
    python_class->key = py::str(name.is_none() ? cls.attr("__name__") : name).cast<std::string>();
    const py::object doc = cls.attr("__doc__");
    std::string description = doc.is_none() ? std::string() : py::str(doc).cast<std::string>();
    description.resize(std::min(description.size(), description.find('\n')));  // the first line
    speculators::detail::EntryFields fields;
    fields.name = python_class->key;
    fields.type_name = python_class->qualified_name;
    fields.signature = speculators::detail::signature_of<Base, CtorArgs...>::value;
    fields.description = description;
    const std::string origin = origin_of(cls);
    fields.origin = origin;
    fields.factory = reinterpret_cast<speculators::detail::ErasedFactory>(&build_python_class<Base, CtorArgs...>);
    fields.factory_context = python_class.get();
    speculators::detail::add_entry(speculators::detail::store_of<Base, CtorArgs...>(), fields);
    python_class.release();  // registered: it lives as long as the process
    return cls;
  }

  // The file of the class's module, or its name when it has no file.
  static std::string origin_of(const py::object& cls) {
    const py::object module_name = cls.attr("__module__");
    const py::object module = py::module_::import("sys").attr("modules").attr("get")(module_name);
    if (!module.is_none() && py::hasattr(module, "__file__") && !module.attr("__file__").is_none()) {
      return py::str(module.attr("__file__")).cast<std::string>();
    }
    return "Python module " + py::str(module_name).cast<std::string>();
  }
};

}  // namespace detail
#pragma GCC visibility pop

template <class Base, class Trampoline>
auto bind_registry(pybind11::module_& module, const char* name) {
  namespace py = pybind11;
  using Bridge = detail::bridge_of<typename Base::class_info>;
  static_assert(std::is_default_constructible_v<Trampoline>,
                "speculators: bind_registry needs a default-constructible trampoline; Python subclasses call "
                "the base's __init__() without arguments and take the constructor arguments in their own");
  py::object registry_module = detail::registry_module();
  (void)Base::registry();  // makes the store, with the base's settings, for Registry(key) below
  py::class_<Base, detail::Owned<Trampoline>> cls(module, name);
  cls.def(py::init_alias<>());
  cls.attr("registry_key") = std::string(Base::registry_key());
  cls.def_static("create", &Bridge::create,
                 "Builds the class registered under name (C++, plugin or Python) with the constructor arguments");
  py::object bound = cls;
  cls.def_static(
      "register_decorator",
      [bound](const py::object& clazz, const py::object& key) { return Bridge::register_class(bound, clazz, key); },
      py::arg("clazz"), py::arg("name") = py::none(), "Registers clazz under name, or under its class name");
  cls.def_static(
      "register",
      [bound](const py::object& key) {
        return py::cpp_function(
            [bound, key](const py::object& clazz) { return Bridge::register_class(bound, clazz, key); });
      },
      py::arg("name") = py::none(), "A class decorator registering the class under name, or under its class name");
  // The rest is the registry's by key: speculators_registry.Registry.
  const py::object registry = registry_module.attr("Registry")(std::string(Base::registry_key()));
  for (const char* attribute :
       {"registry", "registry_auto_discovery", "registry_populated", "auto_package", "auto_imported_modules"}) {
    cls.def_property_readonly_static(attribute,
                                     [registry, attribute](const py::object&) { return registry.attr(attribute); });
  }
  for (const char* method : {"registered_classes", "auto_populate_registry", "auto_import_package_modules"}) {
    cls.def_static(method, [registry, method]() { return registry.attr(method)(); });
  }
  return cls;
}

}  // namespace speculators::python
