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

template <class Error>
bool is(const speculators::RegistryError& error) {
  return dynamic_cast<const Error*>(&error) != nullptr;
}

// The exception classes of the module under RegistryError, each with the built-in the seed
// raises for it and the C++ error it stands for (none: raised by bind_registry itself).
struct ErrorKind {
  const char* name;
  PyObject* builtin;
  const char* doc;
  bool (*matches)(const speculators::RegistryError&);
};
const std::vector<ErrorKind>& error_kinds() {
  static const std::vector<ErrorKind> kinds{
      {"InvalidKeyError", PyExc_ValueError, "A name that is not a string, empty, padded or holding control characters.",
       &is<speculators::InvalidKeyError>},
      {"DuplicateKeyError", PyExc_ValueError, "A second class under a taken name (\"already registered\").",
       &is<speculators::DuplicateKeyError>},
      {"UnknownKeyError", PyExc_KeyError, "A name no class (or registry) is under.", &is<speculators::UnknownKeyError>},
      {"EmptyRegistryError", PyExc_ValueError, "registered_classes() before any registration.",
       &is<speculators::EmptyRegistryError>},
      {"DiscoveryError", PyExc_ValueError, "Discovery asked of a registry with discovery off, or without auto_package.",
       &is<speculators::DiscoveryError>},
      {"SignatureMismatchError", PyExc_TypeError, "A class whose constructor signature differs from its registry's.",
       &is<speculators::SignatureMismatchError>},
      {"PluginLoadError", PyExc_ImportError, "Plugins that failed to load; .failures lists (file, module, reason).",
       &is<speculators::PluginLoadError>},
      {"ConfigError", PyExc_ValueError, "A config that does not validate; .problems lists (json_pointer, message).",
       &is<speculators::ConfigError>},
      {"PythonError", PyExc_RuntimeError, "A Python class that C++ built raised; the message names the class.",
       &is<speculators::python::PythonError>},
      {"InvalidClassError", PyExc_TypeError,
       "Registering something that is not a class, or not a subclass of the base.", nullptr},
  };
  return kinds;
}

// RegistryError, then the classes of error_kinds() in their order. Made by the module's init
// (the translator runs after it); never freed, as the module is not.
std::vector<py::object>& error_types() {
  static auto* types = new std::vector<py::object>();
  return *types;
}

void add_error_types(py::module_& m) {
  const auto add = [&m](const char* name, const py::tuple& bases, const char* doc) {
    const std::string qualified = std::string("speculators_registry.") + name;
    auto type =
        py::reinterpret_steal<py::object>(PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases.ptr(), nullptr));
    if (!type) throw py::error_already_set();
    m.attr(name) = type;
    error_types().push_back(type);
  };
  add("RegistryError", py::make_tuple(py::handle(PyExc_Exception)), "Base of every error of speculators_registry.");
  for (const ErrorKind& kind : error_kinds()) {
    add(kind.name, py::make_tuple(error_types().front(), py::handle(kind.builtin)), kind.doc);
  }
}

void translate(std::exception_ptr thrown) {
  try {
    std::rethrow_exception(thrown);
  } catch (const speculators::RegistryError& error) {
    const py::object* type = &error_types().front();
    for (std::size_t i = 0; i < error_kinds().size(); ++i) {
      if (error_kinds()[i].matches != nullptr && error_kinds()[i].matches(error)) type = &error_types()[i + 1];
    }
    py::object raised = (*type)(error.what());
    raised.attr("registry") = error.registry();
    raised.attr("key") = error.key();
    if (const auto* config = dynamic_cast<const speculators::ConfigError*>(&error)) {
      py::list problems;
      for (const auto& p : config->problems()) problems.append(py::make_tuple(p.pointer, p.message));
      raised.attr("problems") = problems;
    }
    if (const auto* plugins = dynamic_cast<const speculators::PluginLoadError*>(&error)) {
      py::list failures;
      for (const auto& f : plugins->failures()) failures.append(py::make_tuple(f.file, f.module, f.reason));
      raised.attr("failures") = failures;
    }
    PyErr_SetObject(type->ptr(), raised.ptr());
  }
}

// JSON between Python and C++, through Python's json module: configs are small.
nlohmann::json to_json(const py::object& value) {
  const py::object text = py::isinstance<py::str>(value) ? value : py::module_::import("json").attr("dumps")(value);
  // As the tool reads files: a key given twice is a problem, not the last one silently winning.
  return speculators::parse_config_text(text.cast<std::string>());
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

  add_error_types(m);
  py::register_exception_translator(&translate);

  py::class_<speculators::AnyClassInfo>(m, "ClassInfo", "A registered class: where it comes from, whether it is loaded")
      .def_property_readonly("name", &speculators::AnyClassInfo::name)
      .def_property_readonly("type_name", &speculators::AnyClassInfo::type_name)
      .def_property_readonly("description", &speculators::AnyClassInfo::description)
      .def_property_readonly("origin", &speculators::AnyClassInfo::origin)
      .def_property_readonly("is_loaded", &speculators::AnyClassInfo::is_loaded)
      .def_property_readonly("registry_key", &speculators::AnyClassInfo::registry_key)
      .def("load", &speculators::AnyClassInfo::load,
           "Loads the plugin of a class listed from its manifest (what creating it would do)")
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
