"""One module per policy kind."""
