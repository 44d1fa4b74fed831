"""Varnish in front of careers_site: the VCL (default.vcl) and what starts it (varnish.py)."""
