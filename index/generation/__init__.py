"""Written answers from a language model, optional: the passages retrieval chose go to an
OpenAI-compatible endpoint, and every sentence of its reply is checked against them."""
