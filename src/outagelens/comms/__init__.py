"""Customer communication: status pages, incident updates, notifications."""
