"""Chapter-specific code: one module per study (sample rules, proxies, model specifications)."""
