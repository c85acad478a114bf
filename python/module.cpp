// speculators_registry: the registries of the process, by key, in Python.
//
//   import speculators_registry as sr
//   sr.registries()                                   # the keys known now
//   proposals = sr.Registry("speculators::examples::TokenProposal")
//   for cls in proposals.registered_classes(): print(cls.name, cls.origin)
//   sr.Registry("speculators::examples::TokenProposalConfig").validate({"proposal_type": "greedy"})
//
// The library's errors arrive as exceptions under speculators_registry.RegistryError, each
// also the built-in the seed raises (ValueError, TypeError, KeyError, ImportError).
#include <speculators/any_registry.hpp>
#include <speculators/config.hpp>
#include <speculators/plugins.hpp>
#include <speculators/python.hpp>

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <string>
#include <vector>

namespace py = pybind11;

namespace {

// The exception classes, made once by the module (the translator runs after init).
struct Exceptions {
  py::object registry_error, invalid_key, duplicate_key, unknown_key, empty_registry, discovery, signature_mismatch,
      plugin_load, config, invalid_class, python;
};
Exceptions& exceptions() {
  static auto* made = new Exceptions();  // outlives the interpreter's teardown of the module
  return *made;
}

py::object new_exception(py::module_& m, const char* name, const py::object& base, PyObject* builtin, const char* doc) {
  const std::string qualified = std::string("speculators_registry.") + name;
  py::tuple bases = builtin == nullptr ? py::make_tuple(base) : py::make_tuple(base, py::handle(builtin));
  py::object type =
      py::reinterpret_steal<py::object>(PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases.ptr(), nullptr));
  if (!type) throw py::error_already_set();
  m.attr(name) = type;
  return type;
}

// Raises `type(message)` with extra attributes.
void raise(const py::object& type, const char* message, const py::dict& attributes = {}) {
  py::object error = type(message);
  for (const auto& item : attributes) py::setattr(error, item.first, item.second);
  PyErr_SetObject(type.ptr(), error.ptr());
}

void translate(std::exception_ptr thrown) {
  const Exceptions& e = exceptions();
  try {
    std::rethrow_exception(thrown);
  } catch (const speculators::ConfigError& error) {
    py::list problems;
    for (const auto& p : error.problems()) problems.append(py::make_tuple(p.pointer, p.message));
    raise(e.config, error.what(), py::dict(py::arg("problems") = problems, py::arg("registry") = error.registry()));
  } catch (const speculators::PluginLoadError& error) {
    py::list failures;
    for (const auto& f : error.failures()) failures.append(py::make_tuple(f.file, f.module, f.reason));
    raise(e.plugin_load, error.what(),
          py::dict(py::arg("failures") = failures, py::arg("registry") = error.registry()));
  } catch (const speculators::RegistryError& error) {
    const py::object* type = &e.registry_error;
    if (dynamic_cast<const speculators::InvalidKeyError*>(&error) != nullptr) type = &e.invalid_key;
    if (dynamic_cast<const speculators::DuplicateKeyError*>(&error) != nullptr) type = &e.duplicate_key;
    if (dynamic_cast<const speculators::UnknownKeyError*>(&error) != nullptr) type = &e.unknown_key;
    if (dynamic_cast<const speculators::EmptyRegistryError*>(&error) != nullptr) type = &e.empty_registry;
    if (dynamic_cast<const speculators::DiscoveryError*>(&error) != nullptr) type = &e.discovery;
    if (dynamic_cast<const speculators::SignatureMismatchError*>(&error) != nullptr) type = &e.signature_mismatch;
    if (dynamic_cast<const speculators::python::PythonError*>(&error) != nullptr) type = &e.python;
    raise(*type, error.what(), py::dict(py::arg("registry") = error.registry(), py::arg("key") = error.key()));
  }
}

// JSON between Python and C++, through Python's json module: configs are small.
nlohmann::json to_json(const py::object& value) {
  const py::object text = py::isinstance<py::str>(value) ? value : py::module_::import("json").attr("dumps")(value);
  try {
    return nlohmann::json::parse(text.cast<std::string>());
  } catch (const nlohmann::json::parse_error& error) {
    throw speculators::ConfigError(std::string("speculators: the config is not JSON: ") + error.what(), {},
                                   {{"", std::string("not JSON: ") + error.what()}});
  }
}

py::object from_json(const nlohmann::json& value) { return py::module_::import("json").attr("loads")(value.dump()); }

py::object auto_package_of(const speculators::AnyRegistry& registry) {
  const std::vector<std::string> packages = registry.auto_package();
  if (packages.empty()) return py::none();
  if (packages.size() == 1) return py::str(packages.front());
  return py::tuple(py::cast(packages));
}

py::tuple classes_of(const speculators::AnyRegistry& registry) {
  const std::vector<speculators::AnyClassInfo> classes = registry.registered_classes();
  py::tuple out(classes.size());
  for (std::size_t i = 0; i < classes.size(); ++i) out[i] = py::cast(classes[i]);
  return out;
}

// The seed's `registry`: None until the first registration, else a read-only mapping.
py::object mapping_of(const speculators::AnyRegistry& registry) {
  const std::size_t count = registry.size();
  if (count == 0) return py::none();
  py::dict names;
  for (std::size_t i = 0; i < count; ++i) {
    const speculators::AnyClassInfo cls = registry.class_at(i);
    names[py::str(std::string(cls.name()))] = cls;
  }
  return py::module_::import("types").attr("MappingProxyType")(names);
}

}  // namespace

