"""The LLM layer below tools and agent: the client and ledger, model settings, reply parsing, the reply cache, the scripted test model."""
