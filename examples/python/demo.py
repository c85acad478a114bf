"""A token proposal method written in Python, built by C++ by name next to the C++ plugins.

    PYTHONPATH=<build>/python python3 examples/python/demo.py
"""
import os

import speculators_examples as examples
import speculators_registry as registry


@examples.TokenProposal.register("repeat_last")
class RepeatLast(examples.TokenProposal):
    """repeats the last token of the context (Python)"""

    def __init__(self, config):
        super().__init__()
        self.tokens = config.to_json()["speculative_tokens"]

    def propose(self, context):
        return [context[-1]] * self.tokens


config = registry.Registry("TokenProposalConfig").validate({"proposal_type": "greedy", "speculative_tokens": 3})
print("config:", config)
context = [101, 2023, 2003]
for name in ("greedy", "repeat_last"):
    print(f"{name}: {examples.propose(name, config, context)}")

print("proposal methods:")
for cls in registry.Registry("TokenProposal").registered_classes():
    print(f"  {cls.name:12} {cls.description}  ({os.path.relpath(cls.origin)})")
