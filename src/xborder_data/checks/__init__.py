"""Checks over data passed in: release integrity and the validation report."""
