// speculators_examples: the TokenProposal example in Python. Python code registers proposal
// methods of its own, and the C++ code of this module (what an engine's core would be) builds
// them by name, next to the methods of the C++ plugins.
#include "../proposals/token_proposal.hpp"

#include <speculators/python.hpp>

#include <pybind11/stl.h>

#include <span>
#include <string>
#include <vector>

namespace {

using speculators::examples::TokenProposal;
using speculators::examples::TokenProposalConfig;

struct PyTokenProposal : TokenProposal {
  std::vector<int> propose(std::span<const int> context) const override {
    PYBIND11_OVERRIDE_PURE(std::vector<int>, TokenProposal, propose, std::vector<int>(context.begin(), context.end()));
  }
};

nlohmann::json json_of(const pybind11::object& value) {
  return nlohmann::json::parse(pybind11::module_::import("json").attr("dumps")(value).cast<std::string>());
}

}  // namespace

PYBIND11_MODULE(speculators_examples, m) {
  namespace py = pybind11;
  // What a proposal's constructor receives: valid during the construction (keep to_json()).
  py::class_<TokenProposalConfig>(m, "TokenProposalConfig")
      .def_property_readonly("proposal_type", &TokenProposalConfig::discriminator_value)
      .def("to_json", [](const TokenProposalConfig& config) {
        return py::module_::import("json").attr("loads")(config.to_json().dump());
      });
  speculators::python::bind_registry<TokenProposal, PyTokenProposal>(m, "TokenProposal")
      .def("propose", [](const TokenProposal& p, const std::vector<int>& context) { return p.propose(context); });

  // The C++ side: parse the config, build the method registered under `name` with it, and run
  // it; the method may come from a plugin or from Python.
  m.def(
      "propose",
      [](const std::string& name, const py::object& config, const std::vector<int>& context) {
        const std::unique_ptr<TokenProposalConfig> parsed = TokenProposalConfig::from_json(json_of(config));
        const std::unique_ptr<TokenProposal> proposal = TokenProposal::create(name, *parsed);
        return proposal->propose(context);
      },
      py::arg("name"), py::arg("config"), py::arg("context"),
      "C++ builds the proposal method `name` from `config` (a dict) and proposes tokens after `context`");
}
