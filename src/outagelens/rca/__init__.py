"""Root-cause localization and cause attribution."""
