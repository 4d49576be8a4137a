"""Citing: where each row comes from (claims, evidence, sources) and how to cite the package."""
