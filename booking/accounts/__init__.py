"""Organisations, units and users; who may call what (roles); API tokens and ending every way in
when access ends."""
