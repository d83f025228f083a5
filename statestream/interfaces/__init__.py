"""Interfaces: data in and out of a running network."""
