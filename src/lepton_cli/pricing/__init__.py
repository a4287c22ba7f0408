"""Price catalog: a bundled, dated snapshot in lepton's own format, live refresh per provider, cache."""
