"""First-run setup: the wizard, region discovery, doctor, ~/.aws profiles."""
