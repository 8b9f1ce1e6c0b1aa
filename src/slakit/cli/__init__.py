"""slakit's command line: one Typer module per command group, wired in `main`."""
