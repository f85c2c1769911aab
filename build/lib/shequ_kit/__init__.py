"""shequ-kit: community ledgers (台账) to indicators and annual work summaries."""

__version__ = "0.1.0"
