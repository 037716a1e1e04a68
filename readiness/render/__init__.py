"""Audit | Plan | Run + language -> str (table, json, csv, md, html). Renderers never print, never touch the
network, and never import the checks, the facts or the snapshot: everything they show is in what they are given."""