PYBIND11_MODULE(speculators_registry, m) {
  m.doc() = "The registries of speculators-registry (C++), by key: list, discover, validate configs.";
  m.attr("__version__") = SPECULATORS_VERSION;

  Exceptions& e = exceptions();
  e.registry_error = new_exception(m, "RegistryError", py::reinterpret_borrow<py::object>(PyExc_Exception), nullptr,
                                   "Base of every error of speculators_registry.");
  e.invalid_key = new_exception(m, "InvalidKeyError", e.registry_error, PyExc_ValueError,
                                "A name that is not a string, empty, padded or holding control characters.");
  e.duplicate_key = new_exception(m, "DuplicateKeyError", e.registry_error, PyExc_ValueError,
                                  "A second class under a taken name (\"already registered\").");
  e.unknown_key =
      new_exception(m, "UnknownKeyError", e.registry_error, PyExc_KeyError, "A name no class (or registry) is under.");
  e.empty_registry = new_exception(m, "EmptyRegistryError", e.registry_error, PyExc_ValueError,
                                   "registered_classes() before any registration.");
  e.discovery = new_exception(m, "DiscoveryError", e.registry_error, PyExc_ValueError,
                              "Discovery asked of a registry with discovery off, or without auto_package.");
  e.signature_mismatch = new_exception(m, "SignatureMismatchError", e.registry_error, PyExc_TypeError,
                                       "A class whose constructor signature differs from its registry's.");
  e.plugin_load = new_exception(m, "PluginLoadError", e.registry_error, PyExc_ImportError,
                                "Plugins that failed to load; .failures lists (file, module, reason).");
  e.config = new_exception(m, "ConfigError", e.registry_error, PyExc_ValueError,
                           "A config that does not validate; .problems lists (json_pointer, message).");
  e.invalid_class = new_exception(m, "InvalidClassError", e.registry_error, PyExc_TypeError,
                                  "Registering something that is not a class, or not a subclass of the base.");
  e.python = new_exception(m, "PythonError", e.registry_error, nullptr,
                           "A Python class that C++ built raised; the message names the class.");
  py::register_exception_translator(&translate);

  py::class_<speculators::AnyClassInfo>(m, "ClassInfo", "A registered class: where it comes from, whether it is loaded")
      .def_property_readonly("name", &speculators::AnyClassInfo::name)
      .def_property_readonly("type_name", &speculators::AnyClassInfo::type_name)
      .def_property_readonly("description", &speculators::AnyClassInfo::description)
      .def_property_readonly("origin", &speculators::AnyClassInfo::origin)
      .def_property_readonly("is_loaded", &speculators::AnyClassInfo::is_loaded)
      .def_property_readonly("registry_key", &speculators::AnyClassInfo::registry_key)
      .def("__eq__", [](const speculators::AnyClassInfo& a, const speculators::AnyClassInfo& b) { return a == b; })
      .def("__hash__", [](const speculators::AnyClassInfo& a) { return std::hash<std::string_view>{}(a.name()); })
      .def("__repr__", [](const speculators::AnyClassInfo& c) {
        return "ClassInfo(name=" + py::repr(py::str(std::string(c.name()))).cast<std::string>() +
               ", registry_key=" + py::repr(py::str(std::string(c.registry_key()))).cast<std::string>() + ")";
      });

  py::class_<speculators::AnyRegistry>(m, "Registry", "A registry of the process, by key (the C++ base's)")
      .def(py::init(&speculators::AnyRegistry::open), py::arg("key"))
      .def_property_readonly("key", &speculators::AnyRegistry::key)
      .def("registered_classes", &classes_of,
           "Every class, in registration order, after discovery (ValueError when there is none)")
      .def_property_readonly("registry", &mapping_of, "None before the first registration, else name -> ClassInfo")
      .def_property_readonly("registry_auto_discovery", &speculators::AnyRegistry::registry_auto_discovery)
      .def_property_readonly("registry_eager_load", &speculators::AnyRegistry::registry_eager_load)
      .def_property_readonly("registry_populated", &speculators::AnyRegistry::registry_populated)
      .def_property_readonly("auto_package", &auto_package_of, "A str, a tuple of them, or None")
      .def("auto_populate_registry", &speculators::AnyRegistry::auto_populate_registry,
           "Discovers the packages once: True the first time, then False")
      .def("auto_import_package_modules", &speculators::AnyRegistry::auto_import_package_modules)
      .def_property_readonly("auto_imported_modules", &speculators::AnyRegistry::auto_imported_modules)
      .def(
          "validate",
          [](const speculators::AnyRegistry& registry, const py::object& config, bool allow_unknown_fields) {
            const nlohmann::json input = to_json(config);
            registry.load_classes();
            return from_json(
                speculators::normalize_config(registry.key(), input, {.allow_unknown_fields = allow_unknown_fields}));
          },
          py::arg("config"), py::arg("allow_unknown_fields") = false,
          "The config (a dict or a JSON string) normalized; ConfigError listing every problem")
      .def(
          "json_schema",
          [](const speculators::AnyRegistry& registry) {
            registry.load_classes();
            return from_json(speculators::config_schema(registry.key()));
          },
          "The JSON Schema of a config registry, as a dict")
      .def("__repr__", [](const speculators::AnyRegistry& r) {
        return "Registry(" + py::repr(py::str(std::string(r.key()))).cast<std::string>() + ")";
      });

  m.def("registries", &speculators::registry_keys, "The keys of the registries this process holds now");
  m.def(
      "add_plugin_directory",
      [](const std::filesystem::path& directory) { speculators::add_plugin_directory(directory); },
      py::arg("directory"), "Adds an absolute directory to the plugin search path");
  m.def(
      "plugin_search_path",
      [] {
        py::list out;
        for (const auto& entry : speculators::plugin_search_path()) {
          out.append(py::make_tuple(entry.directory, entry.source, entry.exists));
        }
        return out;
      },
      "The plugin search path as (directory, source, exists), in the order it is searched");
}
