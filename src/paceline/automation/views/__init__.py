"""The automation pages: rules and their firing log, playbooks and runs, channels and deliveries."""
