"""Standalone performance scripts (not collected by pytest); see api_bench.py."""
