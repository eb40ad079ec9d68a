"""Text processing, shared by the build, retrieval and answering: terms (tokenising, stemming,
stop words), acronyms, sentences and chunking. No models, no stored index."""
