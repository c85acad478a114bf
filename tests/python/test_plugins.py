"""Registries that only plugins on the search path name, and configs from Python (the
example plugins of package speculators.proposals, in the build tree's plugin directory)."""
import json

import pytest

import speculators_registry as sr

PROPOSAL = "speculators::examples::TokenProposal"
CONFIG = "speculators::examples::TokenProposalConfig"


def test_registry_from_manifests_lists_without_loading():
    assert PROPOSAL not in sr.registries()  # no code of this process names it
    proposals = sr.Registry(PROPOSAL)
    assert proposals.registry_auto_discovery is True
    assert proposals.auto_package == "speculators.proposals"
    assert proposals.registry is None and proposals.registry_populated is False
    classes = proposals.registered_classes()
    assert [c.name for c in classes] == ["greedy", "sampling"]
    assert all(not c.is_loaded for c in classes)
    assert classes[0].origin.endswith("speculators/proposals/greedy.so")
    assert classes[0].description == "the most likely next token, every time"
    assert proposals.auto_imported_modules == ["speculators.proposals.greedy", "speculators.proposals.sampling"]
    assert proposals.auto_populate_registry() is False
    assert PROPOSAL in sr.registries()
    classes[0].load()  # what creating it does first
    assert [c.is_loaded for c in proposals.registered_classes()] == [True, False]


def test_validate_normalizes_and_loads_the_config_classes():
    configs = sr.Registry(CONFIG)
    assert configs.validate({"proposal_type": "greedy"}) == {
        "proposal_type": "greedy", "speculative_tokens": 5, "verifier_accept_k": 1}
    assert configs.validate('{"proposal_type": "sampling", "seed": 3}')["seed"] == 3
    assert all(c.is_loaded for c in configs.registered_classes())


def test_config_error_lists_every_problem():
    configs = sr.Registry(CONFIG)
    with pytest.raises(sr.ConfigError) as caught:
        configs.validate({"proposal_type": "sampling", "temperature": "hot", "top_p": 1.5, "stop_token": 1})
    error = caught.value
    assert isinstance(error, ValueError)
    pointers = [pointer for pointer, _ in error.problems]
    assert pointers == ["/stop_token", "/temperature", "/top_p"]
    assert error.problems[1] == ("/temperature", "expected a number, got string")
    assert "/top_p: must be <= 1, got 1.5" in str(error)


def test_unknown_fields_allowed_on_request():
    configs = sr.Registry(CONFIG)
    assert "extra" not in configs.validate({"proposal_type": "greedy", "extra": 1}, allow_unknown_fields=True)


def test_not_json_is_a_config_error():
    with pytest.raises(sr.ConfigError) as caught:
        sr.Registry(CONFIG).validate("{not json")
    assert caught.value.problems[0][0] == ""
    with pytest.raises(TypeError):
        sr.Registry(CONFIG).validate({"proposal_type": object()})  # json.dumps refuses it


def test_json_schema():
    schema = sr.Registry(CONFIG).json_schema()
    assert schema["title"] == CONFIG
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    json.dumps(schema)


def test_schema_of_a_registry_that_is_not_a_config_registry():
    with pytest.raises(KeyError, match="no config registry"):
        sr.Registry(PROPOSAL).json_schema()


def test_names_without_namespace():
    assert sr.Registry("TokenProposal").key == PROPOSAL
    assert sr.Registry("examples::TokenProposalConfig").key == CONFIG
    assert sr.Registry("TokenProposalConfig").validate({"proposal_type": "greedy"})["speculative_tokens"] == 5
    with pytest.raises(sr.UnknownKeyError, match="TokenProposal"):
        sr.Registry("TokenProposl")
