"""Research helpers over a Package: the pilot-zone panel, trade series, provenance and citations."""
