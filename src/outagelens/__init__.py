"""OutageLens: investigate widespread outages at providers that serve many customers."""

__version__ = "0.1.0"
