"""The screens behind the navigation rail: one module (or package) per rail entry."""
