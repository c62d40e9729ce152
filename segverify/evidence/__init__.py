"""Evidence stage: what binds a report to its inputs, and the re-check of a certificate file."""
