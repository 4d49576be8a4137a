"""Research helpers over a Package: the DID panels and trade series."""
