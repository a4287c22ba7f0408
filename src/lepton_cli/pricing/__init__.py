"""Price catalog: a bundled, dated snapshot, live refresh per provider, and a cache."""
