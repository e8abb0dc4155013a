"""Alert use cases, one module per concern: drafting and its steps, translations, consent, distribution."""
