"""Report | Plan -> str. Renderers never print and never touch the network."""
