"""Areas: provinces, districts, subdistricts and local governments (อปท.)."""
